/** Verdicts and lock hold times over capture time, decimated to one bucket per pixel. Pure. (Being built: see issue 4.) */
import type { AppResult, TimelineQuery, TimelineSeries } from './app-contract.js';
import type { CaptureAnalysis } from './capture-analysis.js';

export function timelineSeries(_analysis: CaptureAnalysis, _q: TimelineQuery): AppResult<TimelineSeries> {
  return { ok: false, error: { code: 'not_found', message: 'the timeline is not built yet' } };
}
