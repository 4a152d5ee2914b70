/**
 * Verdicts for the walks the kernel counted by class without recording them (`counted` events).
 *
 * The kernel program records one routine window in N in full and only counts the others, by
 * shape (events.ts, CountedEvent). The verdict of a class is the one this analysis gives a window
 * of that shape: a representative window is built and judged by `assessWalk`, the same code that
 * judges recorded windows, so a counted walk can never get a verdict its recorded twin would not.
 *
 * A claim resting on no lock operation going unseen (every span proof) also needs the probe-miss
 * counters flat around the window. The kernel does not say when each counted window was, only
 * the earliest entry and the latest return among them, so one check covers them all: any miss
 * in [first, last] makes every counted walk of the ring UNKNOWN. Conservative, never wrong.
 */
import type { CountedEvent, WalkSite } from '../capture/events.js';
import type { Addr } from '../util/addr.js';
import { NULL_ADDR } from '../util/addr.js';
import type { RelNs } from '../util/time.js';
import type { AssessOptions, LockAtWalk } from './assess-walk.js';
import { assessWalk } from './assess-walk.js';
import type { ObservedOp, ObservedWindow } from './observed-window.js';
import { latestOfEachSeries } from './counter-series.js';

/** The classes of counted walks (tails are not walks). */
export const COUNTED_WALK_CLASSES = ['held', 'inside', 'clear'] as const;
export type CountedWalkClass = (typeof COUNTED_WALK_CLASSES)[number];

export const COUNTED_CLASS_TEXT: { readonly [C in CountedWalkClass]: string } = {
  held: 'held at entry, no operation on the lock in the window',
  inside: 'not held at entry; acquired with req->link set and released after it was cleared, nothing else',
  clear: 'not held at entry, no operation on the lock in the window',
};

// Stand-in values: only their equalities matter to the judgement.
const TASK = 0x1000 as Addr;
const REQ = 0x2000 as Addr;
const NEXT = 0x3000 as Addr;
const CTX = 0x4000 as Addr;
const LOCK = 0x4040 as Addr;

/** A window of the class's shape, as the kernel saw every window it counted in that class. */
export function representativeWindow(site: WalkSite, cls: CountedWalkClass): ObservedWindow {
  const op = (kind: ObservedOp['op'], ts: number, link: Addr): ObservedOp => ({ op: kind, api: 'mutex_lock', ts: ts as RelNs, lock: LOCK, link });
  return {
    source: 'summary',
    site,
    start: 0 as RelNs,
    end: 10 as RelNs,
    closing: 'returned',
    cpu: 0,
    tid: 1,
    task: TASK,
    req: REQ,
    ctx: CTX,
    lock: LOCK,
    flags: 0,
    link: NEXT,
    owner: cls === 'held' ? TASK : NULL_ADDR,
    kernelHeld: cls === 'held' ? 'held' : 'not_held',
    ops: cls === 'inside' ? [op('acquire', 1, NEXT), op('acquired', 2, NEXT), op('release', 3, NULL_ADDR)] : [],
    next: NEXT,
    opsOverflow: false,
    taint: undefined,
  };
}

/** The lock state the analysis gives the class, before the probe-miss check. */
export function countedLockState(site: WalkSite, cls: CountedWalkClass, o: AssessOptions): LockAtWalk {
  const a = assessWalk(representativeWindow(site, cls), { ...o, evidence: false });
  if (a.kind !== 'walk') {
    // Every class is a walk (next == req->link at entry): a judgement that says otherwise is a bug here.
    return { state: 'unknown', reason: 'conflicting_evidence', detail: `a counted ${cls} walk was judged not to be a walk`, evidence: [] };
  }
  return a.lock;
}

/**
 * How far outside the kernel's reading a counted window may lie: the window is counted a few
 * instructions after its duration is measured, inside one BPF program (no sleep, no preemption).
 */
export const COUNTED_SLACK_NS = 10_000_000;

/** The walks of one class counted between two lines of one ring and CPU, and the span they lie in. */
export interface CountedSpan {
  readonly site: WalkSite;
  readonly ctx: Addr;
  readonly shape: CountedWalkClass;
  readonly walks: number;
  /** Every window counted here began at or after `from` and was counted by `to`. */
  readonly from: number;
  readonly to: number;
}

/**
 * The counted lines of each ring, CPU and walk class, as spans between consecutive lines. The
 * counts are cumulative, so a lost line only merges two spans. A window in line i's numbers but
 * not line i-1's was counted after line i-1 was read (`since`), so it began at most the longest
 * counted duration (plus slack) before that, and never before the earliest counted entry.
 */
export function countedSpans(events: readonly CountedEvent[]): CountedSpan[] {
  const series = new Map<string, (CountedEvent & { readonly shape: CountedWalkClass })[]>();
  for (const e of events) {
    if (isWalkLine(e)) {
      const list = series.get(seriesKey(e)) ?? [];
      list.push(e);
      series.set(seriesKey(e), list);
    }
  }
  const spans: CountedSpan[] = [];
  for (const list of series.values()) {
    list.sort((a, b) => a.ts - b.ts);
    let prev: CountedEvent | undefined;
    for (const cur of list) {
      // A count that went down (a restarted program) starts over from this line.
      const restart = prev === undefined || cur.counted < prev.counted;
      const walks = restart ? cur.counted : cur.counted - (prev?.counted ?? 0);
      if (walks > 0) {
        const from = restart ? cur.first : Math.max(cur.first, (prev?.since ?? 0) - cur.maxDuration - COUNTED_SLACK_NS);
        spans.push({ site: cur.site, ctx: cur.ctx, shape: cur.shape, walks, from, to: cur.ts });
      }
      prev = cur;
    }
  }
  return spans;
}

/** The kernel's exact totals for each ring, from the latest counted line of each CPU and shape. */
export interface CountedTotals {
  readonly ctx: Addr;
  readonly windows: number;
  readonly walks: number;
  readonly walksLockedInside: number;
  readonly chainTails: number;
  /** Chain tails counted without a record. */
  readonly countedTails: number;
}

export function countedTotals(events: readonly CountedEvent[]): CountedTotals[] {
  const rings = new Map<Addr, { windows: number; walks: number; walksLockedInside: number; chainTails: number; countedTails: number }>();
  for (const e of latestOfEachSeries(events, seriesKey)) {
    const r = rings.get(e.ctx) ?? { windows: 0, walks: 0, walksLockedInside: 0, chainTails: 0, countedTails: 0 };
    const tail = e.shape === 'tail' || e.shape === 'other_tail';
    r.windows += e.windows;
    r.walks += tail ? 0 : e.windows;
    r.chainTails += tail ? e.windows : 0;
    r.countedTails += e.shape === 'tail' ? e.counted : 0;
    r.walksLockedInside += e.lockedInside;
    rings.set(e.ctx, r);
  }
  return [...rings.entries()].map(([ctx, r]) => ({ ctx, ...r }));
}

/** Walks counted by shape without a record so far (the latest line of each ring, CPU and shape). */
export function countedWalksSoFar(events: readonly CountedEvent[]): number {
  return latestOfEachSeries(events, seriesKey)
    .filter(isWalkLine)
    .reduce((n, e) => n + e.counted, 0);
}

/** One series of counted lines: one ring, CPU and shape (their numbers are cumulative). */
function seriesKey(e: CountedEvent): string {
  return `${e.site} ${e.ctx} ${e.onCpu} ${e.shape}`;
}


function isWalkLine(e: CountedEvent): e is CountedEvent & { readonly shape: CountedWalkClass } {
  return (COUNTED_WALK_CLASSES as readonly string[]).includes(e.shape);
}
