/** A walk window as the analysis saw it, from raw events or from a kernel summary. */
import type { HeldAtEntry, LockApi, WalkSite, WindowOpKind } from '../capture/events.js';
import type { Addr } from '../util/addr.js';
import type { RelNs } from '../util/time.js';
import type { UnknownReason } from './verdict.js';

export interface ObservedOp {
  readonly op: WindowOpKind;
  readonly api: LockApi;
  readonly ts: RelNs;
  readonly lock: Addr;
  /** `req->link` at that moment, undefined when not snapshotted. */
  readonly link: Addr | undefined;
}

/** Why a window's facts cannot be complete, found while it was open. */
export interface Taint {
  readonly reason: Extract<UnknownReason, 'lost_events' | 'late_events' | 'probe_misses'>;
  readonly detail: string;
}

export interface ObservedWindow {
  readonly source: 'raw' | 'summary';
  readonly site: WalkSite;
  /** undefined when the window's entry is not in the capture (it began before). */
  readonly start: RelNs | undefined;
  readonly end: RelNs | undefined;
  /** Why `end` may be missing: the capture ended first, or the return was never seen. */
  readonly closing: 'returned' | 'open_at_end' | 'return_missing';
  readonly cpu: number;
  readonly tid: number;
  readonly task: Addr;
  readonly req: Addr;
  readonly ctx: Addr;
  readonly lock: Addr;
  readonly flags: number;
  /** `req->link` at entry. */
  readonly link: Addr;
  /** `lock->owner` at entry. */
  readonly owner: Addr;
  /** The kernel's own judgement at entry (summaries), undefined for raw windows. */
  readonly kernelHeld: HeldAtEntry | undefined;
  /** The walker's operations on `lock` inside the window, in time order. */
  readonly ops: readonly ObservedOp[];
  readonly next: Addr | undefined;
  readonly opsOverflow: boolean;
  readonly taint: Taint | undefined;
}
