/**
 * Pure builders of uPlot options shared by the charts: a time x axis in seconds since the
 * capture's start, a y axis in time units, the theme's colours, drag-to-select that changes the
 * app's time range (drag.setScale false: the view asks the engine for data decimated to that
 * range) and a shared cursor by sync key.
 */
import type uPlot from 'uplot';
import type { ChartTheme } from './chart-theme.js';
import { formatNs } from './format-units.js';

export function axisStyle(t: ChartTheme): Pick<uPlot.Axis, 'stroke' | 'grid' | 'ticks'> {
  return { stroke: t.muted, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 } };
}

/** An x axis whose values are seconds since the capture's start. */
export function secondsAxis(t: ChartTheme, label = 'time since capture start'): uPlot.Axis {
  return { ...axisStyle(t), label, labelSize: 18, values: (_u, splits) => splits.map((s) => `${s.toFixed(s !== 0 && Math.abs(s) < 0.01 ? 6 : 3)} s`) };
}

/** A y axis whose values are nanoseconds, labelled with units. */
export function durationAxis(t: ChartTheme, label: string, scale = 'y'): uPlot.Axis {
  return { ...axisStyle(t), scale, label, labelSize: 18, size: 70, values: (_u, splits) => splits.map((s) => formatNs(s)) };
}

export interface CursorOptions {
  /** Charts with the same key share the cursor (uPlot.sync). */
  readonly syncKey?: string;
  /** Drag selects a range (reported through the setSelect hook) instead of zooming the chart itself. */
  readonly selectRange: boolean;
}

export function cursorOptions(o: CursorOptions): uPlot.Cursor {
  return {
    drag: { x: o.selectRange, y: false, setScale: false },
    ...(o.syncKey === undefined ? {} : { sync: { key: o.syncKey, setSeries: false } }),
  };
}
