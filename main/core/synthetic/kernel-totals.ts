/**
 * The exact per-ring counts a summary session keeps in BPF maps (windows, walks, walks with the
 * lock taken around them, chain tails), as the linked-NOP model reports them in `totals` records.
 *
 * A window counts when it returns. Readings come in time order; a window is folded into the
 * counters as soon as it is known to belong to the next reading (it returned at or before it),
 * so only windows returning after the next reading wait here.
 */
import type { WindowOp } from '../capture/events.js';
import type { Addr } from '../util/addr.js';
import { NULL_ADDR } from '../util/addr.js';

export interface RingTotals {
  windows: number;
  walks: number;
  walksLockedInside: number;
  chainTails: number;
}

interface Pending {
  readonly at: number;
  readonly totals: RingTotals;
  readonly walk: boolean;
  readonly lockedInside: boolean;
}

export class KernelTotals {
  private readonly pending: Pending[] = [];

  /** @param nextReading time of the first reading the counts go into */
  constructor(private nextReading: number) {}

  /** A window of the ring counted by `totals` returned at `at`. */
  count(totals: RingTotals, at: number, walk: boolean, lockedInside: boolean): void {
    const d = { at, totals, walk, lockedInside };
    if (at <= this.nextReading) {
      add(d);
    } else {
      this.pending.push(d);
    }
  }

  /** The reading before `next` has been taken: later windows count toward `next`. */
  advance(next: number): void {
    this.nextReading = next;
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const d = this.pending[i];
      if (d !== undefined && d.at <= next) {
        this.pending.splice(i, 1);
        add(d);
      }
    }
  }
}

function add(d: Pending): void {
  const t = d.totals;
  t.windows++;
  if (d.walk) {
    t.walks++;
    if (d.lockedInside) {
      t.walksLockedInside++;
    }
  } else {
    t.chainTails++;
  }
}

/**
 * The kernel program's judgement of one window: uring_lock acquired while req->link still showed
 * `link`, and released after it read NULL (the walk happened inside the held span).
 */
export function lockedAroundWalk(link: Addr, ops: readonly WindowOp[]): boolean {
  let acquired = false;
  for (const op of ops) {
    if (op.op === 'acquired' && op.link === link) {
      acquired = true;
    } else if (op.op === 'release' && acquired && op.link === NULL_ADDR) {
      return true;
    }
  }
  return false;
}
