import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BUCKET_COUNT,
  LogHistogram,
  MAX_RELATIVE_ERROR,
  MAX_VALUE,
  bucketIndex,
  bucketLow,
  bucketWidth,
  nearestRank,
} from '../../../main/core/stats/log-histogram.js';
import { mulberry32 } from '../../support/prng.js';

/** The shared seeded PRNG, as a function returning uniform numbers in [0, 1). */
function uniform(seed: number): () => number {
  const prng = mulberry32(seed);
  return () => prng.next();
}

const N = 50_000;

const DISTRIBUTIONS: readonly { name: string; gen: (rnd: () => number, i: number) => number }[] = [
  { name: 'uniform [0, 1e6)', gen: (rnd) => Math.floor(rnd() * 1e6) },
  { name: 'exponential mean 50 µs', gen: (rnd) => Math.floor(-Math.log(1 - rnd()) * 50_000) },
  {
    name: 'heavy-tailed Pareto alpha 1.1',
    gen: (rnd) => Math.min(MAX_VALUE, Math.floor(1_000 / Math.pow(1 - rnd(), 1 / 1.1))),
  },
  { name: 'log-uniform over [1, 2^53]', gen: (rnd) => Math.floor(Math.pow(2, rnd() * 53)) },
  { name: 'small integers [0, 300)', gen: (rnd) => Math.floor(rnd() * 300) },
  { name: 'constant 123456789', gen: () => 123_456_789 },
  { name: 'all zero', gen: () => 0 },
  { name: 'two far values', gen: (_rnd, i) => (i % 3 === 0 ? 7 : 2 ** 45 + 12_345) },
];

const QS = [0, 0.001, 0.01, 0.1, 0.25, 0.333, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1];

function sample(gen: (rnd: () => number, i: number) => number, seed: number, n: number): Float64Array {
  const rnd = uniform(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = gen(rnd, i);
  }
  return out;
}

function exactQuantile(sorted: Float64Array, q: number): number {
  const v = sorted[nearestRank(q, sorted.length) - 1];
  assert.ok(v !== undefined);
  return v;
}

function assertWithinBound(got: number | undefined, exact: number, what: string): void {
  assert.ok(got !== undefined, `${what}: undefined`);
  const err = Math.abs(got - exact);
  assert.ok(err <= exact * MAX_RELATIVE_ERROR, `${what}: got ${got}, exact ${exact}, rel err ${err / exact}`);
}

describe('LogHistogram layout', () => {
  it('has bounded size: 3073 buckets up to 2^53', () => {
    assert.equal(BUCKET_COUNT, 3073);
    assert.equal(bucketIndex(MAX_VALUE), BUCKET_COUNT - 1);
    assert.equal(MAX_RELATIVE_ERROR, 1 / 128);
  });

  it('places every value in [low, low + width) with monotonic indices, exact below 128', () => {
    const values: number[] = [];
    for (let v = 0; v < 1 << 16; v++) {
      values.push(v);
    }
    for (let e = 16; e <= 53; e++) {
      for (const d of [-2, -1, 0, 1, 2, 3]) {
        values.push(2 ** e + d);
      }
      for (const k of [1, 17, 63]) {
        const w = 2 ** (e - 6);
        values.push(2 ** e + k * w - 1, 2 ** e + k * w, 2 ** e + k * w + 1);
      }
    }
    let previousIndex = -1;
    let previousValue = -1;
    for (const v of values.filter((x) => x <= MAX_VALUE).sort((a, b) => a - b)) {
      if (v === previousValue) {
        continue;
      }
      const i = bucketIndex(v);
      assert.ok(i >= previousIndex && i < BUCKET_COUNT, `index of ${v}`);
      assert.ok(bucketLow(i) <= v && v < bucketLow(i) + bucketWidth(i), `bucket of ${v}`);
      if (v < 128) {
        assert.equal(bucketWidth(i), 1);
      } else {
        assert.ok(bucketWidth(i) <= bucketLow(i) / 64, `width at ${v}`);
      }
      previousIndex = i;
      previousValue = v;
    }
  });

  it('answers a lone middle value within the bound at bucket edges (no clamping help)', () => {
    let worst = 0;
    for (let e = 7; e <= 52; e++) {
      const w = 2 ** (e - 6);
      for (const v of [2 ** e, 2 ** e + w - 1, 2 ** e + 33 * w - 1, 2 ** (e + 1) - 1]) {
        const h = new LogHistogram();
        h.record(0);
        h.record(v);
        h.record(MAX_VALUE);
        const got = h.quantile(0.5);
        assertWithinBound(got, v, `v=${v}`);
        worst = Math.max(worst, Math.abs((got ?? 0) - v) / v);
      }
    }
    // The bound is tight-ish: the worst case is near 1/128, so the test would catch a 2x regression.
    assert.ok(worst > MAX_RELATIVE_ERROR * 0.9, `worst ${worst}`);
  });
});

describe('LogHistogram quantiles against exact nearest-rank quantiles', () => {
  DISTRIBUTIONS.forEach(({ name, gen }, d) => {
    it(name, () => {
      const values = sample(gen, 1000 + d, N);
      const h = new LogHistogram();
      let exactSum = 0n;
      for (const v of values) {
        h.record(v);
        exactSum += BigInt(v);
      }
      const sorted = values.slice().sort();
      assert.equal(h.count, N);
      assert.equal(h.min, sorted[0]);
      assert.equal(h.max, sorted[N - 1]);
      if (exactSum <= BigInt(Number.MAX_SAFE_INTEGER)) {
        assert.equal(h.sum, Number(exactSum));
      } else {
        assert.ok(Math.abs(h.sum - Number(exactSum)) <= Number(exactSum) * 1e-12);
      }
      assert.equal(h.mean, h.sum / N);
      for (const q of QS) {
        assertWithinBound(h.quantile(q), exactQuantile(sorted, q), `q=${q}`);
      }
      const rnd = uniform(d);
      for (let k = 0; k < 200; k++) {
        const q = rnd();
        assertWithinBound(h.quantile(q), exactQuantile(sorted, q), `q=${q}`);
      }
      assert.equal(h.quantile(0), sorted[0]);
      assert.equal(h.quantile(1), sorted[N - 1]);
    });
  });

  it('a single (possibly repeated) value is answered exactly for every q', () => {
    for (const v of [0, 1, 127, 128, 1_000_003, 2 ** 40 + 7, MAX_VALUE]) {
      for (const times of [1, 5]) {
        const h = new LogHistogram();
        for (let k = 0; k < times; k++) {
          h.record(v);
        }
        for (const q of QS) {
          assert.equal(h.quantile(q), v, `v=${v} x${times} q=${q}`);
        }
        assert.equal(h.min, v);
        assert.equal(h.max, v);
        assert.equal(h.sum, v * times);
      }
    }
  });

  it('uses nearest rank: ceil(q n), clamped to [1, n]', () => {
    assert.equal(nearestRank(0, 10), 1);
    assert.equal(nearestRank(0.5, 10), 5);
    assert.equal(nearestRank(0.51, 10), 6);
    assert.equal(nearestRank(1, 10), 10);
    const h = new LogHistogram();
    for (const v of [10, 20, 30, 40]) {
      h.record(v);
    }
    assert.equal(h.quantile(0.5), 20);
    assert.equal(h.quantile(0.26), 20);
    assert.equal(h.quantile(0.25), 10);
    assert.equal(h.quantile(0.75), 30);
    assert.equal(h.quantile(0.76), 40);
  });
});

describe('LogHistogram edge cases', () => {
  it('is empty-safe', () => {
    const h = new LogHistogram();
    assert.equal(h.count, 0);
    assert.equal(h.sum, 0);
    assert.equal(h.min, undefined);
    assert.equal(h.max, undefined);
    assert.equal(h.mean, undefined);
    assert.equal(h.quantile(0.5), undefined);
    assert.deepEqual(h.bins(), []);
  });

  it('rejects values that are not integers in [0, 2^53], and bad q', () => {
    const h = new LogHistogram();
    for (const bad of [-1, 1.5, 2 ** 40 + 0.5, NaN, Infinity, -Infinity, MAX_VALUE + 2]) {
      assert.throws(() => {
        h.record(bad);
      }, RangeError);
    }
    assert.equal(h.count, 0);
    h.record(MAX_VALUE);
    assert.equal(h.max, MAX_VALUE);
    for (const q of [-0.1, 1.1, NaN]) {
      assert.throws(() => h.quantile(q), RangeError);
    }
  });

  it('recordMany equals repeated record', () => {
    const a = new LogHistogram();
    const b = new LogHistogram();
    a.recordMany(5_000_000, 3);
    a.recordMany(9, 0);
    for (let i = 0; i < 3; i++) {
      b.record(5_000_000);
    }
    assert.deepEqual(a.toJSON(), b.toJSON());
  });

  it('bins cover every value', () => {
    const h = new LogHistogram();
    for (const v of [3, 3, 200, 201, 2 ** 30]) {
      h.record(v);
    }
    assert.deepEqual(h.bins(), [
      { low: 3, width: 1, count: 2 },
      { low: 200, width: 2, count: 2 },
      { low: 2 ** 30, width: 2 ** 24, count: 1 },
    ]);
  });
});

describe('LogHistogram merge', () => {
  it('equals recording everything into one histogram', () => {
    const values = sample(DISTRIBUTIONS[2]?.gen ?? (() => 0), 7, 30_000);
    const whole = new LogHistogram();
    const parts = [new LogHistogram(), new LogHistogram(), new LogHistogram()];
    values.forEach((v, i) => {
      whole.record(v);
      parts[i % 3]?.record(v);
    });
    const merged = new LogHistogram();
    for (const p of parts) {
      merged.merge(p);
    }
    assert.deepEqual(merged.toJSON(), whole.toJSON());
    for (const q of QS) {
      assert.equal(merged.quantile(q), whole.quantile(q));
    }
  });

  it('grows the receiver when the other holds larger values, and leaves the other unchanged', () => {
    const small = new LogHistogram();
    small.record(5);
    const big = new LogHistogram();
    big.record(2 ** 50);
    big.record(17);
    const before = big.toJSON();
    small.merge(big).merge(new LogHistogram());
    assert.deepEqual(big.toJSON(), before);
    assert.equal(small.count, 3);
    assert.equal(small.min, 5);
    assert.equal(small.max, 2 ** 50);
    assert.equal(small.sum, 2 ** 50 + 22);
    assert.equal(small.quantile(0.5), 17);
    const c = small.clone();
    c.record(1);
    assert.equal(small.count, 3);
    assert.equal(c.count, 4);
    c.reset();
    assert.equal(c.count, 0);
    assert.equal(c.quantile(1), undefined);
  });
});

describe('LogHistogram JSON', () => {
  it('round-trips through JSON text', () => {
    const h = new LogHistogram();
    for (const v of sample(DISTRIBUTIONS[3]?.gen ?? (() => 0), 11, 5_000)) {
      h.record(v);
    }
    const json: unknown = JSON.parse(JSON.stringify(h));
    const back = LogHistogram.fromJSON(json);
    assert.ok(back.ok);
    assert.deepEqual(back.value.toJSON(), h.toJSON());
    for (const q of QS) {
      assert.equal(back.value.quantile(q), h.quantile(q));
    }
    assert.equal(back.value.sum, h.sum);
  });

  it('round-trips an empty histogram', () => {
    const back = LogHistogram.fromJSON(JSON.parse(JSON.stringify(new LogHistogram())));
    assert.ok(back.ok);
    assert.equal(back.value.count, 0);
    assert.equal(back.value.min, undefined);
  });

  it('rejects inconsistent data', () => {
    const h = new LogHistogram();
    for (const v of [1, 2, 1_000, 70_000]) {
      h.record(v);
    }
    const good = h.toJSON();
    const bad: unknown[] = [
      null,
      [],
      { ...good, version: 2 },
      { ...good, subBucketBits: 7 },
      { ...good, count: 5 },
      { ...good, count: -1 },
      { ...good, min: 0 },
      { ...good, max: 80_000 },
      { ...good, min: 2, max: 1 },
      { ...good, sum: 'x' },
      { ...good, buckets: [...good.buckets].reverse() },
      { ...good, buckets: good.buckets.map(([i, c]) => [i, c === 1 ? 0 : c]) },
      { ...good, buckets: good.buckets.map(([i]) => [i]) },
      { ...new LogHistogram().toJSON(), buckets: [[0, 1]] },
    ];
    for (const b of bad) {
      assert.equal(LogHistogram.fromJSON(b).ok, false, JSON.stringify(b));
    }
    assert.ok(LogHistogram.fromJSON(good).ok);
  });
});
