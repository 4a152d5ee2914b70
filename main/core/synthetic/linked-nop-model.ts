/**
 * A deterministic model of what Lockscope's probes record for the linked-NOP workload: chains of
 * `IOSQE_IO_LINK|IOSQE_ASYNC` NOPs run by io-wq workers (../shared/KERNEL-NOTES.md, "Where the
 * walk happens"; lab numbers: per chain of K, K submits, K-1 links, 1 queue_async_work; K-1
 * walks and one tail).
 *
 * Per ring, a submitter thread takes ctx->uring_lock in io_uring_enter, submits one chain
 * (io_submit per request, io_link for requests 2..K behind the previous one) and queues its head
 * to io-wq (io_queue_async). A worker runs the chain request by request: io_complete, then the
 * io_wq_free_work window. On a patched (7.1+) kernel, a linked request's window takes uring_lock
 * around the walk (lock_acquire and lock_acquired snapshot req->link, lock_release snapshots
 * NULL); on an unpatched (6.1) kernel the window has no lock operation. Either way the window
 * returns the next request and frees its own (req_free); a tail returns NULL without the lock.
 * Grain `summary` replaces each window's entry, lock operations and return with one
 * window_summary and adds exact per-ring totals.
 *
 * The lock is simulated: holds never overlap, a window's owner word names whoever holds the lock
 * at its entry, and acquisitions that find it busy wait (contention_begin/end) at about the
 * requested rate. Request addresses are recycled per ring. Events arrive as per-CPU perf
 * buffers deliver them (perf-delivery.ts); probe misses and losses can be injected, always
 * consistent with the data. Everything is drawn from the seed: same options, same events.
 *
 * Streaming: the simulation runs only as far as the consumer pulls chunks; memory is bounded by
 * the chains in flight and one delivery slice, never by the length of the run.
 */
import type { CaptureEvent } from '../capture/events.js';
import type { DurationNs, RelNs } from '../util/time.js';
import type { LinkedNopOptions } from './linked-nop-options.js';
import { resolveOptions } from './linked-nop-options.js';
import { LinkedNopSimulation } from './linked-nop-simulation.js';

export { checkLinkedNopOptions } from './linked-nop-options.js';
export type { KernelFamily, LinkedNopOptions } from './linked-nop-options.js';
export { linkedNopHeader, SYNTHETIC_SOURCE } from './linked-nop-header.js';

/**
 * The capture events of a linked-NOP run, in arrival order, in chunks of at most 4096 events.
 * Pair them with `linkedNopHeader(o, host)`. Throws RangeError on options that
 * `checkLinkedNopOptions` refuses (when the first chunk is asked for).
 */
export function* linkedNopEvents(o: LinkedNopOptions): Generator<CaptureEvent[], void, undefined> {
  const r = resolveOptions(o);
  const k = r.timeScale;
  const sim = new LinkedNopSimulation({ ...r, missEveryNs: Math.round(r.missEveryNs / k) });
  while (!sim.done) {
    sim.advance();
    for (const chunk of sim.takeChunks()) {
      yield k === 1 ? chunk : chunk.map((e) => stretch(e, k));
    }
  }
}

/** The event with every time multiplied by k. */
function stretch(e: CaptureEvent, k: number): CaptureEvent {
  const ts = (e.ts * k) as RelNs;
  switch (e.kind) {
    case 'window_summary':
      return { ...e, ts, duration: (e.duration * k) as DurationNs, ops: e.ops.map((op) => ({ ...op, ts: (op.ts * k) as RelNs })) };
    case 'lost':
      return { ...e, ts, span: (e.span * k) as DurationNs };
    default:
      return { ...e, ts };
  }
}
