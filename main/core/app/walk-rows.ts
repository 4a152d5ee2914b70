/** Walk records as the verdicts table shows them, filtered and paged. Pure. */
import type { WalkRecord } from '../analysis/verdict.js';
import { UNKNOWN_REASON_TEXT } from '../analysis/verdict.js';
import type { Addr } from '../util/addr.js';
import type { WalkPage, WalkQuery, WalkRow } from './app-contract.js';

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

function matches(w: WalkRecord, q: WalkQuery, ctx: Addr | undefined): boolean {
  return (
    (q.verdict === 'ALL' || w.verdict.verdict === q.verdict) &&
    (ctx === undefined || w.ctx === ctx) &&
    (q.tid === undefined || w.tid === q.tid) &&
    (q.fromNs === undefined || w.start >= q.fromNs) &&
    (q.toNs === undefined || w.start < q.toNs)
  );
}

/**
 * One page of the walks of one rule matching the query, in walk order. `ctx` is the query's
 * ring already parsed (undefined: all rings). Walks not yet decided (holes) are skipped.
 */
export function walkPage(records: readonly (WalkRecord | undefined)[], q: WalkQuery, ctx: Addr | undefined, fmt: (a: Addr) => string): WalkPage {
  const rows: WalkRow[] = [];
  let total = 0;
  for (const w of records) {
    if (w === undefined || !matches(w, q, ctx)) {
      continue;
    }
    if (total >= q.offset && rows.length < q.limit) {
      rows.push(walkRow(w, fmt));
    }
    total++;
  }
  return { total, offset: q.offset, rows };
}
