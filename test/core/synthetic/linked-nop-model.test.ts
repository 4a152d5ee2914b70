import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planCoverage } from '../../../main/core/analysis/plan-coverage.js';
import type { CaptureEvent, EventKind } from '../../../main/core/capture/events.js';
import { ownerTask } from '../../../main/core/util/addr.js';
import type { LinkedNopOptions } from '../../../main/core/synthetic/linked-nop-model.js';
import { SYNTHETIC_SOURCE, checkLinkedNopOptions, linkedNopEvents, linkedNopHeader } from '../../../main/core/synthetic/linked-nop-model.js';
import type { Analysis } from '../../support/scenario.js';
import { analyze, verdicts } from '../../support/scenario.js';

/** The synthetic delivery is out of order by about 1 ms (a few ms around losses). */
const HORIZON_NS = 20_000_000;

const BASE: LinkedNopOptions = {
  kernel: 'patched', grain: 'raw', chains: 800, chainLength: 4, rings: 2, workers: 4, cpus: 4, seed: 11, missEveryNs: 200_000,
};

function collect(o: LinkedNopOptions): CaptureEvent[] {
  const out: CaptureEvent[] = [];
  for (const chunk of linkedNopEvents(o)) {
    out.push(...chunk);
  }
  return out;
}

function run(o: LinkedNopOptions): { events: CaptureEvent[]; a: Analysis } {
  const events = collect(o);
  return { events, a: analyze(events, linkedNopHeader(o, 'model'), HORIZON_NS) };
}

function kinds(events: readonly CaptureEvent[]): Partial<Record<EventKind, number>> {
  const n: Partial<Record<EventKind, number>> = {};
  for (const e of events) {
    n[e.kind] = (n[e.kind] ?? 0) + 1;
  }
  return n;
}

function tally(a: Analysis): { HELD: number; NOT_HELD: number; UNKNOWN: number } {
  const v = a.summary.rules[0]?.verdicts;
  assert.ok(v);
  return { ...v };
}

function reasons(a: Analysis): Set<string> {
  return new Set(verdicts(a).filter((v) => v.startsWith('UNKNOWN')));
}

describe('linked-NOP model: header', () => {
  it('describes a kprobe plan that covers every mutex path, with the kernel family and a model note', () => {
    for (const kernel of ['patched', 'unpatched'] as const) {
      const h = linkedNopHeader({ ...BASE, kernel }, 'lab-host');
      assert.equal(h.target.host, 'lab-host');
      assert.equal(h.target.kernelRelease, kernel === 'patched' ? '7.2.0-synthetic' : '6.1.0-synthetic');
      assert.equal(h.target.arch, 'x86_64');
      assert.equal(h.target.bpftraceVersion, '0.17.0');
      assert.equal(h.source, SYNTHETIC_SOURCE);
      assert.equal(h.grain, 'raw');
      assert.match(h.notes.join(' '), /not a real trace/);
      assert.equal(h.offsets.find((o) => o.member === 'io_kiocb.link')?.offset, kernel === 'patched' ? 200 : 184);
      assert.equal(h.offsets.find((o) => o.member === 'io_ring_ctx.uring_lock')?.offset, 64);
      for (const p of h.probes) {
        if (p.mechanism === 'kprobe' || p.mechanism === 'kretprobe') {
          assert.equal(p.missesCounted, true, `${p.mechanism}:${p.target}`);
        }
      }
      assert.deepEqual(h.probes.filter((p) => p.target === 'mutex_lock_nested').map((p) => p.status), ['absent', 'absent']);
      assert.ok(h.probes.some((p) => p.target === (kernel === 'patched' ? 'io_uring:io_uring_submit_req' : 'io_uring:io_uring_submit_sqe')));
      assert.equal(planCoverage(h).complete, true);
    }
    assert.ok(linkedNopHeader({ ...BASE, grain: 'summary' }, 'h').probes.some((p) => p.role === 'totals'));
  });

  it('refuses unusable options', () => {
    assert.deepEqual(checkLinkedNopOptions(BASE), []);
    const bad = { ...BASE, chains: -1, chainLength: 0, workers: 1.5, contentionRate: 2 };
    assert.equal(checkLinkedNopOptions(bad).length, 4);
    assert.throws(() => linkedNopEvents(bad).next(), RangeError);
  });
});

describe('linked-NOP model: verdicts through the analyzer', () => {
  it('patched kernel, raw: every walk HELD; walks and tails as the lab counts them', () => {
    const { a } = run(BASE);
    assert.deepEqual(tally(a), { HELD: 800 * 3, NOT_HELD: 0, UNKNOWN: 0 });
    assert.equal(a.summary.windows.walks, 800 * 3);
    assert.equal(a.summary.windows.chainTails, 800);
    assert.equal(a.summary.windows.exitsWithoutEntry, 0);
    assert.equal(a.summary.losses.lateEvents, 0);
    assert.equal(a.summary.rules[0]?.outcome, 'all_held');
    assert.ok(a.summary.timing.lock_hold.all.count > 0 && a.summary.timing.lock_wait.all.count > 0);
  });

  it('unpatched kernel, raw: every walk NOT_HELD', () => {
    const { a } = run({ ...BASE, kernel: 'unpatched' });
    assert.deepEqual(tally(a), { HELD: 0, NOT_HELD: 800 * 3, UNKNOWN: 0 });
    assert.equal(a.summary.windows.chainTails, 800);
    assert.equal(a.summary.rules[0]?.outcome, 'violation');
  });

  it('summary grain: the same verdicts, and the kernel totals reconcile exactly', () => {
    for (const kernel of ['patched', 'unpatched'] as const) {
      const { a } = run({ ...BASE, kernel, grain: 'summary' });
      const walks = 800 * 3;
      assert.deepEqual(tally(a), kernel === 'patched' ? { HELD: walks, NOT_HELD: 0, UNKNOWN: 0 } : { HELD: 0, NOT_HELD: walks, UNKNOWN: 0 });
      const r = a.summary.reconciliation;
      assert.equal(r.kernelWalks, walks);
      assert.equal(r.detailedWalks, walks);
      assert.equal(r.seenInDetail, 1);
      assert.equal(r.kernelWalksLockedInside, kernel === 'patched' ? walks : 0);
      for (const ring of a.summary.rings) {
        assert.deepEqual(
          ring.kernelTotals,
          { windows: ring.windows, walks: ring.walks, walksLockedInside: kernel === 'patched' ? ring.walks : 0, chainTails: ring.windows - ring.walks },
        );
      }
    }
  });

  it('other shapes: one worker for several rings, one CPU, chains of 1 and of 8', () => {
    const crowded = run({ ...BASE, chains: 300, chainLength: 3, rings: 3, workers: 2, cpus: 1, contentionRate: 1 });
    assert.deepEqual(tally(crowded.a), { HELD: 600, NOT_HELD: 0, UNKNOWN: 0 });
    const single = run({ ...BASE, chains: 200, chainLength: 1, rings: 1, workers: 1 });
    assert.deepEqual(tally(single.a), { HELD: 0, NOT_HELD: 0, UNKNOWN: 0 });
    assert.equal(single.a.summary.windows.chainTails, 200);
    const long = run({ ...BASE, kernel: 'unpatched', chains: 200, chainLength: 8, rings: 3, workers: 7, cpus: 8 });
    assert.deepEqual(tally(long.a), { HELD: 0, NOT_HELD: 200 * 7, UNKNOWN: 0 });
  });
});

describe('linked-NOP model: injected misses and losses', () => {
  it('probe misses make windows UNKNOWN, never wrong, and the counters account for every miss', () => {
    for (const kernel of ['patched', 'unpatched'] as const) {
      for (const grain of ['raw', 'summary'] as const) {
        const o = { ...BASE, kernel, grain, injectMisses: 3 };
        const { events, a } = run(o);
        const v = tally(a);
        assert.equal(kernel === 'patched' ? v.NOT_HELD : v.HELD, 0, `${kernel} ${grain}: a wrong verdict`);
        assert.ok(v.UNKNOWN > 0 && v.UNKNOWN < 2400, `${kernel} ${grain}: ${v.UNKNOWN} UNKNOWN`);
        assert.ok(reasons(a).has('UNKNOWN:probe_misses'));
        const last = new Map<number, number>();
        for (const e of events) {
          if (e.kind === 'probe_misses') {
            last.set(e.probe, e.missed);
          }
        }
        assert.equal([...last.values()].reduce((x, y) => x + y, 0), 3);
      }
    }
  });

  it('losses drop the events they announce: UNKNOWN lost_events, never wrong', () => {
    for (const kernel of ['patched', 'unpatched'] as const) {
      const clean = collect({ ...BASE, kernel });
      const { events, a } = run({ ...BASE, kernel, injectLoss: 2 });
      const v = tally(a);
      assert.equal(kernel === 'patched' ? v.NOT_HELD : v.HELD, 0, `${kernel}: a wrong verdict`);
      assert.ok(reasons(a).has('UNKNOWN:lost_events'));
      assert.ok(kernel === 'patched' ? v.HELD > 0 : v.NOT_HELD > 0);
      const notices = events.filter((e) => e.kind === 'lost');
      assert.ok(notices.length >= 1 && notices.every((e) => e.cpu === -1));
      assert.equal(clean.length - (events.length - notices.length), a.summary.losses.lostEvents);
    }
  });

  it('summary grain: losses drop records but the totals still count every window', () => {
    const { a } = run({ ...BASE, grain: 'summary', injectLoss: 2 });
    assert.equal(a.summary.reconciliation.kernelWalks, 2400);
    assert.ok(a.summary.reconciliation.detailedWalks < 2400);
    assert.equal(tally(a).NOT_HELD, 0);
  });
});

describe('linked-NOP model: the events themselves', () => {
  it('per chain: K submits, K-1 links, one queue_async; K windows; K-1 in-window lock rounds when patched', () => {
    const k = 4;
    const c = 800;
    const patched = collect(BASE);
    const n = kinds(patched);
    assert.equal(n.io_submit, c * k);
    assert.equal(n.io_link, c * (k - 1));
    assert.equal(n.io_queue_async, c);
    for (const kind of ['io_complete', 'window_enter', 'window_exit', 'req_free'] as const) {
      assert.equal(n[kind], c * k, kind);
    }
    const inWindow = patched.filter((e) => e.kind === 'lock_acquire' && e.snapshot.seen).length;
    const outside = patched.filter((e) => e.kind === 'lock_acquire' && !e.snapshot.seen).length;
    assert.equal(inWindow, c * (k - 1));
    assert.equal(outside, c);
    assert.equal(n.lock_acquired, c * k);
    assert.equal(n.lock_release, c * k);
    assert.equal(n.contention_begin, n.contention_end);

    const unpatched = kinds(collect({ ...BASE, kernel: 'unpatched' }));
    assert.equal(unpatched.lock_acquire, c);
    assert.equal(unpatched.window_enter, c * k);

    const summary = kinds(collect({ ...BASE, grain: 'summary' }));
    assert.equal(summary.window_summary, c * k);
    assert.equal(summary.window_enter, undefined);
    assert.equal(summary.lock_acquire, undefined);
    assert.equal(summary.io_submit, c * k);
    assert.ok((summary.totals ?? 0) > 2 * 2);
  });

  it('contention at about the requested rate, as mutex contention; the owner word names other holders', () => {
    const events = collect({ ...BASE, contentionRate: 0.1 });
    const acquires = events.filter((e) => e.kind === 'lock_acquire').length;
    const begins = events.filter((e) => e.kind === 'contention_begin');
    assert.ok(begins.length > 0.08 * acquires && begins.length <= 0.1 * acquires + 1, `${begins.length} of ${acquires}`);
    assert.ok(begins.every((e) => e.flags === 32));
    const entries = events.filter((e) => e.kind === 'window_enter');
    const owned = entries.filter((e) => e.owner !== 0);
    assert.ok(owned.length > 0);
    assert.ok(owned.every((e) => ownerTask(e.owner) !== e.task));
    assert.equal(collect({ ...BASE, contentionRate: 0 }).filter((e) => e.kind === 'contention_begin').length, 0);
  });

  it('recycles request addresses, never two live requests at one address', () => {
    const events = collect(BASE).sort((x, y) => x.ts - y.ts);
    const live = new Set<number>();
    const seen = new Set<number>();
    for (const e of events) {
      if (e.kind === 'io_submit') {
        assert.ok(!live.has(e.req), `address ${e.req} submitted while live at ${e.ts}`);
        live.add(e.req);
        seen.add(e.req);
      } else if (e.kind === 'req_free') {
        assert.ok(live.delete(e.req), `free of a request that is not live at ${e.ts}`);
      }
    }
    assert.equal(live.size, 0);
    assert.ok(seen.size < 800, `${seen.size} distinct addresses for ${800 * 4} requests`);
  });

  it('arrives out of order across CPUs, within a few ms; each task is consistent in time order', () => {
    const events = collect({ ...BASE, injectLoss: 1 });
    let newest = -Infinity;
    let worst = 0;
    for (const e of events) {
      worst = Math.max(worst, newest - e.ts);
      newest = Math.max(newest, e.ts);
    }
    assert.ok(worst > 0 && worst < 50_000_000, `worst lateness ${worst} ns`);
    const byTid = new Map<number, CaptureEvent[]>();
    for (const e of [...collect(BASE)].sort((x, y) => x.ts - y.ts)) {
      if (e.kind === 'window_enter' || e.kind === 'window_exit') {
        byTid.set(e.tid, [...(byTid.get(e.tid) ?? []), e]);
      }
    }
    assert.equal(byTid.size, 4);
    for (const list of byTid.values()) {
      list.forEach((e, i) => {
        assert.equal(e.kind, i % 2 === 0 ? 'window_enter' : 'window_exit');
      });
    }
  });

  it('opens and closes with markers and miss readings', () => {
    const events = collect({ ...BASE, chains: 50 });
    assert.deepEqual(events.slice(0, 1).map((e) => e.kind === 'marker' && e.marker), ['session_start']);
    const last = events[events.length - 1];
    assert.ok(last?.kind === 'marker' && last.marker === 'session_stop');
    const stop = events.find((e) => e.kind === 'marker' && e.marker === 'workload_stop');
    const finalReading = events.filter((e) => e.kind === 'probe_misses').reduce((m, e) => Math.max(m, e.ts), 0);
    const lastExit = events.filter((e) => e.kind === 'window_exit').reduce((m, e) => Math.max(m, e.ts), 0);
    assert.ok(stop !== undefined && stop.ts > lastExit && finalReading > stop.ts);
    assert.ok(events.some((e) => e.kind === 'probe_misses' && e.ts === 0));
  });

  it('is deterministic for a seed', () => {
    const o = { ...BASE, chains: 200, injectMisses: 2, injectLoss: 1 };
    assert.deepEqual(collect(o), collect(o));
    assert.notDeepEqual(collect(o), collect({ ...o, seed: 12 }));
  });

  it('streams: a long run yields its first chunks without simulating the rest', () => {
    let chunks = 0;
    let newest = 0;
    for (const chunk of linkedNopEvents({ ...BASE, chains: 200_000 })) {
      assert.ok(chunk.length > 0 && chunk.length <= 4096);
      newest = chunk.reduce((m, e) => Math.max(m, e.ts), newest);
      if (++chunks === 40) {
        break;
      }
    }
    assert.equal(chunks, 40);
    // 200,000 chains over 2 rings take about 0.5 s of simulated time; 40 chunks are the first few ms.
    assert.ok(newest < 50_000_000, `newest event at ${newest} ns after 40 chunks`);
  });
});
