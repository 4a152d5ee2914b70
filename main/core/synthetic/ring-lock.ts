/**
 * One ring's ctx->uring_lock over simulated time, for the linked-NOP model.
 *
 * The simulation asks for the lock in time order, so a holder is decided when it asks: if the
 * lock is free it is held from that moment; if not, the asker either waits for the release (a
 * contended acquisition) or comes back later. Each hold is a reserved interval; intervals never
 * overlap, so the owner word read at any time names at most one task.
 */
import type { Addr } from '../util/addr.js';
import { NULL_ADDR } from '../util/addr.js';

interface Interval {
  readonly from: number;
  readonly to: number;
}

interface Hold extends Interval {
  readonly task: Addr;
}

/** MUTEX_FLAG_WAITERS: the low bit of the owner word when a task waits for the mutex. */
const FLAG_WAITERS = 1;

export class RingLock {
  private freeAtNs = 0;
  private readonly holds: Hold[] = [];
  private readonly waits: Interval[] = [];

  constructor(readonly addr: Addr) {}

  /** End of the latest reservation: the lock is busy at any time before it. */
  get freeAt(): number {
    return this.freeAtNs;
  }

  busyAt(t: number): boolean {
    return this.freeAtNs > t;
  }

  /** `task` holds the lock over [from, to); `from` is not before the previous release. */
  hold(now: number, from: number, to: number, task: Addr): void {
    if (from < this.freeAtNs || to <= from) {
      throw new Error(`ring-lock: hold [${from}, ${to}) overlaps the previous one (free at ${this.freeAtNs})`);
    }
    this.prune(now);
    this.holds.push({ from, to, task });
    this.freeAtNs = to;
  }

  /** A task waits for the lock over [from, to). */
  wait(now: number, from: number, to: number): void {
    this.prune(now);
    this.waits.push({ from, to });
  }

  /** The mutex owner word at `t` (task pointer, +1 while someone waits), or 0 when free. */
  ownerAt(t: number): Addr {
    this.prune(t);
    const h = this.holds.find((x) => x.from <= t && t < x.to);
    if (h === undefined) {
      return NULL_ADDR;
    }
    const waiting = this.waits.some((w) => w.from <= t && t < w.to);
    return (waiting ? h.task + FLAG_WAITERS : h.task) as Addr;
  }

  /** Forgets intervals over before `now` (the simulation never looks back past its clock). */
  private prune(now: number): void {
    dropWhile(this.holds, (h) => h.to <= now);
    dropWhile(this.waits, (w) => w.to <= now);
  }
}

function dropWhile<T>(list: T[], pred: (t: T) => boolean): void {
  let n = 0;
  while (n < list.length) {
    const v = list[n];
    if (v === undefined || !pred(v)) {
      break;
    }
    n++;
  }
  if (n > 0) {
    list.splice(0, n);
  }
}
