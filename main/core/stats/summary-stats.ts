/**
 * The handful of numbers a table row shows for a histogram. count, min, max and mean are exact
 * (mean is sum / count); p50, p90 and p99 are nearest-rank quantiles within
 * MAX_RELATIVE_ERROR (1/128) of the exact ones. All values are nanoseconds as plain numbers.
 */
import type { LogHistogram } from './log-histogram.js';

/** Summary of an empty histogram: every statistic is undefined. */
export interface EmptySummaryStats {
  readonly count: 0;
  readonly min: undefined;
  readonly max: undefined;
  readonly mean: undefined;
  readonly p50: undefined;
  readonly p90: undefined;
  readonly p99: undefined;
}

/** Summary of a histogram holding at least one value. */
export interface NonEmptySummaryStats {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/**
 * Narrow with `s.count !== 0` or `s.min !== undefined` (either selects NonEmptySummaryStats).
 */
export type SummaryStats = EmptySummaryStats | NonEmptySummaryStats;

export const EMPTY_SUMMARY: EmptySummaryStats = Object.freeze({
  count: 0,
  min: undefined,
  max: undefined,
  mean: undefined,
  p50: undefined,
  p90: undefined,
  p99: undefined,
});

export function summarize(h: LogHistogram): SummaryStats {
  const { count, min, max, mean } = h;
  if (count === 0 || min === undefined || max === undefined || mean === undefined) {
    return EMPTY_SUMMARY;
  }
  return {
    count,
    min,
    max,
    mean,
    p50: h.quantile(0.5) ?? min,
    p90: h.quantile(0.9) ?? min,
    p99: h.quantile(0.99) ?? min,
  };
}
