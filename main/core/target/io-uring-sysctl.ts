/**
 * kernel.io_uring_disabled (6.6 and later): 0 io_uring for all, 1 only for root and the
 * io_uring_group, 2 for nobody. Older kernels have no such sysctl: io_uring is on.
 */
import type { Observed, PreflightCheck } from './preflight-check.js';
import { check } from './preflight-check.js';

export const IO_URING_DISABLED_FILE = '/proc/sys/kernel/io_uring_disabled';

const TITLE = 'io_uring enabled';
const ENABLE = 'sysctl -w kernel.io_uring_disabled=0';

/** The sysctl's value, or undefined when the kernel has none. */
export function ioUringDisabledOf(file: Observed<string>): number | undefined {
  if (!file.ok) {
    return undefined;
  }
  const n = Number(file.value.trim());
  return Number.isInteger(n) ? n : undefined;
}

export function ioUringCheck(file: Observed<string>): PreflightCheck {
  if (!file.ok) {
    if (file.error.kind === 'absent') {
      return check('io_uring', TITLE, 'ok', 'yes (no kernel.io_uring_disabled sysctl: a kernel before 6.6)');
    }
    return check('io_uring', TITLE, 'warn', `could not read ${IO_URING_DISABLED_FILE}: ${file.error.detail}`);
  }
  const v = ioUringDisabledOf(file);
  switch (v) {
    case 0:
      return check('io_uring', TITLE, 'ok', 'yes (kernel.io_uring_disabled = 0)');
    case 1:
      return check('io_uring', TITLE, 'warn', 'only for root and the io_uring_group (kernel.io_uring_disabled = 1): a workload run by another user gets EPERM', `run the workload as root, or allow everyone: ${ENABLE}`);
    case 2:
      return check('io_uring', TITLE, 'fail', 'no: kernel.io_uring_disabled = 2, io_uring_setup fails for everyone, so there is nothing to trace', `enable it: ${ENABLE}`);
    default:
      return check('io_uring', TITLE, 'warn', `kernel.io_uring_disabled reads ${JSON.stringify(file.value.trim())}, not 0, 1 or 2`);
  }
}
