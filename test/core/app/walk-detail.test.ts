/** walkDetail: one walk's evidence, chain neighbours, inspect text and lanes, from small synthetic captures. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Lane, WalkDetail } from '../../../main/core/app/app-contract.js';
import { CaptureAnalysis } from '../../../main/core/app/capture-analysis.js';
import { walkDetail } from '../../../main/core/app/walk-detail.js';
import { columnsFromEvents } from '../../../main/core/capture/event-columns.js';
import type { CaptureEvent } from '../../../main/core/capture/events.js';
import { formatWalk } from '../../../main/core/report/format-walk.js';
import type { Addr } from '../../../main/core/util/addr.js';
import { formatAddr } from '../../../main/core/util/addr.js';
import { header, t } from '../../support/fixtures.js';
import { LOCK, OTHER_TASK, defaultRules, missReadings, rawWindow, req, summaryWindow } from '../../support/scenario.js';

const NULL = 0 as Addr;
const fmt = (a: Addr): string => formatAddr(a, 0n);

/** The events analysed as the app does, fed in batches of `batch` events. */
function analysed(events: readonly CaptureEvent[], batch = 1_000_000): CaptureAnalysis {
  const a = new CaptureAnalysis(defaultRules());
  a.item({ type: 'header', header: header() });
  for (let i = 0; i < events.length; i += batch) {
    a.item({ type: 'events', offset: i, columns: columnsFromEvents(events.slice(i, i + batch)) });
  }
  a.finish();
  return a;
}

const bracket = (events: CaptureEvent[], end = 1_000_000): CaptureEvent[] => [...missReadings(0), ...events, ...missReadings(end)];

function detail(a: CaptureAnalysis, index: number): WalkDetail {
  const d = walkDetail(a, index, fmt, 'test.lscap');
  assert.ok(d.ok, d.ok ? '' : d.error.message);
  return d.value;
}

function laneOf(d: WalkDetail, tid: number): Lane {
  const l = d.lanes.find((x) => x.tid === tid);
  assert.ok(l !== undefined, `no lane for tid ${tid}: ${d.lanes.map((x) => x.tid).join(', ')}`);
  return l;
}

/** Does a span of this kind cover [from, to]? */
const covers = (l: Lane, kind: string, from: number, to: number): boolean =>
  l.spans.some((s) => s.kind === kind && s.from <= from && (s.to ?? Infinity) >= to);

describe('walkDetail', () => {
  it('contended spans: from the first begin of a wait (spin, then sleep) to its end; a begin that arrives after its own end opens nothing', () => {
    const c = (kind: 'contention_begin' | 'contention_end', at: number, tid: number, flags = 0x20): CaptureEvent =>
      kind === 'contention_begin' ? { kind, ts: t(at), cpu: 1, tid, lock: LOCK, flags } : { kind, ts: t(at), cpu: 1, tid, lock: LOCK, ret: 0 };
    const a = analysed(
      bracket([
        ...rawWindow({ at: 10_000, req: req(1), link: req(2), next: req(2), ops: [[100, 'acquire', req(2)], [200, 'acquired', req(2)], [300, 'release', NULL]] }),
        c('contention_begin', 10_050, 300, 0x21),
        c('contention_begin', 10_150, 300),
        c('contention_end', 10_400, 300),
        // Task 301: an end, then (arriving late) a begin from before it, then a wait of its own.
        c('contention_end', 10_500, 301),
        c('contention_begin', 10_450, 301, 0x21),
        c('contention_begin', 10_700, 301, 0x21),
        c('contention_end', 10_800, 301),
      ]),
    );
    const d = detail(a, 1);
    const spans = (tid: number): string[] => laneOf(d, tid).spans.filter((x) => x.kind === 'contended').map((x) => `${x.from}-${x.to ?? 'open'}`);
    assert.deepEqual(spans(300), ['10050-10400']);
    assert.equal(spans(301).at(-1), '10700-10800', spans(301).join(' '));
    assert.ok(!covers(laneOf(d, 301), 'contended', 10_450, 10_700), spans(301).join(' '));
  });

  it('a walk inside a held span: the walker lane holds the lock over the walk, waited before it', () => {
    const a = analysed(bracket(rawWindow({ at: 10_000, req: req(1), link: req(2), next: req(2), ops: [[100, 'acquire', req(2)], [200, 'acquired', req(2)], [300, 'release', NULL]] })));
    const d = detail(a, 1);
    assert.equal(d.row.verdict, 'HELD');
    assert.equal(d.lockProof, 'span_between_snapshots');
    const walker = laneOf(d, 100);
    assert.equal(d.lanes[0]?.tid, 100, 'the walker comes first');
    assert.ok(covers(walker, 'held', 10_200, 10_300), JSON.stringify(walker.spans));
    assert.ok(covers(walker, 'waited', 10_100, 10_200), JSON.stringify(walker.spans));
    assert.ok(covers(walker, 'window', 10_000, 11_000), JSON.stringify(walker.spans));
    const walk = walker.marks.find((m) => m.kind === 'walk');
    assert.ok(walk !== undefined && walk.ts >= 10_200 && walk.ts <= 10_300, JSON.stringify(walker.marks));
    assert.deepEqual(walker.marks.filter((m) => m.kind !== 'walk').map((m) => m.kind), ['lock_call', 'lock_acquired', 'unlock']);
    // The range is the window with a margin either side.
    assert.ok(d.fromNs < 10_000 && d.toNs > 11_000);
    // Evidence as the contract shows it, addresses as hex.
    const ops = d.evidence.filter((e) => e.type === 'lock_op');
    assert.equal(ops.length, 3);
    assert.equal(ops[0]?.type === 'lock_op' ? ops[0].lock : undefined, fmt(LOCK));
  });

  it('not held: no held span on the walker lane, and another task holding the lock meanwhile has its own lane', () => {
    const other: CaptureEvent[] = [
      { kind: 'lock_acquire', ts: t(1_000), cpu: 1, tid: 200, api: 'mutex_lock', lock: LOCK, snapshot: { seen: false } },
      { kind: 'lock_acquired', ts: t(2_000), cpu: 1, tid: 200, api: 'mutex_lock', lock: LOCK, ok: true, snapshot: { seen: false } },
      { kind: 'lock_release', ts: t(12_000), cpu: 1, tid: 200, lock: LOCK, snapshot: { seen: false } },
    ];
    const events = [...other, ...rawWindow({ at: 10_000, req: req(1), link: req(2), next: req(2), owner: (OTHER_TASK + 1) as Addr })].sort((x, y) => x.ts - y.ts);
    const a = analysed(bracket(events));
    const d = detail(a, 1);
    assert.equal(d.row.verdict, 'NOT_HELD');
    const walker = laneOf(d, 100);
    assert.equal(walker.spans.filter((s) => s.kind === 'held').length, 0, JSON.stringify(walker.spans));
    const holder = laneOf(d, 200);
    // Held from before the lanes' range (clipped to it) until after the window.
    assert.ok(covers(holder, 'held', d.fromNs, 11_000), JSON.stringify(holder.spans));
    assert.equal(holder.spans.find((s) => s.kind === 'held')?.from, d.fromNs);
  });

  it('summaries: held span from the ops; the text is what inspect prints', () => {
    const a = analysed(bracket([summaryWindow({ at: 10_000, req: req(1), link: req(2), next: req(2), held: 'not_held', ops: [[100, 'acquire', req(2)], [200, 'acquired', req(2)], [300, 'release', NULL]] })]));
    const d = detail(a, 1);
    const walker = laneOf(d, 100);
    assert.ok(covers(walker, 'held', 10_200, 10_300), JSON.stringify(walker.spans));
    const w = a.walk(a.ruleIds()[0] ?? '', 1);
    assert.ok(w !== undefined);
    assert.equal(d.text, formatWalk(w, fmt, { previous: undefined, following: undefined }));
    assert.match(d.text, /^Walk #1 under rule .*: HELD/);
  });

  it('chain neighbours: previous returned this request, following walks its next; in separate batches', () => {
    const chain = [
      ...rawWindow({ at: 10_000, req: req(1), link: req(2), next: req(2) }),
      ...rawWindow({ at: 20_000, req: req(2), link: req(3), next: req(3) }),
      ...rawWindow({ at: 30_000, req: req(3), link: req(4), next: req(4) }),
    ];
    const a = analysed(bracket(chain), 3);
    const mid = detail(a, 2);
    assert.equal(mid.row.req, fmt(req(2)));
    assert.equal(mid.previous, 1);
    assert.equal(mid.following, 3);
    assert.match(mid.text, /chain: previous walk #1 .*; next walk #3/);
    const first = detail(a, 1);
    assert.equal(first.previous, undefined);
    assert.equal(first.following, 2);
    assert.equal(detail(a, 3).following, undefined);
  });

  it('a walk that does not exist is not_found with the walks there are', () => {
    const a = analysed(bracket(rawWindow({ at: 10_000, req: req(1), link: req(2), next: req(2) })));
    const d = walkDetail(a, 7, fmt, 'test.lscap');
    assert.ok(!d.ok);
    assert.equal(d.error.code, 'not_found');
    assert.match(d.error.message, /walks #1 to #1/);
  });
});
