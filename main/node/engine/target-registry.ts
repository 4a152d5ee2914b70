/** The targets the user configured, kept in STATE_DIR/targets.json. (Being built: see issue 4.) */
import type { AppResult, PreflightReport, TargetEntry } from '../../core/app/app-contract.js';

export class TargetRegistry {
  constructor(
    readonly stateDir: string,
    readonly sshConfig: string | undefined,
  ) {}

  list(): Promise<AppResult<readonly TargetEntry[]>> {
    return Promise.resolve({ ok: true, value: [{ id: 'local', address: 'local', label: 'This machine', fromSshConfig: false }] });
  }

  save(_a: { readonly id: string | undefined; readonly address: string; readonly label: string }): Promise<AppResult<TargetEntry>> {
    return Promise.resolve({ ok: false, error: { code: 'target_failed', message: 'saving targets is not built yet' } });
  }

  remove(targetId: string): Promise<AppResult<null>> {
    return Promise.resolve({ ok: false, error: { code: 'not_found', message: `no target ${targetId}` } });
  }

  preflight(targetId: string): Promise<AppResult<PreflightReport>> {
    return Promise.resolve({ ok: false, error: { code: 'not_found', message: `preflight of ${targetId} is not built yet` } });
  }
}
