import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CaptureEvent } from '../../../main/core/capture/events.js';
import type { Addr } from '../../../main/core/util/addr.js';
import { FULL_PLAN, header, t } from '../../support/fixtures.js';
import { CTX2, LOCK, LOCK2, OTHER_TASK, TASK, analyze, missReadings, rawWindow, req, summaryWindow, verdicts } from '../../support/scenario.js';

const NULL = 0 as Addr;
/** Owner word of a mutex held by `task`, with a flag bit set as the kernel does. */
const ownedBy = (task: Addr): Addr => (task + 1) as Addr;

/** 7.2 shape: lock taken inside the window around the walk. */
const patched = (at: number, n: number): CaptureEvent[] =>
  rawWindow({ at, req: req(n), link: req(n + 1), next: req(n + 1), ops: [[100, 'acquire', req(n + 1)], [200, 'acquired', req(n + 1)], [300, 'release', NULL]] });
/** 6.1 shape: no lock operations at all. */
const unpatched = (at: number, n: number): CaptureEvent[] => rawWindow({ at, req: req(n), link: req(n + 1), next: req(n + 1) });

const bracket = (events: CaptureEvent[], end = 1_000_000): CaptureEvent[] => [...missReadings(0), ...events, ...missReadings(end)];

describe('verdicts from raw windows', () => {
  it('lock taken around the walk inside the window: HELD', () => {
    const a = analyze(bracket(patched(1000, 1)));
    assert.deepEqual(verdicts(a), ['HELD']);
    const w = a.walks[0];
    assert.ok(w !== undefined);
    assert.equal(w.walkProof, 'return_matches_link');
    assert.equal(w.verdict.verdict === 'HELD' ? w.verdict.proof : undefined, 'span_between_snapshots');
  });

  it('no lock operation in a fully probed, miss-free window: NOT_HELD', () => {
    assert.deepEqual(verdicts(analyze(bracket(unpatched(1000, 1)))), ['NOT_HELD']);
  });

  it('held since before the window (owner word names the walker): HELD', () => {
    const a = analyze(bracket(rawWindow({ at: 1000, req: req(1), link: req(2), next: req(2), owner: ownedBy(TASK) })));
    assert.deepEqual(verdicts(a), ['HELD']);
  });

  it('lock held by another task at entry and never taken: NOT_HELD', () => {
    const a = analyze(bracket(rawWindow({ at: 1000, req: req(1), link: req(2), next: req(2), owner: ownedBy(OTHER_TASK) })));
    assert.deepEqual(verdicts(a), ['NOT_HELD']);
  });

  it('lock taken and released before the walk: NOT_HELD', () => {
    const a = analyze(bracket(rawWindow({ at: 1000, req: req(1), link: req(2), next: req(2), ops: [[100, 'acquired', req(2)], [200, 'release', req(2)]] })));
    assert.deepEqual(verdicts(a), ['NOT_HELD']);
  });

  it('walk after the lock was taken, lock still held at return: HELD', () => {
    const a = analyze(bracket(rawWindow({ at: 1000, req: req(1), link: req(2), next: req(2), ops: [[100, 'acquired', req(2)]] })));
    assert.deepEqual(verdicts(a), ['HELD']);
  });

  it('released and retaken with no snapshot between: the state over the walk span is mixed: UNKNOWN', () => {
    const a = analyze(bracket(rawWindow({ at: 1000, req: req(1), link: req(2), next: req(2), ops: [[100, 'acquired', req(2)], [200, 'release', undefined], [300, 'acquired', NULL]] })));
    assert.deepEqual(verdicts(a), ['UNKNOWN:state_unknown']);
  });

  it("a different ring's lock held across the walk does not count: NOT_HELD", () => {
    const a = analyze(bracket(rawWindow({ at: 1000, req: req(1), link: req(2), next: req(2), opLock: LOCK2, ops: [[100, 'acquired', req(2)], [300, 'release', NULL]] })));
    assert.deepEqual(verdicts(a), ['NOT_HELD']);
  });

  it('the tail of a chain (link NULL) is a window, not a walk', () => {
    const a = analyze(bracket(rawWindow({ at: 1000, req: req(1), link: NULL, next: NULL })));
    assert.deepEqual(verdicts(a), []);
    assert.equal(a.summary.windows.chainTails, 1);
  });

  it('returned next differs from req->link at entry: UNKNOWN conflicting_evidence', () => {
    assert.deepEqual(verdicts(analyze(bracket(rawWindow({ at: 1000, req: req(1), link: req(2), next: req(7) })))), ['UNKNOWN:conflicting_evidence']);
  });

  it('link set but no next returned and no snapshot shows it cleared: UNKNOWN walk_unconfirmed', () => {
    assert.deepEqual(verdicts(analyze(bracket(rawWindow({ at: 1000, req: req(1), link: req(2), next: NULL })))), ['UNKNOWN:walk_unconfirmed']);
  });

  it('window whose entry precedes the capture: UNKNOWN', () => {
    const events = unpatched(1000, 1).filter((e) => e.kind !== 'window_enter');
    assert.deepEqual(verdicts(analyze(bracket(events))), ['UNKNOWN:window_before_capture']);
  });

  it('window still open at the end: UNKNOWN', () => {
    const events = unpatched(1000, 1).filter((e) => e.kind !== 'window_exit');
    assert.deepEqual(verdicts(analyze(bracket(events))), ['UNKNOWN:window_open_at_end']);
  });

  it('a window open far too long is closed as UNKNOWN, and its return, when it comes, is not a second walk', () => {
    const w = unpatched(1000, 1);
    const enter = w[0];
    const exit = w[1];
    assert.ok(enter !== undefined && exit !== undefined);
    // Readings every 10 ms for half a second let the analysis close the stale window (100 ms bound).
    const readings = Array.from({ length: 50 }, (_, i) => missReadings(i * 10_000_000)).flat();
    const a = analyze([enter, ...readings, { ...exit, ts: t(600_000_000) }, ...missReadings(700_000_000)]);
    assert.deepEqual(verdicts(a), ['UNKNOWN:return_missing']);
    assert.equal(a.summary.windows.total, 1);
  });

  it('the same task enters again before the first returned: the first is UNKNOWN return_missing', () => {
    const first = unpatched(1000, 1).filter((e) => e.kind !== 'window_exit');
    assert.deepEqual(verdicts(analyze(bracket([...first, ...unpatched(5000, 3)]))), ['UNKNOWN:return_missing', 'NOT_HELD']);
  });
});

describe('losses and misses turn claims into UNKNOWN', () => {
  it('a probe miss during the window: UNKNOWN probe_misses, never NOT_HELD', () => {
    const events = [...missReadings(0), ...unpatched(1000, 1), ...missReadings(5000, 1, 3), ...missReadings(5000).filter((e) => e.kind === 'probe_misses' && e.probe !== 3)];
    assert.deepEqual(verdicts(analyze(events)), ['UNKNOWN:probe_misses']);
  });

  it('misses before and after the window (not during) leave it proven', () => {
    const events: CaptureEvent[] = [
      ...missReadings(0, 5, 2), ...missReadings(0).filter((e) => e.kind === 'probe_misses' && e.probe !== 2),
      ...missReadings(500, 7, 2), ...missReadings(500).filter((e) => e.kind === 'probe_misses' && e.probe !== 2),
      ...unpatched(1000, 1),
      ...missReadings(5000, 7, 2), ...missReadings(5000).filter((e) => e.kind === 'probe_misses' && e.probe !== 2),
      ...missReadings(9000, 9, 2), ...missReadings(9000).filter((e) => e.kind === 'probe_misses' && e.probe !== 2),
    ];
    assert.deepEqual(verdicts(analyze(events)), ['NOT_HELD']);
  });

  it('no miss reading after the window: UNKNOWN no_miss_reading', () => {
    assert.deepEqual(verdicts(analyze([...missReadings(0), ...unpatched(1000, 1)])), ['UNKNOWN:no_miss_reading']);
  });

  it('lost events overlapping the window: UNKNOWN lost_events; windows after the loss are proven', () => {
    const lost: CaptureEvent = { kind: 'lost', ts: t(1500), cpu: -1, tid: 0, count: 10, span: 100 as never };
    const a = analyze(bracket([...unpatched(1000, 1), lost, ...unpatched(3000, 3)]));
    assert.deepEqual(verdicts(a), ['UNKNOWN:lost_events', 'NOT_HELD']);
    assert.equal(a.summary.losses.lostEvents, 10);
  });

  it('a loss interval that began before the window and covers its start: UNKNOWN', () => {
    const lost: CaptureEvent = { kind: 'lost', ts: t(500), cpu: -1, tid: 0, count: 1, span: 1000 as never };
    assert.deepEqual(verdicts(analyze(bracket([lost, ...unpatched(1000, 1)]))), ['UNKNOWN:lost_events']);
  });

  it('a mutex path not attached: UNKNOWN probe_unavailable for absence claims', () => {
    const h = header({ probes: FULL_PLAN.map((p) => (p.target === 'mutex_trylock' ? { ...p, status: 'unavailable' as const, mechanism: 'none' as const } : p)) });
    assert.deepEqual(verdicts(analyze(bracket(unpatched(1000, 1)), h)), ['UNKNOWN:probe_unavailable']);
  });

  it('a mutex path absent from the kernel does not block the proof', () => {
    const h = header({ probes: [...FULL_PLAN, { role: 'lock_acquire', target: 'mutex_lock_nested', mechanism: 'none', status: 'absent', reason: 'no such symbol', missesCounted: false }] });
    assert.deepEqual(verdicts(analyze(bracket(unpatched(1000, 1)), h)), ['NOT_HELD']);
  });

  it('misses not counted for an attached probe (fentry): UNKNOWN misses_not_counted', () => {
    const h = header({ probes: FULL_PLAN.map((p) => (p.target === 'mutex_lock' && p.role === 'lock_acquired' ? { ...p, mechanism: 'fexit' as const, missesCounted: false } : p)) });
    assert.deepEqual(verdicts(analyze(bracket(unpatched(1000, 1)), h)), ['UNKNOWN:misses_not_counted']);
  });

  it('PREEMPT_RT: the owner word is not used; in-window ops still decide', () => {
    const h = header({ target: { ...header().target, preemptRt: 'yes' } });
    const a = analyze(bracket([...patched(1000, 1), ...rawWindow({ at: 5000, req: req(5), link: req(6), next: req(6), owner: ownedBy(TASK) })]), h);
    assert.deepEqual(verdicts(a), ['HELD', 'UNKNOWN:state_unknown']);
  });
});

describe('ordering and identity', () => {
  it('events of two CPUs interleaved out of order within the horizon give the same verdicts', () => {
    const a = patched(1000, 1).map((e) => ({ ...e, cpu: 0 }));
    const b = unpatched(1100, 11).map((e) => ({ ...e, cpu: 1, tid: 200 }));
    const inOrder = analyze(bracket([...a, ...b].sort((x, y) => x.ts - y.ts)));
    const cpuByCpu = analyze(bracket([...b, ...a]));
    assert.deepEqual(verdicts(cpuByCpu), verdicts(inOrder));
    assert.deepEqual(verdicts(inOrder).sort(), ['HELD', 'NOT_HELD']);
  });

  it('an event later than the horizon inside a judged window is an order violation: nothing proven', () => {
    const w = unpatched(1000, 1);
    const late = { kind: 'lock_acquired', ts: t(1500), cpu: 3, tid: 100, api: 'mutex_lock', lock: LOCK, ok: true, snapshot: { seen: true, link: req(2) } } as const;
    const events = [...missReadings(0), ...w, ...missReadings(2500), ...unpatched(10_000_000, 5), ...missReadings(10_500_000), ...missReadings(20_000_000), late];
    // Kept for withdrawal: the walk's verdict becomes UNKNOWN, nothing else is doubted.
    const kept = analyze(events, header(), 1_000_000);
    assert.equal(kept.summary.losses.orderViolations, 0);
    assert.deepEqual(verdicts(kept), ['UNKNOWN:late_events', 'NOT_HELD']);
    // Too old to withdraw: the order of the capture is beyond repair, nothing is proven.
    const forgotten = analyze(events, header(), 1_000_000, 0);
    assert.equal(forgotten.summary.losses.orderViolations, 1);
    assert.equal(forgotten.summary.rules[0]?.outcome, 'unproven');
  });

  it('a recycled request address starts a new walk each time', () => {
    const a = analyze(bracket([...unpatched(1000, 1), ...patched(5000, 1), ...unpatched(9000, 1)]));
    assert.deepEqual(verdicts(a), ['NOT_HELD', 'HELD', 'NOT_HELD']);
    assert.deepEqual(a.walks.map((w) => w.index), [1, 2, 3]);
  });

  it('two rings: verdicts are counted per ring', () => {
    const a = analyze(bracket([...patched(1000, 1), ...rawWindow({ at: 5000, req: req(9), link: req(10), next: req(10), ctx: CTX2, lock: LOCK2, tid: 300 })]));
    assert.deepEqual(a.summary.rings.map((r) => [r.verdicts.HELD, r.verdicts.NOT_HELD]), [[1, 0], [0, 1]]);
  });
});

describe('verdicts from kernel summaries', () => {
  it('the same shapes as summaries give the same verdicts', () => {
    const events = [
      summaryWindow({ at: 1000, req: req(1), link: req(2), next: req(2), held: 'not_held', ops: [[100, 'acquire', req(2)], [200, 'acquired', req(2)], [300, 'release', NULL]] }),
      summaryWindow({ at: 3000, req: req(3), link: req(4), next: req(4), held: 'not_held' }),
      summaryWindow({ at: 5000, req: req(5), link: req(6), next: req(6), held: 'held', owner: ownedBy(TASK) }),
    ];
    assert.deepEqual(verdicts(analyze(bracket(events), header({ grain: 'summary' }))), ['HELD', 'NOT_HELD', 'HELD']);
  });

  it("the kernel's held judgement contradicting the owner word: UNKNOWN conflicting_evidence", () => {
    const e = summaryWindow({ at: 1000, req: req(1), link: req(2), next: req(2), held: 'held', owner: ownedBy(OTHER_TASK) });
    assert.deepEqual(verdicts(analyze(bracket([e]))), ['UNKNOWN:conflicting_evidence']);
  });

  it('ops overflow: UNKNOWN', () => {
    const e = summaryWindow({ at: 1000, req: req(1), link: req(2), next: req(2), held: 'not_held', overflow: true });
    assert.deepEqual(verdicts(analyze(bracket([e]))), ['UNKNOWN:ops_overflow']);
  });

  it('direct probe on io_req_find_next decides by the owner word, with no need for miss readings', () => {
    const held = summaryWindow({ at: 1000, site: 'io_req_find_next', req: req(1), link: req(2), next: req(2), owner: ownedBy(TASK) });
    const notHeld = summaryWindow({ at: 2000, site: 'io_req_find_next', req: req(3), link: req(4), next: req(4), owner: ownedBy(OTHER_TASK) });
    const a = analyze([held, notHeld]);
    assert.deepEqual(verdicts(a), ['HELD', 'NOT_HELD']);
    assert.equal(a.walks[0]?.verdict.verdict === 'HELD' ? a.walks[0].verdict.proof : '', 'owner_at_walk');
  });
});
