/**
 * Adversarial inputs for the verdict logic: event sequences and headers built to make the
 * analyzer claim more than the events prove, throw, or lose a walk.
 *
 * Tests named "regression: …" are named for the wrong answer the analyzer once gave (the bug as
 * found); their assertions state the right one. "guard: …" tests pin down tricky cases that were
 * always handled correctly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Analyzer } from '../../../main/core/analysis/analyzer.js';
import type { WalkRecord } from '../../../main/core/analysis/verdict.js';
import type { CaptureEvent, LockApi } from '../../../main/core/capture/events.js';
import type { CaptureHeader, ProbeSite } from '../../../main/core/capture/header.js';
import type { Addr } from '../../../main/core/util/addr.js';
import type { DurationNs } from '../../../main/core/util/time.js';
import { FULL_PLAN, header, t } from '../../support/fixtures.js';
import type { Analysis } from '../../support/scenario.js';
import {
  CTX2, LOCK, LOCK2, OTHER_TASK, TASK, analyze, defaultRules, missReadings, rawWindow, req, summaryWindow, verdicts,
} from '../../support/scenario.js';

const NULL = 0 as Addr;
/** Owner word of a mutex held by `task`, with the given flag bits (WAITERS=1, HANDOFF=2, PICKUP=4). */
const ownedBy = (task: Addr, flags = 1): Addr => (task + flags) as Addr;
const bracket = (events: readonly CaptureEvent[], end = 1_000_000): CaptureEvent[] => [...missReadings(0), ...events, ...missReadings(end)];
/** 6.1 shape: no lock operation in the window. Window [at, at + 1000]. */
const unpatched = (at: number, n: number, tid = 100): CaptureEvent[] => rawWindow({ at, tid, req: req(n), link: req(n + 1), next: req(n + 1) });
/** Probe index of `kretprobe:mutex_lock` (lock_acquired) in FULL_PLAN. */
const MUTEX_LOCK_RET = 3;

/** One reading of every probe of FULL_PLAN at `at`; `counts` overrides the (cumulative) count of some. */
function readingsAt(at: number, counts: Readonly<Partial<Record<number, number>>> = {}): CaptureEvent[] {
  return FULL_PLAN.map((_, probe) => ({ kind: 'probe_misses' as const, ts: t(at), cpu: -1, tid: 0, probe, missed: counts[probe] ?? 0 }));
}

function marker(at: number, cpu = 7): CaptureEvent {
  return { kind: 'marker', ts: t(at), cpu, tid: 0, marker: 'note', text: 'clock' };
}

function lockEvent(kind: 'lock_acquired' | 'lock_release', at: number, link: Addr | undefined, o: { tid?: number; cpu?: number; api?: LockApi; ok?: boolean } = {}): CaptureEvent {
  const snapshot = link === undefined ? ({ seen: false } as const) : ({ seen: true, link } as const);
  const base = { ts: t(at), cpu: o.cpu ?? 0, tid: o.tid ?? 100, lock: LOCK, snapshot };
  return kind === 'lock_release' ? { kind, ...base } : { kind, ...base, api: o.api ?? 'mutex_lock', ok: o.ok ?? true };
}

function run(events: readonly CaptureEvent[], o: { h?: CaptureHeader; horizonNs?: number; maxPending?: number } = {}): Analysis {
  const walks: WalkRecord[] = [];
  const a = new Analyzer(o.h ?? header(), { rules: defaultRules(), reorderHorizonNs: o.horizonNs ?? 1_000_000, maxPending: o.maxPending }, (w) => walks.push(w));
  a.push(events);
  a.finish();
  return { walks, summary: a.tally.summary() };
}

function site(role: ProbeSite['role'], target: string, mechanism: ProbeSite['mechanism']): ProbeSite {
  return { role, target, mechanism, status: 'attached', reason: 'symbol present', missesCounted: true };
}

function onlyVerdict(a: Analysis): WalkRecord['verdict'] {
  assert.equal(a.walks.length, 1, `expected one walk, got ${verdicts(a).join(', ')}`);
  const w = a.walks[0];
  if (w === undefined) {
    throw new Error('no walk');
  }
  return w.verdict;
}

// ---------------------------------------------------------------------------------------------
// 1. Wrong definitive verdicts
// ---------------------------------------------------------------------------------------------

describe('adversarial: kernel summaries are trusted without checking their ops', () => {
  it('regression: an op timed after the window returned is used as if it came before: HELD', () => {
    // Window [1000, 2000]; the walk happened at or before 2000 with the lock free; the lock was
    // taken at 2500, after the return.
    const e = summaryWindow({ at: 1000, duration: 1000, req: req(1), link: req(2), next: req(2), held: 'not_held', ops: [[1500, 'acquired', req(2)]] });
    assert.deepEqual(verdicts(analyze(bracket([e]))), ['UNKNOWN:conflicting_evidence']);
  });

  it('regression: an op timed before the window entry is used as if it came inside: NOT_HELD', () => {
    // At entry (1000) the owner word and the kernel both say the walker holds the lock; the
    // "release" is at 500, before the window, so it says nothing about the walk.
    const e = summaryWindow({ at: 1000, req: req(1), link: req(2), next: req(2), held: 'held', owner: ownedBy(TASK), ops: [[-500, 'release', req(2)]] });
    assert.deepEqual(verdicts(analyze(bracket([e]))), ['UNKNOWN:conflicting_evidence']);
  });

  it('regression: ops out of time order are read in array order: NOT_HELD', () => {
    // In time order: release (link set) at 1100 with the lock not held at entry, then acquired at
    // 1300: the record contradicts itself. In array order it reads acquired, release, walk.
    const e = summaryWindow({ at: 1000, req: req(1), link: req(2), next: req(2), held: 'not_held', ops: [[300, 'acquired', req(2)], [100, 'release', req(2)]] });
    assert.deepEqual(verdicts(analyze(bracket([e]))), ['UNKNOWN:conflicting_evidence']);
  });

  it('regression: a negative duration (return before entry) is judged like a normal window: NOT_HELD', () => {
    const e = summaryWindow({ at: 1000, duration: -500, req: req(1), link: req(2), next: req(2), held: 'not_held' });
    assert.deepEqual(verdicts(analyze(bracket([e]))), ['UNKNOWN:conflicting_evidence']);
  });

  it('guard: ops sorted and inside the window give the same verdicts as raw events', () => {
    const held = summaryWindow({ at: 1000, req: req(1), link: req(2), next: req(2), held: 'not_held', ops: [[0, 'acquire', req(2)], [100, 'acquired', req(2)], [1000, 'release', NULL]] });
    const notHeld = summaryWindow({ at: 3000, req: req(3), link: req(4), next: req(4), held: 'not_held', ops: [[0, 'acquired', req(4)], [500, 'release', req(4)]] });
    assert.deepEqual(verdicts(analyze(bracket([held, notHeld]), header({ grain: 'summary' }))), ['HELD', 'NOT_HELD']);
  });
});

describe('adversarial: probe-miss counters', () => {
  it('regression: a counter reset inside the window (probe re-registered) and counting back up to the same value: NOT_HELD', () => {
    const events = [
      ...readingsAt(0, { [MUTEX_LOCK_RET]: 5 }),
      ...unpatched(1000, 1), // [1000, 2000]
      ...readingsAt(1500, { [MUTEX_LOCK_RET]: 0 }), // re-registered: the probe was detached for a while
      ...readingsAt(3000, { [MUTEX_LOCK_RET]: 5 }), // and has missed 5 hits since
      // (One reading inside the window only: with two, the trimming bug below masks this one.)
    ];
    assert.deepEqual(verdicts(analyze(events)), ['UNKNOWN:probe_misses']);
  });

  it('regression: a counter that went backwards is reported as a negative number of misses', () => {
    const events = [...readingsAt(0, { [MUTEX_LOCK_RET]: 5 }), ...unpatched(1000, 1), ...readingsAt(3000, { [MUTEX_LOCK_RET]: 0 })];
    const v = onlyVerdict(analyze(events));
    if (v.verdict !== 'UNKNOWN') {
      assert.fail(`expected UNKNOWN, got ${v.verdict}`);
    }
    assert.doesNotMatch(v.detail, /missed -\d/);
  });

  it('regression: a reading at exactly the window end is taken as "after" the window: NOT_HELD', () => {
    const events = [...readingsAt(0), ...unpatched(1000, 1), ...readingsAt(2000), ...readingsAt(3000, { [MUTEX_LOCK_RET]: 1 })];
    assert.deepEqual(verdicts(analyze(events)), ['UNKNOWN:probe_misses']);
  });

  it('regression: a reading at exactly the window start is taken as "before" the window: NOT_HELD', () => {
    const events = [...readingsAt(0), ...readingsAt(1000, { [MUTEX_LOCK_RET]: 1 }), ...unpatched(1000, 1), ...readingsAt(3000, { [MUTEX_LOCK_RET]: 1 })];
    assert.deepEqual(verdicts(analyze(events)), ['UNKNOWN:probe_misses']);
  });

  it('guard: readings strictly around a zero-length window prove it', () => {
    const e = rawWindow({ at: 1000, duration: 0, req: req(1), link: req(2), next: req(2) });
    assert.deepEqual(verdicts(analyze([...readingsAt(999), ...e, ...readingsAt(1001)])), ['NOT_HELD']);
  });

  it('guard: readings arriving out of order (within the horizon) are put back in order', () => {
    const events = [...readingsAt(5000, { [MUTEX_LOCK_RET]: 1 }), ...unpatched(1000, 1), ...readingsAt(3000), ...readingsAt(0)];
    assert.deepEqual(verdicts(analyze(events)), ['NOT_HELD']);
    const missed = [...readingsAt(3000, { [MUTEX_LOCK_RET]: 1 }), ...unpatched(1000, 1), ...readingsAt(0)];
    assert.deepEqual(verdicts(analyze(missed)), ['UNKNOWN:probe_misses']);
  });

  it('guard: a miss reading for a probe index not in the plan neither crashes nor blocks', () => {
    const stray: CaptureEvent = { kind: 'probe_misses', ts: t(1500), cpu: -1, tid: 0, probe: 99, missed: 1_000 };
    const a = analyze(bracket([...unpatched(1000, 1), stray]));
    assert.deepEqual(verdicts(a), ['NOT_HELD']);
    assert.ok(a.summary.losses.probeMisses.some((p) => p.probe === '#99'));
  });

  it('guard: a miss counted on a window probe (missed return) makes the window UNKNOWN', () => {
    const events = [...readingsAt(0), ...unpatched(1000, 1), ...readingsAt(3000, { 1: 1 })];
    assert.deepEqual(verdicts(analyze(events)), ['UNKNOWN:probe_misses']);
  });

  it('guard: the probe-miss check is not needed for a direct probe on io_req_find_next', () => {
    const e = rawWindow({ at: 1000, site: 'io_req_find_next', req: req(1), link: req(2), next: req(2), owner: ownedBy(TASK) });
    assert.deepEqual(verdicts(analyze([...readingsAt(0, { [MUTEX_LOCK_RET]: 3 }), ...e, ...readingsAt(3000, { [MUTEX_LOCK_RET]: 9 })])), ['HELD']);
  });
});

describe('adversarial: the owner word at entry', () => {
  it('regression: a window with no walker task (task 0) and a free mutex (owner 0): HELD', () => {
    const a = analyze(bracket(rawWindow({ at: 1000, req: req(1), link: req(2), next: req(2), task: NULL, owner: NULL })));
    assert.deepEqual(verdicts(a), ['UNKNOWN:state_unknown']);
  });

  it('regression: a window with no walker task and an owner word of flag bits only (unlocked with waiters): HELD', () => {
    const a = analyze(bracket(rawWindow({ at: 1000, req: req(1), link: req(2), next: req(2), task: NULL, owner: 1 as Addr })));
    assert.deepEqual(verdicts(a), ['UNKNOWN:state_unknown']);
  });

  it('guard: every flag bit combination on the walker\'s own owner word still means held', () => {
    for (const flags of [0, 1, 2, 3, 4, 5, 6, 7]) {
      const a = analyze(bracket(rawWindow({ at: 1000, req: req(1), link: req(2), next: req(2), owner: ownedBy(TASK, flags) })));
      assert.deepEqual(verdicts(a), ['HELD'], `flags ${flags}`);
    }
  });

  it('guard: an owner word naming the neighbouring task (task + 8) is not the walker', () => {
    const a = analyze(bracket(rawWindow({ at: 1000, req: req(1), link: req(2), next: req(2), owner: ownedBy((TASK + 8) as Addr) })));
    assert.deepEqual(verdicts(a), ['NOT_HELD']);
  });

  it('guard: owner flag bits only (mutex free, waiters queued) is not held by the walker', () => {
    const a = analyze(bracket(rawWindow({ at: 1000, req: req(1), link: req(2), next: req(2), owner: 3 as Addr })));
    assert.deepEqual(verdicts(a), ['NOT_HELD']);
  });

  it("guard: summary with heldAtEntry 'held' but owner 0: UNKNOWN conflicting_evidence", () => {
    const e = summaryWindow({ at: 1000, req: req(1), link: req(2), next: req(2), held: 'held', owner: NULL });
    assert.deepEqual(verdicts(analyze(bracket([e]), header({ grain: 'summary' }))), ['UNKNOWN:conflicting_evidence']);
  });

  it("guard: PREEMPT_RT ignores both the owner word and the kernel's 'held' judgement", () => {
    const h = header({ grain: 'summary', target: { ...header().target, preemptRt: 'yes' } });
    const e = summaryWindow({ at: 1000, req: req(1), link: req(2), next: req(2), held: 'held', owner: ownedBy(TASK) });
    assert.deepEqual(verdicts(analyze(bracket([e]), h)), ['UNKNOWN:state_unknown']);
    const direct = summaryWindow({ at: 3000, site: 'io_req_find_next', req: req(3), link: req(4), next: req(4), held: 'held', owner: ownedBy(TASK) });
    assert.deepEqual(verdicts(analyze(bracket([direct]), h)), ['UNKNOWN:owner_unusable']);
  });

  it('guard: PREEMPT_RT, an unlock with the link still set inside the window: NOT_HELD from the ops alone', () => {
    const h = header({ target: { ...header().target, preemptRt: 'yes' } });
    const a = analyze(bracket(rawWindow({ at: 1000, req: req(1), link: req(2), next: req(2), ops: [[100, 'release', req(2)]] })), h);
    assert.deepEqual(verdicts(a), ['NOT_HELD']);
  });
});

describe('adversarial: the probe plan', () => {
  it('regression: a plan that probes only mutex_trylock for acquisitions is taken as complete: NOT_HELD', () => {
    const plan: ProbeSite[] = [
      site('window_entry', 'io_wq_free_work', 'kprobe'),
      site('window_return', 'io_wq_free_work', 'kretprobe'),
      site('lock_acquired', 'mutex_trylock', 'kretprobe'),
      site('lock_release', 'mutex_unlock', 'kprobe'),
    ];
    assert.deepEqual(verdicts(analyze(bracket(unpatched(1000, 1)), header({ probes: plan }))), ['UNKNOWN:probe_unavailable']);
  });

  it('regression: PREEMPT_RT, mutex_lock not in the plan: an unlock after the walk makes it HELD', () => {
    // Truth: entry (link set), walk (link NULL), mutex_lock (not probed), mutex_unlock (seen).
    const plan: ProbeSite[] = [
      site('window_entry', 'io_wq_free_work', 'kprobe'),
      site('window_return', 'io_wq_free_work', 'kretprobe'),
      site('lock_acquired', 'mutex_trylock', 'kretprobe'),
      site('lock_release', 'mutex_unlock', 'kprobe'),
    ];
    const h = header({ probes: plan, target: { ...header().target, preemptRt: 'yes' } });
    const e = rawWindow({ at: 1000, req: req(1), link: req(2), next: req(2), ops: [[500, 'release', NULL]] });
    assert.deepEqual(verdicts(analyze(bracket(e), h)), ['UNKNOWN:probe_unavailable']);
  });

  it('guard: a plan without any lock_acquire (call entry) probe still proves both ways', () => {
    const h = header({ probes: FULL_PLAN.map((p) => (p.role === 'lock_acquire' ? { ...p, status: 'absent' as const, mechanism: 'none' as const } : p)) });
    const held = rawWindow({ at: 1000, req: req(1), link: req(2), next: req(2), ops: [[200, 'acquired', req(2)], [300, 'release', NULL]] });
    assert.deepEqual(verdicts(analyze(bracket([...held, ...unpatched(3000, 3)]), h)), ['HELD', 'NOT_HELD']);
  });

  it('guard: every acquisition probe absent: absence claims are UNKNOWN, not NOT_HELD', () => {
    const h = header({ probes: FULL_PLAN.map((p) => (p.role === 'lock_acquired' ? { ...p, status: 'absent' as const } : p)) });
    assert.deepEqual(verdicts(analyze(bracket(unpatched(1000, 1)), h)), ['UNKNOWN:probe_unavailable']);
  });

  it('guard: an unavailable window probe blocks absence claims', () => {
    const h = header({ probes: FULL_PLAN.map((p) => (p.role === 'window_return' ? { ...p, status: 'unavailable' as const } : p)) });
    assert.deepEqual(verdicts(analyze(bracket(unpatched(1000, 1)), h)), ['UNKNOWN:probe_unavailable']);
  });
});

describe('adversarial: late and lost events', () => {
  it('a late lock event inside a walk already reported NOT_HELD withdraws that verdict', () => {
    // Both walks are judged (miss readings after each) before the late acquisition arrives.
    const late: CaptureEvent = lockEvent('lock_acquired', 1500, req(2), { cpu: 3 });
    const events = [
      ...readingsAt(0), ...unpatched(1000, 1), ...readingsAt(2500), ...unpatched(10_000_000, 5), ...readingsAt(10_500_000),
      marker(13_000_000), marker(14_000_000), late,
    ];
    const a = analyze(events, header(), 1_000_000);
    // Walk 2 (at 10 ms) is a real NOT_HELD; walk 1 is contradicted by the walker's late acquisition
    // with the link still set: its verdict is withdrawn to UNKNOWN, in the record and the counts.
    assert.equal(a.summary.losses.orderViolations, 0);
    assert.equal(a.summary.losses.withdrawn, 1);
    assert.deepEqual(verdicts(a), ['UNKNOWN:late_events', 'NOT_HELD']);
    assert.deepEqual(a.summary.rules[0]?.verdicts, { HELD: 0, NOT_HELD: 1, UNKNOWN: 1 });
    assert.deepEqual(a.summary.tasks.map((x) => x.verdicts), [{ HELD: 0, NOT_HELD: 1, UNKNOWN: 1 }]);
  });

  it('regression: a late event inside an open window is reported as "lost", and the late_events reason is never used', () => {
    const events = [
      ...readingsAt(0),
      ...rawWindow({ at: 1000, duration: 30_000, req: req(1), link: req(2), next: req(2) }),
      marker(10_000), marker(20_000),
      lockEvent('lock_acquired', 1500, req(2), { cpu: 3 }),
      ...readingsAt(40_000),
    ];
    assert.deepEqual(verdicts(analyze(events, header(), 1_000)), ['UNKNOWN:late_events']);
  });

  it('regression: a late window entry makes its walk "began before the capture"', () => {
    const w = rawWindow({ at: 1000, duration: 40_000, req: req(1), link: req(2), next: req(2) });
    const enter = w[0];
    const exit = w[1];
    assert.ok(enter !== undefined && exit !== undefined);
    const events = [...readingsAt(0), marker(10_000), marker(20_000), enter, exit, ...readingsAt(50_000)];
    const a = analyze(events, header(), 1_000);
    assert.equal(a.summary.losses.lateEvents, 1);
    assert.deepEqual(verdicts(a), ['UNKNOWN:late_events']);
  });

  it('regression: a late window return makes its walk "still open when the capture ended"', () => {
    const w = rawWindow({ at: 1000, duration: 1000, req: req(1), link: req(2), next: req(2) });
    const enter = w[0];
    const exit = w[1];
    assert.ok(enter !== undefined && exit !== undefined);
    const a = analyze([...readingsAt(0), enter, marker(10_000), marker(20_000), exit, ...readingsAt(50_000)], header(), 1_000);
    assert.equal(a.summary.losses.lateEvents, 1);
    assert.deepEqual(verdicts(a), ['UNKNOWN:late_events']);
  });

  it('guard: a loss reported late, overlapping a closed window still waiting for its miss reading: UNKNOWN', () => {
    const lost: CaptureEvent = { kind: 'lost', ts: t(1500), cpu: -1, tid: 0, count: 3, span: 10 as DurationNs };
    const events = [...readingsAt(0), ...unpatched(1000, 1), marker(10_000), marker(20_000), lost, ...unpatched(30_000, 5), ...readingsAt(40_000)];
    assert.deepEqual(verdicts(analyze(events, header(), 1_000)), ['UNKNOWN:lost_events', 'NOT_HELD']);
  });

  it('guard: a loss that ended before the window began does not taint it', () => {
    const lost: CaptureEvent = { kind: 'lost', ts: t(100), cpu: -1, tid: 0, count: 3, span: 800 as DurationNs };
    assert.deepEqual(verdicts(analyze(bracket([lost, ...unpatched(1000, 1)]))), ['NOT_HELD']);
  });

  it('guard: a loss whose span reaches into a window that opens later taints it', () => {
    const lost: CaptureEvent = { kind: 'lost', ts: t(100), cpu: -1, tid: 0, count: 3, span: 1000 as DurationNs };
    assert.deepEqual(verdicts(analyze(bracket([lost, ...unpatched(1100, 1)]))), ['UNKNOWN:lost_events']);
  });

  it('guard: a loss does not taint a direct io_req_find_next owner-word verdict (no absence claim)', () => {
    const lost: CaptureEvent = { kind: 'lost', ts: t(1100), cpu: -1, tid: 0, count: 3, span: 100 as DurationNs };
    const e = rawWindow({ at: 1000, site: 'io_req_find_next', req: req(1), link: req(2), next: req(2), owner: ownedBy(OTHER_TASK) });
    assert.deepEqual(verdicts(analyze(bracket([...e, lost]))), ['NOT_HELD']);
  });

  it('guard: a late unlock inside an open window taints it (never HELD from the partial ops)', () => {
    const events = [
      ...readingsAt(0),
      ...rawWindow({ at: 1000, duration: 30_000, req: req(1), link: req(2), next: req(2), ops: [[100, 'acquired', req(2)]] }),
      marker(10_000), marker(20_000),
      lockEvent('lock_release', 1500, req(2), { cpu: 3 }),
      ...readingsAt(40_000),
    ];
    const a = analyze(events, header(), 1_000);
    assert.equal(onlyVerdict(a).verdict, 'UNKNOWN');
  });
});

describe('adversarial: shapes of windows', () => {
  it('regression: link NULL at entry but a next request returned: the walk is counted as a chain tail', () => {
    const a = analyze(bracket(rawWindow({ at: 1000, req: req(1), link: NULL, next: req(2) })));
    assert.deepEqual(verdicts(a), ['UNKNOWN:conflicting_evidence']);
    assert.equal(a.summary.windows.chainTails, 0);
  });

  it('regression: an exit timed before its entry becomes two walks with unrelated reasons', () => {
    const a = analyze(bracket(rawWindow({ at: 1000, duration: -100, req: req(1), link: req(2), next: req(2) })));
    assert.deepEqual(verdicts(a), ['UNKNOWN:conflicting_evidence']);
  });

  it('regression: io_req_find_next probed inside io_wq_free_work: one walk is reported twice', () => {
    const outer = rawWindow({ at: 1000, duration: 4000, req: req(1), link: req(2), next: req(2) });
    const inner = rawWindow({ at: 2000, duration: 500, site: 'io_req_find_next', req: req(1), link: req(2), next: req(2), owner: ownedBy(OTHER_TASK) });
    const a = analyze(bracket([...outer, ...inner]));
    assert.equal(a.walks.length, 1, verdicts(a).join(', '));
  });

  it('guard: nested windows agree: the direct probe and the span both say HELD under the 7.1 shape', () => {
    const outer = rawWindow({ at: 1000, duration: 4000, req: req(1), link: req(2), next: req(2), ops: [[100, 'acquired', req(2)], [3000, 'release', NULL]] });
    const inner = rawWindow({ at: 2000, duration: 500, site: 'io_req_find_next', req: req(1), link: req(2), next: req(2), owner: ownedBy(TASK) });
    const a = analyze(bracket([...outer, ...inner]));
    // One walk: the nested direct probe and the enclosing window agree.
    assert.deepEqual(verdicts(a), ['HELD']);
  });

  it('guard: ops, entry and exit all at one timestamp keep arrival order: HELD', () => {
    const e = rawWindow({ at: 1000, duration: 0, req: req(1), link: req(2), next: req(2), ops: [[0, 'acquire', req(2)], [0, 'acquired', req(2)], [0, 'release', NULL]] });
    assert.deepEqual(verdicts(analyze([...readingsAt(0), ...e, ...readingsAt(2000)])), ['HELD']);
  });

  it('guard: events before the capture base (negative times) are judged like any other', () => {
    const held = rawWindow({ at: -50_000, req: req(1), link: req(2), next: req(2), ops: [[100, 'acquired', req(2)], [300, 'release', NULL]] });
    const notHeld = rawWindow({ at: -20_000, req: req(3), link: req(4), next: req(4) });
    assert.deepEqual(verdicts(analyze([...readingsAt(-100_000), ...held, ...notHeld, ...readingsAt(-1)])), ['HELD', 'NOT_HELD']);
  });

  it('regression: guard: a window that exceeds 2^53 ns between entry and return does not crash the analysis', () => {
    const enter = rawWindow({ at: -(2 ** 52), req: req(1), link: req(2), next: req(2) })[0];
    const exit: CaptureEvent = { kind: 'window_exit', ts: t(2 ** 52 + 8), cpu: 0, tid: 100, site: 'io_wq_free_work', req: req(1), next: req(2) };
    assert.ok(enter !== undefined);
    assert.doesNotThrow(() => analyze([enter, exit]));
  });
});

describe('adversarial: lock operations', () => {
  it('guard: a failed trylock before the walk: NOT_HELD; a successful one around it: HELD', () => {
    const failed = rawWindow({ at: 1000, api: 'mutex_trylock', req: req(1), link: req(2), next: req(2), ops: [[100, 'acquire', req(2)], [150, 'acquire_failed', req(2)]] });
    const taken = rawWindow({ at: 3000, api: 'mutex_trylock', req: req(3), link: req(4), next: req(4), ops: [[100, 'acquire', req(4)], [150, 'acquired', req(4)], [300, 'release', NULL]] });
    assert.deepEqual(verdicts(analyze(bracket([...failed, ...taken]))), ['NOT_HELD', 'HELD']);
  });

  it('guard: an interrupted mutex_lock_interruptible then the walk: NOT_HELD; an unlock after it: UNKNOWN', () => {
    const interrupted = rawWindow({ at: 1000, api: 'mutex_lock_interruptible', req: req(1), link: req(2), next: req(2), ops: [[100, 'acquire', req(2)], [150, 'acquire_failed', req(2)]] });
    const bogus = rawWindow({ at: 3000, api: 'mutex_lock_interruptible', req: req(3), link: req(4), next: req(4), ops: [[150, 'acquire_failed', req(4)], [300, 'release', NULL]] });
    assert.deepEqual(verdicts(analyze(bracket([...interrupted, ...bogus]))), ['NOT_HELD', 'UNKNOWN:conflicting_evidence']);
  });

  it('guard: snapshots missing (seen=false) around a state change leave the span UNKNOWN', () => {
    const before = rawWindow({ at: 1000, req: req(1), link: req(2), next: req(2), ops: [[100, 'acquired', undefined], [300, 'release', NULL]] });
    const after = rawWindow({ at: 3000, req: req(3), link: req(4), next: req(4), ops: [[100, 'acquired', req(4)], [300, 'release', undefined]] });
    assert.deepEqual(verdicts(analyze(bracket([...before, ...after]))), ['UNKNOWN:state_unknown', 'UNKNOWN:state_unknown']);
  });

  it('guard: the walker holding another ring\'s lock, and its own ring\'s lock held by someone else: NOT_HELD', () => {
    const e = rawWindow({ at: 1000, req: req(1), link: req(2), next: req(2), owner: ownedBy(OTHER_TASK), opLock: LOCK2, ops: [[100, 'acquired', req(2)], [500, 'release', NULL]] });
    assert.deepEqual(verdicts(analyze(bracket(e))), ['NOT_HELD']);
  });

  it('guard: a window on ring 2 is not judged by lock events on ring 1', () => {
    const e = rawWindow({ at: 1000, ctx: CTX2, lock: LOCK2, opLock: LOCK, req: req(1), link: req(2), next: req(2), ops: [[100, 'acquired', req(2)], [500, 'release', NULL]] });
    assert.deepEqual(verdicts(analyze(bracket(e))), ['NOT_HELD']);
  });

  it('guard: a snapshot showing a third request, or the link coming back after NULL: UNKNOWN', () => {
    const third = rawWindow({ at: 1000, req: req(1), link: req(2), next: req(2), ops: [[100, 'acquired', req(9)], [300, 'release', NULL]] });
    const back = rawWindow({ at: 3000, req: req(3), link: req(4), next: req(4), ops: [[100, 'acquired', NULL], [300, 'release', req(4)]] });
    assert.deepEqual(verdicts(analyze(bracket([...third, ...back]))), ['UNKNOWN:conflicting_evidence', 'UNKNOWN:conflicting_evidence']);
  });
});

describe('adversarial: identity and bookkeeping', () => {
  it('guard: tid reused by a new task while a stale window (return missed) is open', () => {
    const stale = rawWindow({ at: 1000, req: req(1), link: req(2), next: req(2) }).filter((e) => e.kind !== 'window_exit');
    // The new task (same tid) locks and unlocks outside any window of its own, then walks.
    const between = [lockEvent('lock_acquired', 3000, undefined), lockEvent('lock_release', 3100, undefined)];
    const fresh = rawWindow({ at: 5000, task: OTHER_TASK, req: req(5), link: req(6), next: req(6) });
    assert.deepEqual(verdicts(analyze(bracket([...stale, ...between, ...fresh]))), ['UNKNOWN:return_missing', 'NOT_HELD']);
  });

  it('guard: maxPending overflow judges the oldest walks UNKNOWN and loses none', () => {
    const windows = [1, 2, 3, 4, 5].flatMap((i) => unpatched(i * 10_000, i * 2));
    const a = run([...readingsAt(0), ...windows, ...readingsAt(100_000)], { maxPending: 2 });
    assert.deepEqual(verdicts(a), ['UNKNOWN:no_miss_reading', 'UNKNOWN:no_miss_reading', 'UNKNOWN:no_miss_reading', 'NOT_HELD', 'NOT_HELD']);
    assert.deepEqual(a.walks.map((w) => w.index), [1, 2, 3, 4, 5]);
  });

  it('guard: maxPending 0 never turns into a definitive claim without a reading', () => {
    const a = run([...readingsAt(0), ...unpatched(1000, 1), ...readingsAt(5000)], { maxPending: 0 });
    assert.deepEqual(verdicts(a), ['UNKNOWN:no_miss_reading']);
  });

  it('regression: a window spanning two miss readings loses its "before" reading to trimming', () => {
    const long = rawWindow({ at: 1000, duration: 5000, req: req(1), link: req(2), next: req(2) });
    const a = analyze([...readingsAt(0), ...long, ...readingsAt(2000), ...readingsAt(4000), ...readingsAt(7000)]);
    assert.deepEqual(verdicts(a), ['NOT_HELD']);
  });

  it('guard: a late summary is still judged with a correct miss check', () => {
    const s = summaryWindow({ at: 1000, req: req(1), link: req(2), next: req(2), held: 'not_held' });
    const events = [...readingsAt(0), marker(10_000), marker(20_000), s, ...readingsAt(30_000)];
    const a = analyze(events, header({ grain: 'summary' }), 1_000);
    assert.equal(a.summary.losses.lateEvents, 1);
    assert.notEqual(onlyVerdict(a).verdict, 'HELD');
  });
});
