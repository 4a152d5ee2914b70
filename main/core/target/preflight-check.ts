/**
 * One preflight finding: what was looked at, what was found, and — when it is not fine — what the
 * user can do about it. Checks are plain data; formatting lives in report/format-preflight.ts.
 */
import type { Result } from '../util/result.js';
import { err } from '../util/result.js';

export const CHECK_STATUSES = ['ok', 'warn', 'fail', 'skipped'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

/** In the order preflight runs them. */
export const CHECK_IDS = [
  'privileges',
  'kernel',
  'preempt_rt',
  'bpftrace',
  'bpftrace_features',
  'tracefs',
  'tracepoints',
  'lockdown',
  'kprobes',
  'io_uring',
  'symbols',
  'btf',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface PreflightCheck {
  readonly id: CheckId;
  readonly title: string;
  readonly status: CheckStatus;
  /** What the target showed, in a sentence or a list. */
  readonly found: string;
  /** A step the user can take (a command, a package, a kernel option); absent when there is none to take. */
  readonly remediation?: string;
}

/**
 * Why something could not be read on the target, in the core's terms (the Node side maps its
 * TargetError onto these): absent (no such file or program), denied (no permission, no root),
 * failed (anything else; `detail` says what).
 */
export interface ObserveFailure {
  readonly kind: 'absent' | 'denied' | 'failed';
  readonly detail: string;
}

/** What a file read or a command gave on the target. */
export type Observed<T> = Result<T, ObserveFailure>;

/** A parser's answer as an observation: text that cannot be read is a failure of kind 'failed'. */
export function observedParse<T>(r: Result<T, string>): Observed<T> {
  return r.ok ? r : err({ kind: 'failed', detail: r.error });
}

export function check(id: CheckId, title: string, status: CheckStatus, found: string, remediation?: string): PreflightCheck {
  return remediation === undefined ? { id, title, status, found } : { id, title, status, found, remediation };
}

export function skipped(id: CheckId, title: string, why: string): PreflightCheck {
  return { id, title, status: 'skipped', found: why };
}

/** Counts per status, for a summary line and the exit code. */
export function countStatuses(checks: readonly PreflightCheck[]): Readonly<Record<CheckStatus, number>> {
  const counts: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0, skipped: 0 };
  for (const c of checks) {
    counts[c.status]++;
  }
  return counts;
}
