/**
 * Where things sit in the linked-NOP model: kernel addresses of rings, locks, requests and
 * tasks, thread ids, flag bits, and the time each step takes. All addresses are Addr values
 * with bias 0 (x86-64 direct map, 0xffff888000000000 + offset), multiples of 8.
 */
import type { Addr } from '../util/addr.js';

/** 0xffff888000000000 read as a signed 64-bit number. */
const DIRECT_MAP = -0x777800000000;

export function kaddr(offset: number): Addr {
  return (DIRECT_MAP + offset) as Addr;
}

/** io_ring_ctx of ring `r` (kmalloc'd, 16 KiB apart). */
export function ctxAddr(r: number): Addr {
  return kaddr(0x1_8000_0000 + r * 0x4000);
}

/** &ctx->uring_lock: offset 64 in io_ring_ctx on both modelled kernels. */
export const URING_LOCK_OFFSET = 64;

/** First byte of ring `r`'s request slab region (16 MiB each). */
export function reqRegion(r: number): number {
  return kaddr(0x10_0000_0000 + r * 0x100_0000);
}

/** task_struct of task number `i` (submitters first, then workers); 9728 bytes apart. */
export function taskAddr(i: number): Addr {
  return kaddr(0x1_0000_0000 + i * 0x2600);
}

/** Submitter of ring r: tid 4200 + r; io-wq worker w ("iou-wrk-…"): tid 9000 + w. */
export const submitterTid = (r: number): number => 4200 + r;
export const workerTid = (w: number): number => 9000 + w;

/** SQE flags (and the REQ_F_* bits that mirror them in req->flags). */
export const IOSQE_IO_LINK = 1 << 2;
export const IOSQE_ASYNC = 1 << 4;
export const IORING_OP_NOP = 0;
/** lock:contention_begin flags: LCB_F_MUTEX. */
export const LCB_F_MUTEX = 32;

/** Chains a ring keeps in flight before its submitter waits for completions (SQ of 32 / 4). */
export const QUEUE_DEPTH = 8;

/** Durations of each step, ns, as [min, max] (uniform). Realistic orders of magnitude on real hardware. */
export const STEP_NS = {
  /** First submission of each ring after workload start (stagger). */
  firstSubmit: [2_000, 5_000],
  /** Submitter: user space + syscall entry between io_uring_enter calls. */
  submitGap: [1_000, 5_000],
  /** Submitter woken by a completion after waiting for one. */
  submitterWake: [1_000, 3_000],
  /** Submitter inside io_submit_sqes: per request, link tracepoint, queueing, unlock. */
  submitOne: [100, 220],
  linkAfterSubmit: [15, 50],
  queueAsync: [40, 120],
  releaseAfterQueue: [40, 120],
  /** Idle io-wq worker woken by queued work. */
  workerWake: [800, 3_000],
  /** Worker back to its queue after finishing a chain. */
  workerNext: [100, 300],
  /** Running one NOP (io_issue_sqe to io_uring_complete). */
  exec: [300, 900],
  /** io_uring_complete to io_wq_free_work entry. */
  completeToEnter: [80, 250],
  /** Window entry to mutex_lock (ref drop, flag test). */
  enterToLock: [100, 300],
  /** Uncontended mutex_lock fast path. */
  lockFast: [25, 70],
  /** Contended: contention_begin after the call, contention_end after the release, return after that. */
  contendBegin: [30, 80],
  contendEnd: [10, 40],
  contendReturn: [10, 30],
  /** Retry after the lock was found busy and the model chose not to wait (the task did other work first). */
  retryAfterRelease: [20, 200],
  /** uring_lock held by the walker (io_req_find_next and the probes' own cost). */
  walkHold: [200, 800],
  /** Unlock to io_free_req, io_free_req to return. */
  unlockToFree: [60, 200],
  freeToExit: [150, 500],
  /** Windows without the lock: entry to io_free_req (the walk, if any, inside), then return. */
  enterToFreeUnlocked: [400, 1_200],
  freeToExitUnlocked: [300, 900],
} as const satisfies Record<string, readonly [number, number]>;

export type Step = keyof typeof STEP_NS;

/** Chance that a worker moves to another CPU when it starts a chain, or between two requests. */
export const MIGRATE_AT_CHAIN = 0.02;
export const MIGRATE_IN_CHAIN = 0.003;
export const MIGRATE_SUBMITTER = 0.002;

/** Delivery: a per-CPU buffer slice of this many ns, and chunks of about this many events. */
export const SLICE_NS = 1_000_000;
export const CHUNK_EVENTS = 4096;
