/**
 * What the capture's probe plan lets the analysis prove.
 *
 * A verdict drawn from a window's lock operations rests on the *absence* of other operations:
 * that needs every mutex acquire and release path probed (or absent from the kernel) and every
 * such probe's misses counted. This file reads that from the header once.
 */
import type { CaptureHeader, ProbeRole, ProbeSite } from '../capture/header.js';

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
  for (const role of ['lock_acquired', 'lock_release'] as const) {
    if (!relevant.some(({ p }) => p.role === role && p.status === 'attached')) {
      return {
        complete: false,
        reason: 'probe_unavailable',
        detail: `no ${role} probe in the capture's plan, so a lock operation in the window could go unseen`,
      };
    }
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
