/** The capture header: what was traced, where, how, and what the events' numbers are relative to. */

export const FORMAT_MAJOR = 1;
export const FORMAT_MINOR = 0;

export const PROBE_ROLES = [
  'window_entry',
  'window_return',
  'lock_acquire',
  'lock_acquired',
  'lock_release',
  'contention',
  'lifecycle',
  'free',
  'totals',
] as const;
export type ProbeRole = (typeof PROBE_ROLES)[number];

export const PROBE_MECHANISMS = ['kprobe', 'kretprobe', 'fentry', 'fexit', 'tracepoint', 'none'] as const;
export type ProbeMechanism = (typeof PROBE_MECHANISMS)[number];

export const GRAINS = ['summary', 'raw'] as const;
export type Grain = (typeof GRAINS)[number];

/**
 * attached: probed. absent: the target has no such function or tracepoint, so nothing there can
 * happen unseen. unavailable: it exists but was not attached, so its hits go unseen.
 */
export const PROBE_STATUSES = ['attached', 'absent', 'unavailable'] as const;
export type ProbeStatus = (typeof PROBE_STATUSES)[number];

export interface ProbeSite {
  readonly role: ProbeRole;
  /** Kernel function ("mutex_lock") or tracepoint ("io_uring:io_uring_link"). */
  readonly target: string;
  readonly mechanism: ProbeMechanism;
  readonly status: ProbeStatus;
  /** Why this mechanism was chosen, or why the site is not attached. */
  readonly reason: string;
  /** Misses of this probe are counted and reported as probe_misses events. */
  readonly missesCounted: boolean;
}

export interface StructOffset {
  readonly member: string;
  readonly offset: number;
  readonly size: number;
}

export const PREEMPT_RT_STATES = ['no', 'yes', 'unknown'] as const;
export type PreemptRt = (typeof PREEMPT_RT_STATES)[number];

export interface TargetFacts {
  readonly host: string;
  readonly kernelRelease: string;
  readonly arch: string;
  readonly bpftraceVersion: string;
  /** PREEMPT_RT builds lay out struct mutex differently: the owner word is trusted only on "no". */
  readonly preemptRt: PreemptRt;
}

export interface CaptureHeader {
  readonly formatMajor: number;
  readonly formatMinor: number;
  readonly toolVersion: string;
  readonly target: TargetFacts;
  readonly clock: string;
  /** Clock value (ns) that event times are relative to. */
  readonly baseNs: bigint;
  readonly startWallTime: string;
  /** Addresses are stored as signed (address - addrBias); see util/addr.ts. */
  readonly addrBias: bigint;
  readonly probes: readonly ProbeSite[];
  readonly offsets: readonly StructOffset[];
  readonly grain: Grain;
  readonly source: string;
  readonly notes: readonly string[];
}

export const TOOL_VERSION = '0.1.0';

/** A header with the given facts and the current format version. */
export function makeHeader(fields: Omit<CaptureHeader, 'formatMajor' | 'formatMinor' | 'toolVersion'>): CaptureHeader {
  return { formatMajor: FORMAT_MAJOR, formatMinor: FORMAT_MINOR, toolVersion: TOOL_VERSION, ...fields };
}

