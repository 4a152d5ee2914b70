import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AssessOptions } from '../../../main/core/analysis/assess-walk.js';
import { assessWalk } from '../../../main/core/analysis/assess-walk.js';
import { COUNTED_SLACK_NS, COUNTED_WALK_CLASSES, countedLockState, countedSpans, countedTotals, countedWalksSoFar, representativeWindow } from '../../../main/core/analysis/counted-walks.js';
import { planCoverage } from '../../../main/core/analysis/plan-coverage.js';
import type { CaptureEvent, CountedEvent } from '../../../main/core/capture/events.js';
import type { Addr } from '../../../main/core/util/addr.js';
import type { DurationNs } from '../../../main/core/util/time.js';
import { FULL_PLAN, header, t } from '../../support/fixtures.js';
import { CTX, analyze, missReadings, req, summaryWindow, verdicts } from '../../support/scenario.js';

const NULL = 0 as Addr;

type CountedSpec = Partial<Pick<CountedEvent, 'shape' | 'counted' | 'windows' | 'first' | 'since' | 'maxDuration' | 'ctx' | 'onCpu'>>;

function counted(at: number, c: CountedSpec): CountedEvent {
  const n = c.counted ?? 0;
  return {
    kind: 'counted', ts: t(at), cpu: -1, tid: 0, site: 'io_wq_free_work', ctx: c.ctx ?? CTX, onCpu: c.onCpu ?? 0, shape: c.shape ?? 'clear',
    windows: c.windows ?? n, counted: n, lockedInside: c.shape === 'inside' ? (c.windows ?? n) : 0,
    maxDuration: c.maxDuration ?? (1000 as DurationNs), since: c.since ?? t(at - 100), first: c.first ?? t(at),
  };
}

const opts = (over: Partial<AssessOptions> = {}): AssessOptions => ({
  ownerUsable: true, coverage: planCoverage(header()), formatAddr: (a) => String(a), evidence: false, ...over,
});

describe('counted walk classes', () => {
  it('each class judges as a recorded window of that shape: held and inside HELD, clear NOT_HELD, all needing the miss check', () => {
    const got = COUNTED_WALK_CLASSES.map((c) => {
      const l = countedLockState('io_wq_free_work', c, opts());
      return `${c}:${l.state}:${l.state === 'unknown' ? l.reason : l.needsCompleteness}`;
    });
    assert.deepEqual(got, ['held:held:true', 'inside:held:true', 'clear:not_held:true']);
  });

  it('the representative is the same judgement as a real summary of that shape (a recorded inside walk)', () => {
    const rec = representativeWindow('io_wq_free_work', 'inside');
    const a = assessWalk(rec, opts());
    assert.equal(a.kind, 'walk');
    // And the analyzer gives a recorded window of that shape HELD.
    const w = summaryWindow({ at: 1000, req: req(1), link: req(2), next: req(2), held: 'not_held', ops: [[100, 'acquire', req(2)], [200, 'acquired', req(2)], [300, 'release', NULL]] });
    assert.deepEqual(verdicts(analyze([...missReadings(0), w, ...missReadings(1_000_000)], header({ grain: 'summary' }))), ['HELD']);
  });

  it('an incomplete plan leaves every class UNKNOWN with the plan’s reason', () => {
    const partial = header({ probes: FULL_PLAN.filter((p) => p.target !== 'mutex_unlock') });
    for (const c of COUNTED_WALK_CLASSES) {
      const l = countedLockState('io_wq_free_work', c, opts({ coverage: planCoverage(partial) }));
      assert.equal(l.state, 'unknown', c);
    }
  });

  it('an owner word that cannot be read (PREEMPT_RT) leaves held and clear UNKNOWN', () => {
    assert.equal(countedLockState('io_wq_free_work', 'held', opts({ ownerUsable: false })).state, 'unknown');
    assert.equal(countedLockState('io_wq_free_work', 'clear', opts({ ownerUsable: false })).state, 'unknown');
  });

  it('at io_req_find_next the owner word at the walk decides, without the miss check', () => {
    const l = countedLockState('io_req_find_next', 'clear', opts());
    assert.deepEqual({ state: l.state, needs: 'needsCompleteness' in l ? l.needsCompleteness : undefined }, { state: 'not_held', needs: false });
  });
});

describe('counted walks in the analysis', () => {
  const h = header({ grain: 'summary' });
  const recorded = summaryWindow({ at: 2000, req: req(1), link: req(2), next: req(2), held: 'not_held' });

  it('miss-free around the counted span: the counts join the verdicts, and the outcome', () => {
    const events: CaptureEvent[] = [...missReadings(0), recorded, counted(900_000, { shape: 'clear', counted: 500, first: t(1000) }), counted(900_000, { shape: 'tail', counted: 40, windows: 41, first: t(1000) }), ...missReadings(1_000_000)];
    const a = analyze(events, h);
    assert.deepEqual(verdicts(a), ['NOT_HELD']);
    const r = a.summary.rules[0];
    assert.ok(r !== undefined);
    assert.equal(r.walks, 501);
    assert.deepEqual(r.verdicts, { HELD: 0, NOT_HELD: 501, UNKNOWN: 0 });
    assert.equal(r.outcome, 'violation');
    assert.equal(r.counted.length, 1);
    const c0 = r.counted[0];
    assert.ok(c0 !== undefined);
    assert.equal(c0.class, 'clear');
    assert.equal(c0.walks, 500);
    assert.equal(a.summary.windows.countedWalks, 500);
    assert.equal(a.summary.windows.countedTails, 40);
    assert.equal(a.summary.windows.total, 541);
    assert.equal(a.summary.reconciliation.countedWalks, 500);
  });

  it('a probe that missed anywhere in the counted span makes every counted walk UNKNOWN (probe_misses), never NOT_HELD', () => {
    // Probe 2 (mutex_lock's acquire) read 0 at the start and 3 at the end; the others 0 throughout.
    const end = missReadings(1_000_000).map((e) => (e.kind === 'probe_misses' && e.probe === 2 ? { ...e, missed: 3 } : e));
    const events: CaptureEvent[] = [...missReadings(0), recorded, counted(900_000, { shape: 'clear', counted: 500, first: t(1000) }), ...end];
    const r = analyze(events, h).summary.rules[0];
    assert.ok(r !== undefined);
    // The recorded walk is checked on its own (the same miss falls after it: UNKNOWN too here).
    assert.equal(r.verdicts.NOT_HELD, 0);
    const c = r.counted[0];
    assert.deepEqual([c?.verdict, c?.verdict === 'UNKNOWN' ? c.reason : undefined], ['UNKNOWN', 'probe_misses']);
    assert.equal(r.unknownReasons.probe_misses, 501);
    assert.equal(r.outcome, 'unproven');
  });

  it('no miss reading after the last counted window: UNKNOWN no_miss_reading', () => {
    const events: CaptureEvent[] = [...missReadings(0), counted(900_000, { shape: 'inside', counted: 7, first: t(1000) }), ...missReadings(900_000)];
    const r = analyze(events, h).summary.rules[0];
    assert.ok(r !== undefined);
    assert.deepEqual(r.verdicts, { HELD: 0, NOT_HELD: 0, UNKNOWN: 7 });
    assert.equal(r.unknownReasons.no_miss_reading, 7);
  });

  it('counted lines are cumulative per ring, CPU and shape; CPUs and rings add up', () => {
    const CTX_B = (CTX + 0x100000) as Addr;
    const events: CaptureEvent[] = [
      ...missReadings(0),
      counted(100_000, { shape: 'inside', counted: 3, first: t(10) }),
      counted(200_000, { shape: 'inside', counted: 9, first: t(10) }),
      counted(200_000, { shape: 'inside', onCpu: 1, counted: 5, first: t(10) }),
      counted(200_000, { ctx: CTX_B, shape: 'held', counted: 4, first: t(20) }),
      ...missReadings(1_000_000),
    ];
    const a = analyze(events, h);
    assert.deepEqual(a.summary.rules[0]?.verdicts, { HELD: 18, NOT_HELD: 0, UNKNOWN: 0 });
    assert.equal(a.summary.rings.length, 2);
    assert.equal(a.walks.length, 0);
  });

  it('each span between two counted lines is checked on its own: a miss late in the session spares the walks counted before it', () => {
    const late = missReadings(700_000).map((e) => (e.kind === 'probe_misses' && e.probe === 2 ? { ...e, missed: 5 } : e));
    const events: CaptureEvent[] = [
      ...missReadings(0),
      ...missReadings(300_000),
      counted(200_000, { shape: 'inside', counted: 40, first: t(1000), since: t(199_000), maxDuration: 5000 as DurationNs }),
      ...late,
      counted(800_000, { shape: 'inside', counted: 100, first: t(1000), since: t(799_000), maxDuration: 5000 as DurationNs }),
      ...late.map((e) => ({ ...e, ts: t(900_000) })),
    ];
    const r = analyze(events, h).summary.rules[0];
    assert.ok(r !== undefined);
    assert.deepEqual(r.verdicts, { HELD: 40, NOT_HELD: 0, UNKNOWN: 60 });
    assert.equal(r.unknownReasons.probe_misses, 60);
  });

  it('spans: a lost line merges two; the start is the previous reading less the longest window (and slack), never before the first entry', () => {
    const a = counted(1_000_000_000, { counted: 10, first: t(5_000), since: t(999_000_000) });
    const b = counted(2_000_000_000, { counted: 30, first: t(5_000), since: t(1_999_000_000), maxDuration: 7_000_000 as DurationNs });
    const c = counted(3_000_000_000, { counted: 31, first: t(5_000), since: t(2_999_000_000), maxDuration: 7_000_000 as DurationNs });
    const spans = countedSpans([c, a, b, counted(3_000_000_000, { shape: 'tail', counted: 99 })]);
    assert.deepEqual(spans.map((s) => [s.walks, s.from, s.to]), [
      [10, 5_000, 1_000_000_000],
      [20, 999_000_000 - 7_000_000 - COUNTED_SLACK_NS, 2_000_000_000],
      [1, 1_999_000_000 - 7_000_000 - COUNTED_SLACK_NS, 3_000_000_000],
    ]);
    const merged = countedSpans([a, c]);
    assert.deepEqual(merged.map((s) => [s.walks, s.from]), [[10, 5_000], [21, 999_000_000 - 7_000_000 - COUNTED_SLACK_NS]]);
  });

  it("the kernel's totals come from the latest line of each CPU and shape: walks, tails, walks locked inside", () => {
    const events: CountedEvent[] = [
      counted(100, { shape: 'inside', windows: 10, counted: 8 }),
      counted(200, { shape: 'inside', windows: 30, counted: 25 }),
      counted(200, { shape: 'inside', onCpu: 1, windows: 5, counted: 5 }),
      counted(200, { shape: 'other_walk', windows: 2, counted: 0 }),
      counted(200, { shape: 'tail', windows: 12, counted: 9 }),
      counted(200, { shape: 'other_tail', windows: 1, counted: 0 }),
    ];
    assert.deepEqual(countedTotals(events), [{ ctx: CTX, windows: 50, walks: 37, walksLockedInside: 35, chainTails: 13, countedTails: 9 }]);
    // And the live count of walks waiting for their verdict: the latest counted of each walk shape.
    assert.equal(countedWalksSoFar(events), 25 + 5);
  });

  it('a recorded walk that returned after the last reading of its ring and CPU is in no kernel total, and the reconciliation says so', () => {
    const late = summaryWindow({ at: 950_000, req: req(3), link: req(4), next: req(4), held: 'not_held' });
    const line = counted(900_000, { shape: 'clear', counted: 500, windows: 501, first: t(1000) });
    const a = analyze([...missReadings(0), recorded, line, late, ...missReadings(1_000_000)], h);
    const rec = a.summary.reconciliation;
    assert.deepEqual([rec.kernelWalks, rec.detailedWalks, rec.countedWalks, rec.walksAfterLastReading], [501, 2, 500, 1]);
    assert.equal(a.summary.rules[0]?.walks, 502, 'it still has its verdict');
    assert.equal(rec.accountedFor, 1);
    assert.match(rec.text, /1 of those seen in detail returned after the kernel last read its counters/);
    const before = analyze([...missReadings(0), recorded, line, ...missReadings(1_000_000)], h);
    assert.equal(before.summary.reconciliation.walksAfterLastReading, 0);
  });

  it('a capture without counted events is unchanged', () => {
    const a = analyze([...missReadings(0), recorded, ...missReadings(1_000_000)], h);
    assert.deepEqual(a.summary.rules[0]?.counted, []);
    assert.equal(a.summary.windows.countedWalks, 0);
  });
});
