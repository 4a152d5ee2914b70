/**
 * What a probe-miss check does to a walk's lock state: a claim that rests on no lock event going
 * unseen stands only when every counted probe's counter read the same around the window.
 */
import type { RelNs } from '../util/time.js';
import type { LockAtWalk } from './assess-walk.js';
import type { MissCheck } from './miss-readings.js';

/**
 * The lock state after `check`, or `wait` while a reading after the window may still come (at
 * the end of the capture none will). `probeName` names a probe by its index in the plan.
 */
export interface MissVerdictOptions {
  /** Keep evidence: a clean check adds its coverage to it. */
  readonly evidence: boolean;
  readonly probeName: (i: number) => string;
}

export function applyMissCheck(lock: LockAtWalk, check: MissCheck, atEnd: boolean, o: MissVerdictOptions): LockAtWalk | 'wait' {
  const evidence = lock.evidence;
  switch (check.kind) {
    case 'wait':
      return atEnd
        ? { state: 'unknown', reason: 'no_miss_reading', detail: 'the capture ended before the probe-miss counters were read after this window', evidence }
        : 'wait';
    case 'no_reading_before':
      return { state: 'unknown', reason: 'no_miss_reading', detail: `no miss reading of probe ${o.probeName(check.probe)} before this window`, evidence };
    case 'missed':
      return {
        state: 'unknown',
        reason: 'probe_misses',
        detail: `${o.probeName(check.probe)} missed ${check.count} hits between ${check.from} and ${check.to} ns`,
        evidence,
      };
    case 'reset':
      return {
        state: 'unknown',
        reason: 'probe_misses',
        detail: `${o.probeName(check.probe)}'s miss counter went back at ${check.at} ns: the probe was re-registered, so it was not attached for a while`,
        evidence,
      };
    case 'clean':
      return o.evidence ? { ...lock, evidence: [...evidence, { type: 'coverage', probes: check.probes, from: check.from as RelNs, to: check.to as RelNs }] } : lock;
  }
}
