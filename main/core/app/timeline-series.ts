/**
 * Verdicts and uring_lock hold times over capture time, decimated to one bucket per pixel: walks
 * per bucket by verdict, and the shortest and longest hold taken in each bucket (an envelope: no
 * extreme is dropped). Pure. The capture is indexed once (capture-index.ts); each query then
 * scans the points of the blocks that overlap its range.
 */
import type { AppResult, TimelineQuery, TimelineSeries } from './app-contract.js';
import type { CaptureAnalysis } from './capture-analysis.js';
import { captureIndex, eventsInRange, V_HELD, V_NOT_HELD, V_UNKNOWN } from './capture-index.js';
import { bucketsOf, countByCode, minMaxEnvelope } from './decimate.js';

export function timelineSeries(analysis: CaptureAnalysis, q: Pick<TimelineQuery, 'fromNs' | 'toNs' | 'buckets'>): AppResult<TimelineSeries> {
  const ix = captureIndex(analysis);
  const from = q.fromNs ?? ix.minTs;
  const to = q.toNs ?? ix.maxTs;
  if (!(to >= from)) {
    return { ok: false, error: { code: 'bad_request', message: `the time range ends (${to} ns) before it starts (${from} ns); choose a range from an earlier to a later time` } };
  }
  const b = bucketsOf(from, to, q.buckets);
  const counts = countByCode(b, ix.walks, 3);
  const env = minMaxEnvelope(b, ix.holds);
  const t: number[] = [];
  for (let k = 0; k < b.count; k++) {
    t.push(b.fromNs + k * b.bucketNs);
  }
  return {
    ok: true,
    value: {
      fromNs: b.fromNs,
      toNs: b.toNs,
      bucketNs: b.bucketNs,
      t,
      held: counts[V_HELD] ?? [],
      notHeld: counts[V_NOT_HELD] ?? [],
      unknown: counts[V_UNKNOWN] ?? [],
      holdMin: env.min,
      holdMax: env.max,
      eventsInRange: eventsInRange(ix, b.fromNs, b.toNs),
    },
  };
}
