/**
 * What the timeline reads from a capture, gathered in one pass per capture so that every query
 * after scans only what lies near its range (timed-blocks.ts: points in arrival order, in blocks
 * that know their time span — no sort of millions of points):
 *   - each batch's time extent (batches are only roughly time ordered: a lab capture's five
 *     batches each span most of it), so a scan skips the batches outside its range, and counts a
 *     batch wholly inside by its size;
 *   - every walk's start and verdict;
 *   - every uring_lock hold (acquired → release by the same task), at the time it was taken,
 *     with its duration: from raw lock events and from the ops of window summaries.
 * "uring_lock" is any lock a walk window named (window_enter / window_summary `lock`).
 *
 * Built lazily and cached per analysis; a live capture that grew (or whose records changed) since is
 * indexed again.
 */
import type { EventColumns } from '../capture/event-columns.js';
import { K, OK } from '../capture/event-columns.js';
import type { CaptureAnalysis } from './capture-analysis.js';
import type { TimedBlocks } from './timed-blocks.js';
import { PointList } from './timed-blocks.js';

/** Verdict codes in `walkVerdict`. */
export const V_HELD = 0;
export const V_NOT_HELD = 1;
export const V_UNKNOWN = 2;

export interface BatchExtent {
  readonly min: number;
  readonly max: number;
}

export interface CaptureIndex {
  readonly batches: readonly EventColumns[];
  readonly extents: readonly BatchExtent[];
  /** Walk starts with their verdict codes. */
  readonly walks: TimedBlocks;
  /** Hold starts (ns) with each hold's duration (ns). */
  readonly holds: TimedBlocks;
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
  const index = buildIndex(a.batches, walks);
  cache.set(a, { batches: a.batches.length, revision: a.revision, index });
  return index;
}

/** What the index reads of a walk record (the records themselves are given: no copy per walk). */
export interface WalkPoint {
  readonly start: number;
  readonly verdict: { readonly verdict: 'HELD' | 'NOT_HELD' | 'UNKNOWN' };
}

function verdictCode(v: WalkPoint['verdict']['verdict']): number {
  return v === 'HELD' ? V_HELD : v === 'NOT_HELD' ? V_NOT_HELD : V_UNKNOWN;
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

/**
 * Per task and lock, when it took the lock: a slot per (tid, lock) in a plain array of doubles
 * (NaN: not held), found through a map of small-integer keys. A map keyed by doubles, or holding
 * doubles, allocates on every lock event — millions of them in a big capture, under a large heap.
 */
class TakenTable {
  private readonly locks: number[];
  private readonly slots = new Map<number, number>();
  private readonly at: number[] = [];

  constructor(locks: ReadonlySet<number>) {
    this.locks = [...locks];
  }

  /** The slot of (tid, lock), or -1 when the lock is not a uring_lock. */
  slot(tid: number, lock: number): number {
    const ord = this.locks.indexOf(lock);
    if (ord < 0) {
      return -1;
    }
    // Exact integer keys; below 2^30 they are small integers, which a Map stores without allocating.
    const key = tid * this.locks.length + ord;
    let s = this.slots.get(key);
    if (s === undefined) {
      s = this.at.length;
      this.at.push(NaN);
      this.slots.set(key, s);
    }
    return s;
  }

  take(slot: number, ts: number): void {
    this.at[slot] = ts;
  }

  /** When it was taken (NaN: not seen taken), and clears it. */
  release(slot: number): number {
    const from = this.at[slot] ?? NaN;
    this.at[slot] = NaN;
    return from;
  }
}

function collectHolds(batches: readonly EventColumns[], locks: ReadonlySet<number>): PointList {
  const holds = new PointList();
  const taken = new TakenTable(locks);
  for (const c of batches) {
    for (let i = 0; i < c.count; i++) {
      const k = c.kind[i];
      if (k === K.lock_acquired || k === K.lock_release) {
        const slot = taken.slot(c.tid[i] ?? 0, c.lock[i] ?? 0);
        if (slot < 0) {
          continue;
        }
        const ts = c.ts[i] ?? 0;
        if (k === K.lock_acquired) {
          if (((c.bits[i] ?? 0) & OK) !== 0) {
            taken.take(slot, ts);
          }
        } else {
          const from = taken.release(slot);
          if (ts >= from) {
            holds.push(from, ts - from);
          }
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
  let minTs = Infinity;
  let maxTs = -Infinity;
  for (const c of batches) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < c.count; i++) {
      const ts = c.ts[i] ?? 0;
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

  const w = new PointList();
  for (const p of walks) {
    if (p !== undefined) {
      w.push(p.start, verdictCode(p.verdict.verdict));
    }
  }

  return {
    batches,
    extents,
    walks: w.blocks(),
    holds: collectHolds(batches, windowLocks(batches)).blocks(),
    minTs: Number.isFinite(minTs) ? minTs : 0,
    maxTs: Number.isFinite(maxTs) ? maxTs : 0,
  };
}

/** Events with a time in [from, to]: batches wholly inside count by their size, the rest are scanned. */
export function eventsInRange(ix: CaptureIndex, from: number, to: number): number {
  let n = 0;
  ix.batches.forEach((c, b) => {
    const x = ix.extents[b];
    if (x === undefined || x.max < from || x.min > to) {
      return;
    }
    if (x.min >= from && x.max <= to) {
      n += c.count;
      return;
    }
    for (let i = 0; i < c.count; i++) {
      const t = c.ts[i] ?? 0;
      if (t >= from && t <= to) {
        n++;
      }
    }
  });
  return n;
}
