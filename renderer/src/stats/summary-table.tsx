/**
 * One metric's summary numbers: a column per capture (A, and B when comparing) and the ratio B / A.
 * Each cell carries its raw value (data-ns, data-count) so tests compare numbers, not text.
 */
import type { MetricStats } from '../../../main/core/app/app-contract.js';
import type { SummaryStats } from '../../../main/core/stats/summary-stats.js';
import { formatCount, formatNs } from '../chart/format-units.js';
import type { SideId } from './stats-sides.js';

type StatKey = 'count' | 'min' | 'p50' | 'p90' | 'p99' | 'max' | 'mean';

const ROWS: readonly { readonly key: StatKey; readonly label: string; readonly hint: string }[] = [
  { key: 'count', label: 'samples', hint: 'exact' },
  { key: 'min', label: 'min', hint: 'exact' },
  { key: 'p50', label: 'p50', hint: 'median; quantiles within 0.8 % (log histogram)' },
  { key: 'p90', label: 'p90', hint: 'within 0.8 %' },
  { key: 'p99', label: 'p99', hint: 'within 0.8 %' },
  { key: 'max', label: 'max', hint: 'exact' },
  { key: 'mean', label: 'mean', hint: 'exact' },
];

export interface SummaryColumn {
  readonly side: SideId;
  readonly label: string;
  readonly metric: MetricStats | undefined;
}

function value(s: SummaryStats | undefined, key: StatKey): number | undefined {
  return s?.[key];
}

function Cell(p: { readonly side: SideId; readonly stat: StatKey; readonly v: number | undefined }) {
  const text = p.v === undefined ? '–' : p.stat === 'count' ? formatCount(p.v) : formatNs(p.v);
  return (
    <td class="num" data-side={p.side} data-stat={p.stat} {...(p.v === undefined ? {} : p.stat === 'count' ? { 'data-count': p.v } : { 'data-ns': p.v })}>
      {text}
    </td>
  );
}

/** B / A as "×1.42"; "only B" when A has no samples (and the reverse); "–" when neither has. */
export function ratioText(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined) {
    return a === undefined && b !== undefined ? 'only B' : b === undefined && a !== undefined ? 'only A' : '–';
  }
  if (a === 0) {
    return b === 0 ? '×1' : '–';
  }
  const r = b / a;
  return `×${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}`;
}

export function SummaryTable(p: { readonly columns: readonly SummaryColumn[] }) {
  const [a, b] = p.columns;
  return (
    <table class="stats-summary">
      <thead>
        <tr>
          <th />
          {p.columns.map((c) => (
            <th key={c.side} class={`num side-${c.side}`} title={c.label}>
              <span class={`side-dot side-${c.side}`} aria-hidden="true" />
              {c.side.toUpperCase()}
            </th>
          ))}
          {b !== undefined ? <th class="num" title="B divided by A: above ×1, B is slower (or has more samples)">B / A</th> : null}
        </tr>
      </thead>
      <tbody>
        {ROWS.map((r) => (
          <tr key={r.key} title={r.hint}>
            <th scope="row">{r.label}</th>
            {p.columns.map((c) => (
              <Cell key={c.side} side={c.side} stat={r.key} v={value(c.metric?.summary, r.key)} />
            ))}
            {b !== undefined ? (
              <td class="num ratio" data-stat={r.key}>
                {ratioText(value(a?.metric?.summary, r.key), value(b.metric?.summary, r.key))}
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
