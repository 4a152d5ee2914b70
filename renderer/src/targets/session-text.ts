/** How the Targets and Live views word sessions and checks: states, exit codes, workloads. Pure. */
import type { SessionInfo, SessionState } from '../../../main/core/app/app-contract.js';
import type { CheckStatus } from '../../../main/core/target/preflight-check.js';

export const STATE_TEXT: { readonly [S in SessionState]: string } = {
  preflight: 'Preflight',
  attaching: 'Attaching probes',
  recording: 'Recording',
  stopping: 'Stopping',
  finished: 'Finished',
  failed: 'Failed',
};

export const CHECK_TEXT: { readonly [S in CheckStatus]: string } = { ok: 'ok', warn: 'warn', fail: 'fail', skipped: 'skipped' };

/** What `lockscope trace` / `analyze` exit codes mean for the rule. */
export function exitMeaning(code: number): { readonly title: string; readonly text: string; readonly tone: 'held' | 'not-held' | 'unknown' | 'error' } {
  switch (code) {
    case 0:
      return { title: 'Exit 0: all walks HELD', text: 'every observed link walk held ctx->uring_lock', tone: 'held' };
    case 1:
      return { title: 'Exit 1: violation', text: 'at least one link walk ran without ctx->uring_lock (NOT_HELD)', tone: 'not-held' };
    case 3:
      return { title: 'Exit 3: unproven', text: 'nothing was proven either way: walks were UNKNOWN (see their reasons) or none was observed', tone: 'unknown' };
    default:
      return { title: `Exit ${code}: error`, text: 'the session or its calibration failed: the capture is kept, but its verdicts must not be trusted', tone: 'error' };
  }
}

export function isRunning(s: SessionInfo): boolean {
  return s.state !== 'finished' && s.state !== 'failed';
}

/** `linkstorm:chain=4,inflight=2` from the form's fields; undefined for no workload. */
export function workloadSpec(kind: 'none' | 'linkstorm', chain: string, inflight: string): string | undefined {
  if (kind === 'none') {
    return undefined;
  }
  const opts = [chain.trim() === '' ? '' : `chain=${chain.trim()}`, inflight.trim() === '' ? '' : `inflight=${inflight.trim()}`].filter((o) => o !== '');
  return opts.length === 0 ? 'linkstorm' : `linkstorm:${opts.join(',')}`;
}

/** "12 s", "2 min 5 s". */
export function formatSeconds(s: number): string {
  const whole = Math.floor(s);
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

export function formatClock(ms: number): string {
  return new Date(ms).toLocaleTimeString('en-GB', { hour12: false });
}
