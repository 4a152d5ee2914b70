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
import type { CaptureEvent, WindowEnterEvent, WindowSummaryEvent } from '../capture/events.js';
import type { CaptureHeader } from '../capture/header.js';
import type { Addr } from '../util/addr.js';
import { formatAddr as formatAddrWithBias } from '../util/addr.js';
import type { RelNs } from '../util/time.js';
import { formatDuration } from '../util/time.js';
import { evaluateRequirement } from '../rules/evaluate-rule.js';
import type { LockRole, Rule } from '../rules/rule.js';
import { AnalysisTally } from './analysis-tally.js';
import type { LockAtWalk } from './assess-walk.js';
import { assessWalk } from './assess-walk.js';
import { MissReadings } from './miss-readings.js';
import type { ObservedOp, ObservedWindow, Taint } from './observed-window.js';
import type { PlanCoverage } from './plan-coverage.js';
import { planCoverage } from './plan-coverage.js';
import { ReorderBuffer } from './reorder-buffer.js';
import { TimingStats } from './timing-stats.js';
import type { WalkProof, WalkRecord } from './verdict.js';

export const DEFAULT_REORDER_HORIZON_NS = 1_000_000_000;
export const DEFAULT_MAX_PENDING = 1_000_000;

export interface AnalyzerOptions {
  readonly rules: readonly Rule[];
  readonly reorderHorizonNs?: number;
  /** Walks waiting for a probe-miss reading; past this the oldest are judged UNKNOWN. */
  readonly maxPending?: number;
}

interface OpenWindow {
  readonly enter: WindowEnterEvent;
  readonly ops: ObservedOp[];
  taint: Taint | undefined;
}

interface PendingWalk {
  readonly window: ObservedWindow;
  readonly walkProof: WalkProof | undefined;
  lock: LockAtWalk;
  readonly start: number;
  readonly end: number;
}

export class Analyzer {
  readonly tally: AnalysisTally;
  readonly timing: TimingStats;
  private readonly reorder: ReorderBuffer;
  private readonly coverage: PlanCoverage;
  private readonly misses: MissReadings;
  private readonly ownerUsable: boolean;
  private readonly open = new Map<number, OpenWindow[]>();
  private readonly pending: PendingWalk[] = [];
  private pendingHead = 0;
  private lossUntil = -Infinity;
  private lastEmittedEnd = -Infinity;
  private nextIndex = 1;
  private readonly maxPending: number;
  readonly formatAddr: (a: Addr) => string;

  constructor(
    readonly header: CaptureHeader,
    private readonly options: AnalyzerOptions,
    private readonly onWalk: (w: WalkRecord) => void,
  ) {
    this.formatAddr = (a) => formatAddrWithBias(a, header.addrBias);
    this.coverage = planCoverage(header);
    this.misses = new MissReadings(this.coverage.complete ? this.coverage.countedProbes : []);
    this.ownerUsable = !header.target.preemptRt;
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    this.tally = new AnalysisTally(header, options.rules, this.coverage);
    this.timing = new TimingStats(this.formatAddr);
    const horizon = options.reorderHorizonNs ?? DEFAULT_REORDER_HORIZON_NS;
    this.reorder = new ReorderBuffer(
      horizon,
      (e) => {
        this.event(e);
      },
      (e, last) => {
        this.late(e, last);
      },
    );
  }

  push(events: readonly CaptureEvent[]): void {
    for (const e of events) {
      this.tally.events++;
      this.reorder.push(e);
    }
  }

  /** End of input: flush, close what is open, judge what waits. */
  finish(): void {
    this.reorder.flush();
    for (const stack of this.open.values()) {
      for (const w of stack) {
        this.close(w, undefined, undefined, 'open_at_end');
      }
    }
    this.open.clear();
    this.resolvePending(true);
    this.tally.finish(this.timing);
  }

  private event(e: CaptureEvent): void {
    this.timing.event(e);
    switch (e.kind) {
      case 'window_enter':
        this.enter(e);
        break;
      case 'window_exit': {
        const stack = this.open.get(e.tid);
        const i = stack === undefined ? -1 : findLastIndex(stack, (w) => w.enter.site === e.site && w.enter.req === e.req);
        const w = stack?.[i];
        if (stack === undefined || w === undefined) {
          this.tally.exitsWithoutEntry++;
          this.judge(this.observedFromExitOnly(e.site, e.ts, e.cpu, e.tid, e.req, e.next));
          break;
        }
        stack.splice(i, 1);
        this.close(w, e.ts, e.next, 'returned');
        break;
      }
      case 'lock_acquire':
      case 'lock_acquired':
      case 'lock_release': {
        const stack = this.open.get(e.tid);
        if (stack === undefined) {
          break;
        }
        const op = e.kind === 'lock_acquire' ? 'acquire' : e.kind === 'lock_release' ? 'release' : e.ok ? 'acquired' : 'acquire_failed';
        const api = e.kind === 'lock_release' ? 'mutex_lock' : e.api;
        for (const w of stack) {
          if (w.enter.lock === e.lock) {
            w.ops.push({ op, api, ts: e.ts, lock: e.lock, link: e.snapshot.seen ? e.snapshot.link : undefined });
          }
        }
        break;
      }
      case 'window_summary':
        this.summary(e);
        break;
      case 'lost':
        this.loss(e.ts, e.ts + e.span, `${e.count} events lost between ${e.ts} and ${e.ts + e.span} ns`);
        this.tally.lostNotices++;
        this.tally.lostEvents += e.count;
        break;
      case 'probe_misses':
        this.misses.add(e.probe, e.ts, e.missed);
        this.tally.missReading(e.probe, e.missed);
        this.resolvePending(false);
        this.trimReadings();
        break;
      case 'totals':
        this.tally.totals(e);
        break;
      case 'marker':
        this.tally.marker(e);
        break;
      case 'contention_begin':
      case 'contention_end':
      case 'io_submit':
      case 'io_link':
      case 'io_queue_async':
      case 'io_complete':
      case 'io_fail_link':
      case 'req_free':
        break;
    }
    this.tally.lastTs = e.ts;
  }

  private enter(e: WindowEnterEvent): void {
    let stack = this.open.get(e.tid);
    if (stack === undefined) {
      stack = [];
      this.open.set(e.tid, stack);
    }
    // A task cannot re-enter the same window function before it returns: the earlier one's
    // return was missed.
    const stale = findLastIndex(stack, (w) => w.enter.site === e.site);
    const old = stack[stale];
    if (old !== undefined) {
      stack.splice(stale, 1);
      this.close(old, undefined, undefined, 'return_missing');
    }
    this.timing.learnLock(e.lock, e.ctx);
    const taint: Taint | undefined =
      e.ts <= this.lossUntil ? { reason: 'lost_events', detail: `events were lost until ${this.lossUntil} ns, after this window began` } : undefined;
    stack.push({ enter: e, ops: [], taint });
  }

  private close(w: OpenWindow, end: RelNs | undefined, next: Addr | undefined, closing: ObservedWindow['closing']): void {
    const e = w.enter;
    if (end !== undefined) {
      this.timing.window(e.ts, end, e.ctx, e.tid);
    }
    this.judge({
      source: 'raw', site: e.site, start: e.ts, end, closing, cpu: e.cpu, tid: e.tid, task: e.task, req: e.req, ctx: e.ctx,
      lock: e.lock, flags: e.flags, link: e.link, owner: e.owner, kernelHeld: undefined, ops: w.ops, next,
      opsOverflow: false, taint: w.taint,
    });
  }

  private observedFromExitOnly(site: ObservedWindow['site'], ts: RelNs, cpu: number, tid: number, req: Addr, next: Addr): ObservedWindow {
    const zero = 0 as Addr;
    return {
      source: 'raw', site, start: undefined, end: ts, closing: 'returned', cpu, tid, task: zero, req, ctx: zero, lock: zero,
      flags: 0, link: zero, owner: zero, kernelHeld: undefined, ops: [], next, opsOverflow: false,
      taint: ts <= this.lossUntil ? { reason: 'lost_events', detail: 'its entry may have been lost' } : undefined,
    };
  }

  private summary(s: WindowSummaryEvent): void {
    this.timing.learnLock(s.lock, s.ctx);
    const end = (s.ts + s.duration) as RelNs;
    this.timing.window(s.ts, end, s.ctx, s.tid);
    this.timing.summaryOps(s);
    this.judge({
      source: 'summary', site: s.site, start: s.ts, end, closing: 'returned', cpu: s.cpu, tid: s.tid, task: s.task, req: s.req,
      ctx: s.ctx, lock: s.lock, flags: s.flags, link: s.link, owner: s.owner, kernelHeld: s.heldAtEntry,
      ops: s.ops.map((op) => ({ op: op.op, api: op.api, ts: op.ts, lock: s.lock, link: op.link })),
      next: s.next, opsOverflow: s.opsOverflow, taint: undefined,
    });
  }

  /** Events lost in [from, to]: raw windows open then, or opening before `to`, cannot be proven. */
  private loss(from: number, to: number, detail: string): void {
    this.lossUntil = Math.max(this.lossUntil, to);
    for (const stack of this.open.values()) {
      for (const w of stack) {
        w.taint ??= { reason: 'lost_events', detail };
      }
    }
    // Closed raw windows still waiting for a miss reading may overlap the interval too.
    for (let i = this.pendingHead; i < this.pending.length; i++) {
      const p = this.pending[i];
      if (p !== undefined && p.window.source === 'raw' && p.end >= from && p.start <= to && p.lock.state !== 'unknown' && p.lock.needsCompleteness) {
        p.lock = { state: 'unknown', reason: 'lost_events', detail, evidence: p.lock.evidence };
      }
    }
  }

  private late(e: CaptureEvent, lastReleased: number): void {
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
      case 'contention_begin':
      case 'contention_end':
      case 'marker':
      case 'totals':
        return; // statistics only; never part of a proof
      case 'window_summary':
        // Self-contained: judge it now (its miss check still waits for readings).
        this.summary(e);
        return;
      case 'probe_misses':
        this.misses.add(e.probe, e.ts, e.missed);
        this.tally.missReading(e.probe, e.missed);
        break;
      case 'lost':
        this.tally.lostNotices++;
        this.tally.lostEvents += e.count;
        break;
      case 'window_enter':
      case 'window_exit':
      case 'lock_acquire':
      case 'lock_acquired':
      case 'lock_release':
        break;
    }
    const to = e.kind === 'lost' ? e.ts + e.span : lastReleased;
    this.loss(e.ts, to, `an event at ${e.ts} ns arrived ${formatDuration(lateness)} after later events, beyond the reorder horizon`);
    if (e.ts <= this.lastEmittedEnd) {
      this.tally.orderViolations++;
    }
  }

  private judge(w: ObservedWindow): void {
    const a = assessWalk(w, { ownerUsable: this.ownerUsable, coverage: this.coverage, formatAddr: this.formatAddr });
    if (a.kind === 'no_walk') {
      this.tally.window(w, a.tail);
      return;
    }
    this.tally.window(w, false);
    const start = w.start ?? w.end ?? 0;
    const end = w.end ?? start;
    this.pending.push({ window: w, walkProof: a.walkProof, lock: a.lock, start, end });
    if (this.pending.length - this.pendingHead > this.maxPending) {
      this.resolveOldest(`no probe-miss reading within ${this.maxPending} walks after this window`);
    }
    this.resolvePending(false);
  }

  private resolveOldest(detail: string): void {
    const p = this.pending[this.pendingHead];
    if (p === undefined) {
      return;
    }
    if (p.lock.state !== 'unknown' && p.lock.needsCompleteness) {
      p.lock = { state: 'unknown', reason: 'no_miss_reading', detail, evidence: p.lock.evidence };
    }
    this.emit(p);
    this.pendingHead++;
  }

  /** Judges waiting walks in order as far as the miss readings allow (all of them at the end). */
  private resolvePending(atEnd: boolean): void {
    while (this.pendingHead < this.pending.length) {
      const p = this.pending[this.pendingHead];
      if (p === undefined) {
        break;
      }
      if (p.lock.state !== 'unknown' && p.lock.needsCompleteness) {
        const check = this.misses.check(p.start, p.end);
        if (check.kind === 'wait') {
          if (!atEnd) {
            break;
          }
          p.lock = { state: 'unknown', reason: 'no_miss_reading', detail: 'the capture ended before the probe-miss counters were read after this window', evidence: p.lock.evidence };
        } else if (check.kind === 'no_reading_before') {
          p.lock = { state: 'unknown', reason: 'no_miss_reading', detail: `no miss reading of probe ${this.probeName(check.probe)} before this window`, evidence: p.lock.evidence };
        } else if (check.kind === 'missed') {
          p.lock = {
            state: 'unknown',
            reason: 'probe_misses',
            detail: `${this.probeName(check.probe)} missed ${check.count} hits between ${check.from} and ${check.to} ns`,
            evidence: p.lock.evidence,
          };
        } else {
          p.lock = { ...p.lock, evidence: [...p.lock.evidence, { type: 'coverage', text: check.text }] };
        }
      }
      this.emit(p);
      this.pendingHead++;
    }
    if (this.pendingHead > 4096 && this.pendingHead * 2 > this.pending.length) {
      this.pending.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
  }

  /**
   * Drops miss readings no window can still need: every window judged later starts no earlier
   * than the oldest waiting walk, the oldest open window, or the next event to be released.
   */
  private trimReadings(): void {
    let oldest = this.reorder.lastReleased;
    const head = this.pending[this.pendingHead];
    if (head !== undefined) {
      oldest = Math.min(oldest, head.start);
    }
    for (const stack of this.open.values()) {
      for (const w of stack) {
        oldest = Math.min(oldest, w.enter.ts);
      }
    }
    this.misses.trim(oldest);
  }

  private probeName(i: number): string {
    const p = this.header.probes[i];
    return p === undefined ? `#${i}` : `${p.mechanism}:${p.target}`;
  }

  private emit(p: PendingWalk): void {
    const w = p.window;
    this.lastEmittedEnd = Math.max(this.lastEmittedEnd, p.end);
    const index = this.nextIndex++;
    for (const rule of this.options.rules) {
      if (!rule.sites.includes(w.site)) {
        continue;
      }
      const lockAt = (role: LockRole): LockAtWalk =>
        role === 'uring_lock'
          ? p.lock
          : { state: 'unknown', reason: 'lock_not_traced', detail: `this capture does not trace ${role}`, evidence: p.lock.evidence };
      const verdict = evaluateRequirement(rule.requires, lockAt);
      const record: WalkRecord = {
        index, rule: rule.id, site: w.site, start: (w.start ?? p.start) as RelNs, end: w.end, cpu: w.cpu, tid: w.tid,
        task: w.task, req: w.req, ctx: w.ctx, lock: w.lock, next: w.next ?? (0 as Addr), walkProof: p.walkProof, verdict,
      };
      this.tally.walk(record);
      this.onWalk(record);
    }
  }
}

function findLastIndex<T>(list: readonly T[], pred: (t: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) {
    const v = list[i];
    if (v !== undefined && pred(v)) {
      return i;
    }
  }
  return -1;
}
