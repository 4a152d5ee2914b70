/**
 * Timing statistics a performance-regression report needs: uring_lock hold and wait times,
 * walk-window durations, contention and chain latency — per ring and per task, in bounded memory
 * (histograms, not samples), plus decimated series for plotting.
 */
import type { CaptureEvent, WindowSummaryEvent } from '../capture/events.js';
import type { Addr } from '../util/addr.js';
import type { RelNs } from '../util/time.js';
import { GroupedStats } from '../stats/grouped-stats.js';
import { DecimatingTimeSeries } from '../stats/time-series.js';

export const TIMING_METRICS = ['lock_hold', 'lock_wait', 'window_duration', 'contention', 'chain_latency'] as const;
export type TimingMetric = (typeof TIMING_METRICS)[number];

export const TIMING_METRIC_TEXT: { readonly [M in TimingMetric]: string } = {
  lock_hold: 'uring_lock hold time (acquired → unlock)',
  lock_wait: 'uring_lock wait time (lock call → acquired)',
  window_duration: 'walk window duration (io_wq_free_work entry → return)',
  contention: 'contended wait (lock:contention_begin → end)',
  chain_latency: 'chain latency (head submitted → last request completed)',
};

/** Tasks with statistics of their own (with "other", 64 groups); later ones are grouped as "other". */
const MAX_TASK_GROUPS = 63;

/** Longest duration kept in a histogram: 2^53 ns (104 days). */
const MAX_DURATION = 2 ** 53;

interface Chain {
  readonly head: Addr;
  readonly ctx: Addr;
  readonly submitted: number;
  readonly members: Addr[];
  completed: number;
  lastComplete: number;
}

/** Keys: per ring "ring:<ctx>", per task "task:<tid>". */
export class TimingStats {
  readonly byMetric: { readonly [M in TimingMetric]: GroupedStats } = {
    lock_hold: new GroupedStats(),
    lock_wait: new GroupedStats(),
    window_duration: new GroupedStats(),
    contention: new GroupedStats(),
    chain_latency: new GroupedStats(),
  };
  /** Hold times over capture time (for the timeline chart). */
  readonly holdSeries = new DecimatingTimeSeries();
  readonly windowSeries = new DecimatingTimeSeries();

  /** Durations that came out negative or absurdly long and were left out. */
  badDurations = 0;
  /** uring_lock address → ring, learned from windows. */
  private readonly ringOfLock = new Map<Addr, Addr>();
  /** Per task, per lock: time of the lock call, of the acquisition, of contention, for raw events. */
  private readonly pendingCall = new TaskLockTimes();
  private readonly heldSince = new TaskLockTimes();
  private readonly contended = new TaskLockTimes();
  /** Group keys, made once per ring and per task (formatting an address is not cheap). */
  private readonly ringKeys = new Map<Addr, string>();
  private readonly taskKeys = new Map<number, string>();
  private readonly chainOf = new Map<Addr, Chain>();

  constructor(private readonly formatAddr: (a: Addr) => string) {}

  private ringKey(lock: Addr): string | undefined {
    const ctx = this.ringOfLock.get(lock);
    return ctx === undefined ? undefined : this.ringKeyOfCtx(ctx);
  }

  private ringKeyOfCtx(ctx: Addr): string {
    let key = this.ringKeys.get(ctx);
    if (key === undefined) {
      key = `ring:${this.formatAddr(ctx)}`;
      this.ringKeys.set(ctx, key);
    }
    return key;
  }

  private taskKey(tid: number): string {
    let key = this.taskKeys.get(tid);
    if (key === undefined) {
      // Tasks come and go (io-wq workers): past a bound, the rest share one group.
      key = this.taskKeys.size < MAX_TASK_GROUPS ? `task:${tid}` : 'task:other';
      this.taskKeys.set(tid, key);
    }
    return key;
  }

  private record(metric: TimingMetric, ring: string | undefined, tid: number | undefined, value: number): void {
    if (!(value >= 0 && value <= MAX_DURATION && Number.isInteger(value))) {
      this.badDurations++;
      return; // negative (clocks of different CPUs disagreeing) or absurd: never a statistic
    }
    const g = this.byMetric[metric];
    if (ring !== undefined) {
      g.record(ring, value);
    }
    if (tid !== undefined) {
      g.record(this.taskKey(tid), value);
    }
    g.record('all', value);
  }

  learnLock(lock: Addr, ctx: Addr): void {
    this.ringOfLock.set(lock, ctx);
  }

  /** Raw events, in time order. */
  event(e: CaptureEvent): void {
    switch (e.kind) {
      case 'lock_acquire':
        this.pendingCall.set(e.tid, e.lock, e.ts);
        break;
      case 'lock_acquired': {
        const called = this.pendingCall.take(e.tid, e.lock);
        if (e.ok) {
          if (called !== undefined) {
            this.record('lock_wait', this.ringKey(e.lock), e.tid, e.ts - called);
          }
          this.heldSince.set(e.tid, e.lock, e.ts);
        }
        break;
      }
      case 'lock_release': {
        const since = this.heldSince.take(e.tid, e.lock);
        if (since !== undefined) {
          this.record('lock_hold', this.ringKey(e.lock), e.tid, e.ts - since);
          this.holdSeries.add(e.ts, e.ts - since);
        }
        break;
      }
      case 'contention_begin':
        this.contended.set(e.tid, e.lock, e.ts);
        break;
      case 'contention_end': {
        const since = this.contended.take(e.tid, e.lock);
        if (since !== undefined) {
          this.record('contention', this.ringKey(e.lock), e.tid, e.ts - since);
        }
        break;
      }
      case 'io_submit':
        this.startChain(e.req, e.ctx, e.ts);
        break;
      case 'io_link':
        this.joinChain(e.req, e.target);
        break;
      case 'io_complete':
        this.complete(e.req, e.ts);
        break;
      case 'req_free':
        // The address's life ends; its chain lives on through its other members.
        this.chainOf.delete(e.req);
        break;
      case 'window_enter':
      case 'window_exit':
      case 'io_queue_async':
      case 'io_fail_link':
      case 'window_summary':
      case 'totals':
      case 'lost':
      case 'probe_misses':
      case 'marker':
        break;
    }
  }

  window(start: RelNs, end: RelNs, ctx: Addr, tid: number): void {
    this.record('window_duration', this.ringKeyOfCtx(ctx), tid, end - start);
    this.windowSeries.add(start, end - start);
  }

  /** Hold and wait times from a kernel summary's operations. */
  summaryOps(s: WindowSummaryEvent): void {
    const ring = this.ringKeyOfCtx(s.ctx);
    let called: number | undefined;
    let held: number | undefined;
    for (const op of s.ops) {
      switch (op.op) {
        case 'acquire':
          called = op.ts;
          break;
        case 'acquired':
          if (called !== undefined) {
            this.record('lock_wait', ring, s.tid, op.ts - called);
          }
          called = undefined;
          held = op.ts;
          break;
        case 'acquire_failed':
          called = undefined;
          break;
        case 'release':
          if (held !== undefined) {
            this.record('lock_hold', ring, s.tid, op.ts - held);
            this.holdSeries.add(op.ts, op.ts - held);
          }
          held = undefined;
          break;
      }
    }
  }

  private startChain(req: Addr, ctx: Addr, ts: number): void {
    // A submit at a known address starts a new request: the old identity ended (recycled memory).
    this.dropFromChain(req);
    this.chainOf.set(req, { head: req, ctx, submitted: ts, members: [req], completed: 0, lastComplete: ts });
  }

  private joinChain(req: Addr, target: Addr): void {
    const chain = this.chainOf.get(target);
    if (chain === undefined) {
      return;
    }
    const own = this.chainOf.get(req);
    if (own !== undefined && own !== chain && own.members.length === 1 && own.completed === 0) {
      this.chainOf.delete(req);
    }
    chain.members.push(req);
    this.chainOf.set(req, chain);
  }

  private complete(req: Addr, ts: number): void {
    const chain = this.chainOf.get(req);
    if (chain === undefined) {
      return;
    }
    chain.completed++;
    chain.lastComplete = Math.max(chain.lastComplete, ts);
    if (chain.completed >= chain.members.length) {
      for (const m of chain.members) {
        if (this.chainOf.get(m) === chain) {
          this.chainOf.delete(m);
        }
      }
      if (chain.members.length > 1) {
        this.record('chain_latency', this.ringKeyOfCtx(chain.ctx), undefined, chain.lastComplete - chain.submitted);
      }
    }
  }

  private dropFromChain(req: Addr): void {
    const chain = this.chainOf.get(req);
    if (chain === undefined) {
      return;
    }
    for (const m of chain.members) {
      if (this.chainOf.get(m) === chain) {
        this.chainOf.delete(m);
      }
    }
  }
}

/** A time per (task, lock), without building a string key per event. */
class TaskLockTimes {
  private readonly byTask = new Map<number, Map<Addr, number>>();

  set(tid: number, lock: Addr, ts: number): void {
    let m = this.byTask.get(tid);
    if (m === undefined) {
      m = new Map();
      this.byTask.set(tid, m);
    }
    m.set(lock, ts);
  }

  /** The time stored for (tid, lock), removing it. */
  take(tid: number, lock: Addr): number | undefined {
    const m = this.byTask.get(tid);
    const v = m?.get(lock);
    if (m !== undefined && v !== undefined) {
      m.delete(lock);
      if (m.size === 0) {
        this.byTask.delete(tid);
      }
    }
    return v;
  }
}
