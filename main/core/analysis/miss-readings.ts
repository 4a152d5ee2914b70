/**
 * Probe-miss counters over time. A counter is cumulative; readings arrive in time order. A
 * window [start, end] is miss-free for a probe when the last reading at or before `start` equals
 * the first reading at or after `end`.
 */
import type { RelNs } from '../util/time.js';

interface Reading {
  readonly ts: number;
  readonly missed: number;
}

export type MissCheck =
  | { readonly kind: 'clean'; readonly text: string }
  | { readonly kind: 'missed'; readonly probe: number; readonly count: number; readonly from: number; readonly to: number }
  | { readonly kind: 'no_reading_before'; readonly probe: number }
  | { readonly kind: 'wait' };

export class MissReadings {
  private readonly readings = new Map<number, Reading[]>();

  constructor(private readonly probes: readonly number[]) {}

  add(probe: number, ts: RelNs, missed: number): void {
    let list = this.readings.get(probe);
    if (list === undefined) {
      list = [];
      this.readings.set(probe, list);
    }
    list.push({ ts, missed });
  }

  /** Latest reading time over the probes that is known for all of them (−∞ if any has none). */
  coveredUntil(): number {
    let t = Infinity;
    for (const p of this.probes) {
      const list = this.readings.get(p);
      const last = list?.[list.length - 1];
      if (last === undefined) {
        return -Infinity;
      }
      t = Math.min(t, last.ts);
    }
    return t;
  }

  /** Whether any counted probe missed hits during [start, end]; `wait` until readings cover `end`. */
  check(start: number, end: number): MissCheck {
    const parts: string[] = [];
    for (const p of this.probes) {
      const list = this.readings.get(p) ?? [];
      const before = lastAtOrBefore(list, start);
      if (before === undefined) {
        return { kind: 'no_reading_before', probe: p };
      }
      const after = firstAtOrAfter(list, end);
      if (after === undefined) {
        return { kind: 'wait' };
      }
      if (after.missed !== before.missed) {
        return { kind: 'missed', probe: p, count: after.missed - before.missed, from: before.ts, to: after.ts };
      }
      parts.push(`${p}:${before.missed}`);
    }
    return { kind: 'clean', text: `miss counters unchanged across the window (probe:count ${parts.join(' ')})` };
  }

  /** Drops readings no pending window can need (all before `oldestStart` but the last). */
  trim(oldestStart: number): void {
    for (const list of this.readings.values()) {
      let keep = 0;
      while (keep + 1 < list.length && (list[keep + 1]?.ts ?? Infinity) <= oldestStart) {
        keep++;
      }
      if (keep > 0) {
        list.splice(0, keep);
      }
    }
  }
}

function lastAtOrBefore(list: readonly Reading[], t: number): Reading | undefined {
  let lo = 0;
  let hi = list.length - 1;
  let found: Reading | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = list[mid];
    if (r === undefined) {
      break;
    }
    if (r.ts <= t) {
      found = r;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

function firstAtOrAfter(list: readonly Reading[], t: number): Reading | undefined {
  let lo = 0;
  let hi = list.length - 1;
  let found: Reading | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = list[mid];
    if (r === undefined) {
      break;
    }
    if (r.ts >= t) {
      found = r;
      hi = mid - 1;
    } else {
      lo = mid + 1;
    }
  }
  return found;
}
