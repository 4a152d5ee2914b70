/**
 * bpftrace's version from `bpftrace --version` and what each version can do, from bpftrace's
 * CHANGELOG: `offsetof()` and ringbuf output since 0.18, the fentry/fexit names (kfunc/kretfunc
 * before) since 0.20, kprobes on inlined functions (`config = { probe_inline = 1 }`) since 0.22.
 *
 * The line is "bpftrace v0.17.0"; builds from git add "-<hash>" or "-N-g<hash>", distributions
 * add their own suffix ("v0.20.2-1ubuntu1"), some old builds drop the "v".
 */
import type { Result } from '../util/result.js';
import { err, ok } from '../util/result.js';
import type { Observed, PreflightCheck } from './preflight-check.js';
import { check } from './preflight-check.js';

export interface BpftraceVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** As printed, without "bpftrace " (e.g. "v0.27.1", "v0.20.2-1ubuntu1"). */
  readonly text: string;
}

/** Features fixed by the version alone. */
export interface BpftraceVersionFeatures {
  /** `offsetof(struct x, member)` (0.18). Without it, offsets from BTF go in as constants. */
  readonly offsetof: boolean;
  /** Ring-buffer output (0.18); 0.17 has only the per-CPU perf buffer. */
  readonly ringbuf: boolean;
  /** How the program names BPF trampoline probes: `fentry:`/`fexit:` (0.20) or `kfunc:`/`kretfunc:`. */
  readonly fentryName: 'fentry' | 'kfunc';
  /** kprobes on inlined instances with `config = { probe_inline = 1 }` (0.22; needs vmlinux DWARF). */
  readonly probeInline: boolean;
}

export const BPFTRACE_VERSION_ARGV = ['bpftrace', '--version'] as const;

export function parseBpftraceVersion(text: string): Result<BpftraceVersion, string> {
  const m = /^\s*bpftrace\s+(v?(\d+)\.(\d+)(?:\.(\d+))?\S*)/m.exec(text);
  if (m === null) {
    return err(`not a bpftrace version line: ${JSON.stringify(text.trim().slice(0, 200))}`);
  }
  return ok({ major: Number(m[2]), minor: Number(m[3]), patch: Number(m[4] ?? '0'), text: m[1] ?? '' });
}

export function versionAtLeast(v: BpftraceVersion, major: number, minor: number, patch = 0): boolean {
  if (v.major !== major) {
    return v.major > major;
  }
  if (v.minor !== minor) {
    return v.minor > minor;
  }
  return v.patch >= patch;
}

export function versionFeatures(v: BpftraceVersion): BpftraceVersionFeatures {
  return {
    offsetof: versionAtLeast(v, 0, 18),
    ringbuf: versionAtLeast(v, 0, 18),
    fentryName: versionAtLeast(v, 0, 20) ? 'fentry' : 'kfunc',
    probeInline: versionAtLeast(v, 0, 22),
  };
}

export function formatVersion(v: BpftraceVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

const TITLE = 'bpftrace';
const INSTALL = 'install bpftrace (Debian/Ubuntu: apt-get install bpftrace; Fedora: dnf install bpftrace)';
/** The oldest version Lockscope was run with (Debian bookworm's). */
const OLDEST_TESTED = [0, 17] as const;

export function bpftraceCheck(v: Observed<BpftraceVersion>): PreflightCheck {
  if (!v.ok) {
    switch (v.error.kind) {
      case 'absent':
        return check('bpftrace', TITLE, 'fail', 'bpftrace is not installed (not on the PATH)', `${INSTALL}; 0.18 or later for offsetof`);
      case 'denied':
      case 'failed':
        return check('bpftrace', TITLE, 'fail', `bpftrace --version failed: ${v.error.detail}`, `check the bpftrace installation, or reinstall it: ${INSTALL}`);
    }
  }
  const version = v.value;
  const f = versionFeatures(version);
  const lacks = [
    ...(f.offsetof ? [] : ['offsetof (0.18)']),
    ...(f.ringbuf ? [] : ['ringbuf output (0.18)']),
    ...(f.probeInline ? [] : ['probe_inline (0.22)']),
  ];
  const found = `bpftrace ${version.text}${lacks.length === 0 ? '' : `; without ${lacks.join(', ')}`}`;
  if (!versionAtLeast(version, OLDEST_TESTED[0], OLDEST_TESTED[1])) {
    return check('bpftrace', TITLE, 'warn', `${found}; older than any version Lockscope was tried with (0.17)`, 'install bpftrace 0.18 or later');
  }
  if (!f.offsetof) {
    return check(
      'bpftrace',
      TITLE,
      'warn',
      `${found}; Lockscope passes struct offsets from BTF as constants instead`,
      'install bpftrace ≥ 0.18 for offsetof and ringbuf output (≥ 0.22 also probes inlined functions)',
    );
  }
  return check('bpftrace', TITLE, 'ok', found);
}
