/** Hold, wait and window-duration distributions of a capture. Pure. (Being built: see issue 4.) */
import type { AppResult, CaptureStats } from './app-contract.js';
import type { CaptureAnalysis } from './capture-analysis.js';

export function captureStats(_analysis: CaptureAnalysis): AppResult<CaptureStats> {
  return { ok: false, error: { code: 'not_found', message: 'statistics are not built yet' } };
}
