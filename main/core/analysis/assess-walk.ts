/**
 * Decides, for one closed window, whether a link walk happened and whether the walking task held
 * the window's lock when it walked. Pure; the analyzer adds the probe-miss check afterwards.
 *
 * The walk itself is rarely probed directly (`io_req_find_next` is usually inlined). Instead the
 * window's points are ordered in time — entry, the walker's lock operations, exit — each with a
 * `req->link` snapshot and the lock state after it. The walk happened after the last point
 * that still shows the link and no later than the first that shows NULL (exit counts as NULL
 * once the returned next request equals the link read at entry). The lock state over that span
 * is the answer; if it is not one state throughout, the answer is UNKNOWN.
 */
import type { Addr } from '../util/addr.js';
import { NULL_ADDR, ownerTask } from '../util/addr.js';
import type { RelNs } from '../util/time.js';
import type { ObservedWindow } from './observed-window.js';
import type { PlanCoverage } from './plan-coverage.js';
import type { Evidence, LockProof, LockState, UnknownReason, WalkProof } from './verdict.js';

export type LockAtWalk =
  | {
      readonly state: 'held' | 'not_held';
      readonly proof: LockProof;
      /** The claim rests on no lock operation going unseen: the probe-miss check must pass. */
      readonly needsCompleteness: boolean;
      readonly evidence: readonly Evidence[];
    }
  | { readonly state: 'unknown'; readonly reason: UnknownReason; readonly detail: string; readonly evidence: readonly Evidence[] };

export type WalkAssessment =
  | { readonly kind: 'no_walk'; readonly tail: boolean }
  | { readonly kind: 'walk'; readonly walkProof: WalkProof | undefined; readonly lock: LockAtWalk };

export interface AssessOptions {
  /** The owner word's layout is known (false on PREEMPT_RT, where struct mutex differs). */
  readonly ownerUsable: boolean;
  readonly coverage: PlanCoverage;
  readonly formatAddr: (a: Addr) => string;
  /**
   * Build the evidence lists (false: every list is empty). A summary needs only the verdicts, and
   * evidence objects for every walk were most of the analysis's garbage.
   */
  readonly evidence: boolean;
}

/** The evidence list of a walk assessed without evidence. */
export const NO_EVIDENCE: readonly Evidence[] = Object.freeze([]);

/** Span proofs without evidence are all alike: shared, as walks wait a horizon before their verdict. */
const BARE_SPAN: { readonly [S in 'held' | 'not_held']: LockAtWalk } = {
  held: Object.freeze({ state: 'held', proof: 'span_between_snapshots', needsCompleteness: true, evidence: NO_EVIDENCE }),
  not_held: Object.freeze({ state: 'not_held', proof: 'span_between_snapshots', needsCompleteness: true, evidence: NO_EVIDENCE }),
};


function unknown(reason: UnknownReason, detail: string, evidence: readonly Evidence[]): LockAtWalk {
  return { state: 'unknown', reason, detail, evidence };
}

function entryState(w: ObservedWindow, o: AssessOptions): { state: LockState; basis: string; conflict?: string } {
  const judged: { state: LockState; basis: string }[] = [];
  if (o.ownerUsable && w.task === NULL_ADDR) {
    return { state: 'unknown', basis: 'the walking task is not known' };
  }
  if (o.ownerUsable) {
    const owner = ownerTask(w.owner);
    const held = owner !== NULL_ADDR && owner === w.task;
    // The addresses themselves are in the entry evidence; formatting them here for every walk is costly.
    judged.push({ state: held ? 'held' : 'not_held', basis: held ? "owner word & ~7 == the walker's task" : "owner word & ~7 != the walker's task" });
    if (w.kernelHeld !== undefined && w.kernelHeld !== 'unknown') {
      judged.push({ state: w.kernelHeld, basis: 'the kernel probe judged it at entry' });
    }
  }
  const first = judged[0];
  if (first === undefined) {
    return { state: 'unknown', basis: o.ownerUsable ? 'no owner reading' : 'owner word unusable on this kernel (PREEMPT_RT)' };
  }
  const other = judged.find((j) => j.state !== first.state);
  if (other !== undefined) {
    return { state: 'unknown', basis: first.basis, conflict: `${first.basis} says ${first.state}, ${other.basis} says ${other.state}` };
  }
  return { state: first.state, basis: judged.length === 1 ? first.basis : judged.map((j) => j.basis).join('; ') };
}

export function assessWalk(w: ObservedWindow, o: AssessOptions): WalkAssessment {
  // `add` is undefined when no evidence is kept; `evidence` is then the shared empty list.
  const add: Evidence[] | undefined = o.evidence ? [] : undefined;
  const evidence = add ?? NO_EVIDENCE;
  const L = w.link;
  if (w.start === undefined) {
    if (w.next === undefined || w.next === NULL_ADDR) {
      return { kind: 'no_walk', tail: false };
    }
    add?.push({ type: 'exit', ts: w.end ?? (0 as RelNs), next: w.next });
    const lock =
      w.taint !== undefined
        ? unknown(w.taint.reason, `only the return of this window was seen: ${w.taint.detail}`, evidence)
        : unknown('window_before_capture', 'only the return of this window is in the capture', evidence);
    return { kind: 'walk', walkProof: undefined, lock };
  }
  if (L === NULL_ADDR) {
    const linked = w.ops.find((op) => op.link !== undefined && op.link !== NULL_ADDR);
    if ((w.next === undefined || w.next === NULL_ADDR) && linked === undefined) {
      return { kind: 'no_walk', tail: true };
    }
    add?.push({ type: 'entry', ts: w.start, site: w.site, link: L, owner: w.owner, task: w.task, state: 'unknown', basis: 'not judged' });
    return {
      kind: 'walk',
      walkProof: undefined,
      lock: unknown('conflicting_evidence', 'req->link was NULL at entry, yet a next request or a non-NULL link appeared in the window', evidence),
    };
  }
  const entry = entryState(w, o);
  add?.push({ type: 'entry', ts: w.start, site: w.site, link: L, owner: w.owner, task: w.task, state: entry.state, basis: entry.basis });
  if (add !== undefined) {
    for (const op of w.ops) {
      add.push({ type: 'lock_op', ts: op.ts, op: op.op, api: op.api, lock: op.lock, link: op.link });
    }
  }
  if (w.end === undefined || w.next === undefined) {
    const lock =
      w.taint !== undefined
        ? unknown(w.taint.reason, `its return was not seen: ${w.taint.detail}`, evidence)
        : w.closing === 'return_missing'
        ? unknown('return_missing', 'the same task entered the window again before this one returned', evidence)
        : unknown('window_open_at_end', 'the capture ended before the window returned', evidence);
    return { kind: 'walk', walkProof: undefined, lock };
  }
  add?.push({ type: 'exit', ts: w.end, next: w.next });

  // Times must make sense: the return after the entry, every operation inside, in order.
  if (w.end < w.start) {
    return { kind: 'walk', walkProof: undefined, lock: unknown('conflicting_evidence', `the window returns (${w.end} ns) before it begins (${w.start} ns)`, evidence) };
  }
  let previousOp = w.start as number;
  for (const op of w.ops) {
    if (op.ts < previousOp || op.ts > w.end) {
      const where = op.ts > w.end ? 'after the window returned' : op.ts < w.start ? 'before the window began' : 'out of time order';
      return { kind: 'walk', walkProof: undefined, lock: unknown('conflicting_evidence', `a lock operation at ${op.ts} ns is ${where}`, evidence) };
    }
    previousOp = op.ts;
  }

  // Snapshots must show L, then NULL, and nothing else.
  let sawNull = false;
  for (const op of w.ops) {
    if (op.link === undefined) {
      continue;
    }
    if (op.link === NULL_ADDR) {
      sawNull = true;
    } else if (op.link !== L || sawNull) {
      return {
        kind: 'walk',
        walkProof: undefined,
        lock: unknown('conflicting_evidence', `req->link read ${o.formatAddr(op.link)} at a lock operation, not ${sawNull ? 'NULL' : o.formatAddr(L)}`, evidence),
      };
    }
  }
  let walkProof: WalkProof;
  if (w.next !== NULL_ADDR) {
    if (w.next !== L) {
      return {
        kind: 'walk',
        walkProof: undefined,
        lock: unknown(
          'conflicting_evidence',
          `the window returned next request ${o.formatAddr(w.next)} but req->link was ${o.formatAddr(L)} at entry (wrong struct offsets, or a kernel shape this plan does not know)`,
          evidence,
        ),
      };
    }
    walkProof = 'return_matches_link';
  } else if (sawNull) {
    walkProof = 'link_cleared_in_window';
  } else {
    return {
      kind: 'walk',
      walkProof: undefined,
      lock: unknown('walk_unconfirmed', `req->link was ${o.formatAddr(L)} at entry, the window returned no next request and no snapshot showed the link cleared`, evidence),
    };
  }

  if (entry.conflict !== undefined) {
    return { kind: 'walk', walkProof, lock: unknown('conflicting_evidence', `held state at entry: ${entry.conflict}`, evidence) };
  }

  if (w.site === 'io_req_find_next') {
    // The probe sits on the walk itself: the owner word at entry answers directly.
    if (!o.ownerUsable) {
      return { kind: 'walk', walkProof, lock: unknown('owner_unusable', entry.basis, evidence) };
    }
    if (entry.state === 'unknown') {
      return { kind: 'walk', walkProof, lock: unknown('state_unknown', entry.basis, evidence) };
    }
    add?.push({ type: 'walk_span', from: w.start, to: w.end, state: entry.state });
    return { kind: 'walk', walkProof, lock: { state: entry.state, proof: 'owner_at_walk', needsCompleteness: false, evidence } };
  }

  if (w.taint !== undefined) {
    return { kind: 'walk', walkProof, lock: unknown(w.taint.reason, w.taint.detail, evidence) };
  }
  if (w.opsOverflow) {
    return { kind: 'walk', walkProof, lock: unknown('ops_overflow', `more than ${w.ops.length} lock operations in one window`, evidence) };
  }
  if (!o.coverage.complete) {
    return { kind: 'walk', walkProof, lock: unknown(o.coverage.reason, o.coverage.detail, evidence) };
  }

  const span = walkSpan(w, entry.state);
  if (span.kind === 'conflict') {
    return { kind: 'walk', walkProof, lock: unknown('conflicting_evidence', span.detail, evidence) };
  }
  add?.push({ type: 'walk_span', from: span.from, to: span.to, state: span.state });
  if (span.state === 'unknown') {
    return { kind: 'walk', walkProof, lock: unknown('state_unknown', span.detail, evidence) };
  }
  return { kind: 'walk', walkProof, lock: add === undefined ? BARE_SPAN[span.state] : { state: span.state, proof: 'span_between_snapshots', needsCompleteness: true, evidence } };
}

type Span =
  | { readonly kind: 'span'; readonly from: RelNs; readonly to: RelNs; readonly state: LockState; readonly detail: string }
  | { readonly kind: 'conflict'; readonly detail: string };

/** Lock states as bits, to collect the states seen over a span without a Set. */
const STATE_BIT: { readonly [S in LockState]: number } = { held: 1, not_held: 2, unknown: 4 };

/**
 * The window's points in time order: the entry (point 0, showing `req->link` = L), each lock
 * operation (points 1..m), the return (point m+1, counted as NULL). Each point has the lock state
 * after it; a lock operation also implies the state just before it (acquired: not held; release:
 * held). Over each gap between points the state is known from either side, and the two must
 * agree. The walk lies between the last point showing L and the first showing NULL.
 */
function walkSpan(w: ObservedWindow, atEntry: LockState): Span {
  const start = w.start ?? (0 as RelNs);
  const end = w.end ?? start;
  const ops = w.ops;
  const m = ops.length;
  const linkAt = (i: number): Addr | undefined => (i === 0 ? w.link : i <= m ? ops[i - 1]?.link : NULL_ADDR);
  const tsAt = (i: number): RelNs => (i === 0 ? start : i <= m ? (ops[i - 1]?.ts ?? end) : end);

  let firstNull = m + 1;
  for (let i = 0; i <= m; i++) {
    if (linkAt(i) === NULL_ADDR) {
      firstNull = i;
      break;
    }
  }
  let lastLink = 0;
  for (let i = 0; i < firstNull; i++) {
    if (linkAt(i) === w.link) {
      lastLink = i;
    }
  }

  // Gap i runs from point i to point i + 1.
  let state = atEntry;
  let seen = 0;
  for (let i = 0; i <= m; i++) {
    const op = i < m ? ops[i] : undefined;
    const impliesBefore: LockState = op?.op === 'acquired' ? 'not_held' : op?.op === 'release' ? 'held' : 'unknown';
    let s = state;
    if (impliesBefore !== 'unknown') {
      if (s === 'unknown') {
        s = impliesBefore;
      } else if (s !== impliesBefore) {
        const what = impliesBefore === 'held' ? 'released a lock it did not hold' : 'acquired a lock it already held';
        return { kind: 'conflict', detail: `at ${tsAt(i + 1)} ns the walker ${what}` };
      }
    }
    if (i >= lastLink && i < firstNull) {
      seen |= STATE_BIT[s];
    }
    if (op?.op === 'acquired') {
      state = 'held';
    } else if (op?.op === 'release') {
      state = 'not_held';
    }
  }
  const from = tsAt(lastLink);
  const to = tsAt(firstNull);
  const only: LockState | undefined = seen === STATE_BIT.held ? 'held' : seen === STATE_BIT.not_held ? 'not_held' : seen === STATE_BIT.unknown ? 'unknown' : undefined;
  if (only !== undefined) {
    return { kind: 'span', from, to, state: only, detail: only === 'unknown' ? 'the lock state between the last snapshot showing the link and the first showing NULL is not known' : '' };
  }
  return { kind: 'span', from, to, state: 'unknown', detail: 'the lock changed state between the last snapshot showing the link and the first showing NULL' };
}
