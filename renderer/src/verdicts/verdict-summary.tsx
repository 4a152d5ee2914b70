/**
 * The top of the Verdicts view: the conclusion in one sentence, the counts per verdict, and what
 * the verdicts rest on (target, span, coverage, losses, reconciliation with the kernel's own
 * counts). Every UNKNOWN is accounted for with its reason; nothing that weakens the conclusion is
 * left out.
 */
import type { AnalysisSummary, Outcome, RuleSummary } from '../../../main/core/analysis/analysis-summary.js';
import type { UnknownReason, VerdictName } from '../../../main/core/analysis/verdict.js';
import { UNKNOWN_REASON_TEXT } from '../../../main/core/analysis/verdict.js';
import type { CaptureSummary, VerdictFilter } from '../../../main/core/app/app-contract.js';
import { assertUnreachable } from '../../../main/core/util/assert-unreachable.js';
import { formatCount, formatNs } from '../chart/format-units.js';

export const VERDICTS: readonly VerdictName[] = ['HELD', 'NOT_HELD', 'UNKNOWN'];

const VERDICT_WORDS: { readonly [V in VerdictName]: string } = {
  HELD: 'held the lock',
  NOT_HELD: 'did not hold it',
  UNKNOWN: 'unproven',
};

function outcomeText(o: Outcome): { readonly label: string; readonly detail: string } {
  switch (o) {
    case 'violation':
      return { label: 'Violation', detail: 'at least one walk ran without the lock' };
    case 'all_held':
      return { label: 'Rule holds', detail: 'every walk seen held the lock' };
    case 'unproven':
      return { label: 'Unproven', detail: 'no walk broke the rule, but not every walk could be proven' };
    default:
      return assertUnreachable(o);
  }
}

/** The UNKNOWN reasons of a rule, most frequent first. */
export function unknownReasons(r: RuleSummary): readonly { readonly reason: UnknownReason; readonly count: number; readonly text: string }[] {
  return (Object.entries(r.unknownReasons) as [UnknownReason, number | undefined][])
    .filter((e): e is [UnknownReason, number] => e[1] !== undefined && e[1] > 0)
    .map(([reason, count]) => ({ reason, count, text: UNKNOWN_REASON_TEXT[reason] }))
    .sort((a, b) => b.count - a.count);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function lossText(s: AnalysisSummary): string {
  const l = s.losses;
  const missed = l.probeMisses.reduce((a, p) => a + p.missed, 0);
  const parts = [
    `${formatCount(l.lostEvents)} events lost (${plural(l.lostNotices, 'loss notice')})`,
    `${formatCount(l.lateEvents)} arrived late${l.lateEvents > 0 ? ` (by up to ${formatNs(l.maxLatenessNs)}), reordered` : ''}`,
    `${formatCount(l.orderViolations)} too late to reorder`,
    `${plural(l.withdrawn, 'verdict')} withdrawn`,
    `${plural(missed, 'probe miss', 'probe misses')} (${plural(l.probeMisses.length, 'probe')} read)`,
  ];
  if (l.badDurations > 0) {
    parts.push(`${formatCount(l.badDurations)} durations left out (clocks disagree)`);
  }
  return parts.join(' · ');
}

export interface VerdictSummaryProps {
  readonly data: CaptureSummary;
  /** The verdict the table shows; clicking a count filters the table to it. */
  readonly verdict: VerdictFilter;
  readonly onVerdict: (v: VerdictFilter) => void;
}

export function VerdictSummary({ data, verdict, onVerdict }: VerdictSummaryProps) {
  const s = data.summary;
  const rule = s.rules[0];
  const notes = data.capture.notes;
  const t = s.target;
  return (
    <header class="verdict-summary" aria-label="Conclusion">
      {rule === undefined ? (
        <p class="conclusion" data-outcome="none">
          No link walks in this capture: there is nothing to judge. {s.windows.total > 0 ? `${formatCount(s.windows.total)} windows were seen, none of them a walk.` : ''}
        </p>
      ) : (
        <>
          <div class="conclusion-line">
            <span class={`outcome outcome-${rule.outcome}`} title={`lockscope analyze exits ${data.exitCode}: ${outcomeText(rule.outcome).detail}`} data-outcome={rule.outcome}>
              {outcomeText(rule.outcome).label}
            </span>
            <p class="conclusion">{rule.conclusion}</p>
          </div>
          <p class="rule-title">
            Rule: {rule.title} <span class="muted">— {rule.source}</span>
          </p>
          <div class="verdict-counts" role="group" aria-label="Walks by verdict">
            {VERDICTS.map((v) => (
              <button
                key={v}
                class={`verdict-count count-${v}${verdict === v ? ' active' : ''}`}
                data-verdict-count={v}
                data-n={rule.verdicts[v]}
                aria-pressed={verdict === v}
                title={verdict === v ? 'Show every walk' : `Show only the ${v} walks`}
                onClick={() => {
                  onVerdict(verdict === v ? 'ALL' : v);
                }}
              >
                <span class="n">{formatCount(rule.verdicts[v])}</span>
                <span class="label">
                  {v} <span class="muted">{VERDICT_WORDS[v]}</span>
                </span>
              </button>
            ))}
            <div class="verdict-count count-total" data-verdict-count="ALL" data-n={rule.walks}>
              <span class="n">{formatCount(rule.walks)}</span>
              <span class="label">walks</span>
            </div>
          </div>
        </>
      )}
      {rule !== undefined && rule.counted.length > 0 ? (
        <div class="counted-walks" aria-label="Walks counted in the kernel">
          <h3>
            {formatCount(rule.counted.reduce((n, c) => n + c.walks, 0))} of these walks were counted in the kernel by shape, without a record
          </h3>
          <p class="muted">
            The probes record every unusual window in full and one routine window in a sample; the rest only add to a count per shape. Each shape gets the verdict
            a recorded window of that shape gets, so the table below lists the recorded walks only.
          </p>
          <ul>
            {rule.counted.map((c) => (
              <li key={`${c.class}-${c.verdict}`} data-counted-class={c.class} data-verdict={c.verdict}>
                <span class="n">{formatCount(c.walks)}</span> {c.shape}: <span class={`verdict-word v-${c.verdict}`}>{c.verdict}</span>
                {c.verdict === 'UNKNOWN' ? (
                  <span class="muted">
                    {' '}
                    — <code>{c.reason}</code>: {c.detail}
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {rule !== undefined && rule.verdicts.UNKNOWN > 0 ? (
        <div class="unknown-reasons" aria-label="Why some walks are UNKNOWN">
          <h3>Why {formatCount(rule.verdicts.UNKNOWN)} walks are UNKNOWN</h3>
          <ul>
            {unknownReasons(rule).map((u) => (
              <li key={u.reason} data-reason={u.reason}>
                <span class="n">{formatCount(u.count)}</span> <code>{u.reason}</code>: {u.text}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <dl class="facts">
        <div>
          <dt>Target</dt>
          <dd>
            {t.host} · Linux {t.kernelRelease} ({t.arch}) · bpftrace {t.bpftraceVersion}
          </dd>
        </div>
        <div>
          <dt>Capture</dt>
          <dd>
            {formatNs(s.spanNs)} of events · {formatCount(s.events)} events · {formatCount(s.windows.total)} windows ({formatCount(s.windows.walks)} walks recorded,{' '}
            {s.windows.countedWalks > 0 ? `${formatCount(s.windows.countedWalks)} counted by shape, ` : ''}
            {formatCount(s.windows.chainTails)} chain tails) · {s.grain} grain · {s.source}
            {data.capture.complete ? '' : ' · incomplete file'}
          </dd>
        </div>
        <div>
          <dt>Coverage</dt>
          <dd class={s.coverage.complete ? '' : 'warn'}>
            {s.coverage.complete ? 'complete' : 'incomplete'}: {s.coverage.detail}
          </dd>
        </div>
        <div>
          <dt>Losses</dt>
          <dd class={s.losses.lostEvents > 0 || s.losses.orderViolations > 0 ? 'warn' : ''}>{lossText(s)}</dd>
        </div>
        <div>
          <dt>Kernel counts</dt>
          <dd class="reconciliation">{s.reconciliation.text}</dd>
        </div>
        {s.windows.exitsWithoutEntry > 0 ? (
          <div>
            <dt>Unmatched</dt>
            <dd class="warn">{plural(s.windows.exitsWithoutEntry, 'window return')} without an entry</dd>
          </div>
        ) : null}
      </dl>
      {notes.length > 0 ? (
        <ul class="capture-notes" aria-label="Capture notes">
          {notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
    </header>
  );
}
