import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogHistogram } from '../../../main/core/stats/log-histogram.js';
import { summarize } from '../../../main/core/stats/summary-stats.js';

describe('summarize', () => {
  it('gives undefined statistics for an empty histogram', () => {
    assert.deepEqual(summarize(new LogHistogram()), {
      count: 0,
      min: undefined,
      max: undefined,
      mean: undefined,
      p50: undefined,
      p90: undefined,
      p99: undefined,
    });
  });

  it('gives exact count/min/max/mean and nearest-rank percentiles', () => {
    const h = new LogHistogram();
    for (let v = 1; v <= 100; v++) {
      h.record(v);
    }
    const s = summarize(h);
    assert.deepEqual(s, { count: 100, min: 1, max: 100, mean: 50.5, p50: 50, p90: 90, p99: 99 });
    if (s.count !== 0) {
      // Type-level: narrowing on count gives plain numbers.
      const p99: number = s.p99;
      assert.equal(p99, 99);
    }
  });

  it('percentiles of large values stay within 1/128', () => {
    const h = new LogHistogram();
    for (let i = 1; i <= 1000; i++) {
      h.record(i * 1_000_003);
    }
    const s = summarize(h);
    assert.ok(s.min !== undefined);
    assert.equal(s.min, 1_000_003);
    assert.equal(s.max, 1_000_003_000);
    assert.ok(Math.abs(s.p50 - 500 * 1_000_003) <= (500 * 1_000_003) / 128);
    assert.ok(Math.abs(s.p90 - 900 * 1_000_003) <= (900 * 1_000_003) / 128);
    assert.ok(Math.abs(s.p99 - 990 * 1_000_003) <= (990 * 1_000_003) / 128);
  });
});
