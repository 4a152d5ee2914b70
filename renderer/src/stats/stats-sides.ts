/**
 * The Statistics view compares at most two captures: A (the capture whose tab is open) and B (the
 * one picked to compare with). Each side has its colour and a label that says which capture it is.
 */
import type { CaptureStats, Distribution, MetricStats } from '../../../main/core/app/app-contract.js';
import type { ChartTheme } from '../chart/chart-theme.js';

export type SideId = 'a' | 'b';

export interface Side {
  readonly id: SideId;
  /** The capture's file name. */
  readonly name: string;
  readonly stats: CaptureStats;
}

export function sideColour(t: ChartTheme, id: SideId): string {
  return id === 'a' ? t.accent : t.wait;
}

export function metricOf(s: Side, metric: string): MetricStats | undefined {
  return s.stats.metrics.find((m) => m.metric === metric);
}

export function distributionOf(s: Side, metric: string, group = 'all'): Distribution | undefined {
  return s.stats.distributions.find((d) => d.metric === metric && d.group === group);
}

/** Short names of the metrics, for card titles (the core's TIMING_METRIC_TEXT says what each measures). */
export const METRIC_NAMES: Readonly<Record<string, string>> = {
  lock_hold: 'uring_lock hold time',
  lock_wait: 'uring_lock wait time',
  window_duration: 'Walk window duration',
  contention: 'Contended wait',
  chain_latency: 'Chain latency',
};
