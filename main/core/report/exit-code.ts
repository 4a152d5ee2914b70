/**
 * The exit code of an analysis, usable as a CI gate: 0 every walk HELD, 1 any NOT_HELD, 3 nothing
 * proven either way, 2 error (a corrupt capture). `lockscope analyze`, `lockscope trace` and the
 * app's verdict summary all give this one.
 */
import type { AnalysisSummary } from '../analysis/analysis-summary.js';

export const EXIT = { allHeld: 0, violation: 1, error: 2, unproven: 3 } as const;

export function exitCodeFor(s: AnalysisSummary, corrupt: boolean): number {
  if (corrupt) {
    return EXIT.error;
  }
  if (s.rules.some((r) => r.outcome === 'violation')) {
    return EXIT.violation;
  }
  if (s.rules.length > 0 && s.rules.every((r) => r.outcome === 'all_held')) {
    return EXIT.allHeld;
  }
  return EXIT.unproven;
}
