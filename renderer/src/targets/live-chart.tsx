/**
 * The last seconds of a live session: events per second (left axis) and walks decided per second
 * by verdict (right axis), one point a second, drawn with the app's uPlot wrapper.
 */
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import type { SessionSample } from '../../../main/core/app/app-contract.js';
import { axisStyle } from '../chart/chart-options.js';
import { chartTheme } from '../chart/chart-theme.js';
import { formatCount } from '../chart/format-units.js';
import { UPlotChart } from '../chart/uplot-chart.js';
import { useThemeKey } from '../chart/use-theme-key.js';

/** Tick steps in whole units (seconds, walks per second): a 5 s session must not read 1 s, 2 s, 2 s. */
const WHOLE = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000];

function liveOptions(): Omit<uPlot.Options, 'width' | 'height'> {
  const t = chartTheme();
  const rate = (_u: uPlot, splits: number[]): string[] => splits.map((s) => `${formatCount(Math.round(s))}/s`);
  // uPlot passes null where a series has no value, though its types say number.
  const perS = (_u: uPlot, v: number | null): string => (v === null ? '–' : `${formatCount(Math.round(v))}/s`);
  return {
    scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] }, walks: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    axes: [
      { ...axisStyle(t), label: 'seconds since the probes attached', labelSize: 18, incrs: WHOLE, values: (_u, splits) => splits.map((s) => `${s.toFixed(0)} s`) },
      { ...axisStyle(t), scale: 'y', label: 'events', labelSize: 18, size: 80, values: rate },
      // uPlot's Side is an ambient const enum, which isolatedModules cannot reference: 1 is Right.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
      { ...axisStyle(t), scale: 'walks', side: 1, label: 'walks', labelSize: 18, size: 70, grid: { show: false }, incrs: WHOLE, values: rate },
    ],
    series: [
      { label: 'time' },
      { label: 'events/s', scale: 'y', stroke: t.accent, width: 2, fill: `${t.accent}22`, value: perS },
      { label: 'HELD/s', scale: 'walks', stroke: t.held, width: 2, value: perS },
      { label: 'NOT_HELD/s', scale: 'walks', stroke: t.notHeld, width: 2, value: perS },
      { label: 'UNKNOWN/s', scale: 'walks', stroke: t.unknown, width: 2, dash: [6, 3], value: perS },
    ],
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
  };
}

export function LiveChart(p: { readonly samples: readonly SessionSample[] }) {
  const theme = useThemeKey();
  // Rebuilt when the theme changes: the colours come from CSS variables.
  const options = useMemo(liveOptions, [theme]);
  const data = useMemo<uPlot.AlignedData>(
    () => [p.samples.map((s) => s.elapsedS), p.samples.map((s) => s.eventsPerS), p.samples.map((s) => s.heldPerS), p.samples.map((s) => s.notHeldPerS), p.samples.map((s) => s.unknownPerS)],
    [p.samples],
  );
  return <UPlotChart options={options} data={data} height={220} class="live-chart" testId="live-chart" />;
}
