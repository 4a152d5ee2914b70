/** Live sessions started from the app. (Being built: see issue 4.) */
import type { AppResult, SessionInfo, SessionStart } from '../../core/app/app-contract.js';
import type { Rule } from '../../core/rules/rule.js';
import type { CaptureRegistry } from './capture-registry.js';
import type { TargetRegistry } from './target-registry.js';

export interface SessionRegistryOptions {
  readonly targets: TargetRegistry;
  readonly captures: CaptureRegistry;
  readonly rules: readonly Rule[];
  readonly capturesDir: string;
  readonly emit: (s: SessionInfo) => void;
}

export class SessionRegistry {
  constructor(readonly o: SessionRegistryOptions) {}

  list(): readonly SessionInfo[] {
    return [];
  }

  start(a: SessionStart): Promise<AppResult<SessionInfo>> {
    return Promise.resolve({ ok: false, error: { code: 'target_failed', message: `sessions on ${a.targetId} are not built yet` } });
  }

  stop(sessionId: string): Promise<AppResult<SessionInfo>> {
    return Promise.resolve({ ok: false, error: { code: 'not_found', message: `no session ${sessionId}` } });
  }

  stopAll(): Promise<void> {
    return Promise.resolve();
  }
}
