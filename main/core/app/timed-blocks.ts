/**
 * Points in time with a value each, kept in the order they came, in blocks that know their
 * earliest and latest time. A capture's points arrive nearly in time order (batches, walks decided
 * in turn), so each block spans a short stretch and a range query scans only the blocks that
 * overlap it — without sorting millions of points first (a sort of 10M times cost seconds, and
 * more under a large analysis's heap). A point out of order only widens its block. Pure.
 */

export const BLOCK = 4096;

export interface TimedBlocks {
  readonly length: number;
  readonly ts: Float64Array;
  readonly values: Float64Array;
  /** Per block of BLOCK points: its earliest and latest time. */
  readonly blockMin: Float64Array;
  readonly blockMax: Float64Array;
}

/** Blocks over the first `length` points of `ts` and `values` (kept, not copied). */
export function timedBlocks(ts: Float64Array, values: Float64Array, length = ts.length): TimedBlocks {
  const blocks = Math.ceil(length / BLOCK);
  const blockMin = new Float64Array(blocks).fill(Infinity);
  const blockMax = new Float64Array(blocks).fill(-Infinity);
  for (let i = 0; i < length; i++) {
    const b = (i / BLOCK) | 0;
    const t = ts[i] ?? 0;
    if (t < (blockMin[b] ?? 0)) {
      blockMin[b] = t;
    }
    if (t > (blockMax[b] ?? 0)) {
      blockMax[b] = t;
    }
  }
  return { length, ts, values, blockMin, blockMax };
}

/** A growable pair of number columns, to collect points before blocking them. */
export class PointList {
  ts = new Float64Array(1024);
  values = new Float64Array(1024);
  length = 0;

  push(t: number, v: number): void {
    if (this.length === this.ts.length) {
      const t2 = new Float64Array(this.length * 2);
      t2.set(this.ts);
      this.ts = t2;
      const v2 = new Float64Array(this.length * 2);
      v2.set(this.values);
      this.values = v2;
    }
    this.ts[this.length] = t;
    this.values[this.length] = v;
    this.length++;
  }

  blocks(): TimedBlocks {
    return timedBlocks(this.ts, this.values, this.length);
  }
}

/**
 * Calls `f(i)` for every point whose time is in [from, to], block by block (skipping blocks
 * outside the range). The order is the points' own.
 */
export function forEachInRange(p: TimedBlocks, from: number, to: number, f: (i: number) => void): void {
  const blocks = p.blockMin.length;
  for (let b = 0; b < blocks; b++) {
    if ((p.blockMax[b] ?? 0) < from || (p.blockMin[b] ?? 0) > to) {
      continue;
    }
    const end = Math.min(p.length, (b + 1) * BLOCK);
    const inside = (p.blockMin[b] ?? 0) >= from && (p.blockMax[b] ?? 0) <= to;
    for (let i = b * BLOCK; i < end; i++) {
      if (inside) {
        f(i);
      } else {
        const t = p.ts[i] ?? 0;
        if (t >= from && t <= to) {
          f(i);
        }
      }
    }
  }
}
