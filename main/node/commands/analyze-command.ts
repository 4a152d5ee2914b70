/**
 * `lockscope analyze CAPTURE [--json]`: the verdict summary, and an exit code usable as a CI gate:
 * 0 every walk HELD, 1 any NOT_HELD, 3 nothing proven either way, 2 error.
 */
import { exitCodeFor } from '../../core/report/exit-code.js';
import { formatSummary } from '../../core/report/format-summary.js';
import type { AnalysisRun, RunOptions } from './analysis-run.js';
import { runAnalysis } from './analysis-run.js';

export interface AnalyzeIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** What `analyze --json` prints. */
export function analysisJson(file: string, run: AnalysisRun): string {
  return JSON.stringify(
    {
      file,
      capture: {
        complete: run.end.complete,
        bytesRead: run.end.bytesRead,
        droppedBytes: run.end.droppedBytes,
        corruption: run.end.error ?? null,
        notes: run.notes,
      },
      ...run.summary,
    },
    (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
    2,
  );
}

export function analyzeCommand(file: string, json: boolean, o: RunOptions, io: AnalyzeIo): number {
  const run = runAnalysis(file, { ...o, evidence: false }, () => undefined);
  const corrupt = run.end.error !== undefined;
  if (json) {
    io.out(analysisJson(file, run));
  } else {
    io.out(formatSummary(run.summary, { file, fileNotes: run.notes }));
  }
  if (corrupt) {
    io.err(`lockscope: ${run.notes[0] ?? 'the capture is corrupt'}; the verdicts above cover only the part before it`);
  } else if (run.notes.length > 0) {
    io.err(`lockscope: warning: ${file}: ${run.notes.join('; ')}`);
  }
  return exitCodeFor(run.summary, corrupt);
}
