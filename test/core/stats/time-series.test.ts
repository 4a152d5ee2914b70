import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TimeSeriesColumns } from '../../../main/core/stats/time-series.js';
import { DecimatingTimeSeries } from '../../../main/core/stats/time-series.js';
import type { RelNs } from '../../../main/core/util/time.js';
import { mulberry32 } from '../../support/prng.js';

/** The shared seeded PRNG, as a function returning uniform numbers in [0, 1). */
function uniform(seed: number): () => number {
  const prng = mulberry32(seed);
  return () => prng.next();
}

const t = (ns: number): RelNs => ns as RelNs;

function sum(a: Float64Array): number {
  let s = 0;
  for (const x of a) {
    s += x;
  }
  return s;
}

/** Structural checks every columns() result must pass. */
function checkColumns(c: TimeSeriesColumns, maxBuckets: number): void {
  const n = c.start.length;
  assert.ok(n <= maxBuckets);
  for (const col of [c.count, c.min, c.max, c.mean]) {
    assert.equal(col.length, n);
  }
  for (let i = 0; i < n; i++) {
    const start = c.start[i] ?? NaN;
    assert.equal(start % c.widthNs, 0, 'bucket starts are multiples of the width');
    if (i > 0) {
      assert.ok(start > (c.start[i - 1] ?? Infinity));
    }
    assert.ok((c.count[i] ?? 0) > 0);
    assert.ok((c.min[i] ?? NaN) <= (c.mean[i] ?? NaN) + 1e-9);
    assert.ok((c.mean[i] ?? NaN) <= (c.max[i] ?? NaN) + 1e-9);
  }
}

/** Puts every point into floor(t / w) * w by brute force and compares with the series. */
function checkAgainstBruteForce(ts: readonly number[], vs: readonly number[], c: TimeSeriesColumns): void {
  const w = c.widthNs;
  const expected = new Map<number, { count: number; min: number; max: number }>();
  ts.forEach((time, i) => {
    const v = vs[i] ?? NaN;
    const key = Math.floor(time / w) * w;
    const b = expected.get(key);
    if (b === undefined) {
      expected.set(key, { count: 1, min: v, max: v });
    } else {
      b.count++;
      b.min = Math.min(b.min, v);
      b.max = Math.max(b.max, v);
    }
  });
  const keys = [...expected.keys()].sort((a, b) => a - b);
  assert.deepEqual([...c.start], keys);
  keys.forEach((key, i) => {
    const b = expected.get(key);
    assert.ok(b !== undefined);
    assert.equal(c.count[i], b.count);
    assert.equal(c.min[i], b.min);
    assert.equal(c.max[i], b.max);
  });
}

describe('DecimatingTimeSeries', () => {
  it('stays within maxBuckets over 1e6 points across ~17 minutes, conserving counts', () => {
    const rnd = uniform(42);
    const s = new DecimatingTimeSeries(2048);
    const n = 1_000_000;
    let now = 0;
    let vMin = Infinity;
    let vMax = -Infinity;
    let vSum = 0;
    for (let i = 0; i < n; i++) {
      now += Math.floor(rnd() * 2_000_000); // mean step 1 ms
      // One point in 16 is up to 50 ms late (out of order).
      const time = i % 16 === 0 ? Math.max(0, now - Math.floor(rnd() * 50_000_000)) : now;
      const v = Math.floor(rnd() * 10_000);
      vMin = Math.min(vMin, v);
      vMax = Math.max(vMax, v);
      vSum += v;
      s.add(t(time), v);
      if ((i & 0xffff) === 0) {
        assert.ok(s.bucketCount <= 2048);
      }
    }
    assert.equal(s.count, n);
    assert.ok(s.bucketCount <= 2048);
    const c = s.columns();
    checkColumns(c, 2048);
    assert.equal(sum(c.count), n);
    assert.equal(Math.min(...c.min), vMin);
    assert.equal(Math.max(...c.max), vMax);
    let weighted = 0;
    c.mean.forEach((m, i) => {
      weighted += m * (c.count[i] ?? 0);
    });
    assert.ok(Math.abs(weighted - vSum) <= vSum * 1e-9);
    // The range (~1e12 ns) needs the width to have grown to cover it with <= 2048 buckets.
    assert.ok(s.bucketWidth * 2048 >= now - (s.start ?? 0));
    assert.ok(s.bucketWidth <= (2 * now) / 1024, `width ${s.bucketWidth} not minimal-ish`);
    assert.ok((s.start ?? Infinity) <= 0 && (s.end ?? -Infinity) > now);
  });

  it('puts each point in its bucket, including out-of-order points and points before the first', () => {
    const rnd = uniform(7);
    const s = new DecimatingTimeSeries(64);
    const ts: number[] = [];
    const vs: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      // Roughly increasing around 1e9, with frequent jumps backwards, some before the first point.
      const base = 1e9 + i * 5_000;
      const time = Math.floor(rnd() < 0.2 ? base - rnd() * 2e8 : base + rnd() * 10_000);
      const v = Math.floor(rnd() * 1000) - 500;
      ts.push(time);
      vs.push(v);
      s.add(t(time), v);
    }
    assert.ok(Math.min(...ts) < (ts[0] ?? 0), 'the test does go below the first point');
    assert.equal(s.count, ts.length);
    assert.ok(s.bucketCount <= 64);
    const c = s.columns();
    checkColumns(c, 64);
    assert.equal(sum(c.count), ts.length);
    checkAgainstBruteForce(ts, vs, c);
  });

  it('extends the range downward instead of clamping an early point', () => {
    const s = new DecimatingTimeSeries(4);
    s.add(t(1000), 1);
    s.add(t(1001), 2);
    assert.equal(s.bucketWidth, 1);
    assert.equal(s.start, 1000);
    s.add(t(998), 3); // fits with a shift: buckets 998..1001
    assert.equal(s.bucketWidth, 1);
    assert.equal(s.start, 998);
    s.add(t(10), 4); // far below: the width doubles until 10..1001 fits in 4 buckets
    assert.equal(s.count, 4);
    // Read through a call: assert.equal above narrowed s.start to the literal 998.
    const range = (x: DecimatingTimeSeries): [number, number] => [x.start ?? Infinity, x.end ?? -Infinity];
    const [start, end] = range(s);
    assert.ok(start <= 10 && end > 1001, `range ${start}..${end}`);
    assert.ok(s.bucketCount <= 4);
    const c = s.columns();
    assert.equal(sum(c.count), 4);
    checkAgainstBruteForce([1000, 1001, 998, 10], [1, 2, 3, 4], c);
    assert.equal(c.min[0], 4);
  });

  it('works with two buckets, negative times and a coarse initial width', () => {
    const rnd = uniform(3);
    const s = new DecimatingTimeSeries(2, 1000);
    assert.equal(s.bucketWidth, 1024);
    const ts: number[] = [];
    const vs: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const time = Math.floor((rnd() - 0.5) * 2 ** 40);
      ts.push(time);
      vs.push(i);
      s.add(t(time), i);
      assert.ok(s.bucketCount <= 2);
    }
    const c = s.columns();
    assert.equal(sum(c.count), 2000);
    checkAgainstBruteForce(ts, vs, c);
  });

  it('is empty before the first point and rejects bad input', () => {
    const s = new DecimatingTimeSeries();
    assert.equal(s.start, undefined);
    assert.equal(s.end, undefined);
    assert.equal(s.columns().start.length, 0);
    assert.throws(() => {
      s.add(t(NaN), 1);
    }, RangeError);
    assert.throws(() => {
      s.add(t(1), Infinity);
    }, RangeError);
    assert.equal(s.count, 0);
    assert.throws(() => new DecimatingTimeSeries(1), RangeError);
    assert.throws(() => new DecimatingTimeSeries(16, 0), RangeError);
  });
});
