/**
 * A decimating time series for plotting: points (t, value) fall into at most `maxBuckets`
 * equal-width time buckets, each keeping count, sum, min and max, so memory is bounded however
 * long the capture runs.
 *
 * Buckets. The bucket width w is a power of two ns (starting at `initialWidthNs` rounded up to one,
 * 1 ns by default), and bucket starts are multiples of w: a point at t belongs to the bucket
 * starting at floor(t / w) * w. The series spans the buckets from `origin` (its lowest bucket
 * start) for `span` buckets; span <= maxBuckets always.
 *
 * Growth. When a point falls outside the span and the span would then exceed maxBuckets, the
 * width doubles: each aligned pair of buckets [2k w, (2k+2) w) merges into one (count and sum add,
 * min and max combine), halving the span, until the point fits. This works in both directions:
 *
 *   - a point after the span (the usual case) extends it upwards;
 *   - a point before the first bucket extends it downwards the same way (existing buckets shift
 *     up, doubling the width if needed). Points are never clamped into a wrong bucket and never
 *     dropped: `count` always equals the number of add() calls, and each point lies inside its
 *     bucket's [start, start + width).
 *
 * Points may arrive in any order; a point inside the current span just updates its bucket.
 * add() is O(1) amortised: the width can double at most ~54 times over the series' life, each
 * doubling costing O(maxBuckets).
 */
import type { DurationNs, RelNs } from '../util/time.js';

/** Column arrays for uPlot; one entry per non-empty bucket, in time order. */
export interface TimeSeriesColumns {
  /** Bucket start times (ns since capture base). */
  readonly start: Float64Array;
  readonly count: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly mean: Float64Array;
  /** Width of every bucket, ns. */
  readonly widthNs: number;
}

export const DEFAULT_MAX_BUCKETS = 2048;

export class DecimatingTimeSeries {
  private readonly maxBuckets: number;
  private width: number;
  /** Start time of bucket 0; a multiple of width. Meaningful only when span > 0. */
  private origin = 0;
  /** Buckets in use: [0, span). */
  private span = 0;
  private points = 0;
  private readonly counts: Float64Array;
  private readonly sums: Float64Array;
  private readonly mins: Float64Array;
  private readonly maxs: Float64Array;

  /**
   * @param maxBuckets upper bound on buckets kept, an integer >= 2 (default 2048).
   * @param initialWidthNs finest bucket width, rounded up to a power of two ns (default 1 ns).
   */
  constructor(maxBuckets: number = DEFAULT_MAX_BUCKETS, initialWidthNs: number = 1) {
    if (!Number.isInteger(maxBuckets) || maxBuckets < 2) {
      throw new RangeError(`DecimatingTimeSeries: maxBuckets must be an integer >= 2, got ${maxBuckets}`);
    }
    if (!(initialWidthNs > 0 && initialWidthNs <= 2 ** 53)) {
      throw new RangeError(`DecimatingTimeSeries: bad initial width ${initialWidthNs}`);
    }
    this.maxBuckets = maxBuckets;
    let w = 1;
    while (w < initialWidthNs) {
      w *= 2;
    }
    this.width = w;
    this.counts = new Float64Array(maxBuckets);
    this.sums = new Float64Array(maxBuckets);
    this.mins = new Float64Array(maxBuckets).fill(Infinity);
    this.maxs = new Float64Array(maxBuckets).fill(-Infinity);
  }

  /** Number of points added. */
  get count(): number {
    return this.points;
  }

  /** Current bucket width. */
  get bucketWidth(): DurationNs {
    return this.width as DurationNs;
  }

  /** Buckets currently spanned (empty ones included); never more than maxBuckets. */
  get bucketCount(): number {
    return this.span;
  }

  /** Start of the first bucket, undefined before the first point. */
  get start(): RelNs | undefined {
    return this.span === 0 ? undefined : (this.origin as RelNs);
  }

  /** End (exclusive) of the last bucket, undefined before the first point. */
  get end(): RelNs | undefined {
    return this.span === 0 ? undefined : ((this.origin + this.span * this.width) as RelNs);
  }

  /** Adds one point. t and value must be finite (a RangeError otherwise). */
  add(t: RelNs, value: number): void {
    if (!Number.isFinite(t) || !Number.isFinite(value)) {
      throw new RangeError(`DecimatingTimeSeries.add: non-finite point (${t}, ${value})`);
    }
    if (this.span === 0) {
      this.origin = Math.floor(t / this.width) * this.width;
    }
    let i: number;
    if (t >= this.origin) {
      i = Math.floor((t - this.origin) / this.width);
      while (i >= this.maxBuckets) {
        this.coarsen();
        i = Math.floor((t - this.origin) / this.width);
      }
      if (i >= this.span) {
        this.span = i + 1;
      }
    } else {
      this.extendDown(t);
      i = 0;
    }
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.sums[i] = (this.sums[i] ?? 0) + value;
    if (value < (this.mins[i] ?? Infinity)) {
      this.mins[i] = value;
    }
    if (value > (this.maxs[i] ?? -Infinity)) {
      this.maxs[i] = value;
    }
    this.points++;
  }

  /** Moves origin down to t's bucket, shifting the buckets up, doubling the width as needed. */
  private extendDown(t: number): void {
    for (;;) {
      const newOrigin = Math.floor(t / this.width) * this.width;
      const shift = (this.origin - newOrigin) / this.width;
      if (this.span + shift <= this.maxBuckets) {
        const { counts, sums, mins, maxs } = this;
        counts.copyWithin(shift, 0, this.span);
        sums.copyWithin(shift, 0, this.span);
        mins.copyWithin(shift, 0, this.span);
        maxs.copyWithin(shift, 0, this.span);
        counts.fill(0, 0, shift);
        sums.fill(0, 0, shift);
        mins.fill(Infinity, 0, shift);
        maxs.fill(-Infinity, 0, shift);
        this.origin = newOrigin;
        this.span += shift;
        return;
      }
      this.coarsen();
    }
  }

  /** Doubles the width, merging aligned pairs of buckets. */
  private coarsen(): void {
    const { counts, sums, mins, maxs } = this;
    // Bucket i starts at origin + i w; the pairs align on multiples of 2w, so when origin / w is
    // odd, bucket 0 pairs with the (empty) bucket before it and the new origin is origin - w.
    const odd = Math.abs(this.origin / this.width) % 2 === 1 ? 1 : 0;
    const newSpan = ((this.span - 1 + odd) >> 1) + 1;
    for (let j = 0; j < newSpan; j++) {
      // Sources a, b >= j: nothing read here has been overwritten yet.
      const a = 2 * j - odd;
      const b = a + 1;
      let c = 0;
      let s = 0;
      let lo = Infinity;
      let hi = -Infinity;
      for (const k of [a, b]) {
        if (k >= 0 && k < this.span) {
          c += counts[k] ?? 0;
          s += sums[k] ?? 0;
          lo = Math.min(lo, mins[k] ?? Infinity);
          hi = Math.max(hi, maxs[k] ?? -Infinity);
        }
      }
      counts[j] = c;
      sums[j] = s;
      mins[j] = lo;
      maxs[j] = hi;
    }
    counts.fill(0, newSpan, this.span);
    sums.fill(0, newSpan, this.span);
    mins.fill(Infinity, newSpan, this.span);
    maxs.fill(-Infinity, newSpan, this.span);
    this.origin -= odd * this.width;
    this.width *= 2;
    this.span = newSpan;
  }

  /**
   * Columns for uPlot, non-empty buckets only (x strictly increasing). A gap in the data shows as
   * consecutive starts more than widthNs apart.
   */
  columns(): TimeSeriesColumns {
    let n = 0;
    for (let i = 0; i < this.span; i++) {
      if ((this.counts[i] ?? 0) > 0) {
        n++;
      }
    }
    const start = new Float64Array(n);
    const count = new Float64Array(n);
    const min = new Float64Array(n);
    const max = new Float64Array(n);
    const mean = new Float64Array(n);
    let o = 0;
    for (let i = 0; i < this.span; i++) {
      const c = this.counts[i] ?? 0;
      if (c > 0) {
        start[o] = this.origin + i * this.width;
        count[o] = c;
        min[o] = this.mins[i] ?? 0;
        max[o] = this.maxs[i] ?? 0;
        mean[o] = (this.sums[i] ?? 0) / c;
        o++;
      }
    }
    return { start, count, min, max, mean, widthNs: this.width };
  }
}
