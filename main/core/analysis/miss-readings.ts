/**
 * Probe-miss counters over time. A counter is cumulative; a window [start, end] is miss-free for
 * a probe when the last reading strictly before `start` equals the first reading strictly after
 * `end`, and the counter was not reset in between. Readings at the very nanosecond of an edge are
 * not used: they cannot be ordered against the entry or the return. A reading lower than the
 * one before means the probe was re-registered: it was not attached for a while, so nothing
 * across that point is proven.
 */
import type { RelNs } from '../util/time.js';

interface Reading {
  readonly ts: number;
  readonly missed: number;
}

export type MissCheck =
  | { readonly kind: 'clean'; readonly probes: number; readonly from: number; readonly to: number }
  | { readonly kind: 'missed'; readonly probe: number; readonly count: number; readonly from: number; readonly to: number }
  | { readonly kind: 'reset'; readonly probe: number; readonly at: number }
  | { readonly kind: 'no_reading_before'; readonly probe: number }
  | { readonly kind: 'wait' };

/**
 * The readings a clean check used, as bounds: a window whose start lies in (maxBefore, minNext]
 * and whose end lies in [maxPrevOfAfter, minAfter) is bracketed by the very same readings of
 * every probe, so its check has the same answer (consecutive walks nearly always are).
 */
interface CleanBounds {
  readonly maxBefore: number;
  readonly minNext: number;
  readonly maxPrevOfAfter: number;
  readonly minAfter: number;
  readonly result: MissCheck;
}

export class MissReadings {
  /** Per probe, readings in time order. */
  private readonly readings = new Map<number, Reading[]>();
  /** The last clean check's bounds; forgotten whenever the readings change. */
  private clean: CleanBounds | undefined;

  constructor(private readonly probes: readonly number[]) {}

  /**
   * Adds a reading. Readings normally arrive in order; a late one is put in its place, and the
   * interval between its neighbours is returned: checks already made across it may now differ.
   */
  add(probe: number, ts: RelNs, missed: number): { readonly from: number; readonly to: number } | undefined {
    this.clean = undefined;
    let list = this.readings.get(probe);
    if (list === undefined) {
      list = [];
      this.readings.set(probe, list);
    }
    let i = list.length;
    while (i > 0 && (list[i - 1]?.ts ?? -Infinity) > ts) {
      i--;
    }
    list.splice(i, 0, { ts, missed });
    if (i === list.length - 1) {
      return undefined;
    }
    return { from: list[i - 1]?.ts ?? -Infinity, to: list[i + 1]?.ts ?? Infinity };
  }

  /** Whether any counted probe missed hits during [start, end]; `wait` until readings cover `end`. */
  check(start: number, end: number): MissCheck {
    const c = this.clean;
    if (c !== undefined && c.maxBefore < start && start <= c.minNext && c.maxPrevOfAfter <= end && end < c.minAfter) {
      return c.result;
    }
    let from = -Infinity;
    let to = Infinity;
    let minNext = Infinity;
    let maxPrevOfAfter = -Infinity;
    for (const p of this.probes) {
      const list = this.readings.get(p) ?? [];
      const b = lastBefore(list, start);
      const before = list[b];
      if (before === undefined) {
        return { kind: 'no_reading_before', probe: p };
      }
      const a = firstAfter(list, end);
      const after = list[a];
      if (after === undefined) {
        return { kind: 'wait' };
      }
      for (let i = b + 1; i <= a; i++) {
        const r = list[i];
        const prev = list[i - 1];
        if (r !== undefined && prev !== undefined && r.missed < prev.missed) {
          return { kind: 'reset', probe: p, at: r.ts };
        }
      }
      if (after.missed !== before.missed) {
        return { kind: 'missed', probe: p, count: after.missed - before.missed, from: before.ts, to: after.ts };
      }
      from = Math.max(from, before.ts);
      to = Math.min(to, after.ts);
      minNext = Math.min(minNext, list[b + 1]?.ts ?? after.ts);
      maxPrevOfAfter = Math.max(maxPrevOfAfter, list[a - 1]?.ts ?? before.ts);
    }
    const result: MissCheck = { kind: 'clean', probes: this.probes.length, from, to };
    this.clean = { maxBefore: from, minNext, maxPrevOfAfter, minAfter: to, result };
    return result;
  }

  /**
   * Drops readings no window in order can need: all but the last one strictly before
   * `oldestStart` and the `keepBehind` before that one (for windows that arrive late).
   */
  trim(oldestStart: number, keepBehind = 0): void {
    this.clean = undefined;
    for (const list of this.readings.values()) {
      const keepFrom = lastBefore(list, oldestStart) - keepBehind;
      if (keepFrom > 0) {
        list.splice(0, keepFrom);
      }
    }
  }
}

/** Index of the last reading with ts < t, or -1. */
function lastBefore(list: readonly Reading[], t: number): number {
  let lo = 0;
  let hi = list.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid]?.ts ?? Infinity) < t) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** Index of the first reading with ts > t, or list.length. */
function firstAfter(list: readonly Reading[], t: number): number {
  let lo = 0;
  let hi = list.length - 1;
  let found = list.length;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid]?.ts ?? -Infinity) > t) {
      found = mid;
      hi = mid - 1;
    } else {
      lo = mid + 1;
    }
  }
  return found;
}
