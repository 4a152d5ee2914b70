/**
 * The state of the linked-NOP model's actors: rings (each with its submitter thread, uring_lock,
 * request cache and io-wq queue) and io-wq workers, and the actions the simulation schedules.
 */
import type { WindowOp } from '../capture/events.js';
import type { Addr } from '../util/addr.js';
import type { RingTotals } from './kernel-totals.js';
import { URING_LOCK_OFFSET, ctxAddr, reqRegion, submitterTid, taskAddr, workerTid } from './linked-nop-layout.js';
import type { ResolvedOptions } from './linked-nop-options.js';
import { ReqPool } from './req-pool.js';
import { RingLock } from './ring-lock.js';

export interface Task {
  readonly tid: number;
  /** task_struct address (what the mutex owner word holds). */
  readonly task: Addr;
  cpu: number;
}

export interface Chain {
  readonly reqs: readonly Addr[];
  /** When io_queue_async put the head on the io-wq queue. */
  readonly queuedAt: number;
}

export interface Ring {
  readonly index: number;
  readonly ctx: Addr;
  readonly lock: RingLock;
  readonly submitter: Task;
  readonly pool: ReqPool;
  /** io-wq work queue: chains in the order they were queued. */
  readonly queue: Chain[];
  readonly workers: Worker[];
  readonly totals: RingTotals;
  chainsLeft: number;
  inflight: number;
  /** The submitter waits in io_uring_enter for a completion (the ring is full). */
  submitterSleeping: boolean;
}

/** An io_wq_free_work window as the worker's probes see it, from entry to return. */
export interface OpenWindow {
  readonly enterTs: number;
  readonly cpu: number;
  readonly req: Addr;
  readonly link: Addr;
  readonly owner: Addr;
  readonly flags: number;
  /** Grain summary: the window's lock operations the kernel kept. */
  readonly ops: WindowOp[];
  /** Grain summary: the entry probe ran (did not miss). */
  readonly entrySeen: boolean;
}

export interface Worker extends Task {
  readonly rings: Ring[];
  ring: Ring | undefined;
  chain: Chain | undefined;
  /** Index in `chain` of the request being run. */
  pos: number;
  /** Asleep, waiting for work (a submitter wakes it). */
  idle: boolean;
  window: OpenWindow | undefined;
}

export type Action =
  | { readonly kind: 'submit'; readonly ring: Ring }
  | { readonly kind: 'start'; readonly worker: Worker }
  | { readonly kind: 'enter'; readonly worker: Worker }
  | { readonly kind: 'acquire'; readonly worker: Worker };

/**
 * Rings and workers for the options. With at least as many workers as rings, worker w serves
 * ring w mod rings; with fewer, ring r is served by worker r mod workers.
 */
export function buildActors(o: ResolvedOptions): Ring[] {
  const { rings: n, workers, cpus, chains } = o;
  const rings: Ring[] = [];
  for (let r = 0; r < n; r++) {
    const ctx = ctxAddr(r);
    rings.push({
      index: r, ctx, lock: new RingLock((ctx + URING_LOCK_OFFSET) as Addr),
      submitter: { tid: submitterTid(r), task: taskAddr(r), cpu: r % cpus },
      pool: new ReqPool(reqRegion(r), 3), queue: [], workers: [],
      totals: { windows: 0, walks: 0, walksLockedInside: 0, chainTails: 0 },
      chainsLeft: Math.floor(chains / n) + (r < chains % n ? 1 : 0), inflight: 0, submitterSleeping: false,
    });
  }
  for (let w = 0; w < workers; w++) {
    const served = workers >= n ? rings.filter((r) => r.index === w % n) : rings.filter((r) => r.index % workers === w);
    const worker: Worker = {
      tid: workerTid(w), task: taskAddr(n + w), cpu: (n + w) % cpus, rings: served,
      ring: undefined, chain: undefined, pos: 0, idle: true, window: undefined,
    };
    for (const r of served) {
      r.workers.push(worker);
    }
  }
  return rings;
}
