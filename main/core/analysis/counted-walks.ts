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
import type { WalkSite } from '../capture/events.js';
import type { Addr } from '../util/addr.js';
import { NULL_ADDR } from '../util/addr.js';
import type { RelNs } from '../util/time.js';
import type { AssessOptions, LockAtWalk } from './assess-walk.js';
import { assessWalk } from './assess-walk.js';
import type { ObservedOp, ObservedWindow } from './observed-window.js';

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
