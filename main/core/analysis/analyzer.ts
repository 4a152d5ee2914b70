/**
 * The streaming analysis: capture events in (any arrival order), one verdict per observed link
 * walk and per rule out, in memory bounded by open windows and requests in flight — never by the
 * number of events.
 *
 * Steps: reorder by timestamp within a horizon; follow each task's open walk windows and its
 * operations on the windows' locks; assess each closed window (assess-walk.ts); hold claims that
 * rest on the absence of lock events until the probe-miss counters read after the window show
 * nothing was missed; then apply every rule and hand the records to the sink.
 */
import type { CaptureEvent, LockApi, WalkSite, WindowEnterEvent, WindowExitEvent, WindowOpKind, WindowSummaryEvent } from '../capture/events.js';
import { LOCK_APIS, WALK_SITES } from '../capture/events.js';
import type { CaptureHeader } from '../capture/header.js';
import type { EventColumns } from '../capture/event-columns.js';
import { columnsFromEvents, K, OK, SEEN } from '../capture/event-columns.js';
import type { Addr } from '../util/addr.js';
import { formatAddr as formatAddrWithBias } from '../util/addr.js';
import type { RelNs } from '../util/time.js';
import { formatDuration } from '../util/time.js';
import { evaluateRequirement } from '../rules/evaluate-rule.js';
import type { LockRole, Rule } from '../rules/rule.js';
import { AnalysisTally } from './analysis-tally.js';
import type { AssessOptions, LockAtWalk, WalkAssessment } from './assess-walk.js';
import { assessWalk } from './assess-walk.js';
import { countedLockState, countedSpans } from './counted-walks.js';
import { MissReadings } from './miss-readings.js';
import type { MissVerdictOptions } from './miss-verdict.js';
import { applyMissCheck } from './miss-verdict.js';
import type { ObservedOp, ObservedWindow, Taint } from './observed-window.js';
import type { PlanCoverage } from './plan-coverage.js';
import { planCoverage } from './plan-coverage.js';
import { DEFAULT_WITHDRAWABLE, GivenVerdicts } from './given-verdicts.js';
import { combineNested, findLastIndex } from './nested-windows.js';
import { ReorderBuffer } from './reorder-buffer.js';
import type { Waiting } from './waiting-walks.js';
import { WaitingWalks } from './waiting-walks.js';
import { TimingStats } from './timing-stats.js';
import type { WalkProof, WalkRecord } from './verdict.js';

export const DEFAULT_REORDER_HORIZON_NS = 250_000_000;
export const DEFAULT_MAX_PENDING = 262_144;
/** Walks held back to settle; past this they settle early (a late event can still withdraw them). */
const SETTLE_CAP = 65_536;

export interface AnalyzerOptions {
  readonly rules: readonly Rule[];
  /**
   * How far out of timestamp order events may arrive (per-CPU buffers). A walk's verdict is also
   * held back this long after its window ends, so that a late event can still withdraw it.
   */
  readonly reorderHorizonNs?: number;
  /** Walks waiting for a probe-miss reading; past this the oldest are judged UNKNOWN. */
  readonly maxPending?: number;
  /** Definite verdicts kept open to withdrawal by late events. */
  readonly withdrawable?: number;
  /** Miss readings kept per probe behind the oldest waiting window (default READINGS_KEPT_BEHIND). */
  readonly readingsKeptBehind?: number;
  /**
   * Give each record its evidence (default true). Without it every evidence list is empty: a
   * summary needs only the verdicts, and the evidence of every walk was most of the garbage.
   */
  readonly evidence?: boolean;
}

interface OpenWindow {
  readonly enter: WindowEnterEvent;
  readonly ops: ObservedOp[];
  taint: Taint | undefined;
  /** A direct probe of io_req_find_next on the same request, nested in this window. */
  inner: WalkAssessment | undefined;
}

/** A window closed because its task entered the same function again before it returned. */
interface MissingReturn {
  readonly site: WalkSite;
  readonly req: Addr;
  readonly start: number;
  /** When the task entered again: the lost return lies between `start` and this. */
  readonly reentry: number;
  readonly pending: PendingWalk | undefined;
}

/** A window still open after max(MIN_STALE_NS, STALE_HORIZONS reorder horizons) is closed as unknown. */
const STALE_HORIZONS = 100;
const MIN_STALE_NS = 100_000_000;

/**
 * Per probe, miss readings kept behind the oldest window still open or waiting, for windows that
 * arrive late: bpftrace drains its per-CPU buffers in turn, and on a loaded machine one CPU's
 * windows came up to half a minute after another's (the 6.1 lab). Counted in readings, not time,
 * so memory stays bounded whatever the reading rate: 4,096 readings are 400 s at Lockscope's
 * 100 ms, about 160 KiB per probe.
 */
export const READINGS_KEPT_BEHIND = 4096;

/** Miss readings between two trims of those no window can need. */
const TRIM_EVERY = 32;

/** Returns timed this much before their entry on the same task are taken for clock skew. */
const ORPHAN_SKEW_NS = 1_000;

/**
 * A walk waiting for its verdict: what its record needs of the window, flat (walks wait a horizon
 * or more, so each object they hold is one that garbage collection must copy).
 */
interface PendingWalk extends Waiting {
  readonly source: ObservedWindow['source'];
  readonly site: WalkSite;
  /** The window's own start and end (undefined when not seen). */
  readonly windowStart: RelNs | undefined;
  readonly windowEnd: RelNs | undefined;
  readonly cpu: number;
  readonly task: Addr;
  readonly req: Addr;
  readonly ctx: Addr;
  readonly lockAddr: Addr;
  readonly next: Addr | undefined;
  walkProof: WalkProof | undefined;
  lock: LockAtWalk;
  readonly start: number;
  readonly end: number;
  /** Stream time (last released) when its window closed: never decreases along the queue, and is never before `end`. */
  readonly closedAt: number;
}

/** Codes in columns were checked when decoded. */
function siteOf(code: number): WalkSite {
  const s = WALK_SITES[code];
  if (s === undefined) {
    throw new RangeError(`walk site code ${code}`);
  }
  return s;
}

function apiOf(code: number): LockApi {
  const a = LOCK_APIS[code];
  if (a === undefined) {
    throw new RangeError(`lock api code ${code}`);
  }
  return a;
}

/** Index of the newest open window of `site` (on request `req`, when given) in a task's stack, or -1. */
function lastOpen(stack: readonly OpenWindow[], site: WalkSite, req: Addr | undefined): number {
  for (let i = stack.length - 1; i >= 0; i--) {
    const e = stack[i]?.enter;
    if (e !== undefined && e.site === site && (req === undefined || e.req === req)) {
      return i;
    }
  }
  return -1;
}

export class Analyzer {
  readonly tally: AnalysisTally;
  readonly timing: TimingStats;
  private readonly reorder: ReorderBuffer;
  private readonly coverage: PlanCoverage;
  private readonly misses: MissReadings;
  /** Every miss reading, never trimmed: the walks the kernel only counted are checked at the end. */
  private readonly sessionMisses: MissReadings;
  private readonly horizon: number;
  private readonly open = new Map<number, OpenWindow[]>();
  /** Returns seen without an entry, per task, in case the entry arrives just after (clock skew). */
  /** Window entries that arrived late, per task, so that their returns are not called pre-capture. */
  private readonly lateEnters = new Map<number, WindowEnterEvent>();
  /** Per task, the last window closed because the task entered again before it returned. */
  private readonly missingReturns = new Map<number, MissingReturn[]>();
  private readonly orphanExits = new Map<number, { readonly site: WalkSite; readonly req: Addr; readonly pending: PendingWalk }>();
  private readonly pending = new WaitingWalks<PendingWalk>();
  /** The oldest waiting walk needs a miss reading newer than any seen: nothing moves until one comes. */
  private awaitingReading = false;
  private lossUntil = -Infinity;
  private readingsSinceTrim = 0;
  private lastClosedAt = -Infinity;
  private readonly given: GivenVerdicts;
  private nextIndex = 1;
  private readonly maxPending: number;
  private readonly readingsKeptBehind: number;
  private readonly assessOptions: AssessOptions;
  private readonly missOptions: MissVerdictOptions;
  readonly formatAddr: (a: Addr) => string;

  constructor(
    readonly header: CaptureHeader,
    private readonly options: AnalyzerOptions,
    /** Receives each walk's record; a record whose index was already given replaces it. */
    private readonly onWalk: (w: WalkRecord) => void,
  ) {
    this.formatAddr = (a) => formatAddrWithBias(a, header.addrBias);
    this.coverage = planCoverage(header);
    this.misses = new MissReadings(this.coverage.complete ? this.coverage.countedProbes : []);
    this.sessionMisses = new MissReadings(this.coverage.complete ? this.coverage.countedProbes : []);
    this.assessOptions = {
      ownerUsable: header.target.preemptRt === 'no',
      coverage: this.coverage,
      formatAddr: this.formatAddr,
      evidence: options.evidence ?? true,
    };
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    this.readingsKeptBehind = options.readingsKeptBehind ?? READINGS_KEPT_BEHIND;
    this.missOptions = { evidence: this.assessOptions.evidence, probeName: (i) => this.probeName(i) };
    this.given = new GivenVerdicts(options.withdrawable ?? DEFAULT_WITHDRAWABLE);
    this.tally = new AnalysisTally(header, options.rules, this.coverage);
    this.timing = new TimingStats(this.formatAddr);
    this.horizon = options.reorderHorizonNs ?? DEFAULT_REORDER_HORIZON_NS;
    this.reorder = new ReorderBuffer(
      this.horizon,
      (c, i) => {
        this.event(c, i);
      },
      (e, last) => {
        this.late(e, last);
      },
    );
  }

  push(events: readonly CaptureEvent[]): void {
    this.pushColumns(columnsFromEvents(events));
  }

  /** A decoded batch, as columns. */
  pushColumns(columns: EventColumns): void {
    this.tally.events += columns.count;
    this.reorder.push(columns);
  }

  /** End of input: flush, close what is open, judge what waits. */
  finish(): void {
    this.reorder.flush();
    for (const stack of this.open.values()) {
      // Outermost first; closing one takes its nested windows out of the stack with it.
      for (let w = stack.shift(); w !== undefined; w = stack.shift()) {
        this.close(w, undefined, undefined, 'open_at_end');
      }
    }
    this.open.clear();
    this.resolvePending(true);
    this.judgeCounted();
    this.tally.finish(this.timing);
  }

  /** The next event in time order: event `slot` of columns `st` (a batch, or the reorder buffer's store). */
  private event(st: EventColumns, slot: number): void {
    const ts = st.ts[slot] ?? 0;
    const tid = st.tid[slot] ?? 0;
    const lock = (st.lock[slot] ?? 0) as Addr;
    switch (st.kind[slot]) {
      case K.window_enter:
        this.enter({
          kind: 'window_enter', ts: ts as RelNs, cpu: st.cpu[slot] ?? 0, tid, site: siteOf(st.code[slot] ?? 0),
          task: (st.task[slot] ?? 0) as Addr, req: (st.req[slot] ?? 0) as Addr, ctx: (st.ctx[slot] ?? 0) as Addr, lock,
          flags: st.num[slot] ?? 0, link: (st.link[slot] ?? 0) as Addr, owner: (st.owner[slot] ?? 0) as Addr,
        });
        break;
      case K.window_exit:
        this.exit(ts as RelNs, st.cpu[slot] ?? 0, tid, siteOf(st.code[slot] ?? 0), (st.req[slot] ?? 0) as Addr, (st.link[slot] ?? 0) as Addr);
        break;
      case K.lock_acquire:
        this.timing.lockCall(tid, lock, ts);
        this.lockOp(st, slot, 'acquire');
        break;
      case K.lock_acquired: {
        const ok = ((st.bits[slot] ?? 0) & OK) !== 0;
        this.timing.lockAcquired(tid, lock, ts, ok);
        this.lockOp(st, slot, ok ? 'acquired' : 'acquire_failed');
        break;
      }
      case K.lock_release:
        this.timing.lockRelease(tid, lock, ts);
        this.lockOp(st, slot, 'release');
        break;
      case K.contention_begin:
        this.timing.contentionBegin(tid, lock, ts);
        break;
      case K.contention_end:
        this.timing.contentionEnd(tid, lock, ts);
        break;
      case K.io_submit:
        this.timing.submit((st.req[slot] ?? 0) as Addr, (st.ctx[slot] ?? 0) as Addr, ts);
        break;
      case K.io_link:
        this.timing.link((st.req[slot] ?? 0) as Addr, (st.link[slot] ?? 0) as Addr);
        break;
      case K.io_complete:
        this.timing.complete((st.req[slot] ?? 0) as Addr, ts);
        break;
      case K.req_free:
        this.timing.free((st.req[slot] ?? 0) as Addr);
        break;
      case K.io_queue_async:
      case K.io_fail_link:
        break;
      default: {
        const e = st.rare[st.num[slot] ?? 0];
        if (e !== undefined) {
          this.rareEvent(e);
        }
      }
    }
    this.tally.firstTs ??= ts;
    this.tally.lastTs = ts;
    this.resolvePending(false);
  }

  private exit(ts: RelNs, cpu: number, tid: number, site: WalkSite, req: Addr, next: Addr): void {
    const stack = this.open.get(tid);
    const i = stack === undefined ? -1 : lastOpen(stack, site, req);
    const w = stack?.[i];
    if (stack === undefined || w === undefined) {
      if (this.takeMissingReturn(tid, site, req, ts)) {
        return; // the return of a window already closed as unknown: counted once
      }
      if (site === 'io_req_find_next' && stack?.some((o) => o.enter.site !== 'io_req_find_next' && o.enter.req === req) === true) {
        return; // a nested probe's return whose entry was missed: part of the open window's walk
      }
      this.tally.exitsWithoutEntry++;
      const pending = this.judge(this.observedFromExitOnly(site, ts, cpu, tid, req, next), undefined);
      if (pending !== undefined) {
        this.orphanExits.set(tid, { site, req, pending });
      }
      return;
    }
    stack.splice(i, 1);
    this.close(w, ts, next, 'returned');
  }

  /** A lock operation: part of the evidence of every open window of its task on that lock. */
  private lockOp(st: EventColumns, slot: number, op: WindowOpKind): void {
    const stack = this.open.get(st.tid[slot] ?? 0);
    if (stack === undefined) {
      return;
    }
    const lock = (st.lock[slot] ?? 0) as Addr;
    const kind = st.kind[slot];
    const api: LockApi = kind === K.lock_release ? 'mutex_lock' : apiOf(st.code[slot] ?? 0);
    const link = ((st.bits[slot] ?? 0) & SEEN) !== 0 ? ((st.link[slot] ?? 0) as Addr) : undefined;
    for (const w of stack) {
      if (w.enter.lock === lock) {
        w.ops.push({ op, api, ts: (st.ts[slot] ?? 0) as RelNs, lock, link });
      }
    }
  }

  private rareEvent(e: CaptureEvent): void {
    switch (e.kind) {
      case 'window_summary':
        this.summary(e);
        break;
      case 'lost':
        this.loss(e.ts, e.ts + e.span, { reason: 'lost_events', detail: `${e.count} events lost between ${e.ts} and ${e.ts + e.span} ns` });
        this.tally.lostNotices++;
        this.tally.lostEvents += e.count;
        this.timing.forgetContention();
        break;
      case 'probe_misses':
        this.reading(e.probe, e.ts, e.missed);
        break;
      case 'totals':
        this.tally.totals(e);
        break;
      case 'counted':
        this.tally.counted(e);
        break;
      case 'contention_counted':
        this.tally.contentionCounted(e);
        break;
      case 'marker':
        this.tally.marker(e);
        break;
      default:
        break; // the column kinds are handled in event()
    }
  }

  /** Forgets per-task bookkeeping older than two horizons (tasks come and go: io-wq workers). */
  private pruneTasks(): void {
    const old = this.reorder.lastReleased - 2 * this.horizon;
    for (const [tid, e] of this.lateEnters) {
      if (e.ts < old) {
        this.lateEnters.delete(tid);
      }
    }
    for (const [tid, o] of this.orphanExits) {
      if (o.pending.end < old) {
        this.orphanExits.delete(tid);
      }
    }
    for (const [tid, list] of this.missingReturns) {
      const keep = list.filter((r) => r.reentry >= old);
      if (keep.length === 0) {
        this.missingReturns.delete(tid);
      } else if (keep.length < list.length) {
        this.missingReturns.set(tid, keep);
      }
    }
    // A window open this long will not return (its task exited, or its return was missed and the
    // task never entered again): close it as unknown so that it holds nothing back.
    const stale = this.reorder.lastReleased - Math.max(MIN_STALE_NS, STALE_HORIZONS * this.horizon);
    for (const [tid, stack] of this.open) {
      for (let i = stack.length - 1; i >= 0; i--) {
        const w = stack[i];
        if (w !== undefined && w.enter.ts < stale) {
          stack.splice(i, 1);
          const pending = this.close(w, undefined, undefined, 'return_missing');
          const list = this.missingReturns.get(tid) ?? [];
          list.push({ site: w.enter.site, req: w.enter.req, start: w.enter.ts, reentry: Infinity, pending });
          this.missingReturns.set(tid, list);
        }
      }
      if (stack.length === 0) {
        this.open.delete(tid);
      }
    }
  }

  private reading(probe: number, ts: RelNs, missed: number): void {
    this.pruneTasks();
    this.awaitingReading = false;
    const changed = this.misses.add(probe, ts, missed);
    this.sessionMisses.add(probe, ts, missed);
    if (changed !== undefined && this.coverage.complete && this.coverage.countedProbes.includes(probe)) {
      // A late reading between two others: what the counters proved across that span may differ.
      this.withdraw(changed.from, changed.to, undefined, {
        reason: 'probe_misses',
        detail: `a miss reading of ${this.probeName(probe)} at ${ts} ns arrived late; the counters across it are re-read`,
      });
    }
    this.tally.missReading(probe, missed);
    this.resolvePending(false);
    // Trimming scans every waiting walk: do it now and then, not at every reading.
    if (++this.readingsSinceTrim >= TRIM_EVERY) {
      this.readingsSinceTrim = 0;
      this.trimReadings();
    }
  }

  private enter(e: WindowEnterEvent): void {
    const orphan = this.orphanExits.get(e.tid);
    if (orphan !== undefined) {
      this.orphanExits.delete(e.tid);
      const p = orphan.pending;
      if (orphan.site === e.site && orphan.req === e.req && e.ts - p.end <= ORPHAN_SKEW_NS) {
        // The return came first in time (clock skew between CPUs): one window, counted once,
        // whose clock readings contradict each other.
        if (!p.done) {
          p.lock = {
            state: 'unknown',
            reason: 'conflicting_evidence',
            detail: `the return (${p.end} ns) is timed before the entry (${e.ts} ns) on the same task`,
            evidence: p.lock.evidence,
          };
        }
        return;
      }
    }
    let stack = this.open.get(e.tid);
    if (stack === undefined) {
      stack = [];
      this.open.set(e.tid, stack);
    }
    // A task cannot re-enter the same window function before it returns: the earlier one's
    // return was missed.
    const stale = lastOpen(stack, e.site, undefined);
    const old = stack[stale];
    if (old !== undefined) {
      stack.splice(stale, 1);
      const pending = this.close(old, undefined, undefined, 'return_missing');
      const list = this.missingReturns.get(e.tid) ?? [];
      list.push({ site: old.enter.site, req: old.enter.req, start: old.enter.ts, reentry: e.ts, pending });
      if (list.length > 4) {
        list.shift();
      }
      this.missingReturns.set(e.tid, list);
    }
    this.timing.learnLock(e.lock, e.ctx);
    const taint: Taint | undefined =
      e.ts <= this.lossUntil ? { reason: 'lost_events', detail: `events were lost until ${this.lossUntil} ns, after this window began` } : undefined;
    stack.push({ enter: e, ops: [], taint, inner: undefined });
  }

  private close(w: OpenWindow, end: RelNs | undefined, next: Addr | undefined, closing: ObservedWindow['closing']): PendingWalk | undefined {
    const e = w.enter;
    if (end !== undefined) {
      this.timing.window(e.ts, end, e.ctx, e.tid);
    }
    const observed: ObservedWindow = {
      source: 'raw', site: e.site, start: e.ts, end, closing, cpu: e.cpu, tid: e.tid, task: e.task, req: e.req, ctx: e.ctx,
      lock: e.lock, flags: e.flags, link: e.link, owner: e.owner, kernelHeld: undefined, ops: w.ops, next,
      opsOverflow: false, taint: w.taint,
    };
    const stack = this.open.get(e.tid);
    if (e.site === 'io_req_find_next') {
      // Nested in this task's io_wq_free_work/io_wq_put_work window on the same request: one walk.
      const outer = stack?.find((o) => o.enter.site !== 'io_req_find_next' && o.enter.req === e.req);
      if (outer !== undefined) {
        outer.inner = this.assess(observed);
        return undefined;
      }
      // Its enclosing window may have closed first (the two returns' times so close they cross,
      // or this one's return missed): merge into that walk while it waits.
      if (this.mergeIntoWaiting(e.tid, e.req, e.ts, this.assess(observed))) {
        return undefined;
      }
    }
    return this.judge(observed, w.inner);
  }

  private observedFromExitOnly(site: WalkSite, ts: RelNs, cpu: number, tid: number, req: Addr, next: Addr): ObservedWindow {
    const zero = 0 as Addr;
    const lateEnter = this.lateEnters.get(tid);
    // Any loss before this return may have taken its entry; only without one is the window
    // simply older than the capture.
    let taint: Taint | undefined =
      this.lossUntil > -Infinity ? { reason: 'lost_events', detail: `its entry is missing, and events were lost earlier (until ${this.lossUntil} ns)` } : undefined;
    if (lateEnter !== undefined && lateEnter.site === site && lateEnter.req === req) {
      this.lateEnters.delete(tid);
      taint = { reason: 'late_events', detail: `its entry (${lateEnter.ts} ns) arrived later than the reorder horizon` };
    }
    return {
      source: 'raw', site, start: undefined, end: ts, closing: 'returned', cpu, tid, task: zero, req, ctx: zero, lock: zero,
      flags: 0, link: zero, owner: zero, kernelHeld: undefined, ops: [], next, opsOverflow: false, taint,
    };
  }

  private summary(s: WindowSummaryEvent): void {
    if (s.site === 'io_req_find_next') {
      const inner = this.assess(this.observedFromSummary(s));
      if (this.mergeIntoWaiting(s.tid, s.req, s.ts, inner)) {
        return;
      }
    }
    this.timing.learnLock(s.lock, s.ctx);
    const end = (s.ts + s.duration) as RelNs;
    this.timing.window(s.ts, end, s.ctx, s.tid);
    this.timing.summaryOps(s);
    this.judge(this.observedFromSummary(s), undefined);
  }

  private observedFromSummary(s: WindowSummaryEvent): ObservedWindow {
    return {
      source: 'summary', site: s.site, start: s.ts, end: (s.ts + s.duration) as RelNs, closing: 'returned', cpu: s.cpu, tid: s.tid,
      task: s.task, req: s.req, ctx: s.ctx, lock: s.lock, flags: s.flags, link: s.link, owner: s.owner, kernelHeld: s.heldAtEntry,
      ops: s.ops.map((op) => ({ op: op.op, api: op.api, ts: op.ts, lock: s.lock, link: op.link })),
      next: s.next, opsOverflow: s.opsOverflow, taint: undefined,
    };
  }

  /**
   * A nested io_req_find_next window whose enclosing window of the same task and request is
   * already closed but not yet judged: merge into that walk. Returns whether it found one.
   */
  private mergeIntoWaiting(tid: number, req: Addr, innerStart: number, inner: WalkAssessment): boolean {
    let found = false;
    this.pending.newestSince(innerStart - this.horizon, tid, (p) => {
      if (p.req === req && p.site !== 'io_req_find_next' && p.start <= innerStart && innerStart <= p.end + ORPHAN_SKEW_NS) {
        const merged = combineNested({ kind: 'walk', walkProof: p.walkProof, lock: p.lock }, inner);
        if (merged.kind === 'walk') {
          p.lock = merged.lock;
          p.walkProof = merged.walkProof;
        }
        found = true;
      }
      return found;
    });
    return found;
  }

  /**
   * Events missing in [from, to] (of task `tid` only, when given): raw windows that overlap the
   * interval cannot be proven — open ones, closed ones still waiting, and (for a loss, whose
   * interval may reach past the present) ones that open before `to`.
   */
  private loss(from: number, to: number, taint: Taint, tid?: number): void {
    if (tid === undefined) {
      this.lossUntil = Math.max(this.lossUntil, to);
    }
    for (const [t, stack] of this.open) {
      if (tid !== undefined && t !== tid) {
        continue;
      }
      for (const w of stack) {
        if (w.enter.ts <= to) {
          w.taint ??= taint;
        }
      }
    }
    // Waiting walks are queued in the order their windows closed: back from the newest until one
    // closed before the interval began (it, and every one before it, ended before `from`).
    this.pending.newestSince(from, tid, (p) => {
      if (p.source === 'raw' && p.end >= from && p.start <= to && p.lock.state !== 'unknown' && p.lock.needsCompleteness) {
        p.lock = { state: 'unknown', reason: taint.reason, detail: taint.detail, evidence: p.lock.evidence };
      }
      return false;
    });
  }

  private late(e: CaptureEvent, lastReleased: number): void {
    if (e.kind === 'contention_begin') {
      // Statistics only, and not a loss: the kernel prints a sampled wait's begin just before its
      // end, so a wait longer than the horizon arrives with its begin late and its end not: pair them.
      this.timing.contentionBegin(e.tid, e.lock, e.ts);
      return;
    }
    this.tally.lateEvents++;
    const lateness = lastReleased - e.ts;
    this.tally.maxLateness = Math.max(this.tally.maxLateness, lateness);
    switch (e.kind) {
      case 'io_submit':
      case 'io_link':
      case 'io_queue_async':
      case 'io_complete':
      case 'io_fail_link':
      case 'req_free':
      case 'marker':
      case 'totals':
      case 'contention_counted':
        return; // statistics only; never part of a proof
      case 'contention_end':
        this.timing.contentionEnd(e.tid, e.lock, e.ts);
        return;
      case 'window_summary':
        // Self-contained: judge it now (its miss check still waits for readings).
        this.summary(e);
        return;
      case 'probe_misses':
        // Readings are kept in time order whenever they arrive.
        this.reading(e.probe, e.ts, e.missed);
        return;
      case 'lost': {
        this.tally.lostNotices++;
        this.tally.lostEvents += e.count;
        const taint: Taint = { reason: 'lost_events', detail: `${e.count} events lost between ${e.ts} and ${e.ts + e.span} ns` };
        this.loss(e.ts, e.ts + e.span, taint);
        this.withdraw(e.ts, e.ts + e.span, undefined, taint);
        this.timing.forgetContention();
        break;
      }
      case 'window_enter':
      case 'window_exit':
      case 'lock_acquire':
      case 'lock_acquired':
      case 'lock_release':
        if (e.kind === 'window_enter') {
          this.lateEnters.set(e.tid, e);
        }
        if (e.kind === 'window_exit') {
          this.lateExit(e, lateness);
        }
      {
        const taint: Taint = {
          reason: 'late_events',
          detail: `a ${e.kind} event at ${e.ts} ns arrived ${formatDuration(lateness)} after later events, beyond the reorder horizon`,
        };
        // The event belongs to its task at its own time: only windows of that task around it.
        this.loss(e.ts, e.ts, taint, e.tid);
        this.withdraw(e.ts, e.ts, e.tid, taint);
        break;
      }
    }
  }

  /**
   * A return that arrived late still ends its window — which then cannot be proven — so that no
   * walk goes uncounted: the open window of that task, or (its entry late too) a window known
   * only by its return.
   */
  private lateExit(e: WindowExitEvent, lateness: number): void {
    const taint: Taint = { reason: 'late_events', detail: `its return arrived ${formatDuration(lateness)} late, beyond the reorder horizon` };
    const stack = this.open.get(e.tid);
    // Only a window entered before this return can be the one it ends.
    const i = stack === undefined ? -1 : findLastIndex(stack, (w) => w.enter.site === e.site && w.enter.req === e.req && w.enter.ts <= e.ts);
    const w = stack?.[i];
    if (stack !== undefined && w !== undefined) {
      stack.splice(i, 1);
      w.taint = taint;
      this.close(w, e.ts, e.next, 'returned');
      return;
    }
    const missing = this.takeMissingReturn(e.tid, e.site, e.req, e.ts);
    if (missing !== undefined) {
      // Its window was already closed (and counted) when the task entered again: name the cause.
      const p = missing.pending;
      if (p !== undefined && !p.done && p.lock.state === 'unknown' && p.lock.reason === 'return_missing') {
        p.lock = { ...p.lock, reason: 'late_events', detail: `its return (${e.ts} ns) arrived ${formatDuration(lateness)} late` };
      }
      return;
    }
    const lateEnter = this.lateEnters.get(e.tid);
    if (lateEnter !== undefined && lateEnter.site === e.site && lateEnter.req === e.req) {
      this.lateEnters.delete(e.tid);
    }
    this.tally.exitsWithoutEntry++;
    this.judge({ ...this.observedFromExitOnly(e.site, e.ts, e.cpu, e.tid, e.req, e.next), taint }, undefined);
  }

  /** The window closed as return_missing that a return at `ts` belongs to, if any (removed from the list). */
  private takeMissingReturn(tid: number, site: WalkSite, req: Addr, ts: number): MissingReturn | undefined {
    const list = this.missingReturns.get(tid);
    if (list === undefined) {
      return undefined;
    }
    const m = list.findIndex((r) => r.site === site && r.req === req && r.start <= ts && ts <= r.reentry);
    const found = list[m];
    if (found !== undefined) {
      list.splice(m, 1);
    }
    return found;
  }

  /**
   * A late event (or a late loss) inside a walk already given a definite verdict from raw events:
   * that verdict is withdrawn — a new record with the same index, UNKNOWN, replaces it. If the
   * walk is too old to be kept, the capture's order is beyond what the analysis can repair.
   */
  private withdraw(from: number, to: number, tid: number | undefined, taint: Taint): void {
    const repairable = this.given.withdraw(from, to, tid, taint, (old, next) => {
      this.tally.replace(old, next);
      this.onWalk(next);
    });
    if (!repairable) {
      this.tally.orderViolations++;
    }
  }

  private assess(w: ObservedWindow): WalkAssessment {
    return assessWalk(w, this.assessOptions);
  }

  private judge(w: ObservedWindow, inner: WalkAssessment | undefined): PendingWalk | undefined {
    let a = this.assess(w);
    if (inner !== undefined) {
      a = combineNested(a, inner);
    }
    if (a.kind === 'no_walk') {
      this.tally.window(w, a.tail ? 'tail' : 'undetermined');
      return undefined;
    }
    this.tally.window(w, 'walk');
    const start = w.start ?? w.end ?? 0;
    const end = Math.max(start, w.end ?? start);
    const closedAt = Math.max(end, this.reorder.lastReleased, this.lastClosedAt);
    this.lastClosedAt = closedAt;
    const p: PendingWalk = {
      source: w.source, site: w.site, windowStart: w.start, windowEnd: w.end, cpu: w.cpu, tid: w.tid, task: w.task, req: w.req,
      ctx: w.ctx, lockAddr: w.lock, next: w.next, walkProof: a.walkProof, lock: a.lock, start, end, closedAt, done: false,
    };
    this.pending.push(p);
    if (this.pending.size > this.maxPending) {
      this.resolveOldest(`no probe-miss reading within ${this.maxPending} walks after this window`);
    }
    return p;
  }

  private resolveOldest(detail: string): void {
    const p = this.pending.shift();
    if (p === undefined) {
      return;
    }
    if (p.lock.state !== 'unknown' && p.lock.needsCompleteness) {
      p.lock = { state: 'unknown', reason: 'no_miss_reading', detail, evidence: p.lock.evidence };
    }
    this.emit(p);
  }

  /**
   * Judges waiting walks in order, once each has settled (the stream has moved a horizon past
   * its end, so no in-order event can still change it) and the miss readings allow; at the end,
   * all of them.
   */
  private resolvePending(atEnd: boolean): void {
    if (this.awaitingReading && !atEnd) {
      return;
    }
    const settledUntil = this.reorder.lastReleased - this.horizon;
    for (let p = this.pending.oldest(); p !== undefined; p = this.pending.oldest()) {
      if (!atEnd && p.end > settledUntil && this.pending.size <= SETTLE_CAP) {
        break;
      }
      if (p.lock.state !== 'unknown' && p.lock.needsCompleteness) {
        const lock = applyMissCheck(p.lock, this.misses.check(p.start, p.end), atEnd, this.missOptions);
        if (lock === 'wait') {
          this.awaitingReading = true;
          return;
        }
        p.lock = lock;
      }
      this.pending.shift();
      this.emit(p);
    }
  }

  /**
   * Drops miss readings no window can still need: every window judged later starts no earlier
   * than a waiting walk, an open window, or the next event to be released.
   */
  private trimReadings(): void {
    let oldest = this.pending.min((p) => p.start, this.reorder.lastReleased);
    for (const stack of this.open.values()) {
      for (const w of stack) {
        oldest = Math.min(oldest, w.enter.ts);
      }
    }
    this.misses.trim(oldest, this.readingsKeptBehind);
  }

  /**
   * Verdicts for the walks the kernel counted without recording them, by class, from each ring's
   * counted events (analysis/counted-walks.ts): the walks counted between two lines get one
   * probe-miss check over the span they can lie in, then each rule's requirement, as a recorded
   * walk would.
   */
  private judgeCounted(): void {
    for (const span of countedSpans(this.tally.countedEvents())) {
      const cls = span.shape;
      const n = span.walks;
      let lock = countedLockState(span.site, cls, this.assessOptions);
      if (lock.state !== 'unknown' && lock.needsCompleteness) {
        const checked = applyMissCheck(lock, this.sessionMisses.check(span.from, span.to), true, this.missOptions);
        lock = checked === 'wait' ? { state: 'unknown', reason: 'no_miss_reading', detail: 'no probe-miss reading after the counted windows', evidence: [] } : checked;
        if (lock.state === 'unknown') {
          lock = {
            ...lock,
            detail: `${lock.detail} (one check covers the ${n.toLocaleString('en-US')} walks of this shape the kernel counted on one CPU between ${span.from} and ${span.to} ns: it cannot tell which of them the misses touched)`,
          };
        }
      }
      for (const rule of this.options.rules) {
        if (!rule.sites.includes(span.site)) {
          continue;
        }
        const counted = lock;
        const lockAt = (role: LockRole): LockAtWalk =>
          role === 'uring_lock' ? counted : { state: 'unknown', reason: 'lock_not_traced', detail: `this capture does not trace ${role}`, evidence: [] };
        this.tally.countedWalks(rule.id, span.ctx, cls, n, evaluateRequirement(rule.requires, lockAt));
      }
    }
  }

  private probeName(i: number): string {
    const p = this.header.probes[i];
    return p === undefined ? `#${i}` : `${p.mechanism}:${p.target}`;
  }

  private emit(p: PendingWalk): void {
    const index = this.nextIndex++;
    const records: WalkRecord[] = [];
    for (const rule of this.options.rules) {
      if (!rule.sites.includes(p.site)) {
        continue;
      }
      const lockAt = (role: LockRole): LockAtWalk =>
        role === 'uring_lock'
          ? p.lock
          : { state: 'unknown', reason: 'lock_not_traced', detail: `this capture does not trace ${role}`, evidence: p.lock.evidence };
      const verdict = evaluateRequirement(rule.requires, lockAt);
      const record: WalkRecord = {
        index, rule: rule.id, site: p.site, start: (p.windowStart ?? p.start) as RelNs, end: p.windowEnd, cpu: p.cpu, tid: p.tid,
        task: p.task, req: p.req, ctx: p.ctx, lock: p.lockAddr, next: p.next ?? (0 as Addr), walkProof: p.walkProof, verdict,
      };
      this.tally.walk(record);
      this.onWalk(record);
      records.push(record);
    }
    if (p.source === 'raw' && p.lock.state !== 'unknown' && p.lock.needsCompleteness) {
      this.given.add(p.start, p.end, p.closedAt, p.tid, records);
    }
  }
}
