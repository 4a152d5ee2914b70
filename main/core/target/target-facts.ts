/**
 * What preflight learned about a target, as plain data (JSON-ready): the probe planner and the
 * capture header start from it. Whatever could not be read is undefined or 'unknown', never
 * guessed.
 */
import type { PreemptRt, TargetFacts as CaptureTargetFacts } from '../capture/header.js';
import type { BpftraceInfoFeatures } from './bpftrace-info.js';
import type { BpftraceVersion, BpftraceVersionFeatures } from './bpftrace-version.js';
import type { CandidateSymbol, KernelSymbol } from './kallsyms.js';
import type { KprobeSupport } from './kprobe-support.js';
import type { Lockdown } from './lockdown.js';
import type { RootAccess } from './privileges.js';

export interface TargetFacts {
  /** The target's name as the user gave it ("local", "ssh://…"). */
  readonly target: string;
  /** `uname -r`, `-v`, `-m`. */
  readonly kernel: { readonly release: string; readonly version: string; readonly arch: string } | undefined;
  readonly preemptRt: PreemptRt;
  readonly privileges: { readonly uid: number | undefined; readonly user: string | undefined; readonly root: RootAccess };
  readonly bpftrace:
    | {
        readonly version: BpftraceVersion;
        readonly features: BpftraceVersionFeatures & BpftraceInfoFeatures;
      }
    | undefined;
  readonly lockdown: Lockdown;
  readonly kprobes: KprobeSupport;
  /** tracefs directory, or undefined when none could be read. */
  readonly tracefs: string | undefined;
  /** io_uring:* and lock:* tracepoints, sorted ("io_uring:io_uring_link", …). */
  readonly tracepoints: readonly string[];
  /** kernel.io_uring_disabled, or undefined (no such sysctl, or unreadable). */
  readonly ioUringDisabled: number | undefined;
  readonly symbols:
    | {
        readonly found: readonly KernelSymbol[];
        readonly absent: readonly CandidateSymbol[];
        readonly addressesHidden: boolean;
      }
    | undefined;
  /** The kernel's BTF file, or undefined when it has none. */
  readonly btf: { readonly path: string; readonly bytes: number } | undefined;
}

export function emptyFacts(target: string): TargetFacts {
  return {
    target,
    kernel: undefined,
    preemptRt: 'unknown',
    privileges: { uid: undefined, user: undefined, root: 'unknown' },
    bpftrace: undefined,
    lockdown: 'unknown',
    kprobes: 'unknown',
    tracefs: undefined,
    tracepoints: [],
    ioUringDisabled: undefined,
    symbols: undefined,
    btf: undefined,
  };
}

/** The part of the facts a capture header records. */
export function captureTargetFacts(f: TargetFacts, host: string): CaptureTargetFacts {
  return {
    host,
    kernelRelease: f.kernel?.release ?? 'unknown',
    arch: f.kernel?.arch ?? 'unknown',
    bpftraceVersion: f.bpftrace === undefined ? 'unknown' : `${f.bpftrace.version.major}.${f.bpftrace.version.minor}.${f.bpftrace.version.patch}`,
    preemptRt: f.preemptRt,
  };
}
