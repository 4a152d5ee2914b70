/** The verdict summary as terminal text (what `lockscope analyze` prints). Pure. */
import type { AnalysisSummary } from '../analysis/analysis-summary.js';
import type { SummaryStats } from '../stats/summary-stats.js';
import { TIMING_METRICS, TIMING_METRIC_TEXT } from '../analysis/timing-stats.js';
import { UNKNOWN_REASON_TEXT } from '../analysis/verdict.js';
import type { UnknownReason } from '../analysis/verdict.js';
import { formatDuration } from '../util/time.js';

const n = (x: number): string => x.toLocaleString('en-US');

export function formatStats(s: SummaryStats): string {
  if (s.count === 0 || s.min === undefined) {
    return 'no samples';
  }
  return `n=${n(s.count)}  p50 ${formatDuration(s.p50)}  p90 ${formatDuration(s.p90)}  p99 ${formatDuration(s.p99)}  max ${formatDuration(s.max)}`;
}

export interface SummaryTextOptions {
  readonly file: string;
  /** Extra lines about the file itself (cut short, corrupt), shown before the verdicts. */
  readonly fileNotes: readonly string[];
}

export function formatSummary(s: AnalysisSummary, o: SummaryTextOptions): string {
  const lines: string[] = [];
  const t = s.target;
  lines.push(`${o.file}: ${t.host}, Linux ${t.kernelRelease} ${t.arch}, bpftrace ${t.bpftraceVersion || 'unknown'}; ${s.grain} grain, ${s.source}`);
  const w = s.windows;
  const detail = w.countedWalks + w.countedTails > 0 ? `; ${n(w.countedWalks)} walks and ${n(w.countedTails)} tails counted in the kernel by shape, without a record` : '';
  lines.push(`  ${n(s.events)} events over ${formatDuration(s.spanNs)}; ${n(w.total)} walk windows (${n(w.walks)} walks recorded in full, ${n(w.chainTails)} chain tails${detail})`);
  for (const note of o.fileNotes) {
    lines.push(`  ! ${note}`);
  }
  lines.push('');
  for (const r of s.rules) {
    lines.push(`Rule ${r.id}: ${r.title}`);
    lines.push(`  ${r.conclusion}`);
    lines.push(`  HELD ${n(r.verdicts.HELD)}   NOT_HELD ${n(r.verdicts.NOT_HELD)}   UNKNOWN ${n(r.verdicts.UNKNOWN)}`);
    const reasons = Object.entries(r.unknownReasons) as [UnknownReason, number][];
    for (const [reason, count] of reasons.sort((a, b) => b[1] - a[1])) {
      lines.push(`    UNKNOWN ${n(count)}: ${UNKNOWN_REASON_TEXT[reason]} [${reason}]`);
    }
    for (const c of r.counted) {
      const why = c.verdict === 'UNKNOWN' ? `UNKNOWN [${c.reason}]: ${c.detail}` : `${c.verdict} (${c.proof === 'owner_at_walk' ? 'owner word at the walk' : 'lock state over the walk span'})`;
      lines.push(`    ${n(c.walks)} counted without a record, shape "${c.shape}": ${why}`);
    }
    const ex = (['NOT_HELD', 'HELD', 'UNKNOWN'] as const)
      .filter((v) => r.examples[v].length > 0)
      .map((v) => `${v} #${r.examples[v].slice(0, 3).join(', #')}`);
    if (ex.length > 0) {
      lines.push(`  evidence: lockscope inspect ${o.file} --walk N   (e.g. ${ex.join('; ')})`);
    }
    lines.push('');
  }
  lines.push(`Coverage: ${s.coverage.complete ? 'complete' : 'incomplete'}: ${s.coverage.detail}`);
  lines.push(`Reconciliation: ${s.reconciliation.text}`);
  const l = s.losses;
  const lossBits = [`${n(l.lostEvents)} events lost in ${n(l.lostNotices)} notices`, `${n(l.lateEvents)} late events`];
  const missed = l.probeMisses.filter((p) => p.missed > 0);
  lossBits.push(missed.length === 0 ? 'no probe misses' : `probe misses: ${missed.map((p) => `${p.probe} ${n(p.missed)}`).join(', ')}`);
  lines.push(`Losses: ${lossBits.join('; ')}`);
  if (l.withdrawn > 0) {
    lines.push(`  ! ${n(l.withdrawn)} verdicts were withdrawn to UNKNOWN when a late event fell inside their window`);
  }
  if (l.orderViolations > 0) {
    lines.push(`  ! ${n(l.orderViolations)} events arrived up to ${formatDuration(l.maxLatenessNs)} late, inside windows already judged: rerun with --reorder-horizon ${Math.ceil((l.maxLatenessNs * 2) / 1e6)}ms`);
  }
  if (s.rings.length > 0) {
    lines.push('');
    lines.push('Rings:');
    for (const r of s.rings) {
      const kt = r.kernelTotals === undefined ? '' : `; kernel counted ${n(r.kernelTotals.walks)} walks, ${n(r.kernelTotals.walksLockedInside)} with the lock taken inside`;
      lines.push(`  ctx ${r.ctx}: ${n(r.walks)} walks: HELD ${n(r.verdicts.HELD)}, NOT_HELD ${n(r.verdicts.NOT_HELD)}, UNKNOWN ${n(r.verdicts.UNKNOWN)}${kt}`);
    }
  }
  lines.push('');
  lines.push('Timing:');
  for (const m of TIMING_METRICS) {
    lines.push(`  ${TIMING_METRIC_TEXT[m]}: ${formatStats(s.timing[m].all)}`);
    const c = s.contentionCounted?.all;
    if (m === 'contention' && c !== undefined) {
      const unpaired = c.unpaired > 0 ? `; ${n(c.unpaired)} more ended with no begin seen (they began before the lock was tracked)` : '';
      lines.push(
        `    counted in the kernel: ${n(c.waits)} waits, mean ${formatDuration(c.meanNs)}, longest ${formatDuration(c.maxNs)}, ${formatDuration(c.totalNs)} in all; the kernel printed ${n(c.recorded)} of them in full, the sample above${unpaired}`,
      );
    }
  }
  return lines.join('\n');
}
