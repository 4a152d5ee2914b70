/**
 * `lockscope trace --target T [--duration 30s] [--workload linkstorm[:opts] | --workload-command CMD]
 * -o CAPTURE`: a live session (see ../session/trace-session.ts), with a progress line on a
 * terminal, then the verdict summary and analyze's exit codes.
 */
import { parseWorkloadSpec } from '../../core/session/workload-spec.js';
import type { WorkloadSpec } from '../../core/session/workload-spec.js';
import { parseDurationNs } from '../../core/util/parse-duration.js';
import { CliError } from '../cli-error.js';
import type { TraceIo } from '../session/trace-session.js';
import { runTrace } from '../session/trace-session.js';
import type { Target } from '../targets/target.js';
import { loadRules } from './analysis-run.js';

export interface TraceArgs {
  readonly output: string | undefined;
  readonly duration: string | undefined;
  readonly workload: string | undefined;
  readonly workloadCommand: string | undefined;
  readonly rules: string | undefined;
  readonly maxRate: string | undefined;
  readonly lifecycle: boolean;
  readonly mechanism: string | undefined;
}

const MAX_DURATION_MS = 24 * 3600 * 1000;
export const DEFAULT_MAX_RATE = 500_000;

export async function traceCommand(target: Target, a: TraceArgs, io: TraceIo): Promise<number> {
  if (a.output === undefined) {
    throw new CliError('trace needs -o CAPTURE: the capture file to write');
  }
  const durationNs = parseDurationNs(a.duration ?? '30s');
  if (durationNs === undefined || durationNs < 1e9 || durationNs > MAX_DURATION_MS * 1e6) {
    throw new CliError(`--duration ${a.duration ?? ''}: give a duration from 1s to 24h, like 30s, 5m or 1.5h`);
  }
  let workload: WorkloadSpec | undefined;
  if (a.workload !== undefined) {
    if (a.workloadCommand !== undefined) {
      throw new CliError('give either --workload or --workload-command, not both');
    }
    const w = parseWorkloadSpec(a.workload);
    if (!w.ok) {
      throw new CliError(w.error);
    }
    workload = w.value;
  }
  if (a.mechanism !== undefined && a.mechanism !== 'kprobe' && a.mechanism !== 'fentry') {
    throw new CliError(`--mechanism ${a.mechanism}: give kprobe (the default: kprobes count their misses exactly) or fentry (cheaper, but misses hits under recursion protection; those walks become UNKNOWN)`);
  }
  let maxRate = DEFAULT_MAX_RATE;
  if (a.maxRate !== undefined) {
    maxRate = Number(a.maxRate);
    if (!Number.isInteger(maxRate) || maxRate < 1) {
      throw new CliError(`--max-rate ${a.maxRate}: give events per second as a whole number, like 200000`);
    }
  }
  return runTrace(
    target,
    {
      durationMs: Math.round(durationNs / 1e6),
      output: a.output,
      workload,
      workloadCommand: a.workloadCommand,
      rules: loadRules(a.rules),
      maxRate,
      missIntervalMs: 100,
      lifecycle: a.lifecycle,
      ...(a.mechanism === undefined ? {} : { mechanism: a.mechanism }),
    },
    io,
  );
}
