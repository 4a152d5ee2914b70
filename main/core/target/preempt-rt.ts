/**
 * Whether the kernel is PREEMPT_RT: there `struct mutex` is built on an rt_mutex, so the mutex
 * owner word Lockscope reads at a window's entry means something else and is not trusted.
 * Evidence: `uname -v` names PREEMPT_RT ("PREEMPT_RT", or "PREEMPT RT" on older -rt kernels), or
 * the -rt patch set's /sys/kernel/realtime reads 1.
 */
import type { PreemptRt } from '../capture/header.js';
import type { Observed, PreflightCheck } from './preflight-check.js';
import { check } from './preflight-check.js';

export const REALTIME_FILE = '/sys/kernel/realtime';

export interface PreemptRtFinding {
  readonly state: PreemptRt;
  readonly evidence: string;
}

export function preemptRtFrom(unameVersion: string | undefined, realtime: Observed<string>): PreemptRtFinding {
  if (unameVersion !== undefined && /\bPREEMPT[_ ]RT\b/.test(unameVersion)) {
    return { state: 'yes', evidence: `uname -v says "${unameVersion}"` };
  }
  if (realtime.ok && realtime.value.trim() === '1') {
    return { state: 'yes', evidence: `${REALTIME_FILE} reads 1` };
  }
  if (unameVersion === undefined) {
    return { state: 'unknown', evidence: 'uname -v could not be read' };
  }
  const model = /\bPREEMPT(?:_DYNAMIC|_VOLUNTARY|_LAZY)?\b/.exec(unameVersion)?.[0];
  return { state: 'no', evidence: model === undefined ? 'uname -v names no PREEMPT_RT' : `uname -v says ${model}, not PREEMPT_RT` };
}

const TITLE = 'PREEMPT_RT';

export function preemptRtCheck(f: PreemptRtFinding): PreflightCheck {
  switch (f.state) {
    case 'no':
      return check('preempt_rt', TITLE, 'ok', `not a PREEMPT_RT kernel (${f.evidence})`);
    case 'yes':
      return check(
        'preempt_rt',
        TITLE,
        'warn',
        `PREEMPT_RT kernel (${f.evidence}): struct mutex is an rt_mutex, so the owner word at a window's entry is not trusted and verdicts rest on lock events alone`,
      );
    case 'unknown':
      return check('preempt_rt', TITLE, 'warn', `unknown (${f.evidence}); the mutex owner word will not be trusted`);
  }
}
