/**
 * Preflight: what a target offers for tracing, read before anything is attached. An async
 * sequence: each check is yielded as soon as it is known (a slow SSH target shows progress), and
 * the last item carries the TargetFacts gathered on the way. Nothing here changes the target:
 * it runs `id`, `uname`, `bpftrace --version/--info`, one `stat`, and reads files.
 *
 * The judging is pure (main/core/target/); this file only fetches what the judges need.
 */
import type { BpftraceInfo, BpftraceInfoFeatures } from '../../core/target/bpftrace-info.js';
import { BPFTRACE_INFO_ARGV, bpftraceFeaturesCheck, infoFeatures, parseBpftraceInfo, UNKNOWN_INFO_FEATURES } from '../../core/target/bpftrace-info.js';
import type { BpftraceVersion } from '../../core/target/bpftrace-version.js';
import { BPFTRACE_VERSION_ARGV, bpftraceCheck, parseBpftraceVersion, versionFeatures } from '../../core/target/bpftrace-version.js';
import { IO_URING_DISABLED_FILE, ioUringCheck, ioUringDisabledOf } from '../../core/target/io-uring-sysctl.js';
import type { KallsymsScan } from '../../core/target/kallsyms.js';
import { KALLSYMS_FILE, scanKallsyms, symbolsCheck } from '../../core/target/kallsyms.js';
import { KPROBE_PMU_DIR, kprobeEventsFile, kprobeFinding } from '../../core/target/kprobe-support.js';
import { LOCKDOWN_FILE, lockdownFinding, SECURITYFS_HOME } from '../../core/target/lockdown.js';
import type { PathStat } from '../../core/target/path-stat.js';
import { parseStat, statArgv } from '../../core/target/path-stat.js';
import type { ObserveFailure, Observed, PreflightCheck } from '../../core/target/preflight-check.js';
import { observedParse, skipped } from '../../core/target/preflight-check.js';
import { preemptRtCheck, preemptRtFrom, REALTIME_FILE } from '../../core/target/preempt-rt.js';
import type { Identity, RootAccess } from '../../core/target/privileges.js';
import { hasRoot, parseId, privilegesCheck } from '../../core/target/privileges.js';
import { MOUNTS_FILE, mountPointsOf, parseMounts } from '../../core/target/proc-mounts.js';
import type { TargetFacts } from '../../core/target/target-facts.js';
import { parseAvailableEvents, tracepointsCheck } from '../../core/target/available-events.js';
import { tracefsCandidates, tracefsCheck } from '../../core/target/tracefs.js';
import type { Uname } from '../../core/target/uname.js';
import { kernelCheck, parseUname, UNAME_ARGV } from '../../core/target/uname.js';
import { btfCheck, VMLINUX_BTF } from '../../core/target/vmlinux-btf-check.js';
import type { Result } from '../../core/util/result.js';
import { err, ok } from '../../core/util/result.js';
import type { Target } from './target.js';
import type { TargetError } from './target-error.js';
import { describeTargetError } from './target-error.js';

export type PreflightItem = { readonly kind: 'check'; readonly check: PreflightCheck } | { readonly kind: 'facts'; readonly facts: TargetFacts };

export interface PreflightOptions {
  /** Bound on each ordinary command or file read (default 30 s). */
  readonly timeoutMs?: number;
  /** Bound on `bpftrace --info`, which loads BPF programs and starts LLVM (default 120 s). */
  readonly infoTimeoutMs?: number;
}

const SMALL_FILE = 1024 * 1024;
const KALLSYMS_MAX = 64 * 1024 * 1024;
const decoder = new TextDecoder();

export function observeFailure(e: TargetError): ObserveFailure {
  switch (e.kind) {
    case 'not_found':
      return { kind: 'absent', detail: describeTargetError(e) };
    case 'permission':
    case 'not_root':
    case 'sudo_needs_password':
      return { kind: 'denied', detail: describeTargetError(e) };
    case 'unreachable':
    case 'host_key_unknown':
    case 'host_key_changed':
    case 'auth_failed':
    case 'timeout':
    case 'output_too_large':
    case 'bad_target':
    case 'failed':
      return { kind: 'failed', detail: describeTargetError(e) };
  }
}

/** A command's standard output (with `merge`, its standard error after it) when it exits 0. */
async function runText(t: Target, argv: readonly string[], o: { readonly root?: boolean; readonly timeoutMs: number; readonly merge?: boolean }): Promise<Observed<string>> {
  const r = await t.exec(argv, { timeoutMs: o.timeoutMs, root: o.root, maxOutputBytes: SMALL_FILE });
  if (!r.ok) {
    return err(observeFailure(r.error));
  }
  const out = decoder.decode(r.value.stdout);
  if (r.value.code !== 0) {
    const why = r.value.stderr.trim() || out.trim() || (r.value.signal === null ? `exit code ${String(r.value.code)}` : `killed by ${r.value.signal}`);
    return err({ kind: 'failed', detail: `${argv.join(' ')}: ${why}` });
  }
  return ok(o.merge === true ? `${out}\n${r.value.stderr}` : out);
}

async function readText(t: Target, path: string, o: { readonly root?: boolean; readonly timeoutMs: number; readonly maxBytes?: number }): Promise<Observed<string>> {
  const r = await t.readFile(path, { root: o.root, timeoutMs: o.timeoutMs, maxBytes: o.maxBytes ?? SMALL_FILE });
  return r.ok ? ok(decoder.decode(r.value)) : err(observeFailure(r.error));
}

function parsed<T>(o: Observed<string>, parse: (text: string) => Result<T, string>): Observed<T> {
  return o.ok ? observedParse(parse(o.value)) : o;
}

async function rootAccessOf(t: Target, id: Observed<Identity>, timeoutMs: number): Promise<{ readonly access: RootAccess; readonly detail?: string }> {
  if (id.ok && id.value.uid === 0) {
    return { access: 'root' };
  }
  const r = await t.exec(['true'], { root: true, timeoutMs });
  if (r.ok) {
    return r.value.code === 0 ? { access: 'sudo' } : { access: 'unknown', detail: `true as root exited with ${String(r.value.code)}: ${r.value.stderr.trim()}` };
  }
  switch (r.error.kind) {
    case 'sudo_needs_password':
      return { access: 'sudo_needs_password' };
    case 'not_root':
      return { access: 'no_sudo' };
    default:
      return { access: 'unknown', detail: describeTargetError(r.error) };
  }
}

/** Lists the fentry probe of mutex_lock: printed back when this bpftrace can use fentry there. */
export const FENTRY_LIST_ARGV = ['bpftrace', '-l', 'fentry:vmlinux:mutex_lock'] as const;

export async function* preflight(target: Target, o: PreflightOptions = {}): AsyncGenerator<PreflightItem, void, undefined> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const checkItem = (check: PreflightCheck): PreflightItem => ({ kind: 'check', check });

  // Who we are, and root.
  const id = parsed(await runText(target, ['id'], { timeoutMs }), parseId);
  const root = await rootAccessOf(target, id, timeoutMs);
  const rootOk = hasRoot(root.access);
  yield checkItem(privilegesCheck(id, root.access, root.detail));

  // The kernel.
  const uname: Observed<Uname> = parsed(await runText(target, UNAME_ARGV, { timeoutMs }), parseUname);
  yield checkItem(kernelCheck(uname));
  const rt = preemptRtFrom(uname.ok ? uname.value.version : undefined, await readText(target, REALTIME_FILE, { timeoutMs }));
  yield checkItem(preemptRtCheck(rt));

  // bpftrace.
  const version: Observed<BpftraceVersion> = parsed(await runText(target, BPFTRACE_VERSION_ARGV, { timeoutMs, merge: true }), parseBpftraceVersion);
  yield checkItem(bpftraceCheck(version));
  let info: BpftraceInfoFeatures = UNKNOWN_INFO_FEATURES;
  if (!version.ok) {
    yield checkItem(skipped('bpftrace_features', 'bpftrace features', 'bpftrace is not usable (see above)'));
  } else if (!rootOk) {
    yield checkItem(skipped('bpftrace_features', 'bpftrace features', 'needs root: bpftrace --info tries BPF program loads'));
  } else {
    const text = await runText(target, BPFTRACE_INFO_ARGV, { root: true, timeoutMs: o.infoTimeoutMs ?? 120_000, merge: true });
    const parsedInfo: Observed<BpftraceInfo> = text.ok ? ok(parseBpftraceInfo(text.value)) : text;
    if (parsedInfo.ok) {
      info = infoFeatures(parsedInfo.value);
    }
    if (info.fentry === 'unknown') {
      // bpftrace 0.25+ no longer reports fentry in --info; it lists fentry probes only where the
      // kernel's BTF makes them possible (attaching tells the rest).
      const listed = await runText(target, FENTRY_LIST_ARGV, { root: true, timeoutMs: o.infoTimeoutMs ?? 120_000, merge: true });
      if (listed.ok && listed.value.split('\n').some((l) => l.trim() === FENTRY_LIST_ARGV[2])) {
        info = { ...info, fentry: 'yes' };
      }
    }
    yield checkItem(bpftraceFeaturesCheck(parsedInfo, version.value));
  }

  // tracefs, its tracepoints, lockdown.
  const mountsText = await readText(target, MOUNTS_FILE, { timeoutMs });
  const mounts = mountsText.ok ? parseMounts(mountsText.value) : [];

  let tracefs: string | undefined;
  let events: string | undefined;
  let lastFailure: ObserveFailure | undefined;
  for (const dir of tracefsCandidates(mounts)) {
    const r = await readText(target, `${dir}/available_events`, { root: rootOk, timeoutMs, maxBytes: 16 * 1024 * 1024 });
    if (r.ok) {
      tracefs = dir;
      events = r.value;
      break;
    }
    // An absent file says nothing new about the next place; a refusal is worth reporting.
    if (lastFailure === undefined || r.error.kind !== 'absent') {
      lastFailure = r.error;
    }
  }
  yield checkItem(tracefsCheck(mounts, tracefs, lastFailure, mountsText.ok ? undefined : mountsText.error.detail));
  const tracepoints = events === undefined ? [] : parseAvailableEvents(events);
  yield checkItem(events === undefined ? skipped('tracepoints', 'io_uring and lock tracepoints', 'tracefs could not be read') : tracepointsCheck(tracepoints));

  const securityfs = mountPointsOf(mounts, 'securityfs').includes(SECURITYFS_HOME);
  const lockdownFile = await readText(target, LOCKDOWN_FILE, { root: rootOk, timeoutMs });
  const lockdown = lockdownFinding(lockdownFile, securityfs, { tracefsOpened: events !== undefined, probeReadKernel: info.probeReadKernel });
  yield checkItem(lockdown.check);

  // What exists: one stat for all of it.
  const paths = [VMLINUX_BTF, KPROBE_PMU_DIR, ...(tracefs === undefined ? [] : [kprobeEventsFile(tracefs)])];
  const stat = await target.exec(statArgv(paths), { root: rootOk, timeoutMs, maxOutputBytes: SMALL_FILE });
  const statRan = stat.ok && (stat.value.code === 0 || stat.value.code === 1);
  const stats: ReadonlyMap<string, PathStat> = stat.ok ? parseStat(decoder.decode(stat.value.stdout)) : new Map<string, PathStat>();
  const kprobes = kprobeFinding(stats, tracefs, statRan);
  yield checkItem(kprobes.check);

  const ioUringFile = await readText(target, IO_URING_DISABLED_FILE, { timeoutMs });
  yield checkItem(ioUringCheck(ioUringFile));

  const kallsyms: Observed<KallsymsScan> = await readText(target, KALLSYMS_FILE, { root: rootOk, timeoutMs: Math.max(timeoutMs, 60_000), maxBytes: KALLSYMS_MAX }).then((r) =>
    r.ok ? ok(scanKallsyms(r.value)) : r,
  );
  yield checkItem(symbolsCheck(kallsyms));

  const btf = stats.get(VMLINUX_BTF);
  yield checkItem(btfCheck(btf, statRan));

  yield {
    kind: 'facts',
    facts: {
      target: target.name,
      kernel: uname.ok ? { release: uname.value.release, version: uname.value.version, arch: uname.value.machine } : undefined,
      preemptRt: rt.state,
      privileges: { uid: id.ok ? id.value.uid : undefined, user: id.ok ? id.value.user : undefined, root: root.access },
      bpftrace: version.ok ? { version: version.value, features: { ...versionFeatures(version.value), ...info } } : undefined,
      lockdown: lockdown.mode,
      kprobes: kprobes.support,
      tracefs,
      tracepoints,
      ioUringDisabled: ioUringDisabledOf(ioUringFile),
      symbols: kallsyms.ok ? { found: kallsyms.value.symbols, absent: kallsyms.value.absent, addressesHidden: kallsyms.value.addressesHidden } : undefined,
      btf: btf === undefined ? undefined : { path: VMLINUX_BTF, bytes: btf.size },
    },
  };
}

/** Runs preflight to the end: every check, and the facts. */
export async function collectPreflight(
  target: Target,
  o: PreflightOptions = {},
  /** Called with each check as soon as it is known. */
  onCheck?: (check: PreflightCheck) => void,
): Promise<{ readonly checks: readonly PreflightCheck[]; readonly facts: TargetFacts }> {
  const checks: PreflightCheck[] = [];
  let facts: TargetFacts | undefined;
  for await (const item of preflight(target, o)) {
    switch (item.kind) {
      case 'check':
        checks.push(item.check);
        onCheck?.(item.check);
        break;
      case 'facts':
        facts = item.facts;
        break;
    }
  }
  if (facts === undefined) {
    throw new Error('preflight ended without its facts');
  }
  return { checks, facts };
}
