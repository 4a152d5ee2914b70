/**
 * The kernel's exact contention figures (`contention_counted` lines): every wait on a tracked
 * uring_lock, of which the program printed only a bounded sample as contention_begin/end pairs
 * (the sample is what timing.contention's distribution holds). Count, sum, mean and longest are
 * exact; the distribution's shape is only known from the sample.
 */
import type { ContentionCountedEvent } from '../capture/events.js';
import type { Addr } from '../util/addr.js';
import { latestOfEachSeries } from './counter-series.js';

export interface CountedContention {
  /** Waits that ended while traced, recorded or not. */
  readonly waits: number;
  /** Of those, printed in full (the sample in the contention statistics). */
  readonly recorded: number;
  readonly totalNs: number;
  /** totalNs / waits (0 when no wait). */
  readonly meanNs: number;
  readonly maxNs: number;
  /** Ends with no begin seen: waits that began before the lock was tracked (not in `waits`). */
  readonly unpaired: number;
}

export interface CountedContentionTotals {
  readonly all: CountedContention;
  readonly byRing: ReadonlyMap<Addr, CountedContention>;
}

interface Sums {
  waits: number;
  counted: number;
  totalNs: number;
  maxNs: number;
  unpaired: number;
}

/** Every wait the kernel counted, in all and per ring; undefined when the capture has no such line. */
export function countedContention(events: readonly ContentionCountedEvent[]): CountedContentionTotals | undefined {
  if (events.length === 0) {
    return undefined;
  }
  const all: Sums = { waits: 0, counted: 0, totalNs: 0, maxNs: 0, unpaired: 0 };
  const rings = new Map<Addr, Sums>();
  for (const e of latestOfEachSeries(events, (x) => `${x.lock} ${x.onCpu}`)) {
    const r = rings.get(e.ctx) ?? { waits: 0, counted: 0, totalNs: 0, maxNs: 0, unpaired: 0 };
    for (const s of [r, all]) {
      s.waits += e.waits;
      s.counted += e.counted;
      s.totalNs += e.totalWait;
      s.maxNs = Math.max(s.maxNs, e.maxWait);
      s.unpaired += e.unpaired;
    }
    rings.set(e.ctx, r);
  }
  return { all: figures(all), byRing: new Map([...rings].map(([ctx, s]) => [ctx, figures(s)])) };
}

function figures(s: Sums): CountedContention {
  return {
    waits: s.waits,
    recorded: s.waits - s.counted,
    totalNs: s.totalNs,
    meanNs: s.waits === 0 ? 0 : Math.round(s.totalNs / s.waits),
    maxNs: s.maxNs,
    unpaired: s.unpaired,
  };
}
