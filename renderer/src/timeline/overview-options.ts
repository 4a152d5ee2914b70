/**
 * The capture overview: walks per bucket as stacked bars in the verdict colours (HELD at the
 * bottom, NOT_HELD above, UNKNOWN on top), and under it, sharing its cursor, the uring_lock hold
 * time per bucket as a band from the shortest to the longest hold (nothing dropped by the
 * decimation). Bars are drawn cumulative (each series is the sum of those below and
 * itself) so that later bars cover the lower part of earlier ones; the legend shows each
 * verdict's own count. Pure builders: options from a theme, data from a TimelineSeries.
 */
import uPlot from 'uplot';
import type { TimelineSeries } from '../../../main/core/app/app-contract.js';
import type { ChartTheme } from '../chart/chart-theme.js';
import { axisStyle, cursorOptions, durationAxis } from '../chart/chart-options.js';
import { formatCount, formatNs } from '../chart/format-units.js';

/** Walks chart data: x, total, held+notHeld, held (cumulative, see above). */
export function walksData(s: TimelineSeries): uPlot.AlignedData {
  const n = s.t.length;
  const x = new Float64Array(n);
  const total = new Float64Array(n);
  const lower = new Float64Array(n);
  const held = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    x[k] = ((s.t[k] ?? 0) + s.bucketNs / 2) / 1e9;
    const h = s.held[k] ?? 0;
    const nh = s.notHeld[k] ?? 0;
    held[k] = h;
    lower[k] = h + nh;
    total[k] = h + nh + (s.unknown[k] ?? 0);
  }
  return [x, total, lower, held];
}

/** Hold chart data: x, hold max, hold min (ns, at least 1 for the log scale; null where no hold). */
export function holdData(s: TimelineSeries): uPlot.AlignedData {
  const x = s.t.map((t) => (t + s.bucketNs / 2) / 1e9);
  const clamp = (v: number | null): number | null => (v === null ? null : Math.max(v, 1));
  return [x, s.holdMax.map(clamp), s.holdMin.map(clamp)];
}

/** Any hold in the series (else the hold chart is left out and the view says why). */
export function hasHolds(s: TimelineSeries): boolean {
  return s.holdMax.some((v) => v !== null);
}

function bars(): uPlot.Series.PathBuilder | undefined {
  const b = uPlot.paths.bars;
  return b === undefined ? undefined : b({ size: [0.9, Infinity, 1], align: 0 });
}

/** The count of one verdict at a data index, from the cumulative series. */
function own(u: uPlot, series: 1 | 2 | 3, idx: number | null | undefined): string {
  if (idx === null || idx === undefined) {
    return '–';
  }
  const at = (s: number): number => u.data[s]?.[idx] ?? 0;
  const v = series === 3 ? at(3) : series === 2 ? at(2) - at(3) : at(1) - at(2);
  return formatCount(v);
}

export const OVERVIEW_SYNC_KEY = 'lockscope-overview';

export interface OverviewMarks {
  /** The selected walk's time (s since capture start), drawn as a vertical line. */
  readonly walkS: number | undefined;
}

function walkLine(t: ChartTheme, marks: OverviewMarks): (u: uPlot) => void {
  return (u) => {
    if (marks.walkS === undefined) {
      return;
    }
    const x = u.valToPos(marks.walkS, 'x', true);
    const { left, top, width, height } = u.bbox;
    if (x < left || x > left + width) {
      return;
    }
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = t.accent;
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.restore();
  };
}

function timeAxis(t: ChartTheme, label: string | undefined): uPlot.Axis {
  return {
    ...axisStyle(t),
    ...(label === undefined ? {} : { label, labelSize: 18 }),
    space: 70,
    values: (_u, splits) => splits.map((s) => `${s.toFixed(s !== 0 && Math.abs(s) < 0.01 ? 6 : 3)} s`),
  };
}

const timeSeries: uPlot.Series = { label: 'time', value: (_u, v: number | null) => (v === null ? '–' : `${v.toFixed(6)} s`) };

/** Who is told of a click (not a drag) on the chart, with the x value clicked (s); set by the view, read at click time. */
export interface PickTarget {
  current: ((s: number) => void) | undefined;
}

/** A click without a drag (the pointer moved less than 3 px between press and release) picks a time. */
function pickOnClick(pick: PickTarget): (u: uPlot) => void {
  return (u) => {
    let downX = NaN;
    u.over.addEventListener('mousedown', (e) => {
      downX = e.clientX;
    });
    u.over.addEventListener('click', (e) => {
      if (Math.abs(e.clientX - downX) < 3) {
        pick.current?.(u.posToVal(e.offsetX, 'x'));
      }
    });
  };
}

/** Walks per bucket, stacked by verdict; a click on a bucket picks it. */
export function walksOptions(t: ChartTheme, marks: OverviewMarks, pick: PickTarget): Omit<uPlot.Options, 'width' | 'height'> {
  const path = bars();
  const barSeries = (label: string, colour: string, idx: 1 | 2 | 3): uPlot.Series => ({
    label,
    fill: colour,
    stroke: colour,
    width: 0,
    points: { show: false },
    ...(path === undefined ? {} : { paths: path }),
    value: (u, _v, _s, i) => own(u, idx, i),
  });
  return {
    scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.05] } },
    axes: [timeAxis(t, 'time since capture start'), { ...axisStyle(t), label: 'walks per bucket', labelSize: 18, size: 80, values: (_u, splits) => splits.map((s) => formatCount(s)) }],
    series: [timeSeries, barSeries('UNKNOWN', t.unknown, 1), barSeries('NOT_HELD', t.notHeld, 2), barSeries('HELD', t.held, 3)],
    cursor: { ...cursorOptions({ selectRange: true, syncKey: OVERVIEW_SYNC_KEY }), y: false },
    hooks: { draw: [walkLine(t, marks)], ready: [pickOnClick(pick)] },
  };
}

function powersOfTen(min: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.ceil(Math.log10(Math.max(min, 1))); e <= Math.floor(Math.log10(Math.max(max, 1))); e++) {
    out.push(10 ** e);
  }
  return out;
}

/** uring_lock hold time per bucket: the band from the shortest to the longest hold (log scale). */
export function holdOptions(t: ChartTheme, marks: OverviewMarks): Omit<uPlot.Options, 'width' | 'height'> {
  return {
    // distr 3: a log scale (uPlot.Scale.Distr.Log; an ambient const enum cannot be named under isolatedModules).
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
    scales: { x: { time: false }, y: { distr: 3, log: 10 } },
    axes: [
      timeAxis(t, 'time since capture start'),
      // Ticks and grid at powers of ten only (a log axis labels every 2…9 × 10ⁿ otherwise).
      { ...durationAxis(t, 'hold (log)'), size: 80, space: 12, splits: (_u, _i, min, max) => powersOfTen(min, max), filter: (_u, splits) => splits, values: (_u, splits) => splits.map((s) => formatNs(s)) },
    ],
    series: [
      timeSeries,
      { label: 'longest hold', stroke: t.wait, width: 1, points: { show: false }, value: (_u, v: number | null) => formatNs(v) },
      { label: 'shortest hold', stroke: t.muted, width: 1, points: { show: false }, value: (_u, v: number | null) => formatNs(v) },
    ],
    bands: [{ series: [1, 2], fill: `${t.wait}55` }],
    cursor: { ...cursorOptions({ selectRange: true, syncKey: OVERVIEW_SYNC_KEY }), y: false },
    hooks: { draw: [walkLine(t, marks)] },
  };
}
