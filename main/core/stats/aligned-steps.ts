/**
 * Several distributions on one x axis, for charts that overlay them (uPlot needs one x array for
 * all series): histograms as step functions and CDFs as lines, each evaluated at the union of
 * every series' x values. Values are plain numbers (ns on x); the chart converts nothing.
 */

/** A step function: y[i] on [lower[i], upper[i]); the buckets are contiguous. */
export interface StepSeries {
  readonly lower: readonly number[];
  readonly upper: readonly number[];
  readonly y: readonly number[];
}

/** Points of a non-decreasing CDF, x strictly increasing, p from 0 to 1. */
export interface CdfSeries {
  readonly x: readonly number[];
  readonly p: readonly number[];
}

export interface Aligned {
  readonly x: readonly number[];
  /** One array per series, as long as x; null where a series has nothing to draw. */
  readonly ys: readonly (readonly (number | null)[])[];
}

/** Smallest x kept, so that a log axis can show a bucket that starts at 0. */
export const MIN_LOG_X = 0.5;

const logSafe = (x: number): number => Math.max(MIN_LOG_X, x);

function unionSorted(arrays: readonly (readonly number[])[]): number[] {
  const all = new Set<number>();
  for (const a of arrays) {
    for (const v of a) {
      all.add(logSafe(v));
    }
  }
  return [...all].sort((a, b) => a - b);
}

/**
 * Step series at the union of their edges: at x, the value of the bucket holding x (drawn as a
 * step holding until the next x), 0 at a series' last edge (the outline closes), null outside.
 */
export function alignSteps(series: readonly StepSeries[]): Aligned {
  const x = unionSorted(series.flatMap((s) => [s.lower, s.upper]));
  const ys = series.map((s) => {
    const out: (number | null)[] = [];
    const first = s.lower[0];
    const last = s.upper[s.upper.length - 1];
    let i = 0;
    for (const v of x) {
      if (first === undefined || last === undefined || v < logSafe(first) || v > logSafe(last)) {
        out.push(null);
        continue;
      }
      if (v === logSafe(last)) {
        out.push(0);
        continue;
      }
      while (logSafe(s.upper[i] ?? Infinity) <= v) {
        i++;
      }
      out.push(s.y[i] ?? null);
    }
    return out;
  });
  return { x, ys };
}

/**
 * CDFs at the union of their points: at x, each CDF interpolated linearly in log x between its
 * neighbouring points (what a line on a log axis shows), 0 before its first point, 1 after its last.
 */
export function alignCdfs(series: readonly CdfSeries[]): Aligned {
  const x = unionSorted(series.map((s) => s.x));
  const ys = series.map((s) => {
    const out: number[] = [];
    let i = 0;
    for (const v of x) {
      out.push(cdfAt(s, v, i));
      while (i < s.x.length && logSafe(s.x[i] ?? Infinity) <= v) {
        i++;
      }
    }
    return out;
  });
  return { x, ys };
}

/** The CDF at v, scanning from index `from` (the first point not below v's predecessor). */
function cdfAt(s: CdfSeries, v: number, from: number): number {
  const n = s.x.length;
  if (n === 0) {
    return 0;
  }
  let i = from;
  while (i < n && logSafe(s.x[i] ?? Infinity) < v) {
    i++;
  }
  if (i >= n) {
    return 1;
  }
  const xi = logSafe(s.x[i] ?? v);
  const pi = s.p[i] ?? 1;
  if (xi === v || i === 0) {
    return i === 0 && xi !== v ? 0 : pi;
  }
  const x0 = logSafe(s.x[i - 1] ?? v);
  const p0 = s.p[i - 1] ?? 0;
  const t = (Math.log(v) - Math.log(x0)) / (Math.log(xi) - Math.log(x0));
  return p0 + t * (pi - p0);
}
