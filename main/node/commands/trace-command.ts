/**
 * `lockscope trace --target T [--duration 30s] [--workload linkstorm[:opts] | --workload-command CMD]
 * -o CAPTURE`: a live session (see ../session/trace-session.ts), with a progress line on a
 * terminal, then the verdict summary and analyze's exit codes.
 */
import { parseWorkloadSpec } from '../../core/session/workload-spec.js';
import type { WorkloadSpec } from '../../core/session/workload-spec.js';
import { MAX_EVIDENCE_PERIOD_MS } from '../../core/bpf/evidence-period.js';
import { parseDurationNs } from '../../core/util/parse-duration.js';
import { CliError } from '../cli-error.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetRow } from '../../core/report/format-fleet.js';
import { captureNameFor, fleetExitCode, formatFleet } from '../../core/report/format-fleet.js';
import { describeOpenError } from '../capture-file.js';
import type { TraceIo, TraceOptions } from '../session/trace-session.js';
import { runTrace } from '../session/trace-session.js';
import type { Target } from '../targets/target.js';
import { loadRules } from './analysis-run.js';

export interface TraceArgs {
  /** The targets' names; with several, `output` is a directory and each gets its own capture there. */
  readonly targets: readonly string[];
  readonly output: string | undefined;
  readonly duration: string | undefined;
  readonly workload: string | undefined;
  readonly workloadCommand: string | undefined;
  readonly rules: string | undefined;
  readonly maxRate: string | undefined;
  readonly lifecycle: boolean;
  readonly mechanism: string | undefined;
  /** How often a routine window of each shape is recorded in full per ring and CPU ("1s"; "0": every window). */
  readonly evidencePeriod?: string | undefined;
}

const MAX_DURATION_MS = 24 * 3600 * 1000;
export const DEFAULT_MAX_RATE = 500_000;

export async function traceCommand(a: TraceArgs, io: TraceIo, targetFor: (name: string) => Target): Promise<number> {
  if (a.targets.length === 0) {
    throw new CliError('trace needs --target local, --target ssh://[user@]host[:port] or --target <ssh alias> (several --target for a fleet)');
  }
  if (a.output === undefined) {
    throw new CliError(a.targets.length > 1 ? 'trace with several targets needs -o DIRECTORY: each target gets its capture there' : 'trace needs -o CAPTURE: the capture file to write');
  }
  const dup = a.targets.find((t, i) => a.targets.indexOf(t) !== i);
  if (dup !== undefined) {
    throw new CliError(`--target ${dup} is given twice`);
  }
  let evidencePeriodMs: number | undefined;
  if (a.evidencePeriod !== undefined) {
    const ns = a.evidencePeriod === '0' ? 0 : parseDurationNs(a.evidencePeriod);
    if (ns === undefined || ns < 0 || ns > MAX_EVIDENCE_PERIOD_MS * 1e6 || ns % 1e6 !== 0) {
      throw new CliError(
        `--evidence-period ${a.evidencePeriod}: give 0 (record every window: the most evidence, the most overhead) or a whole number of milliseconds up to 60s, like 200ms or 1s`,
      );
    }
    evidencePeriodMs = ns / 1e6;
  }
  const targets = a.targets.map(targetFor);
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
  const mechanism = a.mechanism;
  if (mechanism !== undefined && mechanism !== 'kprobe' && mechanism !== 'fentry') {
    throw new CliError(`--mechanism ${mechanism}: give kprobe (the default: kprobes count their misses exactly) or fentry (cheaper, but misses hits under recursion protection; those walks become UNKNOWN)`);
  }
  let maxRate = DEFAULT_MAX_RATE;
  if (a.maxRate !== undefined) {
    maxRate = Number(a.maxRate);
    if (!Number.isInteger(maxRate) || maxRate < 1) {
      throw new CliError(`--max-rate ${a.maxRate}: give events per second as a whole number, like 200000`);
    }
  }
  const options = (output: string): TraceOptions => ({
    durationMs: Math.round(durationNs / 1e6),
    output,
    workload,
    workloadCommand: a.workloadCommand,
    rules,
    maxRate,
    missIntervalMs: 100,
    lifecycle: a.lifecycle,
    ...(mechanism === undefined ? {} : { mechanism }),
    ...(evidencePeriodMs === undefined ? {} : { evidencePeriodMs }),
  });
  const rules = loadRules(a.rules);
  const [only] = targets;
  if (targets.length === 1 && only !== undefined) {
    return (await runTrace(only, options(a.output), io)).code;
  }
  return fleet(targets, a.output, options, io);
}

/** Several targets at once: each its own session, capture and verdicts; then the fleet summary. */
async function fleet(targets: readonly Target[], dir: string, options: (output: string) => TraceOptions, io: TraceIo): Promise<number> {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new CliError(describeOpenError(e, dir, 'create'));
  }
  const names = targets.map((t) => captureNameFor(t.name));
  const clash = names.find((n, i) => names.indexOf(n) !== i);
  if (clash !== undefined) {
    throw new CliError(`two targets would write ${join(dir, clash)}; give targets whose names differ in more than punctuation`);
  }
  const outputs: string[] = [];
  const rows = await Promise.all(
    targets.map(async (t, i): Promise<FleetRow> => {
      const capture = join(dir, names[i] ?? 'target.lscap');
      const tag = `[${t.name}] `;
      const own: TraceIo = {
        out: (text) => outputs.push(`${tag}${text.split('\n').join(`\n${tag}`)}`),
        err: (text) => {
          io.err(text.replace(/^lockscope: /, `lockscope: ${tag}`));
        },
        progress: undefined,
        onInterrupt: io.onInterrupt,
      };
      try {
        const r = await runTrace(t, options(capture), own);
        return { kind: 'done', target: t.name, capture, code: r.code, summary: r.summary, calibrationFailure: r.calibrationFailure };
      } catch (e) {
        if (!(e instanceof CliError)) {
          throw e;
        }
        io.err(`lockscope: ${tag}${e.message}`);
        return { kind: 'failed', target: t.name, capture, error: e.message.split('\n')[0] ?? e.message };
      }
    }),
  );
  for (const text of outputs) {
    io.out(text);
    io.out('');
  }
  io.out(formatFleet(rows));
  return fleetExitCode(rows);
}
