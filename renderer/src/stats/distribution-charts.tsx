/** One metric's histogram and CDF, for one capture or two overlaid (log x axis in time units). */
import { useMemo } from 'preact/hooks';
import { UPlotChart } from '../chart/uplot-chart.js';
import type { ChartSeries } from './stats-chart-options.js';
import { cdfData, cdfOptions, histogramData, histogramOptions } from './stats-chart-options.js';
import { useChartTheme } from './use-chart-theme.js';

const HEIGHT = 220;

export function DistributionCharts(p: { readonly metric: string; readonly series: readonly ChartSeries[] }) {
  const theme = useChartTheme();
  const hist = useMemo(() => histogramData(p.series), [p.series]);
  const histOptions = useMemo(() => histogramOptions(theme, p.series, hist.counts), [theme, p.series, hist]);
  const cdf = useMemo(() => cdfData(p.series), [p.series]);
  const cdfOpts = useMemo(() => cdfOptions(theme, p.series), [theme, p.series]);
  return (
    <div class="stats-charts">
      <figure>
        <figcaption>Histogram</figcaption>
        <UPlotChart options={histOptions} data={hist.data} height={HEIGHT} testId={`hist-${p.metric}`} class="stats-chart" />
      </figure>
      <figure>
        <figcaption>CDF</figcaption>
        <UPlotChart options={cdfOpts} data={cdf} height={HEIGHT} testId={`cdf-${p.metric}`} class="stats-chart" />
      </figure>
    </div>
  );
}
