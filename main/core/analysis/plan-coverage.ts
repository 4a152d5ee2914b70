/**
 * What the capture's probe plan lets the analysis prove.
 *
 * A verdict drawn from a window's lock operations rests on the *absence* of other operations:
 * that needs every mutex acquisition entry point probed at its return (or absent from the
 * kernel), `mutex_unlock` probed, and every such probe's misses counted. A plan that merely has
 * *some* acquisition probe is not enough: an unprobed `mutex_lock` would take the lock unseen.
 */
import type { CaptureHeader, ProbeRole, ProbeSite } from '../capture/header.js';
import { LOCK_APIS } from '../capture/events.js';

/** Probe roles whose hits a window's verdict depends on. */
export const PROOF_ROLES: readonly ProbeRole[] = ['window_entry', 'window_return', 'lock_acquire', 'lock_acquired', 'lock_release'];

export type PlanCoverage =
  | {
      readonly complete: true;
      /** Indices (in the header's probe list) of the probes whose miss counters must stay flat. */
      readonly countedProbes: readonly number[];
    }
  | { readonly complete: false; readonly reason: 'probe_unavailable' | 'misses_not_counted'; readonly detail: string };

function describe(p: ProbeSite): string {
  return `${p.role} ${p.target}`;
}

export function planCoverage(header: CaptureHeader): PlanCoverage {
  const relevant = header.probes
    .map((p, index) => ({ p, index }))
    .filter(({ p }) => PROOF_ROLES.includes(p.role));
  const unavailable = relevant.filter(({ p }) => p.status === 'unavailable');
  if (unavailable.length > 0) {
    return {
      complete: false,
      reason: 'probe_unavailable',
      detail: `not attached: ${unavailable.map(({ p }) => `${describe(p)} (${p.reason})`).join('; ')}`,
    };
  }
  const covered = (role: ProbeRole, target: string): boolean =>
    relevant.some(({ p }) => p.role === role && p.target === target && (p.status === 'attached' || p.status === 'absent'));
  const missing = LOCK_APIS.filter((api) => !covered('lock_acquired', api)).map((api) => `lock_acquired ${api}`);
  if (!relevant.some(({ p }) => p.role === 'lock_release' && p.target === 'mutex_unlock' && p.status === 'attached')) {
    missing.push('lock_release mutex_unlock');
  }
  if (!relevant.some(({ p }) => p.role === 'lock_acquired' && p.status === 'attached')) {
    missing.push('any attached lock_acquired probe');
  }
  if (missing.length > 0) {
    return {
      complete: false,
      reason: 'probe_unavailable',
      detail: `the plan does not account for ${missing.join(', ')} (neither probed nor known absent), so a lock operation in the window could go unseen`,
    };
  }
  const attached = relevant.filter(({ p }) => p.status === 'attached');
  const uncounted = attached.filter(({ p }) => !p.missesCounted);
  if (uncounted.length > 0) {
    return {
      complete: false,
      reason: 'misses_not_counted',
      detail: `misses not counted for: ${uncounted.map(({ p }) => `${describe(p)} (${p.mechanism})`).join('; ')}`,
    };
  }
  return { complete: true, countedProbes: attached.map(({ index }) => index) };
}
