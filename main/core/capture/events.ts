/**
 * Capture events: what the probes on a target report, as a discriminated union on `kind`.
 *
 * Two grains exist because per-probe-hit output is lossy at real rates:
 * - raw events, one per probe hit (window entry/exit, lock operations, contention, lifecycle);
 * - a summary per walk window computed in the kernel (`window_summary`), plus exact totals
 *   counted in BPF maps (`totals`).
 * Losses (`lost`), probe-miss counters (`probe_misses`) and `marker`s complete the record.
 *
 * Times are nanoseconds relative to the capture header's base (see util/time.ts); addresses are
 * exact numbers relative to the header's bias (see util/addr.ts).
 */
import type { Addr } from '../util/addr.js';
import type { DurationNs, RelNs } from '../util/time.js';

/** Where a link walk can be observed: the function whose entry/return bound the window. */
export const WALK_SITES = ['io_wq_free_work', 'io_wq_put_work', 'io_req_find_next'] as const;
export type WalkSite = (typeof WALK_SITES)[number];

/**
 * Mutex entry points. `trylock` and the interruptible forms can fail (`lock_acquired.ok`). The
 * `_nested` forms replace the plain ones on CONFIG_DEBUG_LOCK_ALLOC builds. New names are
 * appended: the capture stores the index.
 */
export const LOCK_APIS = [
  'mutex_lock',
  'mutex_lock_nested',
  'mutex_lock_interruptible',
  'mutex_lock_killable',
  'mutex_trylock',
  'mutex_lock_interruptible_nested',
  'mutex_lock_killable_nested',
  'mutex_lock_io',
  'mutex_lock_io_nested',
] as const;
export type LockApi = (typeof LOCK_APIS)[number];

export const MARKERS = ['session_start', 'session_stop', 'workload_start', 'workload_stop', 'note'] as const;
export type MarkerKind = (typeof MARKERS)[number];

/** Held state of the window's lock by the walking task at entry, as the probe judged it. */
export const HELD_AT_ENTRY = ['unknown', 'held', 'not_held'] as const;
export type HeldAtEntry = (typeof HELD_AT_ENTRY)[number];

/** Lock operation inside a summarized window, with the `req->link` snapshot taken at that moment. */
export const WINDOW_OPS = ['acquire', 'acquired', 'acquire_failed', 'release'] as const;
export type WindowOpKind = (typeof WINDOW_OPS)[number];

interface EventBase {
  readonly ts: RelNs;
  readonly cpu: number;
  readonly tid: number;
}

/** Entry of a walk window: `req` is container_of(work); `lock` is &req->ctx->uring_lock. */
export interface WindowEnterEvent extends EventBase {
  readonly kind: 'window_enter';
  readonly site: WalkSite;
  readonly task: Addr;
  readonly req: Addr;
  readonly ctx: Addr;
  readonly lock: Addr;
  readonly flags: number;
  readonly link: Addr;
  /** `lock->owner` word at entry (task pointer | 3 flag bits); 0 when the mutex was free. */
  readonly owner: Addr;
}

/** Return of a walk window: `next` is the request derived from the return value or `*linked`. */
export interface WindowExitEvent extends EventBase {
  readonly kind: 'window_exit';
  readonly site: WalkSite;
  readonly req: Addr;
  readonly next: Addr;
}

/** A link snapshot is present only when the lock event happened inside a tracked window. */
export type LinkSnapshot = { readonly seen: false } | { readonly seen: true; readonly link: Addr };

export interface LockAcquireEvent extends EventBase {
  readonly kind: 'lock_acquire';
  readonly api: LockApi;
  readonly lock: Addr;
  readonly snapshot: LinkSnapshot;
}

export interface LockAcquiredEvent extends EventBase {
  readonly kind: 'lock_acquired';
  readonly api: LockApi;
  readonly lock: Addr;
  /** false: trylock returned 0, or an interruptible/killable lock returned an error. */
  readonly ok: boolean;
  readonly snapshot: LinkSnapshot;
}

export interface LockReleaseEvent extends EventBase {
  readonly kind: 'lock_release';
  readonly lock: Addr;
  readonly snapshot: LinkSnapshot;
}

export interface ContentionBeginEvent extends EventBase {
  readonly kind: 'contention_begin';
  readonly lock: Addr;
  /** lock:contention_begin flags; 32 (LCB_F_MUTEX) marks a mutex. */
  readonly flags: number;
}

export interface ContentionEndEvent extends EventBase {
  readonly kind: 'contention_end';
  readonly lock: Addr;
  readonly ret: number;
}

export interface IoSubmitEvent extends EventBase {
  readonly kind: 'io_submit';
  readonly ctx: Addr;
  readonly req: Addr;
  readonly opcode: number;
  readonly flags: number;
}

/** io_uring:io_uring_link: `req` was linked behind `target` (the chain's previous request). */
export interface IoLinkEvent extends EventBase {
  readonly kind: 'io_link';
  readonly ctx: Addr;
  readonly req: Addr;
  readonly target: Addr;
}

export interface IoQueueAsyncEvent extends EventBase {
  readonly kind: 'io_queue_async';
  readonly ctx: Addr;
  readonly req: Addr;
  readonly opcode: number;
}

export interface IoCompleteEvent extends EventBase {
  readonly kind: 'io_complete';
  readonly ctx: Addr;
  readonly req: Addr;
  readonly res: number;
}

export interface IoFailLinkEvent extends EventBase {
  readonly kind: 'io_fail_link';
  readonly ctx: Addr;
  readonly req: Addr;
  readonly link: Addr;
}

/** The request's memory went back to a cache or the slab: its identity ends here. */
export interface ReqFreeEvent extends EventBase {
  readonly kind: 'req_free';
  readonly req: Addr;
}

export interface WindowOp {
  readonly op: WindowOpKind;
  readonly ts: RelNs;
  readonly api: LockApi;
  /** `req->link` when the operation happened. */
  readonly link: Addr;
}

/** One walk window summarized in the kernel: entry facts, return, and the walker's lock ops. */
export interface WindowSummaryEvent extends EventBase {
  readonly kind: 'window_summary';
  readonly site: WalkSite;
  readonly duration: DurationNs;
  readonly task: Addr;
  readonly req: Addr;
  readonly ctx: Addr;
  readonly lock: Addr;
  readonly flags: number;
  readonly link: Addr;
  readonly owner: Addr;
  readonly heldAtEntry: HeldAtEntry;
  readonly next: Addr;
  /** Operations on `lock` by the walking task inside the window, in time order. */
  readonly ops: readonly WindowOp[];
  /** The kernel ran out of room for ops in this window: the list is incomplete. */
  readonly opsOverflow: boolean;
}

/** Exact counts kept in BPF maps for one ring, cumulative since the session started. */
export interface TotalsEvent extends EventBase {
  readonly kind: 'totals';
  readonly ctx: Addr;
  readonly windows: number;
  readonly walks: number;
  readonly walksLockedInside: number;
  readonly chainTails: number;
}

/**
 * The shapes the kernel sorts windows into (the capture stores the index; the kernel prints it).
 * `held`: a walk with the lock held at entry and no operation on it; `inside`: a walk not held at
 * entry with exactly acquire, acquired (req->link as at entry) and release (req->link cleared);
 * `clear`: a walk not held at entry with no operation on the lock; `tail`: a chain tail (no link,
 * no next request) with no operation or the routine one; `other_walk` and `other_tail`: any other
 * window that returned a next request, or none. Only the first four are ever counted without a
 * record: the analysis gives each a verdict from the shape alone (analysis/counted-walks.ts).
 */
export const COUNTED_SHAPES = ['other_walk', 'held', 'inside', 'clear', 'tail', 'other_tail'] as const;
export type CountedShape = (typeof COUNTED_SHAPES)[number];

/**
 * The kernel's counters for one ring, one CPU (where the windows returned) and one shape,
 * cumulative since the session started. The program records a bounded sample of the routine
 * windows in full; the rest only add to `counted`.
 */
export interface CountedEvent extends EventBase {
  readonly kind: 'counted';
  readonly site: WalkSite;
  readonly ctx: Addr;
  readonly onCpu: number;
  readonly shape: CountedShape;
  /** Windows of this shape, recorded or not. */
  readonly windows: number;
  /** Of those, counted without a record. */
  readonly counted: number;
  /** Of those, walks with the lock taken inside the window around the walk. */
  readonly lockedInside: number;
  /** The longest counted window so far (entry to when it was counted). */
  readonly maxDuration: DurationNs;
  /**
   * When the kernel read these counters (between `since` and `ts`): a window counted after
   * `since` may be in these numbers or only in the next line's.
   */
  readonly since: RelNs;
  /** The earliest entry of a counted window so far (`ts` when none). */
  readonly first: RelNs;
}

/**
 * The kernel's contention counters for one ring's uring_lock on one CPU (where the waits ended),
 * cumulative since the session started. A wait runs from the first lock:contention_begin of a
 * task on the lock (a mutex spins, then sleeps: two begins, or more after a wake-up) to its
 * contention_end. The program records a bounded sample of the waits as contention_begin/end
 * pairs; these counters hold every wait.
 */
export interface ContentionCountedEvent extends EventBase {
  readonly kind: 'contention_counted';
  readonly ctx: Addr;
  readonly lock: Addr;
  readonly onCpu: number;
  /** Waits that ended on this CPU, recorded or not. */
  readonly waits: number;
  /** Of those, counted without a record. */
  readonly counted: number;
  /** The sum of every wait (ns). */
  readonly totalWait: DurationNs;
  /** The longest wait. */
  readonly maxWait: DurationNs;
  /** contention_end with no begin seen (the task began waiting before the lock was tracked). */
  readonly unpaired: number;
}

/**
 * Events the transport dropped. They happened somewhere in [ts, ts + span] (the producer's
 * bound); `cpu` is -1 when the CPU is not known.
 */
export interface LostEvent extends EventBase {
  readonly kind: 'lost';
  readonly count: number;
  readonly span: DurationNs;
}

/** A probe's cumulative miss counter (kprobe nmissed, BPF recursion_misses) read at `ts`. */
export interface ProbeMissesEvent extends EventBase {
  readonly kind: 'probe_misses';
  /** Index into the header's probe list. */
  readonly probe: number;
  readonly missed: number;
}

export interface MarkerEvent extends EventBase {
  readonly kind: 'marker';
  readonly marker: MarkerKind;
  readonly text: string;
}

export type CaptureEvent =
  | WindowEnterEvent
  | WindowExitEvent
  | LockAcquireEvent
  | LockAcquiredEvent
  | LockReleaseEvent
  | ContentionBeginEvent
  | ContentionEndEvent
  | IoSubmitEvent
  | IoLinkEvent
  | IoQueueAsyncEvent
  | IoCompleteEvent
  | IoFailLinkEvent
  | ReqFreeEvent
  | WindowSummaryEvent
  | TotalsEvent
  | CountedEvent
  | ContentionCountedEvent
  | LostEvent
  | ProbeMissesEvent
  | MarkerEvent;

export type EventKind = CaptureEvent['kind'];
