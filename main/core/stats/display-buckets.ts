/**
 * A LogHistogram drawn at a readable resolution: its fine buckets (64 per power of two) merged
 * into at most ~160 contiguous display buckets, and its CDF at the fine buckets' edges. Counts
 * stay exact: every display bucket is a union of whole fine buckets (both are powers of two wide
 * and aligned), so no sample is split or estimated.
 *
 * Display layout: each power of two [2^e, 2^(e+1)) is cut into `perOctave` equal buckets
 * (a power of two from 1 to 64; never finer than the histogram's own buckets below 128, which are
 * 1 ns wide), and 0 has the bucket [0, 1). `perOctave` is the finest that keeps the span from the
 * minimum to the maximum within `maxBuckets`.
 */
import type { LogHistogram } from './log-histogram.js';
import { SUB_BUCKETS } from './log-histogram.js';

export const DEFAULT_DISPLAY_BUCKETS = 160;

export interface DisplayBuckets {
  /** Contiguous buckets: bucket i holds the samples in [lower[i], upper[i]); lower[i + 1] === upper[i]. */
  readonly lower: readonly number[];
  readonly upper: readonly number[];
  readonly counts: readonly number[];
  /** Display buckets per power of two. */
  readonly perOctave: number;
}

export interface EdgeCdf {
  /** Bucket edges (ns), strictly increasing. */
  readonly x: readonly number[];
  /** p[i]: the exact fraction of samples below x[i]; 0 first, 1 last, never decreasing. */
  readonly p: readonly number[];
}

/** Lower bound of the display bucket holding `v` (an integer >= 0) at `perOctave` buckets per power of two. */
export function displayLow(v: number, perOctave: number): number {
  if (v < 1) {
    return 0;
  }
  const w = displayWidthAt(v, perOctave);
  return Math.floor(v / w) * w;
}

/** Width of the display bucket holding `v`. */
export function displayWidthAt(v: number, perOctave: number): number {
  if (v < 1) {
    return 1;
  }
  const e = Math.floor(Math.log2(v));
  // Math.log2 can round up just below a power of two: correct it.
  const octave = 2 ** e > v ? 2 ** (e - 1) : 2 ** e;
  return Math.max(1, octave / perOctave);
}

function spanBuckets(min: number, max: number, perOctave: number, limit: number): number {
  let n = 0;
  for (let low = displayLow(min, perOctave); low <= max && n <= limit; low += displayWidthAt(low, perOctave)) {
    n++;
  }
  return n;
}

/** The histogram's samples in at most `maxBuckets` contiguous display buckets (empty ones included). */
export function displayBuckets(h: LogHistogram, maxBuckets: number = DEFAULT_DISPLAY_BUCKETS): DisplayBuckets {
  const { min, max } = h;
  if (h.count === 0 || min === undefined || max === undefined) {
    return { lower: [], upper: [], counts: [], perOctave: SUB_BUCKETS };
  }
  let perOctave = SUB_BUCKETS;
  while (perOctave > 1 && spanBuckets(min, max, perOctave, maxBuckets) > maxBuckets) {
    perOctave /= 2;
  }
  const lower: number[] = [];
  const upper: number[] = [];
  for (let low = displayLow(min, perOctave); low <= max; ) {
    const next = low + displayWidthAt(low, perOctave);
    lower.push(low);
    upper.push(next);
    low = next;
  }
  const counts = new Array<number>(lower.length).fill(0);
  let i = 0;
  for (const bin of h.bins()) {
    // Fine buckets arrive in increasing order; each lies inside exactly one display bucket.
    while ((upper[i] ?? Infinity) <= bin.low) {
      i++;
    }
    counts[i] = (counts[i] ?? 0) + bin.count;
  }
  return { lower, upper, counts, perOctave };
}

/** The CDF at the edges of the histogram's non-empty fine buckets (exact at every point). */
export function edgeCdf(h: LogHistogram): EdgeCdf {
  const n = h.count;
  const x: number[] = [];
  const p: number[] = [];
  let below = 0;
  for (const bin of h.bins()) {
    if (x[x.length - 1] !== bin.low) {
      x.push(bin.low);
      p.push(below / n);
    }
    below += bin.count;
    x.push(bin.low + bin.width);
    p.push(below === n ? 1 : below / n);
  }
  return { x, p };
}

/**
 * The q-quantile read off an edge CDF: the first edge with at least a fraction q of the samples
 * below it (so the upper edge of the bucket holding the nearest-rank quantile); undefined if empty.
 */
export function quantileFromCdf(cdf: EdgeCdf, q: number): number | undefined {
  for (let i = 0; i < cdf.x.length; i++) {
    if ((cdf.p[i] ?? 0) >= q && (cdf.p[i] ?? 0) > 0) {
      return cdf.x[i];
    }
  }
  return cdf.x[cdf.x.length - 1];
}
