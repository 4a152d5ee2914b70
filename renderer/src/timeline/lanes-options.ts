/**
 * uPlot options for the request lanes: x in ns since the walk's window entry (labelled with
 * units, "+12.3 µs"), one row per task lane (the y axis names each lane), drawn by lanes-draw.ts.
 * Drag selects a range (the view zooms to it); the cursor is shared with the lock-state chart by
 * sync key. Pure.
 */
import type uPlot from 'uplot';
import type { ChartTheme } from '../chart/chart-theme.js';
import { axisStyle, cursorOptions } from '../chart/chart-options.js';
import { formatNs } from '../chart/format-units.js';
import type { LanesPicture } from './lanes-draw.js';
import { drawLanes } from './lanes-draw.js';

export const LANES_SYNC_KEY = 'lockscope-lanes';

/** "+12.3 µs" / "−850 ns" / "0". */
export function signedNs(ns: number): string {
  if (ns === 0) {
    return '0';
  }
  return `${ns < 0 ? '−' : '+'}${formatNs(Math.abs(ns))}`;
}

export function relativeAxis(t: ChartTheme, label: string): uPlot.Axis {
  return { ...axisStyle(t), label, labelSize: 18, space: 80, values: (_u, splits) => splits.map((s) => signedNs(s)) };
}

function laneLabel(label: string): string {
  // "tid 4793 (walker) task 0x…" → two short lines: "tid 4793" / "walker"
  const m = /^tid (\d+)( \(walker\))?/.exec(label);
  return m === null ? label : `tid ${m[1] ?? ''}${m[2] === undefined ? '' : '\nwalker'}`;
}

export function lanesOptions(t: ChartTheme, p: LanesPicture): Omit<uPlot.Options, 'width' | 'height'> {
  const n = Math.max(p.lanes.length, 1);
  const centers = p.lanes.map((_l, i) => n - i - 0.5);
  return {
    scales: { x: { time: false }, y: { range: [0, n] } },
    axes: [
      relativeAxis(t, 'time since the window entry'),
      {
        ...axisStyle(t),
        size: 86,
        grid: { show: false },
        splits: () => centers,
        values: (_u, splits) => splits.map((s) => laneLabel(p.lanes[Math.round(n - s - 0.5)]?.label ?? '')),
      },
    ],
    series: [{ label: 'time', value: (_u, v: number | null) => (v === null ? '–' : signedNs(v)) }, { label: 'lanes', show: false }],
    legend: { show: false },
    cursor: { ...cursorOptions({ selectRange: true, syncKey: LANES_SYNC_KEY }), y: false, points: { show: false } },
    hooks: {
      draw: [
        (u) => {
          drawLanes(u, p, t);
        },
      ],
    },
  };
}
