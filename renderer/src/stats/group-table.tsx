/**
 * Per ring or per task summaries of one metric, sortable by count or p99 (click a header). A row
 * whose group has a histogram can be picked (click) to draw it over the charts.
 */
import { useState } from 'preact/hooks';
import type { GroupStats } from '../../../main/core/app/app-contract.js';
import { formatCount, formatNs } from '../chart/format-units.js';

export type GroupSort = 'count' | 'p99';

export function sortGroups(groups: readonly GroupStats[], by: GroupSort): GroupStats[] {
  return [...groups].sort((x, y) => (y.summary[by] ?? -1) - (x.summary[by] ?? -1) || x.label.localeCompare(y.label));
}

export interface GroupTableProps {
  readonly title: string;
  readonly groups: readonly GroupStats[];
  readonly testId: string;
  /** The group drawn over the charts, if any. */
  readonly picked: string | undefined;
  /** A row with a histogram was clicked. */
  readonly onPick: (group: string) => void;
}

export function GroupTable(p: GroupTableProps) {
  const [by, setBy] = useState<GroupSort>('p99');
  if (p.groups.length === 0) {
    return null;
  }
  const head = (key: GroupSort, label: string) => (
    <th class="num sortable" aria-sort={by === key ? 'descending' : 'none'}>
      <button
        class="link"
        data-sort={key}
        title={`Sort by ${label}, largest first`}
        onClick={() => {
          setBy(key);
        }}
      >
        {label}
        {by === key ? ' ▾' : ''}
      </button>
    </th>
  );
  return (
    <div class="stats-groups">
      <h4>
        {p.title} <span class="muted">({p.groups.length})</span>
      </h4>
      <table data-testid={p.testId} data-sorted-by={by}>
        <thead>
          <tr>
            <th>{p.title === 'Per ring' ? 'ring (ctx)' : 'task'}</th>
            {head('count', 'samples')}
            <th class="num">min</th>
            <th class="num">p50</th>
            <th class="num">p90</th>
            {head('p99', 'p99')}
            <th class="num">max</th>
            <th class="num">mean</th>
          </tr>
        </thead>
        <tbody>
          {sortGroups(p.groups, by).map((g) => (
            <tr
              key={g.group}
              data-group={g.group}
              class={`${g.hasDistribution ? 'pickable' : ''}${p.picked === g.group ? ' picked' : ''}`}
              aria-selected={p.picked === g.group}
              title={g.hasDistribution ? 'Click to draw it over the charts' : 'Too many groups to draw each one'}
              onClick={() => {
                if (g.hasDistribution) {
                  p.onPick(g.group);
                }
              }}
            >
              <td class="mono">{g.label}</td>
              <td class="num" data-count={g.summary.count}>
                {formatCount(g.summary.count)}
              </td>
              <td class="num">{formatNs(g.summary.min)}</td>
              <td class="num">{formatNs(g.summary.p50)}</td>
              <td class="num">{formatNs(g.summary.p90)}</td>
              <td class="num" data-ns={g.summary.p99}>
                {formatNs(g.summary.p99)}
              </td>
              <td class="num">{formatNs(g.summary.max)}</td>
              <td class="num">{formatNs(g.summary.mean)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
