/**
 * Where tracefs is: bpftrace reads tracepoint formats there, and it lists the tracepoints and
 * kprobe events. Its home is /sys/kernel/tracing; with debugfs mounted, the kernel also mounts it
 * on demand at /sys/kernel/debug/tracing. Preflight reads `available_events` from each candidate
 * in turn; the first that answers is the one used. Lockscope never mounts anything itself.
 */
import type { MountEntry } from './proc-mounts.js';
import { mountPointsOf } from './proc-mounts.js';
import type { ObserveFailure, PreflightCheck } from './preflight-check.js';
import { check } from './preflight-check.js';

export const TRACEFS_HOME = '/sys/kernel/tracing';
export const TRACEFS_UNDER_DEBUGFS = '/sys/kernel/debug/tracing';
export const MOUNT_TRACEFS = `mount -t tracefs nodev ${TRACEFS_HOME}`;

/** Directories to try, best first: tracefs mounts (its home first), then the usual places. */
export function tracefsCandidates(mounts: readonly MountEntry[]): readonly string[] {
  const mounted = mountPointsOf(mounts, 'tracefs');
  const debugfs = mountPointsOf(mounts, 'debugfs');
  const ordered = [
    ...mounted.filter((m) => m === TRACEFS_HOME),
    ...mounted.filter((m) => m !== TRACEFS_HOME),
    TRACEFS_HOME,
    ...debugfs.map((d) => `${d.replace(/\/$/, '')}/tracing`),
    TRACEFS_UNDER_DEBUGFS,
  ];
  return [...new Set(ordered)];
}

const TITLE = 'tracefs';

/**
 * `dir`: where available_events could be read, if anywhere. `lastFailure`: why the last candidate
 * could not be read.
 */
export function tracefsCheck(
  mounts: readonly MountEntry[],
  dir: string | undefined,
  lastFailure: ObserveFailure | undefined,
  /** Why /proc/mounts could not be read, if it could not: then "not mounted" would be a guess. */
  mountsUnread?: string,
): PreflightCheck {
  const mounted = mountPointsOf(mounts, 'tracefs');
  if (dir !== undefined) {
    const how = mounted.includes(dir) ? 'mounted' : 'reachable (mounted on demand under debugfs)';
    return check('tracefs', TITLE, 'ok', `${how} at ${dir}`);
  }
  if (mountsUnread !== undefined) {
    return check('tracefs', TITLE, 'warn', `not known: /proc/mounts could not be read (${mountsUnread}) and no available_events was found`, 'run Lockscope as root; check that /proc is mounted');
  }
  if (mounted.length === 0) {
    return check('tracefs', TITLE, 'fail', 'tracefs is not mounted: bpftrace cannot attach tracepoints', `mount tracefs: ${MOUNT_TRACEFS}`);
  }
  if (lastFailure?.kind === 'denied') {
    return check('tracefs', TITLE, 'fail', `tracefs is mounted at ${mounted.join(', ')} but cannot be read: ${lastFailure.detail}`, 'run Lockscope as root, or allow passwordless sudo');
  }
  return check(
    'tracefs',
    TITLE,
    'fail',
    `tracefs is mounted at ${mounted.join(', ')} but its available_events could not be read${lastFailure === undefined ? '' : `: ${lastFailure.detail}`}`,
    'check that the kernel has trace events (CONFIG_EVENT_TRACING=y) and that the mount is tracefs itself',
  );
}
