/**
 * The Statistics view's data: for every timing metric (uring_lock hold and wait, walk-window
 * duration, contention, chain latency) its summary (count, min, p50, p90, p99, max, mean), what
 * the samples are and why a metric is empty, per ring and per task summaries, and histograms with
 * their CDFs — for all samples, and for each ring or task when a kind has at most 16 groups.
 *
 * Everything comes from the analyzer's TimingStats (log histograms: counts, min, max and mean are
 * exact; quantiles within 1/128 of the exact ones, see summary-stats.ts), so the numbers equal
 * `lockscope analyze --json`'s `timing`. Display buckets merge whole fine buckets (counts stay
 * exact); the CDF is exact at each point (see display-buckets.ts). Pure.
 */
import type { TimingMetric } from '../analysis/timing-stats.js';
import { TIMING_METRICS } from '../analysis/timing-stats.js';
import type { CaptureHeader } from '../capture/header.js';
import { displayBuckets, edgeCdf } from '../stats/display-buckets.js';
import type { GroupedStats } from '../stats/grouped-stats.js';
import type { LogHistogram } from '../stats/log-histogram.js';
import { EMPTY_SUMMARY, summarize } from '../stats/summary-stats.js';
import type { AppResult, CaptureStats, Distribution, GroupStats, MetricStats, StatsGroupKind } from './app-contract.js';
import type { CaptureAnalysis } from './capture-analysis.js';
import type { NoteFacts } from './metric-notes.js';
import { metricNotes, metricTitle } from './metric-notes.js';

/** Rings or tasks get histograms of their own only up to this many groups of a kind. */
export const MAX_GROUP_HISTOGRAMS = 16;

export function captureStats(analysis: CaptureAnalysis): AppResult<CaptureStats> {
  const header = analysis.header;
  const analyzer = analysis.analyzerState;
  if (header === undefined || analyzer === undefined) {
    return { ok: false, error: { code: 'corrupt', message: 'the capture has no header, so nothing in it was analysed; open a capture that Lockscope wrote or imported' } };
  }
  const timing = analyzer.timing;
  const windows = timing.byMetric.window_duration.peek('all')?.count ?? 0;
  const distributions: Distribution[] = [];
  const countedOnly = analyzer.tally.countedWalkCount + analyzer.tally.countedTails;
  const countedContention = analyzer.tally.countedContention()?.all;
  const metrics = TIMING_METRICS.map((m) => metricStats(m, timing.byMetric[m], { header, windows, countedOnly, countedContention }, distributions));
  const t = header.target;
  return {
    ok: true,
    value: {
      distributions,
      metrics,
      badDurations: timing.badDurations,
      origin: `${t.host}, kernel ${t.kernelRelease}, bpftrace ${t.bpftraceVersion}, ${header.grain} grain`,
    },
  };
}

function metricStats(metric: TimingMetric, g: GroupedStats, facts: Omit<NoteFacts, 'count'>, out: Distribution[]): MetricStats {
  const header = facts.header;
  const all = g.peek('all');
  const count = all?.count ?? 0;
  const notes = metricNotes(metric, { ...facts, count });
  if (all !== undefined && count > 0) {
    out.push(distribution(metric, 'all', all, header));
  }
  const rings: [string, LogHistogram][] = [];
  const tasks: [string, LogHistogram][] = [];
  for (const [key, h] of g.entries()) {
    if (h.count === 0) {
      continue;
    }
    const kind = kindOf(key);
    if (kind === 'ring') {
      rings.push([key, h]);
    } else if (kind === 'task') {
      tasks.push([key, h]);
    }
  }
  return {
    metric,
    title: metricTitle(metric, header),
    summary: all === undefined ? EMPTY_SUMMARY : summarize(all),
    source: notes.source,
    caveats: notes.caveats,
    emptyReason: notes.emptyReason,
    rings: groups(metric, rings, header, out),
    tasks: groups(metric, tasks, header, out),
  };
}

function groups(metric: TimingMetric, list: readonly [string, LogHistogram][], header: CaptureHeader, out: Distribution[]): GroupStats[] {
  const withHistograms = list.length <= MAX_GROUP_HISTOGRAMS;
  return list.map(([key, h]) => {
    if (withHistograms) {
      out.push(distribution(metric, key, h, header));
    }
    return { group: key, kind: kindOf(key), label: labelOf(key), summary: summarize(h), hasDistribution: withHistograms };
  });
}

function distribution(metric: TimingMetric, group: string, h: LogHistogram, header: CaptureHeader): Distribution {
  const buckets = displayBuckets(h);
  const cdf = edgeCdf(h);
  return {
    metric,
    title: metricTitle(metric, header),
    group,
    kind: kindOf(group),
    label: labelOf(group),
    lower: buckets.lower,
    upper: buckets.upper,
    counts: buckets.counts,
    count: h.count,
    cdfX: cdf.x,
    cdfP: cdf.p,
    summary: summarize(h),
  };
}

/** TimingStats' keys: 'all', 'ring:<ctx>', 'task:<tid>', 'task:other'. */
function kindOf(key: string): StatsGroupKind {
  return key.startsWith('ring:') ? 'ring' : key.startsWith('task:') ? 'task' : 'all';
}

function labelOf(key: string): string {
  if (key === 'task:other') {
    return 'other tasks';
  }
  if (key.startsWith('ring:')) {
    return `ring ${key.slice(5)}`;
  }
  if (key.startsWith('task:')) {
    return `tid ${key.slice(5)}`;
  }
  return 'all samples';
}
