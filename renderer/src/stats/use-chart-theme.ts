/** The chart colours of the current theme, new whenever the user switches light/dark (charts rebuild on a new theme). */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ChartTheme } from '../chart/chart-theme.js';
import { chartTheme } from '../chart/chart-theme.js';

export function useChartTheme(): ChartTheme {
  const [key, setKey] = useState(document.documentElement.dataset.theme ?? '');
  useEffect(() => {
    const mo = new MutationObserver(() => {
      setKey(document.documentElement.dataset.theme ?? '');
    });
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => {
      mo.disconnect();
    };
  }, []);
  // The key is what changes the CSS variables chartTheme() reads.
  return useMemo(() => chartTheme(), [key]);
}
