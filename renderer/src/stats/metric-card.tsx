/**
 * One timing metric: what it measures, its numbers for capture A (and B when comparing, with the
 * ratio), its histogram and CDF, where the samples come from and what they include, and per-ring
 * and per-task tables. A capture with no samples says why instead of drawing an empty chart.
 */
import { useMemo, useState } from 'preact/hooks';
import type { MetricStats } from '../../../main/core/app/app-contract.js';
import { formatCount } from '../chart/format-units.js';
import { DistributionCharts } from './distribution-charts.js';
import { GroupTable } from './group-table.js';
import type { ChartSeries } from './stats-chart-options.js';
import type { Side, SideId } from './stats-sides.js';
import { distributionOf, METRIC_NAMES, metricOf } from './stats-sides.js';
import { SummaryTable } from './summary-table.js';

export interface MetricCardProps {
  readonly metric: string;
  readonly sides: readonly Side[];
}

interface SideMetric {
  readonly side: Side;
  readonly m: MetricStats | undefined;
}

function SideTag(p: { readonly side: Side; readonly comparing: boolean }) {
  return p.comparing ? (
    <span class={`side-tag side-${p.side.id}`} title={p.side.name}>
      {p.side.id.toUpperCase()}
    </span>
  ) : null;
}

export function MetricCard(p: MetricCardProps) {
  const comparing = p.sides.length > 1;
  const rows: readonly SideMetric[] = p.sides.map((side) => ({ side, m: metricOf(side, p.metric) }));
  const first = rows[0]?.m;
  /** A ring or task picked in a table, drawn over its capture's distribution. */
  const [focus, setFocus] = useState<{ readonly side: SideId; readonly group: string } | undefined>(undefined);
  const series = useMemo(() => {
    const out: ChartSeries[] = [];
    for (const side of p.sides) {
      const tag = comparing ? `${side.id.toUpperCase()} ` : '';
      const d = distributionOf(side, p.metric);
      if (d !== undefined && d.count > 0) {
        out.push({ side: side.id, label: `${tag}${side.name}`, d, focus: false });
      }
      const g = focus?.side === side.id ? distributionOf(side, p.metric, focus.group) : undefined;
      if (g !== undefined && g.count > 0) {
        out.push({ side: side.id, label: `${tag}${g.label}`, d: g, focus: true });
      }
    }
    return out;
  }, [p.sides, p.metric, comparing, focus]);
  const onPick = (side: SideId, group: string): void => {
    setFocus(focus?.side === side && focus.group === group ? undefined : { side, group });
  };
  const sources = rows.filter((r, i) => r.m !== undefined && (i === 0 || r.m.source !== first?.source));
  const titlesDiffer = rows.some((r) => r.m !== undefined && r.m.title !== first?.title);
  const anySamples = rows.some((r) => (r.m?.summary.count ?? 0) > 0);
  const caveats = [...new Set(rows.flatMap((r) => r.m?.caveats ?? []))];
  return (
    <section class="stats-card" data-metric={p.metric} data-count={first?.summary.count ?? 0}>
      <header class="stats-card-head">
        <h3 title={METRIC_NAMES[p.metric]}>
          {rows[0] !== undefined && titlesDiffer ? <SideTag side={rows[0].side} comparing={comparing} /> : null}
          {first?.title ?? p.metric}
          {rows.slice(1).map((r) =>
            r.m !== undefined && r.m.title !== first?.title ? (
              <span key={r.side.id} class="stats-what">
                <SideTag side={r.side} comparing={comparing} />
                {r.m.title}
              </span>
            ) : null,
          )}
        </h3>
        <div class="stats-counts">
          {rows.map((r) => (
            <span key={r.side.id} class="stats-count" data-side={r.side.id} data-count={r.m?.summary.count ?? 0}>
              <SideTag side={r.side} comparing={comparing} />
              {formatCount(r.m?.summary.count ?? 0)} samples
            </span>
          ))}
        </div>
      </header>
      <div class={`stats-card-body${anySamples ? '' : ' only-plots'}`}>
        {anySamples ? (
          <div class="stats-numbers">
            <SummaryTable columns={rows.map((r) => ({ side: r.side.id, label: r.side.name, metric: r.m }))} />
          </div>
        ) : null}
        <div class="stats-plots">
          {rows
            .filter((r) => r.m !== undefined && r.m.summary.count === 0)
            .map((r) => (
              <p key={r.side.id} class="stats-empty" data-side={r.side.id}>
                <SideTag side={r.side} comparing={comparing} />
                <strong>No samples{comparing ? ` in ${r.side.name}` : ''}.</strong> {r.m?.emptyReason}
              </p>
            ))}
          {series.length > 0 ? <DistributionCharts metric={p.metric} series={series} /> : null}
        </div>
      </div>
      <div class="stats-notes">
        {sources.map((r) => (
          <p key={r.side.id} class="stats-source" data-side={r.side.id}>
            <SideTag side={r.side} comparing={comparing && sources.length > 1} />
            <strong>Samples:</strong> {r.m?.source}
          </p>
        ))}
        {caveats.map((c) => (
          <p key={c} class="stats-caveat">
            {c}
          </p>
        ))}
      </div>
      {rows.some((r) => (r.m?.rings.length ?? 0) + (r.m?.tasks.length ?? 0) > 0) ? (
        <details class="stats-breakdown" open>
          <summary>Per ring and per task</summary>
          <p class="stats-hint">Click a row to draw that ring or task over the charts (dashed).</p>
          {rows.map((r) =>
            r.m === undefined || r.m.rings.length + r.m.tasks.length === 0 ? null : (
              <div key={r.side.id} class="stats-side-groups" data-side={r.side.id}>
                {comparing ? (
                  <h4 class="stats-side-title">
                    <SideTag side={r.side} comparing={comparing} /> {r.side.name}
                  </h4>
                ) : null}
                <div class="stats-group-grid">
                  <GroupTable
                    title="Per ring"
                    groups={r.m.rings}
                    testId={`rings-${p.metric}-${r.side.id}`}
                    picked={focus?.side === r.side.id ? focus.group : undefined}
                    onPick={(g) => {
                      onPick(r.side.id, g);
                    }}
                  />
                  <GroupTable
                    title="Per task"
                    groups={r.m.tasks}
                    testId={`tasks-${p.metric}-${r.side.id}`}
                    picked={focus?.side === r.side.id ? focus.group : undefined}
                    onPick={(g) => {
                      onPick(r.side.id, g);
                    }}
                  />
                </div>
              </div>
            ),
          )}
        </details>
      ) : null}
    </section>
  );
}
