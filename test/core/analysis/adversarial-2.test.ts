/**
 * Adversarial inputs, second round: the mechanisms added after the first review — the settle
 * delay, withdrawal of given verdicts by late events, late returns, orphan exits paired with a
 * later entry, nested io_req_find_next windows, the reorder buffer's count cap, miss-reading
 * trimming and AnalysisTally.replace.
 *
 * Tests marked `todo` are open bugs: their assertions state the right answer (the suite stays
 * green while they fail, and the test report lists them). "regression: …" tests are named for
 * the wrong answer the analyzer once gave; they pass since their fix. "guard: …" tests pin down
 * tricky cases that were always handled correctly.
 *
 * Unless a test says otherwise the reorder horizon is 1 ms, and two markers far ahead (3 ms and
 * 5 ms) release everything before 4 ms, so that an event pushed after them with an older time
 * is late.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Analyzer } from '../../../main/core/analysis/analyzer.js';
import type { AnalysisSummary } from '../../../main/core/analysis/analysis-summary.js';
import type { VerdictName, WalkRecord } from '../../../main/core/analysis/verdict.js';
import type { CaptureEvent, WindowEnterEvent, WindowExitEvent } from '../../../main/core/capture/events.js';
import type { CaptureHeader } from '../../../main/core/capture/header.js';
import type { Addr } from '../../../main/core/util/addr.js';
import type { DurationNs } from '../../../main/core/util/time.js';
import { FULL_PLAN, header, t } from '../../support/fixtures.js';
import type { WindowSpec } from '../../support/scenario.js';
import { LOCK, OTHER_TASK, TASK, defaultRules, rawWindow, req, summaryWindow, verdicts } from '../../support/scenario.js';

const NULL = 0 as Addr;
const H = 1_000_000;
/** Owner word of a mutex held by `task` (WAITERS flag set). */
const ownedBy = (task: Addr): Addr => (task + 1) as Addr;
/** Probe index of `kretprobe:mutex_lock` (lock_acquired) in FULL_PLAN. */
const MUTEX_LOCK_RET = 3;

/** One reading of every probe of FULL_PLAN at `at`; `counts` overrides the (cumulative) count of some. */
function readingsAt(at: number, counts: Readonly<Partial<Record<number, number>>> = {}): CaptureEvent[] {
  return FULL_PLAN.map((_, probe) => ({ kind: 'probe_misses' as const, ts: t(at), cpu: -1, tid: 0, probe, missed: counts[probe] ?? 0 }));
}

function marker(at: number, cpu = 7): CaptureEvent {
  return { kind: 'marker', ts: t(at), cpu, tid: 0, marker: 'note', text: 'clock' };
}

/** Two markers far ahead: with the 1 ms horizon everything up to 4 ms is released. */
const releaseTo4ms = (): CaptureEvent[] => [marker(3_000_000), marker(5_000_000)];

function acquired(at: number, link: Addr | undefined, o: { tid?: number; cpu?: number } = {}): CaptureEvent {
  const snapshot = link === undefined ? ({ seen: false } as const) : ({ seen: true, link } as const);
  return { kind: 'lock_acquired', ts: t(at), cpu: o.cpu ?? 3, tid: o.tid ?? 100, api: 'mutex_lock', lock: LOCK, ok: true, snapshot };
}

function lost(at: number, span: number): CaptureEvent {
  return { kind: 'lost', ts: t(at), cpu: -1, tid: 0, count: 2, span: span as DurationNs };
}

function enterOf(s: WindowSpec): WindowEnterEvent {
  const e = rawWindow(s)[0];
  if (e?.kind !== 'window_enter') {
    throw new Error('rawWindow: no entry first');
  }
  return e;
}

function exitOf(s: WindowSpec): WindowExitEvent {
  const e = rawWindow(s).at(-1);
  if (e?.kind !== 'window_exit') {
    throw new Error('rawWindow: no return last');
  }
  return e;
}

/** 6.1 shape, no lock operation: window [at, at + 1000] of task `tid`, request n → n + 1. */
const unpatched = (at: number, n: number, tid = 100): CaptureEvent[] => rawWindow({ at, tid, req: req(n), link: req(n + 1), next: req(n + 1) });

interface Run {
  readonly walks: readonly WalkRecord[];
  readonly summary: AnalysisSummary;
  readonly analyzer: Analyzer;
}

/** Like scenario.analyze (the sink replaces a record by index), with every option and the analyzer. */
function run(events: readonly CaptureEvent[], o: { h?: CaptureHeader; horizonNs?: number; maxPending?: number; withdrawable?: number } = {}): Run {
  const walks: WalkRecord[] = [];
  const analyzer = new Analyzer(
    o.h ?? header(),
    { rules: defaultRules(), reorderHorizonNs: o.horizonNs ?? H, maxPending: o.maxPending, withdrawable: o.withdrawable },
    (w) => {
      const at = walks.findIndex((x) => x.index === w.index && x.rule === w.rule);
      if (at >= 0) {
        walks[at] = w;
      } else {
        walks.push(w);
      }
    },
  );
  analyzer.push(events);
  analyzer.finish();
  return { walks, summary: analyzer.tally.summary(), analyzer };
}

/** Number of walks the analysis reports, asserting that every count of it agrees. */
function walkCount(a: Run): number {
  const rule = a.summary.rules[0];
  assert.ok(rule !== undefined);
  assert.equal(rule.walks, a.walks.length, 'rules[0].walks vs records');
  assert.equal(a.summary.windows.walks, a.walks.length, 'windows.walks vs records');
  return a.walks.length;
}

/** Every count of the summary agrees with the records the sink ended with. */
function assertCountsMatchRecords(a: Run): void {
  const rule = a.summary.rules[0];
  assert.ok(rule !== undefined);
  const byVerdict: Record<VerdictName, number> = { HELD: 0, NOT_HELD: 0, UNKNOWN: 0 };
  const reasons: Record<string, number> = {};
  const ringVerdicts: Record<VerdictName, number> = { HELD: 0, NOT_HELD: 0, UNKNOWN: 0 };
  for (const w of a.walks) {
    byVerdict[w.verdict.verdict]++;
    if (w.verdict.verdict === 'UNKNOWN') {
      reasons[w.verdict.reason] = (reasons[w.verdict.reason] ?? 0) + 1;
    }
    if (w.ctx !== 0) {
      ringVerdicts[w.verdict.verdict]++;
    }
  }
  assert.equal(rule.walks, a.walks.length);
  assert.deepEqual(rule.verdicts, byVerdict);
  assert.deepEqual(Object.fromEntries(Object.entries(rule.unknownReasons).filter(([, n]) => n !== 0)), reasons);
  const taskVerdicts: Record<VerdictName, number> = { HELD: 0, NOT_HELD: 0, UNKNOWN: 0 };
  const ringSums: Record<VerdictName, number> = { HELD: 0, NOT_HELD: 0, UNKNOWN: 0 };
  for (const v of ['HELD', 'NOT_HELD', 'UNKNOWN'] as const) {
    taskVerdicts[v] = a.summary.tasks.reduce((n, x) => n + x.verdicts[v], 0);
    ringSums[v] = a.summary.rings.reduce((n, x) => n + x.verdicts[v], 0);
    for (const index of rule.examples[v]) {
      assert.equal(a.walks.find((w) => w.index === index)?.verdict.verdict, v, `example ${index} listed as ${v}`);
    }
  }
  assert.deepEqual(taskVerdicts, byVerdict);
  assert.deepEqual(ringSums, ringVerdicts);
}

// ---------------------------------------------------------------------------------------------
// 1. Late events that miss the walk they contradict (wrong definitive verdicts)
// ---------------------------------------------------------------------------------------------

describe('adversarial 2: late events and pending walks', () => {
  // Task 200 entered a window at 1 µs whose return never came; it enters again at 3.002 ms, which
  // closes the old window as return_missing — queued after walk A of task 100 (3.000–3.001 ms)
  // but with end = its start, 1 µs. The scan in loss() runs back from the newest pending walk and
  // stops at the first that ends more than a horizon before the late event: it never reaches A.
  const stale = (): CaptureEvent[] => [enterOf({ at: 1000, tid: 200, req: req(10), link: req(11), next: req(11) })];
  const again = (): CaptureEvent[] => [enterOf({ at: 3_002_000, tid: 200, req: req(12), link: req(13), next: req(13) })];

  it('guard: a late acquisition (link still set) inside a walk still waiting to settle: UNKNOWN late_events', () => {
    const a = run([...readingsAt(0), ...unpatched(3_000_000, 1), marker(4_100_000), acquired(3_000_500, req(2)), ...readingsAt(10_000_000)]);
    assert.deepEqual(verdicts(a), ['UNKNOWN:late_events']);
    assert.equal(a.summary.losses.orderViolations, 0);
  });

  it('regression: a late acquisition inside a pending walk queued before a return_missing walk is ignored: NOT_HELD', () => {
    const events = [...readingsAt(0), ...stale(), ...unpatched(3_000_000, 1), ...again(), marker(4_100_000), acquired(3_000_500, req(2)), ...readingsAt(10_000_000)];
    const a = run(events);
    // Truth: task 100 took the lock at 3.0005 ms with req->link still set; the walk may be after it.
    assert.deepEqual(verdicts(a), ['UNKNOWN:late_events', 'UNKNOWN:return_missing', 'UNKNOWN:window_open_at_end']);
  });

  it('regression: a late loss notice overlapping a pending walk queued before a return_missing walk is ignored: NOT_HELD', () => {
    const events = [...readingsAt(0), ...stale(), ...unpatched(3_000_000, 1), ...again(), marker(4_100_000), lost(3_000_500, 10), ...readingsAt(10_000_000)];
    assert.deepEqual(verdicts(run(events)), ['UNKNOWN:lost_events', 'UNKNOWN:return_missing', 'UNKNOWN:window_open_at_end']);
  });

  it('regression: a late summary queued after walk A hides A from a late acquisition: NOT_HELD', () => {
    const walkSummary = summaryWindow({ at: 1000, tid: 300, req: req(20), link: req(21), next: req(21), held: 'not_held' });
    const events = [
      ...readingsAt(0), ...unpatched(3_000_000, 1), marker(4_100_000), walkSummary, acquired(3_000_500, req(2)), ...readingsAt(10_000_000),
    ];
    const a = run(events);
    const walkA = a.walks.find((w) => w.tid === 100);
    assert.equal(walkA?.verdict.verdict, 'UNKNOWN');
  });

  it('guard: a late acquisition of another task inside a given walk does not withdraw it', () => {
    const a = run([...readingsAt(0), ...unpatched(1000, 1), ...readingsAt(2500), ...releaseTo4ms(), acquired(1500, undefined, { tid: 200 }), ...readingsAt(9_000_000)]);
    assert.deepEqual(verdicts(a), ['NOT_HELD']);
    assert.equal(a.summary.losses.withdrawn, 0);
  });

  it('guard: the count cap of the reorder buffer (262,144 events) makes an event inside the horizon late, and it still taints the walk', () => {
    // Horizon 1 s: by time alone nothing is late. 262,144 markers at 3 µs force the oldest out.
    const markers: CaptureEvent[] = [];
    for (let i = 0; i < 262_144; i++) {
      markers.push(marker(3000));
    }
    const a = run([...readingsAt(0), ...unpatched(1000, 1), ...readingsAt(2500), ...markers, acquired(1500, req(2))], { horizonNs: 1_000_000_000 });
    assert.equal(a.summary.losses.lateEvents, 1);
    assert.deepEqual(verdicts(a), ['UNKNOWN:late_events']);
  });

  it('guard: withdrawal keeps rule, reason, example, ring and task counts in step with the records', () => {
    const events = [
      ...readingsAt(0), ...unpatched(1000, 1), ...unpatched(1200, 3, 200), ...readingsAt(2500), ...unpatched(3000, 5), ...readingsAt(4500),
      ...releaseTo4ms(), acquired(1500, req(2)), acquired(3500, req(6)), acquired(3600, req(6)), ...readingsAt(9_000_000),
    ];
    const a = run(events);
    assert.deepEqual(verdicts(a), ['UNKNOWN:late_events', 'NOT_HELD', 'UNKNOWN:late_events']);
    assert.equal(a.summary.losses.withdrawn, 2);
    assertCountsMatchRecords(a);
  });

  it('regression: a late miss reading that reveals a counter reset inside a walk already judged clean does not withdraw it', () => {
    // In order, 0 → 5 (at 1.5 µs) → 0 (at 3 µs) is a reset inside the window: UNKNOWN probe_misses.
    const inOrder = run([...readingsAt(0), ...unpatched(1000, 1), ...readingsAt(1500, { [MUTEX_LOCK_RET]: 5 }), ...readingsAt(3000)]);
    assert.deepEqual(verdicts(inOrder), ['UNKNOWN:probe_misses']);
    const late = run([...readingsAt(0), ...unpatched(1000, 1), ...readingsAt(3000), ...releaseTo4ms(), ...readingsAt(1500, { [MUTEX_LOCK_RET]: 5 }), ...readingsAt(9_000_000)]);
    assert.notEqual(late.walks[0]?.verdict.verdict, 'NOT_HELD');
  });

  it('a late event inside a walk no longer kept for withdrawal leaves its record and counts NOT_HELD', { todo: 'BUG: past the withdrawable cap only orderViolations/outcome change; the record the sink holds and rules[0].verdicts still say NOT_HELD for a contradicted walk' }, () => {
    const events = [
      ...readingsAt(0), ...unpatched(1000, 1), ...readingsAt(2500), ...unpatched(10_000_000, 5), ...readingsAt(10_500_000), ...readingsAt(20_000_000),
      acquired(1500, req(2)),
    ];
    const a = run(events, { withdrawable: 0 });
    assert.equal(a.summary.losses.orderViolations, 1);
    assert.notEqual(a.walks[0]?.verdict.verdict, 'NOT_HELD');
    assert.equal(a.summary.rules[0]?.verdicts.NOT_HELD, 1);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Late returns: walks lost or counted twice
// ---------------------------------------------------------------------------------------------

describe('adversarial 2: late returns and return_missing', () => {
  it('guard: the late return of a window closed as return_missing is not counted again', () => {
    const e1 = enterOf({ at: 1000, req: req(1), link: req(2), next: req(2) });
    const x1 = exitOf({ at: 1000, cpu: 3, req: req(1), link: req(2), next: req(2) });
    const a = run([...readingsAt(0), e1, ...unpatched(3000, 3), ...releaseTo4ms(), x1, ...readingsAt(9_000_000)]);
    assert.equal(walkCount(a), 2);
    assert.equal(a.summary.windows.exitsWithoutEntry, 0);
  });

  it('guard: a window whose entry and return both arrive late is counted once, UNKNOWN', () => {
    const w = rawWindow({ at: 1000, cpu: 3, req: req(1), link: req(2), next: req(2), ops: [[100, 'acquired', req(2)], [300, 'release', NULL]] });
    const a = run([...readingsAt(0), ...releaseTo4ms(), ...w, ...readingsAt(9_000_000)]);
    assert.equal(walkCount(a), 1);
    assert.deepEqual(verdicts(a), ['UNKNOWN:late_events']);
  });

  it('regression: two late returns of one task in a row: the first window is counted twice', () => {
    // Task 100: [1, 2] µs, [3, 4] µs, [5, 6] µs; the first two returns were written on CPU 3 and arrive late.
    const x1 = exitOf({ at: 1000, cpu: 3, req: req(1), link: req(2), next: req(2) });
    const x2 = exitOf({ at: 3000, cpu: 3, req: req(3), link: req(4), next: req(4) });
    const events = [
      ...readingsAt(0), enterOf({ at: 1000, req: req(1), link: req(2), next: req(2) }), enterOf({ at: 3000, req: req(3), link: req(4), next: req(4) }),
      ...unpatched(5000, 5), ...releaseTo4ms(), x1, x2, ...readingsAt(9_000_000),
    ];
    assert.equal(walkCount(run(events)), 3);
  });

  it('regression: a stale return_missing record swallows the late return of a later window on the recycled request: the walk is lost', () => {
    // Task 100 enters on req 1 at 1 µs (its return is never seen), then walks req 3 at 3 µs, which
    // closes the first as return_missing. At 4.5 ms req 1 (recycled) is walked again; its entry and
    // return arrive late (released up to 6 ms).
    const events = [
      ...readingsAt(0), enterOf({ at: 1000, req: req(1), link: req(2), next: req(2) }), ...unpatched(3000, 3),
      marker(6_000_000), marker(8_000_000), ...rawWindow({ at: 4_500_000, cpu: 3, req: req(1), link: req(2), next: req(2) }), ...readingsAt(20_000_000),
    ];
    assert.equal(walkCount(run(events)), 3);
  });

  it('regression: a late return is paired with an open window entered after it (recycled request): counted twice', () => {
    // Task 100: window on req 1 [1, 2] µs (return late), window on req 1 again (recycled) [3, 4] µs.
    const x1 = exitOf({ at: 1000, cpu: 3, req: req(1), link: req(2), next: req(2) });
    const w2 = rawWindow({ at: 3000, req: req(1), link: req(5), next: req(5) });
    const [e2, x2] = w2;
    assert.ok(e2 !== undefined && x2 !== undefined);
    const events = [
      ...readingsAt(0), enterOf({ at: 1000, req: req(1), link: req(2), next: req(2) }), e2, marker(3500), marker(3500 + H + 1), x1, x2, ...readingsAt(20_000_000),
    ];
    assert.equal(walkCount(run(events)), 2);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Orphan exits paired with a later entry
// ---------------------------------------------------------------------------------------------

describe('adversarial 2: orphan exits', () => {
  it('regression: an orphan exit already judged when its (clock-skewed) entry arrives: the entry opens a window that is counted again', () => {
    // Return timed 100 ns before its entry (the case the orphan pairing exists for); maxPending 0
    // (as SETTLE_CAP or a full queue does) has judged the orphan before the entry arrives.
    const w = rawWindow({ at: 1000, duration: -100, req: req(1), link: req(2), next: req(2) });
    const a = run([...readingsAt(0), ...w, ...readingsAt(1_000_000)], { maxPending: 0 });
    assert.equal(walkCount(a), 1);
  });

  it('regression: an entry 4 µs after an orphan return on the same request is swallowed as its "skewed" entry: that window is never counted', () => {
    // Task 100: a window that began before the capture returns at 1 µs; the worker then walks the
    // same (recycled) request from 5 µs and is still in it when the capture ends.
    const x = exitOf({ at: 0, req: req(1), link: req(2), next: req(2) });
    const e = enterOf({ at: 5000, req: req(1), link: req(2), next: req(2) });
    const a = run([...readingsAt(0), x, e, ...readingsAt(1_000_000)]);
    assert.equal(walkCount(a), 2);
  });

  it('guard: a return 100 ns before its entry on the same task is one walk, UNKNOWN conflicting_evidence', () => {
    const w = rawWindow({ at: 1000, duration: -100, req: req(1), link: req(2), next: req(2), ops: [[50, 'acquired', req(2)]] });
    const a = run([...readingsAt(0), ...w, ...readingsAt(1_000_000)]);
    assert.equal(walkCount(a), 1);
    assert.deepEqual(verdicts(a), ['UNKNOWN:conflicting_evidence']);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Nested io_req_find_next windows
// ---------------------------------------------------------------------------------------------

describe('adversarial 2: nested io_req_find_next windows', () => {
  const outer = (): CaptureEvent[] => rawWindow({ at: 1000, duration: 4000, req: req(1), link: req(2), next: req(2) });
  const innerSpec: WindowSpec = { at: 2000, duration: 500, site: 'io_req_find_next', req: req(1), link: req(2), next: req(2), owner: ownedBy(OTHER_TASK) };

  it('regression: the nested probe\'s return is missed: the walk is counted twice', () => {
    const [enter, exit] = outer();
    assert.ok(enter !== undefined && exit !== undefined);
    const a = run([...readingsAt(0), enter, enterOf(innerSpec), exit, ...readingsAt(1_000_000)]);
    assert.equal(walkCount(a), 1);
  });

  it('regression: the nested probe\'s return is timed just after the outer return: one walk, two definitive records', () => {
    const [enter, exit] = outer();
    assert.ok(enter !== undefined && exit !== undefined);
    const innerExit = { ...exitOf({ ...innerSpec, duration: 3010 }), cpu: 1 };
    const a = run([...readingsAt(0), enter, enterOf({ ...innerSpec, owner: ownedBy(TASK) }), exit, innerExit, ...readingsAt(1_000_000)]);
    assert.equal(walkCount(a), 1);
    assert.deepEqual(verdicts(a), ['UNKNOWN:conflicting_evidence']);
  });

  it('regression: the nested probe\'s entry is missed (or late): its return is counted as a second walk', () => {
    const [enter, exit] = outer();
    assert.ok(enter !== undefined && exit !== undefined);
    const a = run([...readingsAt(0), enter, exitOf(innerSpec), exit, ...readingsAt(1_000_000)]);
    assert.equal(walkCount(a), 1);
  });

  it('regression: kernel summaries of a window and of the io_req_find_next window nested in it: one walk counted twice', () => {
    const o = summaryWindow({ at: 1000, duration: 4000, req: req(1), link: req(2), next: req(2), held: 'not_held' });
    const i = summaryWindow({ ...innerSpec, held: 'not_held' });
    const a = run([...readingsAt(0), o, i, ...readingsAt(1_000_000)], { h: header({ grain: 'summary' }) });
    assert.equal(walkCount(a), 1);
  });

  it('guard: at the end of the capture an inner window still open is merged into its outer one, not counted again', () => {
    const [enter] = outer();
    assert.ok(enter !== undefined);
    const a = run([...readingsAt(0), enter, enterOf(innerSpec), ...readingsAt(1_000_000)]);
    assert.equal(walkCount(a), 1);
  });
});

// ---------------------------------------------------------------------------------------------
// 5. Miss readings: awaitingReading and trimming
// ---------------------------------------------------------------------------------------------

describe('adversarial 2: miss readings', () => {
  it('guard: walks queued behind one waiting for a reading are all judged, in order, once it comes', () => {
    const events = [...readingsAt(0), ...unpatched(1000, 1), ...unpatched(3000, 3), ...unpatched(5000, 5), ...releaseTo4ms(), ...readingsAt(6_000_000)];
    const a = run(events);
    assert.deepEqual(verdicts(a), ['NOT_HELD', 'NOT_HELD', 'NOT_HELD']);
    assert.deepEqual(a.walks.map((w) => w.index), [1, 2, 3]);
  });

  it('guard: a late summary older than the readings kept after trimming is never proven from the wrong readings', () => {
    // The counter moved between 0 and 5 µs; by the time the summary of [1, 2] µs arrives the
    // reading at 0 was trimmed.
    const s = summaryWindow({ at: 1000, req: req(1), link: req(2), next: req(2), held: 'not_held' });
    const events = [
      ...readingsAt(0), ...readingsAt(5000, { [MUTEX_LOCK_RET]: 1 }), marker(3_000_000), ...readingsAt(3_000_100, { [MUTEX_LOCK_RET]: 1 }),
      marker(5_000_000), ...readingsAt(5_000_100, { [MUTEX_LOCK_RET]: 1 }), s, ...readingsAt(9_000_000, { [MUTEX_LOCK_RET]: 1 }),
    ];
    const a = run(events);
    assert.equal(a.summary.losses.lateEvents, 1);
    assert.equal(a.walks[0]?.verdict.verdict, 'UNKNOWN');
  });

  it('regression: one window that never returns (its task exited) stops the trimming of miss readings for the rest of the capture', () => {
    const events: CaptureEvent[] = [...readingsAt(0), enterOf({ at: 1000, tid: 200, req: req(9), link: req(10), next: req(10) })];
    for (let i = 1; i <= 300; i++) {
      events.push(...unpatched(i * 1_000_000, 1), ...readingsAt(i * 1_000_000 + 500_000));
    }
    const walks: WalkRecord[] = [];
    const a = new Analyzer(header(), { rules: defaultRules(), reorderHorizonNs: H, readingsKeptBehind: 0 }, (w) => walks.push(w));
    a.push(events);
    const readings = (a as unknown as { misses: { readings: Map<number, readonly unknown[]> } }).misses.readings;
    const longest = Math.max(...[...readings.values()].map((l) => l.length));
    assert.ok(longest < 50, `${longest} readings kept for one probe`);
  });

  it('guard: without such a window the readings kept stay few', () => {
    const events: CaptureEvent[] = [...readingsAt(0)];
    for (let i = 1; i <= 300; i++) {
      events.push(...unpatched(i * 1_000_000, 1), ...readingsAt(i * 1_000_000 + 500_000));
    }
    const a = new Analyzer(header(), { rules: defaultRules(), reorderHorizonNs: H, readingsKeptBehind: 0 }, () => undefined);
    a.push(events);
    const readings = (a as unknown as { misses: { readings: Map<number, readonly unknown[]> } }).misses.readings;
    assert.ok(Math.max(...[...readings.values()].map((l) => l.length)) < 50);
  });
});

// ---------------------------------------------------------------------------------------------
// 6. Counts and memory
// ---------------------------------------------------------------------------------------------

describe('adversarial 2: counts and memory', () => {
  it('regression: a window with ctx 0 (a failed read) counts as a walk of ring NULL but its verdict is in no ring', () => {
    const a = run([...readingsAt(0), ...rawWindow({ at: 1000, ctx: NULL, req: req(1), link: req(2), next: req(2) }), ...readingsAt(1_000_000)]);
    for (const r of a.summary.rings) {
      assert.equal(r.verdicts.HELD + r.verdicts.NOT_HELD + r.verdicts.UNKNOWN, r.walks, `ring ${r.ctx}`);
    }
  });

  it('regression: timing statistics keep three histograms (8 KB and up each) for every thread id ever seen', () => {
    const a = new Analyzer(header(), { rules: defaultRules(), reorderHorizonNs: H }, () => undefined);
    for (let i = 0; i < 300; i++) {
      a.push(rawWindow({ at: 1000 + i * 10_000, tid: 1000 + i, req: req(1), link: req(2), next: req(2), ops: [[100, 'acquired', req(2)], [300, 'release', NULL]] }));
    }
    a.finish();
    // The summary shows 64 tasks; 'all' and one ring come on top.
    assert.ok(a.timing.byMetric.window_duration.size <= 64 + 2, `${a.timing.byMetric.window_duration.size} groups`);
  });

  it('guard: late events of every kind in one run keep the summary in step with the records', () => {
    const events = [
      ...readingsAt(0),
      enterOf({ at: 1000, req: req(1), link: req(2), next: req(2) }), ...unpatched(3000, 3), ...unpatched(1500, 7, 200), ...readingsAt(4500),
      ...releaseTo4ms(),
      exitOf({ at: 1000, cpu: 3, req: req(1), link: req(2), next: req(2) }),
      acquired(1800, req(8), { tid: 200 }),
      lost(3500, 100),
      summaryWindow({ at: 2000, tid: 300, req: req(11), link: req(12), next: req(12), held: 'not_held' }),
      ...rawWindow({ at: 2200, tid: 400, cpu: 3, req: req(13), link: req(14), next: req(14) }),
      ...readingsAt(9_000_000),
    ];
    const a = run(events);
    assertCountsMatchRecords(a);
    assert.equal(walkCount(a), 5);
  });
});
