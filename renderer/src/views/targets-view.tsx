/** Targets: hosts, preflight, the probe plan, starting a session (being built: see issue 4). */
import type { AppError } from '../../../main/core/app/app-contract.js';

export function TargetsView(_p: { readonly notify: (e: AppError) => void; readonly onSessionStarted: (sessionId: string) => void }) {
  return <section class="placeholder">Targets: not built yet.</section>;
}
