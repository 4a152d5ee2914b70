/**
 * Decimation to pixel resolution: points in a time range folded into equal buckets, keeping per
 * bucket what a chart must not lose — counts, and the minimum and maximum (an envelope never
 * drops an extreme, however many points share a pixel). Pure; the inputs are sorted columns and
 * each call costs O(log n + points in range + buckets).
 */
import { lowerBound } from './capture-index.js';

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

/** Positions [lo, hi) of the sorted times that fall in [fromNs, toNs]. */
export function rangeOf(sorted: Float64Array, fromNs: number, toNs: number): readonly [number, number] {
  const lo = lowerBound(sorted, fromNs);
  // Upper bound inclusive of toNs: the first position > toNs.
  let hi = lowerBound(sorted, toNs);
  while (hi < sorted.length && sorted[hi] === toNs) {
    hi++;
  }
  return [lo, hi];
}

/** Per bucket, how many of the points with each code (0..codes-1) fall in it. */
export function countByCode(b: Buckets, sorted: Float64Array, codes: Uint8Array, codeCount: number): number[][] {
  const out: number[][] = [];
  for (let c = 0; c < codeCount; c++) {
    out.push(new Array<number>(b.count).fill(0));
  }
  const [lo, hi] = rangeOf(sorted, b.fromNs, b.toNs);
  for (let i = lo; i < hi; i++) {
    const row = out[codes[i] ?? 0];
    if (row !== undefined) {
      const k = bucketOf(b, sorted[i] ?? 0);
      row[k] = (row[k] ?? 0) + 1;
    }
  }
  return out;
}

export interface Envelope {
  readonly min: (number | null)[];
  readonly max: (number | null)[];
}

/** Per bucket, the minimum and maximum of the values whose times fall in it (null where none). */
export function minMaxEnvelope(b: Buckets, sorted: Float64Array, values: Float64Array): Envelope {
  const min = new Array<number | null>(b.count).fill(null);
  const max = new Array<number | null>(b.count).fill(null);
  const [lo, hi] = rangeOf(sorted, b.fromNs, b.toNs);
  for (let i = lo; i < hi; i++) {
    const k = bucketOf(b, sorted[i] ?? 0);
    const v = values[i] ?? 0;
    const m = min[k];
    if (m === null || m === undefined || v < m) {
      min[k] = v;
    }
    const x = max[k];
    if (x === null || x === undefined || v > x) {
      max[k] = v;
    }
  }
  return { min, max };
}
