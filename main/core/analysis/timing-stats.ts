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
  /** Per (tid, lock): time of the lock call and of the acquisition, for raw events. */
  private readonly pendingCall = new Map<string, number>();
  private readonly heldSince = new Map<string, number>();
  private readonly contended = new Map<string, number>();
  private readonly chainOf = new Map<Addr, Chain>();

  constructor(private readonly formatAddr: (a: Addr) => string) {}

  private ringKey(lock: Addr): string | undefined {
    const ctx = this.ringOfLock.get(lock);
    return ctx === undefined ? undefined : `ring:${this.formatAddr(ctx)}`;
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
      g.record(`task:${tid}`, value);
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
        this.pendingCall.set(`${e.tid}:${e.lock}`, e.ts);
        break;
      case 'lock_acquired': {
        const key = `${e.tid}:${e.lock}`;
        const called = this.pendingCall.get(key);
        this.pendingCall.delete(key);
        if (e.ok) {
          if (called !== undefined) {
            this.record('lock_wait', this.ringKey(e.lock), e.tid, e.ts - called);
          }
          this.heldSince.set(key, e.ts);
        }
        break;
      }
      case 'lock_release': {
        const key = `${e.tid}:${e.lock}`;
        const since = this.heldSince.get(key);
        this.heldSince.delete(key);
        if (since !== undefined) {
          this.record('lock_hold', this.ringKey(e.lock), e.tid, e.ts - since);
          this.holdSeries.add(e.ts, e.ts - since);
        }
        break;
      }
      case 'contention_begin':
        this.contended.set(`${e.tid}:${e.lock}`, e.ts);
        break;
      case 'contention_end': {
        const key = `${e.tid}:${e.lock}`;
        const since = this.contended.get(key);
        this.contended.delete(key);
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
    this.record('window_duration', `ring:${this.formatAddr(ctx)}`, tid, end - start);
    this.windowSeries.add(start, end - start);
  }

  /** Hold and wait times from a kernel summary's operations. */
  summaryOps(s: WindowSummaryEvent): void {
    const ring = `ring:${this.formatAddr(s.ctx)}`;
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
        this.record('chain_latency', `ring:${this.formatAddr(chain.ctx)}`, undefined, chain.lastComplete - chain.submitted);
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

  /** Requests still tracked (memory is bounded by requests in flight). */
  get openRequests(): number {
    return this.chainOf.size + this.heldSince.size + this.pendingCall.size;
  }
}
