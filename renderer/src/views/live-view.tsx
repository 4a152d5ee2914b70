/** A live session's progress (being built: see issue 4). */
import type { AppError } from '../../../main/core/app/app-contract.js';

export function LiveView(p: { readonly sessionId: string | undefined; readonly notify: (e: AppError) => void; readonly onSelectSession: (id: string) => void }) {
  return <section class="placeholder">Live session {p.sessionId ?? '(none)'}: not built yet.</section>;
}
