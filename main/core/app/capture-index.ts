/**
 * What the timeline reads from a capture, sorted once per capture so that every query after is a
 * binary search and a scan of what falls in its range:
 *   - each batch's time extent (batches are only roughly time ordered: a lab capture's five
 *     batches each span most of it), so a scan for one walk skips the batches outside its range;
 *   - every event's time, sorted (events in a range: two binary searches);
 *   - every walk's start and verdict, sorted by start;
 *   - every uring_lock hold (acquired → release by the same task), by the time it was taken,
 *     with its duration: from raw lock events and from the ops of window summaries.
 * "uring_lock" is any lock a walk window named (window_enter / window_summary `lock`).
 *
 * Built lazily and cached per analysis; a live capture that grew (or whose records changed) since is
 * indexed again.
 */
import type { EventColumns } from '../capture/event-columns.js';
import { K, OK } from '../capture/event-columns.js';
import type { CaptureAnalysis } from './capture-analysis.js';

/** Verdict codes in `walkVerdict`. */
export const V_HELD = 0;
export const V_NOT_HELD = 1;
export const V_UNKNOWN = 2;

export interface BatchExtent {
  readonly min: number;
  readonly max: number;
}

export interface CaptureIndex {
  readonly extents: readonly BatchExtent[];
  /** Every event's ts, ascending. */
  readonly eventTs: Float64Array;
  /** Walk starts, ascending, with their verdict codes and indexes in the same order. */
  readonly walkStart: Float64Array;
  readonly walkVerdict: Uint8Array;
  /** Hold starts (ns), ascending, and each hold's duration (ns). */
  readonly holdStart: Float64Array;
  readonly holdNs: Float64Array;
  /** The capture's first and last event times (0, 0 when empty). */
  readonly minTs: number;
  readonly maxTs: number;
}

interface Cached {
  readonly batches: number;
  readonly revision: number;
  readonly index: CaptureIndex;
}

const cache = new WeakMap<CaptureAnalysis, Cached>();

/** The index of an analysis, built on first use and again when the capture grew. */
export function captureIndex(a: CaptureAnalysis): CaptureIndex {
  const rule = a.ruleIds()[0];
  const walks = rule === undefined ? [] : a.walks(rule);
  const hit = cache.get(a);
  if (hit !== undefined && hit.batches === a.batches.length && hit.revision === a.revision) {
    return hit.index;
  }
  const index = buildIndex(a.batches, walks.map((w) => (w === undefined ? undefined : { start: w.start, verdict: w.verdict.verdict })));
  cache.set(a, { batches: a.batches.length, revision: a.revision, index });
  return index;
}

export interface WalkPoint {
  readonly start: number;
  readonly verdict: 'HELD' | 'NOT_HELD' | 'UNKNOWN';
}

function verdictCode(v: WalkPoint['verdict']): number {
  return v === 'HELD' ? V_HELD : v === 'NOT_HELD' ? V_NOT_HELD : V_UNKNOWN;
}

/** Sorts `keys` ascending and applies the same order to `values` (in place). */
function sortPairs(keys: Float64Array, values: Float64Array | Uint8Array): void {
  let sorted = true;
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i] ?? 0) < (keys[i - 1] ?? 0)) {
      sorted = false;
      break;
    }
  }
  if (sorted) {
    return;
  }
  const order = new Uint32Array(keys.length);
  for (let i = 0; i < order.length; i++) {
    order[i] = i;
  }
  order.sort((x, y) => (keys[x] ?? 0) - (keys[y] ?? 0));
  const k2 = keys.slice();
  const v2 = values.slice();
  for (let i = 0; i < order.length; i++) {
    const j = order[i] ?? 0;
    keys[i] = k2[j] ?? 0;
    values[i] = v2[j] ?? 0;
  }
}

/** A growable pair of number columns. */
class PairList {
  keys = new Float64Array(1024);
  values = new Float64Array(1024);
  length = 0;
  push(k: number, v: number): void {
    if (this.length === this.keys.length) {
      const k2 = new Float64Array(this.length * 2);
      k2.set(this.keys);
      this.keys = k2;
      const v2 = new Float64Array(this.length * 2);
      v2.set(this.values);
      this.values = v2;
    }
    this.keys[this.length] = k;
    this.values[this.length] = v;
    this.length++;
  }
}

/** The set of uring_lock addresses: locks a walk window named. */
function windowLocks(batches: readonly EventColumns[]): Set<number> {
  const locks = new Set<number>();
  for (const c of batches) {
    for (let i = 0; i < c.count; i++) {
      if (c.kind[i] === K.window_enter) {
        locks.add(c.lock[i] ?? 0);
      }
    }
    for (const e of c.rare) {
      if (e !== undefined && e.kind === 'window_summary') {
        locks.add(e.lock);
      }
    }
  }
  return locks;
}

function collectHolds(batches: readonly EventColumns[], locks: ReadonlySet<number>): PairList {
  const holds = new PairList();
  /** Each lock's ordinal, for a numeric key per task and lock (tid · 2^20 + ordinal: exact below 2^53). */
  const ordinal = new Map<number, number>();
  for (const l of locks) {
    ordinal.set(l, ordinal.size);
  }
  /** Per task and lock, when it took the lock. */
  const taken = new Map<number, number>();
  for (const c of batches) {
    for (let i = 0; i < c.count; i++) {
      const k = c.kind[i];
      if (k === K.lock_acquired || k === K.lock_release) {
        const lockOrdinal = ordinal.get(c.lock[i] ?? 0);
        if (lockOrdinal === undefined) {
          continue;
        }
        const key = (c.tid[i] ?? 0) * 2 ** 20 + lockOrdinal;
        const ts = c.ts[i] ?? 0;
        if (k === K.lock_acquired) {
          if (((c.bits[i] ?? 0) & OK) !== 0) {
            taken.set(key, ts);
          }
        } else {
          const from = taken.get(key);
          if (from !== undefined && ts >= from) {
            holds.push(from, ts - from);
          }
          taken.delete(key);
        }
      }
    }
    for (const e of c.rare) {
      if (e === undefined || e.kind !== 'window_summary') {
        continue;
      }
      let from: number | undefined;
      for (const op of e.ops) {
        if (op.op === 'acquired') {
          from = op.ts;
        } else if (op.op === 'release') {
          if (from !== undefined && op.ts >= from) {
            holds.push(from, op.ts - from);
          }
          from = undefined;
        }
      }
    }
  }
  return holds;
}

export function buildIndex(batches: readonly EventColumns[], walks: readonly (WalkPoint | undefined)[]): CaptureIndex {
  const extents: BatchExtent[] = [];
  let total = 0;
  for (const c of batches) {
    total += c.count;
  }
  const eventTs = new Float64Array(total);
  let n = 0;
  let minTs = Infinity;
  let maxTs = -Infinity;
  for (const c of batches) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < c.count; i++) {
      const ts = c.ts[i] ?? 0;
      eventTs[n++] = ts;
      if (ts < min) {
        min = ts;
      }
      if (ts > max) {
        max = ts;
      }
    }
    // A window summary is stamped at its entry; its ops run to entry + duration.
    for (const e of c.rare) {
      if (e !== undefined && e.kind === 'window_summary' && e.ts + e.duration > max) {
        max = e.ts + e.duration;
      }
    }
    extents.push({ min, max });
    minTs = Math.min(minTs, min);
    maxTs = Math.max(maxTs, max);
  }
  eventTs.sort();

  let walkCount = 0;
  for (const w of walks) {
    if (w !== undefined) {
      walkCount++;
    }
  }
  const walkStart = new Float64Array(walkCount);
  const walkVerdict = new Uint8Array(walkCount);
  let j = 0;
  for (const w of walks) {
    if (w !== undefined) {
      walkStart[j] = w.start;
      walkVerdict[j] = verdictCode(w.verdict);
      j++;
    }
  }
  sortPairs(walkStart, walkVerdict);

  const holds = collectHolds(batches, windowLocks(batches));
  const holdStart = holds.keys.slice(0, holds.length);
  const holdNs = holds.values.slice(0, holds.length);
  sortPairs(holdStart, holdNs);

  return {
    extents,
    eventTs,
    walkStart,
    walkVerdict,
    holdStart,
    holdNs,
    minTs: Number.isFinite(minTs) ? minTs : 0,
    maxTs: Number.isFinite(maxTs) ? maxTs : 0,
  };
}

/** The first position in ascending `a` whose value is ≥ x (a.length when none). */
export function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] ?? 0) < x) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}
