/**
 * The verdicts table's filters: verdict chips with their counts, a ring and a task from the
 * capture's summary, and a time range typed as durations since the capture's base ("1.5s").
 */
import { useEffect, useState } from 'preact/hooks';
import type { AnalysisSummary } from '../../../main/core/analysis/analysis-summary.js';
import type { VerdictFilter } from '../../../main/core/app/app-contract.js';
import { formatCount, formatOffset, parseDurationText } from '../chart/format-units.js';
import type { TableFilter } from './table-filter.js';
import { isFiltered, NO_FILTER, RING_NOT_SEEN } from './table-filter.js';

const CHIPS: readonly VerdictFilter[] = ['ALL', 'HELD', 'NOT_HELD', 'UNKNOWN'];

export interface WalkFilterBarProps {
  readonly summary: AnalysisSummary;
  readonly filter: TableFilter;
  readonly onFilter: (f: TableFilter) => void;
  /** Rows matching the filter (undefined while the first page is on its way). */
  readonly total: number | undefined;
}

function TimeInput(p: { readonly label: string; readonly ns: number | undefined; readonly placeholder: string; readonly onNs: (ns: number | undefined) => void }) {
  const shown = p.ns === undefined ? '' : formatOffset(p.ns);
  const [text, setText] = useState(shown);
  const [bad, setBad] = useState(false);
  useEffect(() => {
    setText(shown);
    setBad(false);
  }, [shown]);
  const apply = (): void => {
    const t = text.trim();
    if (t === '') {
      setBad(false);
      p.onNs(undefined);
      return;
    }
    const ns = parseDurationText(t);
    if (ns === undefined) {
      setBad(true);
      return;
    }
    setBad(false);
    p.onNs(Math.round(ns));
  };
  return (
    <label class="time-input">
      {p.label}
      <input
        type="text"
        value={text}
        placeholder={p.placeholder}
        size={9}
        aria-invalid={bad}
        title={bad ? 'Not a time: write 1.5s, 250ms, 40us, 900ns, or seconds' : 'Time since the capture began: 1.5s, 250ms, 40us, or seconds; Enter applies'}
        onInput={(e) => {
          setText(e.currentTarget.value);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            apply();
          } else if (e.key === 'Escape') {
            setText(shown);
            setBad(false);
          }
        }}
        onBlur={apply}
      />
    </label>
  );
}

export function WalkFilterBar({ summary, filter, onFilter, total }: WalkFilterBarProps) {
  const rule = summary.rules[0];
  const inRings = summary.rings.reduce((a, r) => a + r.walks, 0);
  const ringless = (rule?.walks ?? 0) - inRings;
  const count = (v: VerdictFilter): number => (rule === undefined ? 0 : v === 'ALL' ? rule.walks : rule.verdicts[v]);
  const set = (f: Partial<TableFilter>): void => {
    onFilter({ ...filter, ...f });
  };
  const badRange = filter.fromNs !== undefined && filter.toNs !== undefined && filter.toNs <= filter.fromNs;
  return (
    <>
      <div class="walk-filters" role="toolbar" aria-label="Filter the walks">
        <div class="chips" role="group" aria-label="Verdict">
          {CHIPS.map((v) => (
            <button
              key={v}
              class={`chip chip-${v}${filter.verdict === v ? ' active' : ''}`}
              data-chip={v}
              aria-pressed={filter.verdict === v}
              title={v === 'ALL' ? `Every walk: ${formatCount(count(v))} in the capture` : `Only ${v} walks: ${formatCount(count(v))} in the capture`}
              onClick={() => {
                set({ verdict: v });
              }}
            >
              {v} <span class="chip-n">{formatCount(count(v))}</span>
            </button>
          ))}
        </div>
        <label>
          Ring
          <select
            data-testid="ring-filter"
            value={filter.ctx ?? ''}
            onChange={(e) => {
              const v = e.currentTarget.value;
              set({ ctx: v === '' ? undefined : v });
            }}
          >
            <option value="">all rings ({formatCount(summary.rings.length)})</option>
            {summary.rings.map((r) => (
              <option key={r.ctx} value={r.ctx}>
                {r.ctx} ({formatCount(r.walks)} walks)
              </option>
            ))}
            {ringless > 0 ? <option value={RING_NOT_SEEN}>ring not seen ({formatCount(ringless)} walks)</option> : null}
          </select>
        </label>
        <label>
          Task
          <select
            data-testid="task-filter"
            value={filter.tid === undefined ? '' : String(filter.tid)}
            onChange={(e) => {
              const v = e.currentTarget.value;
              set({ tid: v === '' ? undefined : Number(v) });
            }}
          >
            <option value="">all tasks ({formatCount(summary.tasks.length)})</option>
            {summary.tasks.map((t) => (
              <option key={t.tid} value={String(t.tid)}>
                tid {t.tid} ({formatCount(t.walks)} walks)
              </option>
            ))}
          </select>
        </label>
        <TimeInput
          label="From"
          ns={filter.fromNs}
          placeholder="start"
          onNs={(ns) => {
            set({ fromNs: ns });
          }}
        />
        <TimeInput
          label="to"
          ns={filter.toNs}
          placeholder="end"
          onNs={(ns) => {
            set({ toNs: ns });
          }}
        />
        {isFiltered(filter) ? (
          <button
            class="clear"
            title="Show every walk again"
            onClick={() => {
              onFilter(NO_FILTER);
            }}
          >
            × Clear
          </button>
        ) : null}
      </div>
      <div class="walk-caption">
        <span class="walk-total" data-testid="walk-total" data-total={total ?? ''} aria-live="polite">
          {total === undefined ? 'counting…' : `${formatCount(total)} ${total === 1 ? 'walk' : 'walks'} shown`}
          {badRange ? <span class="warn"> — the range ends before it starts</span> : null}
        </span>
        <span class="muted keys">↑ ↓ PgUp PgDn Home End select a walk · Enter or a double click opens it in the request timeline</span>
      </div>
    </>
  );
}
