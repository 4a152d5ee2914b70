/** timelineSeries and decimation: verdict counts per bucket, hold envelopes that keep every extreme, ranges. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildIndex, eventsInRange } from '../../../main/core/app/capture-index.js';
import { CaptureAnalysis } from '../../../main/core/app/capture-analysis.js';
import { bucketsOf, minMaxEnvelope } from '../../../main/core/app/decimate.js';
import { timedBlocks } from '../../../main/core/app/timed-blocks.js';
import { timelineSeries } from '../../../main/core/app/timeline-series.js';
import { columnsFromEvents } from '../../../main/core/capture/event-columns.js';
import type { CaptureEvent } from '../../../main/core/capture/events.js';
import type { Addr } from '../../../main/core/util/addr.js';
import { header, t } from '../../support/fixtures.js';
import { defaultRules, missReadings, rawWindow, req } from '../../support/scenario.js';
import { mulberry32 } from '../../support/prng.js';

const NULL = 0 as Addr;

function analysed(events: readonly CaptureEvent[]): CaptureAnalysis {
  const a = new CaptureAnalysis(defaultRules());
  a.item({ type: 'header', header: header() });
  a.item({ type: 'events', offset: 0, columns: columnsFromEvents(events) });
  a.finish();
  return a;
}

/** Walk n at `at`: held for `hold` ns when hold > 0, else never locked (NOT_HELD). */
function walk(at: number, n: number, hold: number): CaptureEvent[] {
  return hold > 0
    ? rawWindow({ at, req: req(n), link: req(n + 1), next: req(n + 1), duration: hold + 1000, ops: [[100, 'acquired', req(n + 1)], [100 + hold, 'release', NULL]] })
    : rawWindow({ at, req: req(n), link: req(n + 1), next: req(n + 1) });
}

describe('timelineSeries', () => {
  // Ten walks 100 µs apart; even ones held for 500 + 100·n ns, odd ones not held.
  const events: CaptureEvent[] = [...missReadings(0)];
  for (let n = 0; n < 10; n++) {
    events.push(...walk(10_000 + n * 100_000, 2 * n + 1, n % 2 === 0 ? 500 + 100 * n : 0));
  }
  events.push(...missReadings(2_000_000));
  const a = analysed(events);

  it('counts walks per bucket by verdict over the whole capture', () => {
    const s = timelineSeries(a, { fromNs: undefined, toNs: undefined, buckets: 4 });
    assert.ok(s.ok);
    const v = s.value;
    assert.equal(v.t.length, 4);
    assert.equal(v.fromNs, 0);
    assert.equal(v.toNs, 2_000_000);
    assert.equal(v.held.reduce((x, y) => x + y, 0), 5);
    assert.equal(v.notHeld.reduce((x, y) => x + y, 0), 5);
    assert.deepEqual(v.unknown, [0, 0, 0, 0]);
    // Walks at 10 µs … 910 µs: the first two 500 µs buckets hold them all.
    assert.deepEqual(v.held.map((h, k) => h + (v.notHeld[k] ?? 0)), [5, 5, 0, 0]);
    assert.equal(v.eventsInRange, events.length);
  });

  it('hold min/max per bucket; one bucket keeps the shortest and the longest hold', () => {
    const s = timelineSeries(a, { fromNs: 0, toNs: 1_000_000, buckets: 1 });
    assert.ok(s.ok);
    assert.deepEqual(s.value.holdMin, [500]);
    assert.deepEqual(s.value.holdMax, [1300]);
    const fine = timelineSeries(a, { fromNs: 0, toNs: 1_000_000, buckets: 10 });
    assert.ok(fine.ok);
    assert.deepEqual(fine.value.holdMax, [500, null, 700, null, 900, null, 1100, null, 1300, null]);
  });

  it('a sub-range counts only what is in it', () => {
    const s = timelineSeries(a, { fromNs: 200_000, toNs: 400_000, buckets: 2 });
    assert.ok(s.ok);
    // Walks at 210 µs (held) and 310 µs (not held).
    assert.deepEqual(s.value.held, [1, 0]);
    assert.deepEqual(s.value.notHeld, [0, 1]);
    assert.ok(s.value.eventsInRange > 0 && s.value.eventsInRange < events.length);
  });

  it('a range that ends before it starts is refused', () => {
    const s = timelineSeries(a, { fromNs: 5, toNs: 1, buckets: 2 });
    assert.ok(!s.ok);
    assert.equal(s.error.code, 'bad_request');
  });
});

describe('capture index', () => {
  it('counts events in a range over batches wholly inside, partly inside and out of order', () => {
    const batch = (ts: readonly number[]): CaptureEvent[] => ts.map((at) => ({ kind: 'req_free' as const, ts: t(at), cpu: 0, tid: 1, req: req(1) }));
    const batches = [[1, 2, 3], [10, 5, 20], [30, 40], [4, 100]].map((b) => columnsFromEvents(batch(b)));
    const ix = buildIndex(batches, []);
    assert.equal(ix.minTs, 1);
    assert.equal(ix.maxTs, 100);
    assert.equal(eventsInRange(ix, 0, 1000), 10);
    assert.equal(eventsInRange(ix, 3, 20), 5); // 3, 10, 5, 20, 4
    assert.equal(eventsInRange(ix, 21, 29), 0);
  });
});

describe('minMaxEnvelope', () => {
  it('never drops an extreme however many points share a bucket', () => {
    const rnd = mulberry32(7);
    const n = 100_000;
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      ts[i] = i * 10;
      vs[i] = rnd.next() * 1000;
    }
    // Plant extremes at random places.
    vs[31_337] = -5;
    vs[77_777] = 5000;
    const b = bucketsOf(0, n * 10, 37);
    // Out of order within the blocks, as a capture's points may be.
    for (let i = 0; i + 1 < n; i += 3) {
      const x = ts[i] ?? 0;
      ts[i] = ts[i + 1] ?? 0;
      ts[i + 1] = x;
      const y = vs[i] ?? 0;
      vs[i] = vs[i + 1] ?? 0;
      vs[i + 1] = y;
    }
    const env = minMaxEnvelope(b, timedBlocks(ts, vs));
    assert.equal(Math.min(...env.min.map((x) => x ?? Infinity)), -5);
    assert.equal(Math.max(...env.max.map((x) => x ?? -Infinity)), 5000);
    // Every bucket's min/max is the true one over its points.
    for (let k = 0; k < b.count; k++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < n; i++) {
        const tk = Math.min(b.count - 1, Math.floor(((ts[i] ?? 0) - b.fromNs) / b.bucketNs));
        if (tk === k) {
          lo = Math.min(lo, vs[i] ?? 0);
          hi = Math.max(hi, vs[i] ?? 0);
        }
      }
      assert.equal(env.min[k], lo);
      assert.equal(env.max[k], hi);
    }
  });
});
