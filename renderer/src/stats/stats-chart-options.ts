/**
 * Pure uPlot options and data for the Statistics view's two charts of one metric, for one capture
 * or two overlaid: the histogram (share of samples per doubling of the duration, so that bucket
 * widths on a log axis do not bias the shape and two captures of different sizes compare) and
 * the CDF (fraction of samples below x). Both have a log x axis in time units; the legend under
 * the chart follows the cursor with the duration, the bucket's count and the percentile.
 */
import uPlot from 'uplot';
import type { Distribution } from '../../../main/core/app/app-contract.js';
import type { Aligned } from '../../../main/core/stats/aligned-steps.js';
import { alignCdfs, alignSteps, MIN_LOG_X } from '../../../main/core/stats/aligned-steps.js';
import { axisStyle } from '../chart/chart-options.js';
import type { ChartTheme } from '../chart/chart-theme.js';
import { formatCount, formatNs } from '../chart/format-units.js';
import type { SideId } from './stats-sides.js';
import { sideColour } from './stats-sides.js';

export interface ChartSeries {
  readonly side: SideId;
  readonly label: string;
  readonly d: Distribution;
  /** One ring's or task's distribution, drawn over the capture's own (dashed, its own colour). */
  readonly focus: boolean;
}

function colourOf(t: ChartTheme, s: ChartSeries): string {
  return s.focus ? t.window : sideColour(t, s.side);
}

/** Histogram: x, then per series the density (% per doubling), with the counts aligned alongside for the legend. */
export interface HistogramData {
  readonly data: uPlot.AlignedData;
  readonly counts: readonly (readonly (number | null)[])[];
}

function log2Width(lower: number, upper: number): number {
  return Math.log2(upper / Math.max(MIN_LOG_X, lower));
}

export function histogramData(series: readonly ChartSeries[]): HistogramData {
  const steps = series.map(({ d }) => ({
    lower: d.lower,
    upper: d.upper,
    y: d.counts.map((c, i) => (100 * c) / d.count / log2Width(d.lower[i] ?? 0, d.upper[i] ?? 1)),
  }));
  const density: Aligned = alignSteps(steps);
  const counts = alignSteps(series.map(({ d }) => ({ lower: d.lower, upper: d.upper, y: d.counts })));
  return { data: [[...density.x], ...density.ys.map((y) => [...y])] as uPlot.AlignedData, counts: counts.ys };
}

export function cdfData(series: readonly ChartSeries[]): uPlot.AlignedData {
  const a = alignCdfs(series.map(({ d }) => ({ x: d.cdfX, p: d.cdfP })));
  return [[...a.x], ...a.ys.map((y) => [...y])] as uPlot.AlignedData;
}

/** A tick label: "10 µs", "1 ms", "2.5 ms" (formatNs without trailing zeros); uPlot passes null for unlabelled log ticks. */
function tickNs(v: number | null): string {
  return v === null ? '' : formatNs(v).replace(/\.0+ /, ' ').replace(/(\.\d*?)0+ /, '$1 ');
}

function logXAxis(t: ChartTheme): uPlot.Axis {
  return { ...axisStyle(t), label: 'duration (log scale)', labelSize: 18, values: (_u, splits) => splits.map((s) => tickNs(s as number | null)) };
}

/** The x legend of a histogram: the bucket under the cursor, from its lower edge to the next edge. */
function bucketRange(u: uPlot, idx: number | null): string {
  const xs = u.data[0];
  const lo = idx === null ? undefined : xs[idx];
  const hi = idx === null ? undefined : xs[idx + 1];
  return lo === undefined || hi === undefined ? '–' : `${formatNs(lo)} – ${formatNs(hi)}`;
}

/** distr 3 is uPlot.Scale.Distr.Logarithmic: a const enum in uPlot's types that esbuild cannot inline, hence the number. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- the enum's value, written out (see above)
const LOGARITHMIC: uPlot.Scale.Distr = 3;
const LOG_X: uPlot.Scale = { time: false, distr: LOGARITHMIC, log: 10 };

function withAlpha(colour: string, alpha: number): string {
  // Theme colours are #rrggbb; anything else is used as it is.
  const m = /^#([0-9a-f]{6})$/i.exec(colour);
  if (m?.[1] === undefined) {
    return colour;
  }
  const n = parseInt(m[1], 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

export function histogramOptions(t: ChartTheme, series: readonly ChartSeries[], counts: HistogramData['counts']): Omit<uPlot.Options, 'width' | 'height'> {
  const stepped = uPlot.paths.stepped?.({ align: 1 });
  return {
    scales: { x: LOG_X, y: { range: (_u, _min, max) => [0, Math.max(1e-9, max) * 1.08] } },
    axes: [logXAxis(t), { ...axisStyle(t), label: '% per doubling', labelSize: 18, size: 50, values: (_u, splits) => splits.map((s) => `${+s.toFixed(2)}`) }],
    legend: { live: true },
    cursor: { y: false, drag: { x: false, y: false }, points: { show: false } },
    series: [
      { label: 'bucket', value: (u, _v, _si, idx) => bucketRange(u, idx) },
      ...series.map((s, k) => ({
        label: s.label,
        stroke: colourOf(t, s),
        ...(s.focus ? { dash: [5, 3] } : { fill: withAlpha(colourOf(t, s), series.length > 1 ? 0.18 : 0.3) }),
        width: 1.5,
        ...(stepped === undefined ? {} : { paths: stepped }),
        points: { show: false },
        value: (_u: uPlot, v: number | null, _si: number, idx: number | null) => {
          const c = idx === null ? null : counts[k]?.[idx];
          return v === null || c === null || c === undefined ? '–' : `${formatCount(c)} samples (${v.toFixed(2)} % per doubling)`;
        },
      })),
    ],
  };
}

export function cdfOptions(t: ChartTheme, series: readonly ChartSeries[]): Omit<uPlot.Options, 'width' | 'height'> {
  return {
    scales: { x: LOG_X, y: { range: [0, 1] } },
    axes: [logXAxis(t), { ...axisStyle(t), label: 'samples below', labelSize: 18, size: 50, values: (_u, splits) => splits.map((s) => `${Math.round(s * 100)} %`) }],
    legend: { live: true },
    cursor: { y: false, drag: { x: false, y: false } },
    series: [
      { label: 'duration', value: (_u, v) => formatNs(v) },
      ...series.map((s) => ({
        label: s.label,
        stroke: colourOf(t, s),
        width: 2,
        ...(s.focus ? { dash: [5, 3] } : {}),
        points: { show: false },
        value: (_u: uPlot, v: number | null) => (v === null ? '–' : `p${percentile(v)}`),
      })),
    ],
  };
}

/** 0.9934 → "99.3"; 1 → "100". */
function percentile(p: number): string {
  const pct = p * 100;
  return pct >= 99.95 ? '100' : pct.toFixed(pct >= 99 ? 2 : 1);
}
