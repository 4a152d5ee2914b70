/** One walk with its evidence and the lanes of its request timeline. Pure. (Being built: see issue 4.) */
import type { AppResult, WalkDetail } from './app-contract.js';
import type { CaptureAnalysis } from './capture-analysis.js';
import type { Addr } from '../util/addr.js';

export function walkDetail(_analysis: CaptureAnalysis, index: number, _fmt: (a: Addr) => string, name: string): AppResult<WalkDetail> {
  return { ok: false, error: { code: 'not_found', message: `${name}: walk #${index}: the walk view is not built yet` } };
}
