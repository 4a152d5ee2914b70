/**
 * The fleet summary: one line per target of a multi-target `lockscope trace`, each with its own
 * capture and verdicts, and the fleet's exit code (the worst of its targets'). Pure.
 */
import type { AnalysisSummary } from '../analysis/analysis-summary.js';

export type FleetRow =
  | { readonly kind: 'done'; readonly target: string; readonly capture: string; readonly code: number; readonly summary: AnalysisSummary; readonly calibrationFailure: string | undefined }
  | { readonly kind: 'failed'; readonly target: string; readonly capture: string; readonly error: string };

/** 2 (an error anywhere) over 1 (a violation anywhere) over 3 (something unproven) over 0. */
export function fleetExitCode(rows: readonly FleetRow[]): number {
  const codes = rows.map((r) => (r.kind === 'failed' ? 2 : r.code));
  for (const c of [2, 1, 3]) {
    if (codes.includes(c)) {
      return c;
    }
  }
  return 0;
}

const n = (x: number): string => x.toLocaleString('en-US');

export function formatFleet(rows: readonly FleetRow[]): string {
  const lines = [`Fleet: ${rows.length} targets`];
  const width = Math.max(6, ...rows.map((r) => r.target.length));
  for (const r of rows) {
    const name = r.target.padEnd(width);
    if (r.kind === 'failed') {
      lines.push(`  ${name}  ERROR     ${r.error}`);
      continue;
    }
    const s = r.summary;
    const rule = s.rules[0];
    const v = rule?.verdicts ?? { HELD: 0, NOT_HELD: 0, UNKNOWN: 0 };
    const verdict = r.calibrationFailure !== undefined ? 'UNTRUSTED' : r.code === 0 ? 'ALL HELD' : r.code === 1 ? 'NOT_HELD' : r.code === 3 ? 'UNPROVEN' : 'ERROR';
    lines.push(
      `  ${name}  ${verdict.padEnd(9)} Linux ${s.target.kernelRelease}: ${n(rule?.walks ?? 0)} walks, HELD ${n(v.HELD)}, NOT_HELD ${n(v.NOT_HELD)}, UNKNOWN ${n(v.UNKNOWN)}  (${r.capture})`,
    );
    if (r.calibrationFailure !== undefined) {
      lines.push(`  ${' '.repeat(width)}  ${r.calibrationFailure}`);
    }
  }
  return lines.join('\n');
}

/** A capture file name for a target: its name with anything but [A-Za-z0-9._-] as '_'. */
export function captureNameFor(target: string): string {
  const base = target.replace(/^ssh:\/\//, '').replace(/[^A-Za-z0-9._-]/g, '_');
  return `${base === '' || base.startsWith('.') ? `_${base}` : base}.lscap`;
}
