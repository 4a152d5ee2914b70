/**
 * The regression report in one table: per metric, A's and B's sample counts, p50 and p99, and
 * B / A for p50 and p99. A metric without samples on a side says so (the card below says why).
 */
import { formatCount, formatNs } from '../chart/format-units.js';
import type { Side } from './stats-sides.js';
import { METRIC_NAMES, metricOf } from './stats-sides.js';
import { ratioText } from './summary-table.js';

export function ComparisonSummary(p: { readonly metrics: readonly string[]; readonly a: Side; readonly b: Side }) {
  return (
    <table class="stats-compare-table" data-testid="stats-compare-summary">
      <thead>
        <tr>
          <th rowSpan={2}>metric</th>
          <th colSpan={3} class="side-head">
            <span class="side-tag side-a">A</span>
            {p.a.name}
          </th>
          <th colSpan={3} class="side-head">
            <span class="side-tag side-b">B</span>
            {p.b.name}
          </th>
          <th colSpan={2} class="side-head">B / A</th>
        </tr>
        <tr>
          <th class="num group-start">samples</th>
          <th class="num">p50</th>
          <th class="num">p99</th>
          <th class="num group-start">samples</th>
          <th class="num">p50</th>
          <th class="num">p99</th>
          <th class="num group-start">p50</th>
          <th class="num">p99</th>
        </tr>
      </thead>
      <tbody>
        {p.metrics.map((metric) => {
          const a = metricOf(p.a, metric)?.summary;
          const b = metricOf(p.b, metric)?.summary;
          if ((a?.count ?? 0) === 0 && (b?.count ?? 0) === 0) {
            return (
              <tr key={metric} data-metric={metric} class="muted-row">
                <th scope="row">{METRIC_NAMES[metric] ?? metric}</th>
                <td colSpan={8} class="muted group-start">
                  no samples in either capture
                </td>
              </tr>
            );
          }
          return (
            <tr key={metric} data-metric={metric}>
              <th scope="row">{METRIC_NAMES[metric] ?? metric}</th>
              <td class="num group-start">{formatCount(a?.count ?? 0)}</td>
              <td class="num">{formatNs(a?.p50)}</td>
              <td class="num">{formatNs(a?.p99)}</td>
              <td class="num group-start">{formatCount(b?.count ?? 0)}</td>
              <td class="num">{formatNs(b?.p50)}</td>
              <td class="num">{formatNs(b?.p99)}</td>
              <td class="num ratio group-start" data-stat="p50">
                {ratioText(a?.p50, b?.p50)}
              </td>
              <td class="num ratio" data-stat="p99">
                {ratioText(a?.p99, b?.p99)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
