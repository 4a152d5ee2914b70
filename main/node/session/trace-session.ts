/**
 * `lockscope trace`: one live session on one target, end to end.
 *
 * preflight → the kernel's BTF → probe plan → bpftrace program → a private directory on the
 * target (program, miss reader, workload) → bpftrace and the miss reader under the target's
 * guard, its -c child starting the workload once every probe is attached and ending bpftrace at
 * the duration (bpftrace then prints all it holds, END's exact totals last) → the running
 * session (live-session.ts) → the target's directory removed.
 *
 * Nothing is left running on the target: bpftrace runs under the target's guard (it dies with
 * the connection) and a hard time bound (duration + attach allowance + grace).
 */
import { fileURLToPath } from 'node:url';
import { generateProgram, describeProgramError } from '../../core/bpf/bpftrace-program.js';
import { kernelLayoutFromBtf } from '../../core/plan/kernel-layout.js';
import { formatPlan } from '../../core/plan/format-plan.js';
import { planProbes } from '../../core/plan/plan-probes.js';
import type { ProbePlan } from '../../core/plan/probe-plan.js';
import { witnessArgs } from '../../core/session/miss-reader-lines.js';
import type { ChildWorkload } from '../../core/session/session-script.js';
import { SESSION_FILES, childScript, sessionArgv } from '../../core/session/session-script.js';
import { describeBtfParseError, parseBtf } from '../../core/target/btf.js';
import type { TargetFacts } from '../../core/target/target-facts.js';
import { formatCheck } from '../../core/report/format-preflight.js';
import { CaptureFileWriter } from '../capture-file.js';
import { CliError } from '../cli-error.js';
import { collectPreflight } from '../targets/preflight.js';
import type { HelperSource } from './session-helpers.js';
import { helperSource, placeHelper } from './session-helpers.js';
import type { Target } from '../targets/target.js';
import { describeTargetError } from '../targets/target-error.js';
import type { SessionInput, TraceIo, TraceOptions, TraceResult } from './live-session.js';
import { LiveSession, STOP_GRACE_MS, drainAllowanceMs } from './live-session.js';

export type { SessionPhase, TraceIo, TraceOptions, TraceResult } from './live-session.js';

const BTF_PATH = '/sys/kernel/btf/vmlinux';
/** Preflight checks whose failure costs only the walks, not the session. */
export const WALK_ONLY_CHECKS: ReadonlySet<string> = new Set(['kprobes', 'symbols', 'btf']);
/** Allowance for bpftrace to attach: 2–5 s on real machines, much more under software emulation. */
const ATTACH_ALLOWANCE_MS = 180_000;
const DEFAULT_BIN_DIR = fileURLToPath(new URL('../../../bpf/', import.meta.url));

async function execOrThrow(target: Target, argv: readonly string[], what: string, o: { readonly input?: Uint8Array; readonly timeoutMs?: number } = {}): Promise<string> {
  const r = await target.exec(argv, { root: true, timeoutMs: o.timeoutMs ?? 60_000, ...(o.input === undefined ? {} : { input: o.input }) });
  if (!r.ok) {
    throw new CliError(`${target.name}: ${what}: ${describeTargetError(r.error)}`);
  }
  if (r.value.code !== 0) {
    throw new CliError(`${target.name}: ${what} failed (exit ${String(r.value.code)}): ${r.value.stderr.trim() || 'no message'}`);
  }
  return new TextDecoder().decode(r.value.stdout);
}

/** Preflight, BTF and the plan: what will be attached, decided before anything is. */
async function planFor(target: Target, o: TraceOptions, io: TraceIo): Promise<{ plan: ProbePlan; facts: TargetFacts; cpus: number; readerOk: boolean; helpers: HelperSource }> {
  io.err(`lockscope: preflight of ${target.name} …`);
  const { checks, facts } = await collectPreflight(target, {});
  // Without kprobes, symbols or BTF the plan still traces what it can (life cycle, contention)
  // and says why walks will be UNKNOWN; anything else failing stops the session here.
  const failed = checks.filter((c) => c.status === 'fail' && !WALK_ONLY_CHECKS.has(c.id));
  for (const c of checks.filter((x) => x.status === 'fail' && WALK_ONLY_CHECKS.has(x.id))) {
    io.err(`lockscope: warning: ${formatCheck(c).trim()}`);
  }
  if (failed.length > 0) {
    throw new CliError(`${target.name}: preflight failed:\n${failed.map((c) => formatCheck(c)).join('\n')}`);
  }
  const version = facts.bpftrace?.version;
  if (version === undefined) {
    throw new CliError(`${target.name}: no usable bpftrace (preflight found none)`);
  }
  const btfBytes = await target.readFile(BTF_PATH, { root: false, maxBytes: 128 << 20, timeoutMs: 120_000 });
  let layout: ReturnType<typeof kernelLayoutFromBtf> | undefined;
  if (btfBytes.ok) {
    const btf = parseBtf(btfBytes.value);
    if (!btf.ok) {
      io.err(`lockscope: warning: ${describeBtfParseError(btf.error, `${target.name}:${BTF_PATH}`)}; walks will be UNKNOWN`);
    } else {
      layout = kernelLayoutFromBtf(btf.value);
    }
  } else {
    io.err(`lockscope: warning: ${target.name}:${BTF_PATH}: ${describeTargetError(btfBytes.error)}; without BTF the offsets are unknown and walks will be UNKNOWN`);
  }
  const helpers = await helperSource(target, facts.kernel?.arch, binDir(o), 30_000);
  const readerOk = helpers.kind !== 'none';
  if (helpers.kind === 'none') {
    io.err(`lockscope: warning: ${helpers.why}; probe misses will not be counted and walks will be UNKNOWN`);
  } else if (helpers.kind === 'build_on_target') {
    io.err(`lockscope: ${target.name} is ${facts.kernel?.arch ?? '?'}: the helpers are built there with ${helpers.compiler}`);
  }
  const cpusText = await execOrThrow(target, ['getconf', '_NPROCESSORS_CONF'], 'counting its CPUs');
  const cpus = Number(cpusText.trim());
  if (!Number.isInteger(cpus) || cpus < 1) {
    throw new CliError(`${target.name}: getconf _NPROCESSORS_CONF printed '${cpusText.trim()}', not a CPU count`);
  }
  const plan = planProbes(facts, layout, { rules: o.rules, host: target.name, missesCounted: readerOk, lifecycle: o.lifecycle, ...(o.mechanism === undefined ? {} : { mechanism: o.mechanism }) });
  return { plan, facts, cpus, readerOk, helpers };
}

function binDir(o: TraceOptions): string {
  const d = o.binDir ?? DEFAULT_BIN_DIR;
  return d.endsWith('/') ? d : `${d}/`;
}

/** Runs one session: analyze's exit code (2 on a failed calibration or a failed bpftrace) and the summary. */
export async function runTrace(target: Target, o: TraceOptions, io: TraceIo): Promise<TraceResult> {
  const { plan, facts, cpus, readerOk, helpers } = await planFor(target, o, io);
  io.err(formatPlan(plan));
  io.phase?.('attaching');
  const version = facts.bpftrace?.version;
  if (version === undefined) {
    throw new CliError(`${target.name}: no usable bpftrace (preflight found none)`);
  }
  const program = generateProgram(plan, version, { maxCpus: Math.min(63, cpus), ...(o.evidencePeriodMs === undefined ? {} : { evidencePeriodMs: o.evidencePeriodMs }) });
  if (!program.ok) {
    throw new CliError(`${target.name}: cannot generate the bpftrace program: ${describeProgramError(program.error)}`);
  }
  // The output file is created before anything runs on the target: a bad path fails here.
  const writer = new CaptureFileWriter(o.output);
  const dir = (await execOrThrow(target, ['mktemp', '-d', '/tmp/lockscope.XXXXXXXX'], 'creating a session directory')).trim();
  if (!/^\/tmp\/lockscope\.[A-Za-z0-9]{8}$/.test(dir)) {
    throw new CliError(`${target.name}: mktemp printed '${dir}', not a directory name`);
  }
  try {
    return await sessionIn(target, o, io, { plan, readerOk, helpers, dir, writer, programText: program.value.text });
  } finally {
    const rm = await target.exec(['rm', '-rf', '--', dir], { root: true, timeoutMs: 30_000 });
    if (!rm.ok || rm.value.code !== 0) {
      io.err(`lockscope: warning: could not remove ${dir} on ${target.name}: ${rm.ok ? rm.value.stderr.trim() : describeTargetError(rm.error)}`);
    }
  }
}

async function put(target: Target, path: string, bytes: Uint8Array, mode: string): Promise<void> {
  await execOrThrow(target, ['sh', '-c', 'cat > "$1" && chmod "$2" "$1"', 'lockscope-put', path, mode], `writing ${path}`, { input: bytes, timeoutMs: 120_000 });
}

async function sessionIn(target: Target, o: TraceOptions, io: TraceIo, s: SessionInput): Promise<TraceResult> {
  const { plan, dir } = s;
  await put(target, `${dir}/${SESSION_FILES.program}`, new TextEncoder().encode(s.programText), '600');
  const witnesses = witnessArgs(plan.probes.filter((p) => p.missesCounted));
  const readerArgs: string[] = ['--interval-ms', String(o.missIntervalMs), ...witnesses.flatMap((w) => ['--witness', w])];
  const putter = (path: string, bytes: Uint8Array, mode: string): Promise<void> => put(target, path, bytes, mode);
  const readerError = await placeHelper(target, s.helpers, 'missReader', `${dir}/${SESSION_FILES.missReader}`, putter);
  if (readerError !== undefined) {
    if (s.readerOk) {
      io.err(`lockscope: warning: ${readerError}; probe misses will not be read and walks will be UNKNOWN (no_miss_reading)`);
    }
    // A stand-in that reads nothing, so the script stays the same.
    await put(target, `${dir}/${SESSION_FILES.missReader}`, new TextEncoder().encode('#!/bin/sh\nexit 0\n'), '700');
  }
  let child: ChildWorkload = { kind: 'none' };
  if (o.workload !== undefined) {
    const workloadError = await placeHelper(target, s.helpers, 'workload', `${dir}/${SESSION_FILES.workload}`, putter);
    if (workloadError !== undefined) {
      throw new CliError(`the linkstorm workload cannot run on ${target.name}: ${workloadError}; give your own with --workload-command`);
    }
    child = { kind: 'linkstorm', args: o.workload.args };
  } else if (o.workloadCommand !== undefined) {
    await put(target, `${dir}/${SESSION_FILES.userWorkload}`, new TextEncoder().encode(`${o.workloadCommand}\n`), '700');
    child = { kind: 'command' };
  }
  await put(target, `${dir}/${SESSION_FILES.child}`, new TextEncoder().encode(childScript(dir, Math.ceil(o.durationMs / 1000), child)), '700');

  const hardBoundMs = o.durationMs + ATTACH_ALLOWANCE_MS + drainAllowanceMs(o.durationMs) + STOP_GRACE_MS;
  const spawned = target.spawn(sessionArgv(dir, readerArgs), { root: true, timeoutMs: hardBoundMs });
  if (!spawned.ok) {
    throw new CliError(`${target.name}: could not start bpftrace: ${describeTargetError(spawned.error)}`);
  }
  const run = new LiveSession(target, o, io, s, spawned.value, witnesses.length);
  return run.run();
}
