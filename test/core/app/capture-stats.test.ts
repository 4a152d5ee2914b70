/**
 * The Statistics view's data: display buckets keep every count, the CDF is exact at its points,
 * quantiles read off it agree with the summary within the histogram's error, the numbers equal
 * the analysis summary's (what `analyze --json` prints), and an empty metric says why.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CaptureStats, Distribution } from '../../../main/core/app/app-contract.js';
import { CaptureAnalysis } from '../../../main/core/app/capture-analysis.js';
import { captureStats, MAX_GROUP_HISTOGRAMS } from '../../../main/core/app/capture-stats.js';
import type { AnalysisSummary } from '../../../main/core/analysis/analysis-summary.js';
import type { TimingMetric } from '../../../main/core/analysis/timing-stats.js';
import { TIMING_METRICS } from '../../../main/core/analysis/timing-stats.js';
import { DEFAULT_DISPLAY_BUCKETS, displayBuckets, edgeCdf, quantileFromCdf } from '../../../main/core/stats/display-buckets.js';
import { LogHistogram } from '../../../main/core/stats/log-histogram.js';
import { summarize } from '../../../main/core/stats/summary-stats.js';
import { loadRules } from '../../../main/node/commands/analysis-run.js';
import { analyseCaptureFile } from './analyse-capture-file.js';

const analyse = analyseCaptureFile;

function stats(path: string): { analysis: CaptureAnalysis; stats: CaptureStats } {
  const analysis = analyse(path);
  const r = captureStats(analysis);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return { analysis, stats: r.value };
}

/** A seeded generator (mulberry32), so a failure can be reproduced. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Log-uniform integers from 0 to ~1e10 ns, with a few zeros and small exact values. */
function values(seed: number, count: number): number[] {
  const r = random(seed);
  return Array.from({ length: count }, (_, i) => (i % 97 === 0 ? 0 : Math.floor(Math.exp(r() * Math.log(1e10)))));
}

/** Checks every invariant of one distribution; `d.count` samples in all. */
function checkDistribution(d: Distribution): void {
  const where = `${d.metric} ${d.group}`;
  assert.equal(d.counts.reduce((a, b) => a + b, 0), d.count, `${where}: bucket counts sum to the count`);
  assert.equal(d.summary.count, d.count, where);
  assert.ok(d.counts.length <= DEFAULT_DISPLAY_BUCKETS, `${where}: ${d.counts.length} display buckets`);
  assert.equal(d.lower.length, d.counts.length);
  assert.equal(d.upper.length, d.counts.length);
  for (let i = 0; i < d.lower.length; i++) {
    assert.ok((d.lower[i] ?? 0) < (d.upper[i] ?? 0), `${where}: bucket ${i} not empty-width`);
    if (i > 0) {
      assert.equal(d.lower[i], d.upper[i - 1], `${where}: buckets contiguous at ${i}`);
    }
  }
  if (d.summary.min !== undefined) {
    assert.ok((d.lower[0] ?? Infinity) <= d.summary.min && d.summary.max < (d.upper[d.upper.length - 1] ?? 0), `${where}: buckets span min..max`);
  }
  assert.equal(d.cdfX.length, d.cdfP.length);
  assert.equal(d.cdfP[0], 0, `${where}: CDF starts at 0`);
  assert.equal(d.cdfP[d.cdfP.length - 1], 1, `${where}: CDF ends at 1`);
  for (let i = 1; i < d.cdfX.length; i++) {
    assert.ok((d.cdfX[i] ?? 0) > (d.cdfX[i - 1] ?? 0), `${where}: CDF x increasing at ${i}`);
    assert.ok((d.cdfP[i] ?? 0) >= (d.cdfP[i - 1] ?? 0), `${where}: CDF monotone at ${i}`);
  }
  if (d.summary.min !== undefined) {
    const cdf = { x: d.cdfX, p: d.cdfP };
    for (const [q, v] of [[0.5, d.summary.p50], [0.9, d.summary.p90], [0.99, d.summary.p99]] as const) {
      // The CDF gives the upper edge of the bucket holding the quantile; the summary its middle
      // (clamped to min..max): they differ by at most one bucket width, v / 64 (1 ns below 128).
      const fromCdf = quantileFromCdf(cdf, q) ?? NaN;
      assert.ok(Math.abs(fromCdf - v) <= Math.max(1, v / 64), `${where}: p${q * 100} ${v} vs CDF ${fromCdf}`);
    }
  }
}

describe('display buckets and the edge CDF', () => {
  it('keep every count exact, within the bucket limit, for values over ten decades', () => {
    for (const seed of [1, 2, 3]) {
      const vs = values(seed, 5000);
      const h = new LogHistogram();
      vs.forEach((v) => { h.record(v); });
      const b = displayBuckets(h);
      assert.ok(b.lower.length <= DEFAULT_DISPLAY_BUCKETS && b.lower.length > 50, `${b.lower.length} buckets`);
      for (let i = 0; i < b.lower.length; i++) {
        const lo = b.lower[i] ?? 0;
        const hi = b.upper[i] ?? 0;
        assert.equal(b.counts[i], vs.filter((v) => v >= lo && v < hi).length, `seed ${seed}: bucket [${lo}, ${hi})`);
      }
      const cdf = edgeCdf(h);
      for (let i = 0; i < cdf.x.length; i++) {
        const x = cdf.x[i] ?? 0;
        assert.equal(cdf.p[i], vs.filter((v) => v < x).length / vs.length, `seed ${seed}: CDF at ${x} is exact`);
      }
    }
  });

  it('use the finest resolution a narrow range allows', () => {
    const h = new LogHistogram();
    for (let v = 1000; v < 1100; v++) {
      h.record(v);
    }
    const b = displayBuckets(h);
    assert.equal(b.perOctave, 64);
    assert.equal(b.counts.reduce((a, c) => a + c, 0), 100);
  });

  it('of an empty histogram are empty', () => {
    assert.deepEqual(displayBuckets(new LogHistogram()).counts, []);
    assert.deepEqual(edgeCdf(new LogHistogram()), { x: [], p: [] });
  });

  it('quantiles read off the CDF agree with summarize within one bucket', () => {
    const vs = values(7, 20000);
    const h = new LogHistogram();
    vs.forEach((v) => { h.record(v); });
    const s = summarize(h);
    const cdf = edgeCdf(h);
    assert.ok(s.min !== undefined);
    for (const [q, v] of [[0.5, s.p50], [0.9, s.p90], [0.99, s.p99]] as const) {
      const got = quantileFromCdf(cdf, q) ?? NaN;
      assert.ok(Math.abs(got - v) <= Math.max(1, v / 64), `p${q * 100}: ${v} vs ${got}`);
      // And the exact nearest-rank quantile is in the CDF's bucket.
      const exact = [...vs].sort((a, b) => a - b)[Math.ceil(q * vs.length) - 1] ?? NaN;
      assert.ok(exact < got && got - exact <= Math.max(1, exact / 64), `p${q * 100}: exact ${exact}, CDF ${got}`);
    }
  });
});

describe('captureStats', () => {
  for (const file of ['assets/lab-6.1-unpatched.lscap', 'assets/lab-sid-7.2-patched.lscap', 'test/fixtures/captures/sample-7.2-patched.lscap']) {
    it(`${file}: every metric equals the analysis summary's timing (analyze --json), every histogram checks out`, () => {
      const { analysis, stats: s } = stats(file);
      const summary = analysis.summary();
      assert.ok(summary !== undefined);
      assert.deepEqual(s.metrics.map((m) => m.metric), [...TIMING_METRICS]);
      for (const m of s.metrics) {
        const t: AnalysisSummary['timing'][TimingMetric] = summary.timing[m.metric];
        assert.deepEqual(m.summary, t.all, `${m.metric}: all`);
        for (const g of m.rings) {
          assert.deepEqual(g.summary, t.byRing[g.group.slice('ring:'.length)], `${m.metric} ${g.group}`);
        }
        for (const g of m.tasks) {
          const tid = g.group.slice('task:'.length);
          if (tid in t.byTask) {
            assert.deepEqual(g.summary, t.byTask[tid], `${m.metric} ${g.group}`);
          }
        }
        // The groups hold every sample, once per kind.
        if (m.rings.length > 0) {
          assert.ok(m.rings.reduce((a, g) => a + g.summary.count, 0) <= m.summary.count);
        }
        if (m.metric !== 'chain_latency') {
          assert.equal(m.tasks.reduce((a, g) => a + g.summary.count, 0), m.summary.count, `${m.metric}: tasks sum to all`);
        }
        const all = s.distributions.find((d) => d.metric === m.metric && d.group === 'all');
        if (m.summary.count === 0) {
          assert.equal(all, undefined, `${m.metric}: no histogram when empty`);
          assert.ok(m.emptyReason !== undefined && m.emptyReason.length > 20, `${m.metric}: says why it is empty`);
        } else {
          assert.ok(all !== undefined, `${m.metric}: a histogram`);
          assert.equal(m.emptyReason, undefined);
          assert.deepEqual(all.summary, m.summary);
        }
        assert.ok(m.source.length > 20 && m.title.length > 0);
        for (const g of [...m.rings, ...m.tasks]) {
          const d = s.distributions.find((x) => x.metric === m.metric && x.group === g.group);
          assert.equal(d !== undefined, g.hasDistribution, `${m.metric} ${g.group}`);
          assert.equal(g.hasDistribution, (g.kind === 'ring' ? m.rings : m.tasks).length <= MAX_GROUP_HISTOGRAMS);
        }
      }
      s.distributions.forEach(checkDistribution);
    });
  }

  it('6.1 unpatched: no uring_lock hold inside any window, and the view is told why; the windows are measured', () => {
    const { stats: s } = stats('assets/lab-6.1-unpatched.lscap');
    const get = (m: string) => s.metrics.find((x) => x.metric === m);
    const hold = get('lock_hold');
    const windows = get('window_duration');
    assert.ok(hold !== undefined && windows !== undefined);
    assert.equal(hold.summary.count, 0);
    assert.match(hold.emptyReason ?? '', /None of the 33,660 walk windows/);
    assert.equal(windows.summary.count, 33660);
    assert.match(windows.source, /io_wq_put_work/);
    assert.equal(windows.title, 'walk window duration (io_wq_put_work entry → return)');
    assert.match(get('chain_latency')?.emptyReason ?? '', /lifecycle tracepoints were not attached/);
    assert.match(s.origin, /6\.1\.0-56-amd64.*summary grain/);
  });

  it('a capture without a header is an error value, not a throw', () => {
    const r = captureStats(new CaptureAnalysis(loadRules(undefined)));
    assert.equal(r.ok, false);
  });
});
