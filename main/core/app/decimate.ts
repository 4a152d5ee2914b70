/**
 * Decimation to pixel resolution: points in a time range folded into equal buckets, keeping per
 * bucket what a chart must not lose — counts, and the minimum and maximum (an envelope never
 * drops an extreme, however many points share a pixel). Pure; each call costs the points in the
 * blocks overlapping its range (timed-blocks.ts) plus the buckets.
 */
import type { TimedBlocks } from './timed-blocks.js';
import { forEachInRange } from './timed-blocks.js';

export interface Buckets {
  readonly fromNs: number;
  readonly toNs: number;
  readonly bucketNs: number;
  readonly count: number;
}

export function bucketsOf(fromNs: number, toNs: number, count: number): Buckets {
  const n = Math.max(1, Math.floor(count));
  const span = Math.max(toNs - fromNs, 1);
  return { fromNs, toNs: fromNs + span, bucketNs: span / n, count: n };
}

function bucketOf(b: Buckets, t: number): number {
  const k = Math.floor((t - b.fromNs) / b.bucketNs);
  return k < 0 ? 0 : k >= b.count ? b.count - 1 : k;
}

/** Per bucket, how many of the points with each value (a code 0..codes-1) fall in it. */
export function countByCode(b: Buckets, points: TimedBlocks, codeCount: number): number[][] {
  const out: number[][] = [];
  for (let c = 0; c < codeCount; c++) {
    out.push(new Array<number>(b.count).fill(0));
  }
  forEachInRange(points, b.fromNs, b.toNs, (i) => {
    const row = out[points.values[i] ?? 0];
    if (row !== undefined) {
      const k = bucketOf(b, points.ts[i] ?? 0);
      row[k] = (row[k] ?? 0) + 1;
    }
  });
  return out;
}

export interface Envelope {
  readonly min: (number | null)[];
  readonly max: (number | null)[];
}

/** Per bucket, the minimum and maximum of the values whose times fall in it (null where none). */
export function minMaxEnvelope(b: Buckets, points: TimedBlocks): Envelope {
  const min = new Array<number | null>(b.count).fill(null);
  const max = new Array<number | null>(b.count).fill(null);
  forEachInRange(points, b.fromNs, b.toNs, (i) => {
    const k = bucketOf(b, points.ts[i] ?? 0);
    const v = points.values[i] ?? 0;
    const m = min[k];
    if (m === null || m === undefined || v < m) {
      min[k] = v;
    }
    const x = max[k];
    if (x === null || x === undefined || v > x) {
      max[k] = v;
    }
  });
  return { min, max };
}
