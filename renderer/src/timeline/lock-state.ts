/**
 * The lock-state detail chart under the lanes: over the same range, how many tasks hold the walk's
 * uring_lock and how many wait for it, as steps (from the lanes' spans). Its cursor is shared
 * with the lanes chart. Pure.
 */
import type uPlot from 'uplot';
import type { Lane } from '../../../main/core/app/app-contract.js';
import type { ChartTheme } from '../chart/chart-theme.js';
import { axisStyle, cursorOptions } from '../chart/chart-options.js';
import { formatCount } from '../chart/format-units.js';
import { LANES_SYNC_KEY, relativeAxis } from './lanes-options.js';
import type { TimeRange } from './time-range.js';

/** Steps of held and waiting counts over `r` (ns, absolute) with x relative to `origin`. */
export function lockStateData(lanes: readonly Lane[], r: TimeRange, origin: number): uPlot.AlignedData {
  const edges: [number, number, number][] = []; // [ts, Δheld, Δwaiting]
  for (const l of lanes) {
    for (const s of l.spans) {
      if (s.kind === 'held' || s.kind === 'waited') {
        const dh = s.kind === 'held' ? 1 : 0;
        edges.push([s.from, dh, 1 - dh]);
        if (s.to !== undefined) {
          edges.push([s.to, -dh, dh - 1]);
        }
      }
    }
  }
  edges.sort((a, b) => a[0] - b[0]);
  const x: number[] = [];
  const held: number[] = [];
  const waiting: number[] = [];
  let h = 0;
  let w = 0;
  let k = 0;
  for (; k < edges.length && (edges[k]?.[0] ?? 0) <= r.from; k++) {
    h += edges[k]?.[1] ?? 0;
    w += edges[k]?.[2] ?? 0;
  }
  x.push(r.from - origin);
  held.push(h);
  waiting.push(w);
  for (; k < edges.length && (edges[k]?.[0] ?? 0) < r.to; k++) {
    const e = edges[k];
    if (e === undefined) {
      break;
    }
    h += e[1];
    w += e[2];
    if (x[x.length - 1] === e[0] - origin) {
      held[held.length - 1] = h;
      waiting[waiting.length - 1] = w;
    } else {
      x.push(e[0] - origin);
      held.push(h);
      waiting.push(w);
    }
  }
  x.push(r.to - origin);
  held.push(h);
  waiting.push(w);
  return [x, held, waiting];
}

export function lockStateOptions(t: ChartTheme, stepped: uPlot.Series.PathBuilder | undefined): Omit<uPlot.Options, 'width' | 'height'> {
  const paths = stepped === undefined ? {} : { paths: stepped };
  return {
    scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max) + 0.2] } },
    axes: [relativeAxis(t, 'time since the window entry'), { ...axisStyle(t), size: 86, label: 'tasks', labelSize: 18, splits: (_u, _i, _min, max) => Array.from({ length: Math.floor(max) + 1 }, (_v, i) => i), values: (_u, s) => s.map((v) => formatCount(v)) }],
    series: [
      { label: 'time', value: (_u, v: number | null) => (v === null ? '–' : `${v >= 0 ? '+' : '−'}${Math.abs(v).toLocaleString('en-US')} ns`) },
      { label: 'holding uring_lock', stroke: t.held, fill: `${t.held}33`, width: 2, points: { show: false }, ...paths },
      { label: 'waiting for it', stroke: t.wait, width: 2, dash: [5, 3], points: { show: false }, ...paths },
    ],
    cursor: { ...cursorOptions({ selectRange: true, syncKey: LANES_SYNC_KEY }), points: { show: false } },
  };
}
