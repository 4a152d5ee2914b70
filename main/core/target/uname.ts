/**
 * The kernel's identity from `uname -r -v -m`: release, build version and machine on one line, in
 * that order (POSIX fixes the order whatever the flags' order). Release and machine never hold
 * spaces; the version ("#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)") does. One command
 * instead of three saves two round trips on an SSH target.
 */
import type { Result } from '../util/result.js';
import { err, ok } from '../util/result.js';
import type { Observed, PreflightCheck } from './preflight-check.js';
import { check } from './preflight-check.js';

export interface Uname {
  /** `uname -r`, e.g. "6.1.0-56-amd64". */
  readonly release: string;
  /** `uname -v`, e.g. "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)". */
  readonly version: string;
  /** `uname -m`, e.g. "x86_64". */
  readonly machine: string;
}

export const UNAME_ARGV = ['uname', '-r', '-v', '-m'] as const;

export function parseUname(text: string): Result<Uname, string> {
  const line = text.trim();
  if (line.includes('\n')) {
    return err(`expected one line from uname -r -v -m, got ${line.split('\n').length}`);
  }
  const first = line.indexOf(' ');
  const last = line.lastIndexOf(' ');
  if (first < 0 || last <= first) {
    return err(`expected "RELEASE VERSION MACHINE" from uname -r -v -m, got ${JSON.stringify(line)}`);
  }
  return ok({ release: line.slice(0, first), version: line.slice(first + 1, last).trim(), machine: line.slice(last + 1) });
}

/** Major and minor of a release ("6.1.0-56-amd64" → [6, 1]); undefined when it does not start with them. */
export function releaseMajorMinor(release: string): readonly [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (m === null) {
    return undefined;
  }
  return [Number(m[1]), Number(m[2])];
}

const TITLE = 'Kernel and architecture';
/** The oldest kernel family KERNEL-NOTES covers (5.15.y); io_uring itself is older but shaped differently. */
const OLDEST_KNOWN: readonly [number, number] = [5, 15];

export function kernelCheck(u: Observed<Uname>): PreflightCheck {
  if (!u.ok) {
    return check('kernel', TITLE, 'fail', `could not run uname: ${u.error.detail}`, 'check that the target runs Linux with coreutils (uname) on its PATH');
  }
  const { release, machine, version } = u.value;
  const found = `${release} ${machine} (${version})`;
  const mm = releaseMajorMinor(release);
  if (machine !== 'x86_64') {
    return check('kernel', TITLE, 'warn', `${found}: Lockscope's probe programs were checked on x86_64 only`, 'trace an x86_64 machine for proven results, or treat this one as an experiment');
  }
  if (mm === undefined) {
    return check('kernel', TITLE, 'warn', `${found}: the release does not start with a version number`);
  }
  if (mm[0] < OLDEST_KNOWN[0] || (mm[0] === OLDEST_KNOWN[0] && mm[1] < OLDEST_KNOWN[1])) {
    return check('kernel', TITLE, 'warn', `${found}: older than any kernel family Lockscope knows (5.15 and later)`, 'expect probe sites to differ; the symbol and BTF checks below say what this kernel has');
  }
  return check('kernel', TITLE, 'ok', found);
}
