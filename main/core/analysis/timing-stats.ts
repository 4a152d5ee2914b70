/**
 * Timing statistics a performance-regression report needs: uring_lock hold and wait times,
 * walk-window durations, contention and chain latency — per ring and per task, in bounded memory
 * (histograms, not samples), plus decimated series for plotting.
 */
import type { WindowSummaryEvent } from '../capture/events.js';
import type { Addr } from '../util/addr.js';
import type { RelNs } from '../util/time.js';
import { GroupedStats } from '../stats/grouped-stats.js';
import { DecimatingTimeSeries } from '../stats/time-series.js';
import type { LogHistogram } from '../stats/log-histogram.js';

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
  /** uring_lock address → its ring's histograms, learned from windows. */
  private readonly ringOfLock = new Map<Addr, GroupHistograms>();
  /** Per task, per lock: time of the lock call, of the acquisition, of contention, for raw events. */
  private readonly pendingCall = new TaskLockTimes();
  private readonly heldSince = new TaskLockTimes();
  private readonly contended = new TaskLockTimes();
  /** Per task, its latest contention_end (any lock). */
  private readonly lastContentionEnd = new Map<number, number>();
  /** Histograms of each ring and task, found once per key (formatting an address is not cheap). */
  private readonly rings = new Map<Addr, GroupHistograms>();
  private readonly tasks = new Map<number, GroupHistograms>();
  private readonly all = new GroupHistograms('all');
  private readonly chainOf = new Map<Addr, Chain>();

  constructor(private readonly formatAddr: (a: Addr) => string) {}

  private ring(ctx: Addr): GroupHistograms {
    let g = this.rings.get(ctx);
    if (g === undefined) {
      g = new GroupHistograms(`ring:${this.formatAddr(ctx)}`);
      this.rings.set(ctx, g);
    }
    return g;
  }

  private task(tid: number): GroupHistograms {
    let g = this.tasks.get(tid);
    if (g === undefined) {
      // Tasks come and go (io-wq workers): past a bound, the rest share one group.
      g = this.tasks.size < MAX_TASK_GROUPS ? new GroupHistograms(`task:${tid}`) : this.otherTasks;
      this.tasks.set(tid, g);
    }
    return g;
  }

  private readonly otherTasks = new GroupHistograms('task:other');

  private record(metric: TimingMetric, ring: GroupHistograms | undefined, tid: number | undefined, value: number): void {
    if (!(value >= 0 && value <= MAX_DURATION && Number.isInteger(value))) {
      this.badDurations++;
      return; // negative (clocks of different CPUs disagreeing) or absurd: never a statistic
    }
    const g = this.byMetric[metric];
    ring?.histogram(g, metric).record(value);
    if (tid !== undefined) {
      this.task(tid).histogram(g, metric).record(value);
    }
    this.all.histogram(g, metric).record(value);
  }

  learnLock(lock: Addr, ctx: Addr): void {
    this.ringOfLock.set(lock, this.ring(ctx));
  }

  // Raw events, in time order (called with the events' fields: no object per event).

  lockCall(tid: number, lock: Addr, ts: number): void {
    this.pendingCall.set(tid, lock, ts);
  }

  lockAcquired(tid: number, lock: Addr, ts: number, ok: boolean): void {
    const called = this.pendingCall.take(tid, lock);
    if (ok) {
      if (called !== undefined) {
        this.record('lock_wait', this.ringOfLock.get(lock), tid, ts - called);
      }
      this.heldSince.set(tid, lock, ts);
    }
  }

  lockRelease(tid: number, lock: Addr, ts: number): void {
    const since = this.heldSince.take(tid, lock);
    if (since !== undefined) {
      this.record('lock_hold', this.ringOfLock.get(lock), tid, ts - since);
      this.holdSeries.add(ts as RelNs, ts - since);
    }
  }

  /**
   * A mutex's wait fires contention_begin more than once (spinning, then sleeping, again after
   * each wake-up) and contention_end once: the wait runs from the first begin. A pending begin
   * from before the task's last contention_end is stale (it arrived after its own end) and gives
   * way.
   */
  contentionBegin(tid: number, lock: Addr, ts: number): void {
    const pending = this.contended.peek(tid, lock);
    if (pending === undefined || pending <= (this.lastContentionEnd.get(tid) ?? -Infinity)) {
      this.contended.set(tid, lock, ts);
    }
  }

  contentionEnd(tid: number, lock: Addr, ts: number): void {
    const since = this.contended.take(tid, lock);
    // A begin from before the task's last end belongs to a wait already over: not this one's.
    if (since !== undefined && since > (this.lastContentionEnd.get(tid) ?? -Infinity)) {
      this.record('contention', this.ringOfLock.get(lock), tid, ts - since);
    }
    // Kept in order of the latest end: past a bound, the tasks that waited longest ago go.
    const prev = this.lastContentionEnd.get(tid) ?? ts;
    this.lastContentionEnd.delete(tid);
    this.lastContentionEnd.set(tid, Math.max(ts, prev));
    if (this.lastContentionEnd.size > MAX_TASKS_REMEMBERED) {
      let drop = this.lastContentionEnd.size / 2;
      for (const key of this.lastContentionEnd.keys()) {
        if (drop-- <= 0) {
          break;
        }
        this.lastContentionEnd.delete(key);
      }
    }
  }

  /**
   * Events were lost: an end may be among them, and the begin it would have closed must not
   * start the task's next wait.
   */
  forgetContention(): void {
    this.contended.clear();
  }

  /** io_uring_submit_req: a new request (and chain head, until it is linked). */
  submit(req: Addr, ctx: Addr, ts: number): void {
    this.startChain(req, ctx, ts);
  }

  /** io_uring_link: `req` joins the chain of `target`. */
  link(req: Addr, target: Addr): void {
    this.joinChain(req, target);
  }

  complete(req: Addr, ts: number): void {
    this.completeRequest(req, ts);
  }

  /** The address's life ends; its chain lives on through its other members. */
  free(req: Addr): void {
    this.chainOf.delete(req);
  }

  window(start: RelNs, end: RelNs, ctx: Addr, tid: number): void {
    this.record('window_duration', this.ring(ctx), tid, end - start);
    this.windowSeries.add(start, end - start);
  }

  /** Hold and wait times from a kernel summary's operations. */
  summaryOps(s: WindowSummaryEvent): void {
    const ring = this.ring(s.ctx);
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

  private completeRequest(req: Addr, ts: number): void {
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
        this.record('chain_latency', this.ring(chain.ctx), undefined, chain.lastComplete - chain.submitted);
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

/**
 * One ring's or task's histogram of each metric, created on its first value (so that groups keep
 * GroupedStats' first-use order and no metric gets empty groups).
 */
class GroupHistograms {
  private readonly byMetric = new Map<TimingMetric, LogHistogram>();

  constructor(readonly key: string) {}

  histogram(stats: GroupedStats, metric: TimingMetric): LogHistogram {
    let h = this.byMetric.get(metric);
    if (h === undefined) {
      h = stats.get(this.key);
      this.byMetric.set(metric, h);
    }
    return h;
  }
}

/** Inner maps of tasks with nothing pending are dropped only past this many tasks (not at every event). */
const SWEEP_TASKS = 1024;
/** Tasks whose latest contention_end is remembered (io-wq workers come and go). */
const MAX_TASKS_REMEMBERED = 4096;

/** Locks one task can have a pending time for; past it the oldest is forgotten (a statistic is lost, never a verdict). */
const MAX_LOCKS_PER_TASK = 64;

/** A time per (task, lock), without building a string key per event. */
class TaskLockTimes {
  /** Per task, pairs [lock, time, lock, time, ...]: a task waits on or holds few locks at once. */
  private readonly byTask = new Map<number, number[]>();
  private sweepAt = SWEEP_TASKS;

  set(tid: number, lock: Addr, ts: number): void {
    let pairs = this.byTask.get(tid);
    if (pairs === undefined) {
      pairs = [];
      this.byTask.set(tid, pairs);
    }
    for (let i = 0; i < pairs.length; i += 2) {
      if (pairs[i] === lock) {
        pairs[i + 1] = ts;
        return;
      }
    }
    if (pairs.length >= 2 * MAX_LOCKS_PER_TASK) {
      pairs.splice(0, 2); // statistics only: the oldest is forgotten
    }
    pairs.push(lock, ts);
  }

  clear(): void {
    this.byTask.clear();
  }

  /** The time stored for (tid, lock), kept. */
  peek(tid: number, lock: Addr): number | undefined {
    const pairs = this.byTask.get(tid);
    if (pairs !== undefined) {
      for (let i = 0; i < pairs.length; i += 2) {
        if (pairs[i] === lock) {
          return pairs[i + 1];
        }
      }
    }
    return undefined;
  }

  /** The time stored for (tid, lock), removing it. */
  take(tid: number, lock: Addr): number | undefined {
    const pairs = this.byTask.get(tid);
    if (pairs === undefined) {
      return undefined;
    }
    for (let i = 0; i < pairs.length; i += 2) {
      if (pairs[i] === lock) {
        const v = pairs[i + 1];
        pairs.splice(i, 2);
        if (this.byTask.size > this.sweepAt) {
          this.sweep();
          this.sweepAt = Math.max(SWEEP_TASKS, 2 * this.byTask.size);
        }
        return v;
      }
    }
    return undefined;
  }

  /** Forgets tasks with nothing pending (tasks come and go). */
  private sweep(): void {
    for (const [tid, pairs] of this.byTask) {
      if (pairs.length === 0) {
        this.byTask.delete(tid);
      }
    }
  }
}
