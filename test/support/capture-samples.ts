/**
 * Sample captures for the capture tests.
 */
import { CaptureEncoder } from '../../main/core/capture/capture-encoder.js';
import type { CaptureEvent } from '../../main/core/capture/events.js';
import type { CaptureHeader } from '../../main/core/capture/header.js';
import type { DurationNs } from '../../main/core/util/time.js';
import { header, kaddr, t } from './fixtures.js';

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
  { kind: 'counted', ts: t(2 ** 50 + 1), cpu: -1, tid: 0, site: 'io_wq_put_work', ctx, onCpu: 1, shape: 'clear', windows: 2_000_100, counted: 2_000_000, lockedInside: 0, maxDuration: 12_345 as DurationNs, since: t(2 ** 50), first: t(-5) },
  { kind: 'counted', ts: t(2 ** 50 + 1), cpu: -1, tid: 0, site: 'io_wq_free_work', ctx: kaddr(0x11000), onCpu: 63, shape: 'other_tail', windows: 3, counted: 0, lockedInside: 1, maxDuration: 0 as DurationNs, since: t(2 ** 50 + 1), first: t(2 ** 50 + 1) },
  { kind: 'contention_counted', ts: t(2 ** 50 + 1), cpu: -1, tid: 0, ctx, lock, onCpu: 62, waits: 2 ** 40, counted: 2 ** 40 - 7, totalWait: (2 ** 52 + 3) as DurationNs, maxWait: 2 ** 33 as DurationNs, unpaired: 2 },
  { kind: 'lost', ts: t(2 ** 50 + 2), cpu: -1, tid: 0, count: 161_000, span: 1_000_000 as DurationNs },
  { kind: 'probe_misses', ts: t(2 ** 50 + 3), cpu: -1, tid: 0, probe: 2, missed: 17 },
  { kind: 'marker', ts: t(2 ** 50 + 4), cpu: -1, tid: 0, marker: 'note', text: 'ünïcode ✓' },
];

import { concatBytes } from '../../main/core/util/concat-bytes.js';

export { concatBytes };

/** A capture, and where each of its frames starts and ends (offsets in the file). */
export interface SampleCapture {
  readonly bytes: Uint8Array;
  /** [start, end) of the header frame, each batch frame in order, and the footer frame. */
  readonly headerFrame: readonly [number, number];
  readonly batchFrames: readonly (readonly [number, number])[];
  readonly footerFrame: readonly [number, number];
  /** Events in each batch, in order. */
  readonly batches: readonly (readonly CaptureEvent[])[];
}

/** Encodes a closed capture of `events`, cut into batches of `batchEvents`, and maps its frames. */
export function sampleCapture(events: readonly CaptureEvent[], batchEvents = 4, h: CaptureHeader = header()): SampleCapture {
  const enc = new CaptureEncoder(batchEvents);
  const start = enc.start(h);
  const batchParts = enc.append(events);
  const closing = enc.close('test');
  // close() frames the pending events (if any) before the footer.
  batchParts.push(...closing.slice(0, -1));
  const footer = closing[closing.length - 1] ?? new Uint8Array(0);
  const batchFrames: [number, number][] = [];
  let at = start.length;
  for (const p of batchParts) {
    batchFrames.push([at, at + p.length]);
    at += p.length;
  }
  const batches: CaptureEvent[][] = [];
  for (let i = 0; i < events.length; i += batchEvents) {
    batches.push(events.slice(i, i + batchEvents));
  }
  return {
    bytes: concatBytes([start, ...batchParts, footer]),
    headerFrame: [8, start.length],
    batchFrames,
    footerFrame: [at, at + footer.length],
    batches,
  };
}

/** The same as capture-roundtrip.test.ts's helper: a whole closed capture as one byte array. */
export function encodeCapture(events: readonly CaptureEvent[], batchEvents = 4): Uint8Array {
  return sampleCapture(events, batchEvents).bytes;
}
