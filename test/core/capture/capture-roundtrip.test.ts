import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CaptureDecoder } from '../../../main/core/capture/capture-decoder.js';
import { CaptureEncoder } from '../../../main/core/capture/capture-encoder.js';
import type { CaptureEvent } from '../../../main/core/capture/events.js';
import type { DurationNs } from '../../../main/core/util/time.js';
import { header, kaddr, t } from '../../support/fixtures.js';

const ctx = kaddr(0x10000);
const lock = kaddr(0x10040);
const reqA = kaddr(0x20000);
const reqB = kaddr(0x20100);
const task = kaddr(0x90000);

/** One event of every kind, with extreme values where a field allows them. */
export const EVERY_KIND: readonly CaptureEvent[] = [
  { kind: 'marker', ts: t(0), cpu: 0, tid: 0, marker: 'session_start', text: 'lockscope 0.1.0' },
  { kind: 'io_submit', ts: t(10), cpu: 1, tid: 4242, ctx, req: reqA, opcode: 0, flags: 4 },
  { kind: 'io_link', ts: t(11), cpu: 1, tid: 4242, ctx, req: reqB, target: reqA },
  { kind: 'io_queue_async', ts: t(12), cpu: 1, tid: 4242, ctx, req: reqA, opcode: 0 },
  { kind: 'window_enter', ts: t(100), cpu: 0, tid: 4250, site: 'io_wq_free_work', task, req: reqA, ctx, lock, flags: 2 ** 40 + 4, link: reqB, owner: kaddr(0x90000 + 1) },
  { kind: 'lock_acquire', ts: t(110), cpu: 0, tid: 4250, api: 'mutex_lock', lock, snapshot: { seen: true, link: reqB } },
  { kind: 'contention_begin', ts: t(111), cpu: 0, tid: 4250, lock, flags: 32 },
  { kind: 'contention_end', ts: t(115), cpu: 0, tid: 4250, lock, ret: -4 },
  { kind: 'lock_acquired', ts: t(120), cpu: 0, tid: 4250, api: 'mutex_lock', lock, ok: true, snapshot: { seen: true, link: reqB } },
  { kind: 'lock_release', ts: t(130), cpu: 0, tid: 4250, lock, snapshot: { seen: false } },
  { kind: 'window_exit', ts: t(140), cpu: 0, tid: 4250, site: 'io_wq_free_work', req: reqA, next: reqB },
  { kind: 'io_complete', ts: t(90), cpu: 1, tid: 4242, ctx, req: reqA, res: -125 },
  { kind: 'io_fail_link', ts: t(91), cpu: 1, tid: 4242, ctx, req: reqA, link: reqB },
  { kind: 'req_free', ts: t(141), cpu: 0, tid: 4250, req: reqA },
  {
    kind: 'window_summary', ts: t(2 ** 50), cpu: 255, tid: 4_194_304, site: 'io_wq_put_work', duration: 5000 as DurationNs,
    task, req: reqB, ctx, lock, flags: 0, link: kaddr(0x20200), owner: kaddr(0), heldAtEntry: 'not_held', next: kaddr(0x20200),
    ops: [
      { op: 'acquire', api: 'mutex_lock', ts: t(2 ** 50 + 10), link: kaddr(0x20200) },
      { op: 'acquired', api: 'mutex_lock', ts: t(2 ** 50 + 20), link: kaddr(0x20200) },
      { op: 'release', api: 'mutex_lock', ts: t(2 ** 50 + 40), link: kaddr(0) },
    ],
    opsOverflow: false,
  },
  { kind: 'totals', ts: t(2 ** 50 + 1), cpu: -1, tid: 0, ctx, windows: 4, walks: 3, walksLockedInside: 3, chainTails: 1 },
  { kind: 'lost', ts: t(2 ** 50 + 2), cpu: -1, tid: 0, count: 161_000, span: 1_000_000 as DurationNs },
  { kind: 'probe_misses', ts: t(2 ** 50 + 3), cpu: -1, tid: 0, probe: 2, missed: 17 },
  { kind: 'marker', ts: t(2 ** 50 + 4), cpu: -1, tid: 0, marker: 'note', text: 'ünïcode ✓' },
];

function decodeAll(bytes: Uint8Array): { events: CaptureEvent[]; decoder: CaptureDecoder } {
  const decoder = new CaptureDecoder();
  const events: CaptureEvent[] = [];
  for (const item of decoder.push(bytes)) {
    if (item.type === 'events') {
      events.push(...item.events);
    }
  }
  return { events, decoder };
}

export function encodeCapture(events: readonly CaptureEvent[], batchEvents = 4): Uint8Array {
  const enc = new CaptureEncoder(batchEvents);
  const parts = [enc.start(header()), ...enc.append(events), ...enc.close('test')];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('capture encode/decode', () => {
  it('round-trips one event of every kind across batch boundaries', () => {
    for (const batch of [1, 3, 4, 1000]) {
      const { events, decoder } = decodeAll(encodeCapture(EVERY_KIND, batch));
      assert.deepEqual(events, EVERY_KIND);
      const end = decoder.finish();
      assert.equal(end.error, undefined);
      assert.equal(end.complete, true);
      assert.equal(end.droppedBytes, 0);
    }
  });

  it('round-trips the header, bigint fields exact', () => {
    const decoder = new CaptureDecoder();
    const items = decoder.push(encodeCapture(EVERY_KIND));
    const first = items[0];
    assert.ok(first !== undefined && first.type === 'header');
    assert.deepEqual(first.header, header());
  });
});
