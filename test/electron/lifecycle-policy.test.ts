/** Closing the last window never cuts a running session short. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionInfo, SessionState } from '../../main/core/app/app-contract.js';
import { sessionsRunning, whenNoWindows } from '../../main/electron/lifecycle-policy.js';

function session(state: SessionState): SessionInfo {
  return { state } as unknown as SessionInfo;
}

describe('lifecycle policy: the last window closed', () => {
  it('quits on Linux and Windows when nothing runs', () => {
    assert.equal(whenNoWindows('linux', []), 'quit');
    assert.equal(whenNoWindows('win32', [session('finished'), session('failed')]), 'quit');
  });
  it('stays until the sessions end while one is running, whatever its phase', () => {
    for (const state of ['preflight', 'attaching', 'recording', 'stopping'] as const) {
      assert.equal(whenNoWindows('linux', [session('finished'), session(state)]), 'stay_until_sessions_end', state);
    }
    assert.equal(sessionsRunning([session('recording'), session('stopping'), session('finished')]), 2);
  });
  it('macOS keeps the app', () => {
    assert.equal(whenNoWindows('darwin', []), 'stay');
  });
});
