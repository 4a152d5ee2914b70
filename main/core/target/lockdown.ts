/**
 * Kernel lockdown (/sys/kernel/security/lockdown, e.g. "[none] integrity confidentiality", the
 * bracketed word being the mode). "integrity" leaves tracing alone; "confidentiality" refuses
 * kprobes, tracefs and BPF reads of kernel memory — everything Lockscope needs. The file exists
 * only with securityfs mounted and the lockdown LSM built in. When it cannot be read, two other
 * observations still rule confidentiality out: a tracefs file that opened (tracefs refuses every
 * open under it, LOCKDOWN_TRACEFS), and bpftrace --info seeing bpf_probe_read_kernel load
 * (LOCKDOWN_BPF_READ_KERNEL removes that helper).
 */
import type { Result } from '../util/result.js';
import { err, ok } from '../util/result.js';
import type { Tri } from './bpftrace-info.js';
import type { Observed, PreflightCheck } from './preflight-check.js';
import { check } from './preflight-check.js';

export const LOCKDOWN_FILE = '/sys/kernel/security/lockdown';
export const SECURITYFS_HOME = '/sys/kernel/security';

export const LOCKDOWN_MODES = ['none', 'integrity', 'confidentiality', 'unknown'] as const;
export type Lockdown = (typeof LOCKDOWN_MODES)[number];

export function parseLockdown(text: string): Result<Exclude<Lockdown, 'unknown'>, string> {
  const m = /\[(\w+)\]/.exec(text);
  const mode = m?.[1];
  if (mode === 'none' || mode === 'integrity' || mode === 'confidentiality') {
    return ok(mode);
  }
  return err(`no [mode] among none, integrity, confidentiality in ${JSON.stringify(text.trim())}`);
}

export interface LockdownFinding {
  readonly mode: Lockdown;
  readonly check: PreflightCheck;
}

const TITLE = 'Kernel lockdown';
const LIFT = 'boot without lockdown (lockdown=none on the kernel command line, or with Secure Boot validation off: mokutil --disable-validation) on a machine you may change';

/** What else shows that confidentiality mode is off, when the lockdown file cannot be read. */
export interface LockdownEvidence {
  /** A tracefs file (available_events) was opened and read. */
  readonly tracefsOpened: boolean;
  /** bpftrace --info's word on bpf_probe_read_kernel. */
  readonly probeReadKernel: Tri;
}

/**
 * `file`: the lockdown file's content. `securityfsMounted`: whether a missing file means "no
 * lockdown LSM" or "cannot tell".
 */
export function lockdownFinding(file: Observed<string>, securityfsMounted: boolean, evidence: LockdownEvidence): LockdownFinding {
  if (file.ok) {
    const mode = parseLockdown(file.value);
    if (!mode.ok) {
      return { mode: 'unknown', check: check('lockdown', TITLE, 'warn', `${LOCKDOWN_FILE}: ${mode.error}`) };
    }
    switch (mode.value) {
      case 'none':
        return { mode: 'none', check: check('lockdown', TITLE, 'ok', `none (${file.value.trim()})`) };
      case 'integrity':
        return { mode: 'integrity', check: check('lockdown', TITLE, 'ok', `integrity (${file.value.trim()}): tracing is allowed`) };
      case 'confidentiality':
        return {
          mode: 'confidentiality',
          check: check('lockdown', TITLE, 'fail', `confidentiality (${file.value.trim()}): kprobes, tracefs and BPF reads of kernel memory are refused`, LIFT),
        };
    }
  }
  if (file.error.kind === 'absent' && securityfsMounted) {
    return { mode: 'none', check: check('lockdown', TITLE, 'ok', `none (securityfs has no lockdown file: the lockdown LSM is not active)`) };
  }
  const why = file.error.kind === 'absent' ? `securityfs is not mounted at ${SECURITYFS_HOME}` : `${LOCKDOWN_FILE}: ${file.error.detail}`;
  const proofs = [
    ...(evidence.tracefsOpened ? ['tracefs files open'] : []),
    ...(evidence.probeReadKernel === 'yes' ? ['bpftrace --info shows bpf_probe_read_kernel loading'] : []),
  ];
  if (proofs.length > 0) {
    return {
      mode: 'unknown',
      check: check('lockdown', TITLE, 'ok', `not confidentiality: ${proofs.join(' and ')} (the mode itself is unknown: ${why})`),
    };
  }
  return {
    mode: 'unknown',
    check: check(
      'lockdown',
      TITLE,
      'warn',
      `unknown: ${why}; under lockdown=confidentiality nothing could be traced`,
      file.error.kind === 'absent' ? `mount securityfs so it can be read: mount -t securityfs securityfs ${SECURITYFS_HOME}` : 'run Lockscope as root',
    ),
  };
}
