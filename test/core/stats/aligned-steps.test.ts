/** Overlaying distributions on one x axis: steps hold their bucket's value, CDFs interpolate. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignCdfs, alignSteps } from '../../../main/core/stats/aligned-steps.js';

describe('alignSteps', () => {
  it('evaluates each step series at the union of edges; 0 at its last edge, null outside', () => {
    const a = { lower: [10, 20], upper: [20, 40], y: [1, 2] };
    const b = { lower: [30], upper: [80], y: [5] };
    const r = alignSteps([a, b]);
    assert.deepEqual(r.x, [10, 20, 30, 40, 80]);
    assert.deepEqual(r.ys[0], [1, 2, 2, 0, null]);
    assert.deepEqual(r.ys[1], [null, null, 5, 5, 0]);
  });
});

describe('alignCdfs', () => {
  it('is 0 before a CDF, 1 after it, its own value at its points and log-interpolated between', () => {
    const a = { x: [10, 1000], p: [0, 1] };
    const b = { x: [100, 200], p: [0, 1] };
    const r = alignCdfs([a, b]);
    assert.deepEqual(r.x, [10, 100, 200, 1000]);
    assert.deepEqual(r.ys[1], [0, 0, 1, 1]);
    const ya = r.ys[0] ?? [];
    const a100 = ya[1] ?? NaN;
    assert.ok(Math.abs(a100 - 0.5) < 1e-12, `halfway in log x: ${a100}`);
    assert.equal(ya[0], 0);
    assert.equal(ya[3], 1);
  });

  it('stays monotone for real-looking CDFs', () => {
    const a = { x: [1, 2, 4, 8, 16], p: [0, 0.1, 0.5, 0.9, 1] };
    const b = { x: [3, 5, 7, 20], p: [0, 0.3, 0.6, 1] };
    for (const ys of alignCdfs([a, b]).ys) {
      for (let i = 1; i < ys.length; i++) {
        assert.ok((ys[i] ?? 0) >= (ys[i - 1] ?? 0));
      }
    }
  });
});
