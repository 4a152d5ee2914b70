/**
 * Walk records as the verdicts table shows them, filtered and paged. Pure.
 *
 * A filter is applied once: the positions of the matching records are kept in one Int32Array per
 * (rule, filter) (4 bytes a walk; a million walks, 4 MB), so a page is the slice the table scrolled
 * to, not another pass over every walk. The cache is told the analysis's revision with each query
 * and forgets what it held once that moves (a live capture grew, a verdict was withdrawn).
 */
import type { WalkRecord } from '../analysis/verdict.js';
import { UNKNOWN_REASON_TEXT } from '../analysis/verdict.js';
import type { Addr } from '../util/addr.js';
import type { WalkPage, WalkQuery, WalkRow } from './app-contract.js';

/** The part of a query that decides which walks match (no paging). */
export type WalkFilter = Pick<WalkQuery, 'verdict' | 'tid' | 'fromNs' | 'toNs'>;

export function walkRow(w: WalkRecord, fmt: (a: Addr) => string): WalkRow {
  const v = w.verdict;
  return {
    index: w.index,
    rule: w.rule,
    verdict: v.verdict,
    reason: v.verdict === 'UNKNOWN' ? v.reason : undefined,
    reasonText: v.verdict === 'UNKNOWN' ? UNKNOWN_REASON_TEXT[v.reason] : undefined,
    start: w.start,
    end: w.end,
    cpu: w.cpu,
    tid: w.tid,
    task: fmt(w.task),
    req: fmt(w.req),
    next: fmt(w.next),
    ctx: fmt(w.ctx),
    lock: fmt(w.lock),
    site: w.site,
  };
}

function matches(w: WalkRecord, f: WalkFilter, ctx: Addr | undefined): boolean {
  return (
    (f.verdict === 'ALL' || w.verdict.verdict === f.verdict) &&
    (ctx === undefined || w.ctx === ctx) &&
    (f.tid === undefined || w.tid === f.tid) &&
    (f.fromNs === undefined || w.start >= f.fromNs) &&
    (f.toNs === undefined || w.start < f.toNs)
  );
}

/**
 * The positions in `records` of the walks matching the filter, in walk order. `ctx` is the
 * filter's ring already parsed (undefined: all rings). Holes (walks not decided, or of another
 * rule) never match.
 */
export function matchingSlots(records: readonly (WalkRecord | undefined)[], f: WalkFilter, ctx: Addr | undefined): Int32Array {
  const slots = new Int32Array(records.length);
  let n = 0;
  for (let i = 0; i < records.length; i++) {
    const w = records[i];
    if (w !== undefined && matches(w, f, ctx)) {
      slots[n++] = i;
    }
  }
  return slots.slice(0, n);
}

/** The rows at [offset, offset + limit) of the matching walks; an offset past the end gives no rows and the true total. */
export function pageOfSlots(records: readonly (WalkRecord | undefined)[], slots: Int32Array, offset: number, limit: number, fmt: (a: Addr) => string): WalkPage {
  const rows: WalkRow[] = [];
  const end = Math.min(slots.length, offset + Math.max(0, limit));
  for (let k = offset; k < end; k++) {
    const w = records[slots[k] ?? -1];
    if (w !== undefined) {
      rows.push(walkRow(w, fmt));
    }
  }
  return { total: slots.length, offset, rows };
}

/**
 * One page of the walks of one rule matching the query, in walk order, with no cache: one pass
 * over the records. `ctx` is the query's ring already parsed (undefined: all rings).
 */
export function walkPage(records: readonly (WalkRecord | undefined)[], q: WalkQuery, ctx: Addr | undefined, fmt: (a: Addr) => string): WalkPage {
  return pageOfSlots(records, matchingSlots(records, q, ctx), q.offset, q.limit, fmt);
}

/** What identifies a filter's walks: the rule, the parsed ring, and the rest of the filter. */
export function filterKey(rule: string, f: WalkFilter, ctx: Addr | undefined): string {
  const part = (v: number | undefined): string => (v === undefined ? '*' : String(v));
  return `${rule}|${f.verdict}|${part(ctx)}|${part(f.tid)}|${part(f.fromNs)}|${part(f.toNs)}`;
}

interface CachedSlots {
  readonly records: readonly (WalkRecord | undefined)[];
  readonly slots: Int32Array;
}

/**
 * The matching positions of the last few filters of one capture. Scrolling asks for page after
 * page of the same filter: each is a slice of the cached positions.
 */
export class WalkIndexCache {
  /** Most recently used last. */
  private readonly entries = new Map<string, CachedSlots>();
  private revision: number | undefined;

  constructor(private readonly capacity = 8) {}

  /** How many filters are held (for tests). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The positions of the walks of `rule` matching the filter. `revision` is the analysis's
   * (CaptureAnalysis.revision): when it differs from the last query's, everything is forgotten.
   */
  slots(rule: string, records: readonly (WalkRecord | undefined)[], revision: number, f: WalkFilter, ctx: Addr | undefined): Int32Array {
    if (revision !== this.revision) {
      this.entries.clear();
      this.revision = revision;
    }
    const key = filterKey(rule, f, ctx);
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.records === records) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.slots;
    }
    const slots = matchingSlots(records, f, ctx);
    this.entries.delete(key);
    this.entries.set(key, { records, slots });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) {
        break;
      }
      this.entries.delete(oldest.value);
    }
    return slots;
  }

  /** One page of the walks of `rule` matching the query (see walkPage), from the cached positions. */
  page(rule: string, records: readonly (WalkRecord | undefined)[], revision: number, q: WalkQuery, ctx: Addr | undefined, fmt: (a: Addr) => string): WalkPage {
    return pageOfSlots(records, this.slots(rule, records, revision, q, ctx), q.offset, q.limit, fmt);
  }
}
