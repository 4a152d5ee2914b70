/**
 * What the app does when its last window closes, as a pure decision (main.ts carries it out).
 * A running session is never cut short by closing a window: the app stays, without a window,
 * until the session ends; launching Lockscope again (or the dock on macOS) reopens a window that
 * shows it. With nothing running, Linux and Windows quit and macOS stays, as users expect there.
 */
import type { SessionInfo, SessionState } from '../core/app/app-contract.js';

const RUNNING: ReadonlySet<SessionState> = new Set<SessionState>(['preflight', 'attaching', 'recording', 'stopping']);

export function sessionsRunning(sessions: readonly SessionInfo[]): number {
  return sessions.filter((s) => RUNNING.has(s.state)).length;
}

export type WindowlessAction = 'quit' | 'stay' | 'stay_until_sessions_end';

export function whenNoWindows(platform: NodeJS.Platform, sessions: readonly SessionInfo[]): WindowlessAction {
  if (platform === 'darwin') {
    return 'stay';
  }
  return sessionsRunning(sessions) > 0 ? 'stay_until_sessions_end' : 'quit';
}
