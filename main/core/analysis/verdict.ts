/**
 * A verdict for one observed link walk, with the evidence that decides it.
 *
 * HELD and NOT_HELD are claims a maintainer may sign; each carries the proof it rests on.
 * UNKNOWN carries the reason nothing could be proven. A wrong verdict either way is the worst bug
 * this tool can have, so every path that cannot prove its claim ends in UNKNOWN.
 */
import type { LockApi, WalkSite, WindowOpKind } from '../capture/events.js';
import type { Addr } from '../util/addr.js';
import type { RelNs } from '../util/time.js';

export type LockState = 'held' | 'not_held' | 'unknown';

/** How the walk itself was established. */
export type WalkProof =
  /** The window returned the request that `req->link` held at entry. */
  | 'return_matches_link'
  /** `req->link` snapshots went from the next request to NULL inside the window. */
  | 'link_cleared_in_window';

/** How the lock state at the walk was established. */
export type LockProof =
  /** Probed at the walk itself (io_req_find_next): the mutex owner word named (or did not name) the walker. */
  | 'owner_at_walk'
  /** Between the last snapshot still showing the link and the first showing NULL, the walker held (or did not hold) the lock throughout. */
  | 'span_between_snapshots';

export type UnknownReason =
  | 'lost_events'
  | 'late_events'
  | 'probe_misses'
  | 'no_miss_reading'
  | 'misses_not_counted'
  | 'probe_unavailable'
  | 'window_before_capture'
  | 'window_open_at_end'
  | 'return_missing'
  | 'walk_unconfirmed'
  | 'conflicting_evidence'
  | 'ops_overflow'
  | 'owner_unusable'
  | 'state_unknown'
  | 'lock_not_traced';

export const UNKNOWN_REASON_TEXT: { readonly [R in UnknownReason]: string } = {
  lost_events: 'events were lost while the window was open',
  late_events: 'an event arrived later than the reorder horizon inside the window',
  probe_misses: 'a probe the proof needs missed hits while the window was open',
  no_miss_reading: 'no probe-miss reading on one side of the window (before it opened, or after it closed)',
  misses_not_counted: 'misses of a probe the proof needs are not counted on this target',
  probe_unavailable: 'a probe the proof needs was not attached',
  window_before_capture: 'the window began before the capture',
  window_open_at_end: 'the window was still open when the capture ended',
  return_missing: "the window's return was never seen (a missed return probe or lost events)",
  walk_unconfirmed: 'req->link was set at entry but the walk could not be confirmed',
  conflicting_evidence: 'the evidence contradicts itself',
  ops_overflow: "the kernel ran out of room for the window's lock operations",
  owner_unusable: 'the mutex owner word cannot be read on this kernel',
  state_unknown: 'the lock state at the walk is not known',
  lock_not_traced: 'the rule names a lock this capture did not trace',
};

/** One fact the verdict rests on, in time order. */
export type Evidence =
  | {
      readonly type: 'entry';
      readonly ts: RelNs;
      readonly site: WalkSite;
      readonly link: Addr;
      readonly owner: Addr;
      readonly task: Addr;
      readonly state: LockState;
      /** How `state` was judged: the owner word (owner & ~7 == task), the kernel's judgement, or earlier lock events. */
      readonly basis: string;
    }
  | {
      readonly type: 'lock_op';
      readonly ts: RelNs;
      readonly op: WindowOpKind;
      readonly api: LockApi;
      readonly lock: Addr;
      /** `req->link` at that moment; undefined when not snapshotted. */
      readonly link: Addr | undefined;
    }
  | { readonly type: 'exit'; readonly ts: RelNs; readonly next: Addr }
  | {
      readonly type: 'walk_span';
      /** The walk happened after `from` and no later than `to`. */
      readonly from: RelNs;
      readonly to: RelNs;
      readonly state: LockState;
    }
  | {
      readonly type: 'coverage';
      /** The miss counters of this many probes read the same at `from` and at `to`, around the window. */
      readonly probes: number;
      readonly from: RelNs;
      readonly to: RelNs;
    };

interface VerdictBase {
  readonly evidence: readonly Evidence[];
}

export type Verdict =
  | (VerdictBase & { readonly verdict: 'HELD'; readonly proof: LockProof })
  | (VerdictBase & { readonly verdict: 'NOT_HELD'; readonly proof: LockProof })
  | (VerdictBase & { readonly verdict: 'UNKNOWN'; readonly reason: UnknownReason; readonly detail: string });

export type VerdictName = Verdict['verdict'];

/** A link walk as observed, with its verdict under one rule. */
export interface WalkRecord {
  /** 1-based, in the order walks were decided (stable for a given capture and options). */
  readonly index: number;
  readonly rule: string;
  readonly site: WalkSite;
  readonly start: RelNs;
  /** undefined when the window never closed in the capture. */
  readonly end: RelNs | undefined;
  readonly cpu: number;
  readonly tid: number;
  readonly task: Addr;
  readonly req: Addr;
  readonly ctx: Addr;
  readonly lock: Addr;
  readonly next: Addr;
  readonly walkProof: WalkProof | undefined;
  readonly verdict: Verdict;
}
