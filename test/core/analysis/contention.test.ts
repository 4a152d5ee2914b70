/**
 * Contended waits: one wait from a task's first contention_begin to its contention_end (a mutex
 * spins, then sleeps: two begins or more, one end), sampled pairs whose begin arrives late, and
 * the kernel's exact counters (contention_counted) summed per ring and CPU.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countedContention } from '../../../main/core/analysis/counted-contention.js';
import type { CaptureEvent, ContentionCountedEvent } from '../../../main/core/capture/events.js';
import { formatSummary } from '../../../main/core/report/format-summary.js';
import type { Addr } from '../../../main/core/util/addr.js';
import type { DurationNs } from '../../../main/core/util/time.js';
import { header, t } from '../../support/fixtures.js';
import { CTX, CTX2, LOCK, LOCK2, analyze, req, summaryWindow } from '../../support/scenario.js';

const NULL = 0 as Addr;

const begin = (at: number, tid: number, flags = 0x21, lock = LOCK): CaptureEvent => ({ kind: 'contention_begin', ts: t(at), cpu: 0, tid, lock, flags });
const end = (at: number, tid: number, lock = LOCK): CaptureEvent => ({ kind: 'contention_end', ts: t(at), cpu: 0, tid, lock, ret: 0 });

function line(at: number, c: Partial<Omit<ContentionCountedEvent, 'kind' | 'ts'>>): ContentionCountedEvent {
  return {
    kind: 'contention_counted', ts: t(at), cpu: -1, tid: 0, ctx: c.ctx ?? CTX, lock: c.lock ?? LOCK, onCpu: c.onCpu ?? 0, waits: c.waits ?? 0, counted: c.counted ?? 0,
    totalWait: c.totalWait ?? (0 as DurationNs), maxWait: c.maxWait ?? (0 as DurationNs), unpaired: c.unpaired ?? 0,
  };
}

/** A window that tells the analysis whose lock LOCK is (the contention stats are per ring). */
const ringWindow = (at: number): CaptureEvent =>
  summaryWindow({ at, req: req(1), link: req(2), next: req(2), held: 'not_held', ops: [[10, 'acquire', req(2)], [20, 'acquired', req(2)], [30, 'release', NULL]] });

describe('contended waits', () => {
  it('a spin begin, a sleep begin and one end are one wait, from the first begin', () => {
    const a = analyze([ringWindow(0), begin(1000, 7, 0x21), begin(3000, 7, 0x20), end(9000, 7), begin(20_000, 7, 0x21), end(20_500, 7)], header({ grain: 'summary' }));
    const c = a.summary.timing.contention.all;
    assert.equal(c.count, 2);
    assert.equal(c.max, 8000, 'from the spin begin at 1000, not the sleep begin at 3000');
    assert.equal(c.min, 500);
  });

  it('a begin that arrives after its own end does not stretch the next wait', () => {
    // The end at 5000 is released (horizon 1 µs passed) before the begin at 4000 arrives.
    const a = analyze([ringWindow(0), end(5000, 7), begin(20_000, 7), begin(4000, 7), begin(30_000, 7, 0x21), end(31_000, 7)], header({ grain: 'summary' }), 1000);
    const c = a.summary.timing.contention.all;
    assert.deepEqual([c.count, c.max], [1, 11_000], 'the wait runs from 20,000 (its first begin), not from the stale 4,000');
    // Nor does an end with only that stale begin pending make a wait of it.
    const b = analyze([ringWindow(0), end(5000, 7), begin(20_000, 8), end(20_500, 8), begin(4000, 7), end(30_000, 7)], header({ grain: 'summary' }), 1000);
    assert.deepEqual([b.summary.timing.contention.all.count, b.summary.timing.contention.all.max], [1, 500]);
  });

  it("a sampled wait longer than the horizon: its begin is printed with its end, arrives late, and still pairs", () => {
    // Task 8's wait releases everything up to 99,000; task 9's begin (1,000) then arrives late.
    const a = analyze([ringWindow(0), begin(60_000, 8), end(100_000, 8), begin(1000, 9), end(100_001, 9)], header({ grain: 'summary' }), 1000);
    assert.equal(a.summary.losses.lateEvents, 0, 'by design, not a loss: not counted as a late event');
    const c = a.summary.timing.contention.all;
    assert.deepEqual([c.count, c.max], [2, 99_001]);
  });

  it('lost events: a pending begin whose end may be lost does not start the next wait', () => {
    const lost: CaptureEvent = { kind: 'lost', ts: t(5000), cpu: -1, tid: 0, count: 3, span: 100 as DurationNs };
    const a = analyze([ringWindow(0), begin(1000, 7), lost, begin(20_000, 7), end(21_000, 7)], header({ grain: 'summary' }));
    assert.deepEqual([a.summary.timing.contention.all.count, a.summary.timing.contention.all.max], [1, 1000]);
  });

  it("the kernel's counters: the latest line of each lock and CPU, summed; per ring", () => {
    const lines = [
      line(1_000, { onCpu: 0, waits: 10, counted: 9, totalWait: 1000 as DurationNs, maxWait: 300 as DurationNs }),
      line(2_000, { onCpu: 0, waits: 30, counted: 28, totalWait: 3000 as DurationNs, maxWait: 400 as DurationNs, unpaired: 1 }),
      line(2_000, { onCpu: 1, waits: 10, counted: 9, totalWait: 2000 as DurationNs, maxWait: 900 as DurationNs }),
      line(2_000, { ctx: CTX2, lock: LOCK2, onCpu: 1, waits: 4, counted: 3, totalWait: 40 as DurationNs, maxWait: 20 as DurationNs }),
    ];
    const c = countedContention(lines);
    assert.ok(c !== undefined);
    assert.deepEqual(c.all, { waits: 44, recorded: 4, totalNs: 5040, meanNs: 115, maxNs: 900, unpaired: 1 });
    assert.deepEqual(c.byRing.get(CTX), { waits: 40, recorded: 3, totalNs: 5000, meanNs: 125, maxNs: 900, unpaired: 1 });
    assert.equal(countedContention([]), undefined);
  });

  it('analyze: the counters in the summary, and a line under the sampled statistics saying which is which', () => {
    const a = analyze(
      [ringWindow(0), begin(1000, 7), end(1500, 7), line(2_000_000, { waits: 3, counted: 2, totalWait: 1500 as DurationNs, maxWait: 900 as DurationNs, unpaired: 1 })],
      header({ grain: 'summary' }),
    );
    assert.deepEqual(a.summary.contentionCounted?.all, { waits: 3, recorded: 1, totalNs: 1500, meanNs: 500, maxNs: 900, unpaired: 1 });
    assert.equal(a.summary.timing.contention.all.count, 1, 'the statistics hold the recorded wait only');
    const text = formatSummary(a.summary, { file: 'x.lscap', fileNotes: [] });
    assert.match(text, /counted in the kernel: 3 waits, mean 500 ns, longest 900 ns, 1\.50 µs in all; the kernel printed 1 of them in full, the sample above; 1 more ended with no begin seen/);
    const none = analyze([ringWindow(0), begin(1000, 7), end(1500, 7)], header({ grain: 'summary' }));
    assert.equal(none.summary.contentionCounted, undefined, 'a capture without the lines has no such field');
    assert.doesNotMatch(formatSummary(none.summary, { file: 'x.lscap', fileNotes: [] }), /counted in the kernel: \d+ waits/);
  });
});
