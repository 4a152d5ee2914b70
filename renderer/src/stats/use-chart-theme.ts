/** The chart colours of the current theme, new whenever the user switches light/dark (charts rebuild on a new theme). */
import { useMemo } from 'preact/hooks';
import type { ChartTheme } from '../chart/chart-theme.js';
import { chartTheme } from '../chart/chart-theme.js';
import { useThemeKey } from '../chart/use-theme-key.js';

export function useChartTheme(): ChartTheme {
  // The key is what changes the CSS variables chartTheme() reads.
  const key = useThemeKey();
  return useMemo(() => chartTheme(), [key]);
}
