/**
 * The linked-NOP model's simulation (see linked-nop-model.ts for what it models).
 *
 * A discrete-event simulation: each submitter and worker is an actor whose next step sits on a
 * time-ordered agenda. Steps that read or change uring_lock (a window's entry reads the owner
 * word; mutex_lock takes it) run at their own time, so the lock's state is always decided in
 * time order and every task sees the same history. A step writes the events it causes, which
 * may lie a little ahead of the clock; once the agenda has passed a delivery slice, that slice
 * is handed to the per-CPU delivery, followed by the counter readings due in it.
 */
import type { CaptureEvent, LockApi, WindowOp } from '../capture/events.js';
import type { Addr } from '../util/addr.js';
import { NULL_ADDR, ownerTask } from '../util/addr.js';
import { assertUnreachable } from '../util/assert-unreachable.js';
import type { DurationNs, RelNs } from '../util/time.js';
import { ActionQueue } from './action-queue.js';
import { KernelTotals, lockedAroundWalk } from './kernel-totals.js';
import type { Action, OpenWindow, Ring, Task, Worker } from './linked-nop-actors.js';
import { buildActors } from './linked-nop-actors.js';
import type { LinkedNopProbeIndices } from './linked-nop-header.js';
import { linkedNopProbeIndices, linkedNopProbes } from './linked-nop-header.js';
import type { Step } from './linked-nop-layout.js';
import {
  CHUNK_EVENTS, IORING_OP_NOP, IOSQE_ASYNC, IOSQE_IO_LINK, LCB_F_MUTEX, MIGRATE_AT_CHAIN, MIGRATE_IN_CHAIN, MIGRATE_SUBMITTER,
  QUEUE_DEPTH, SLICE_NS, STEP_NS,
} from './linked-nop-layout.js';
import type { ResolvedOptions } from './linked-nop-options.js';
import { MissInjector } from './miss-injector.js';
import { PerfDelivery } from './perf-delivery.js';
import type { Prng } from './prng.js';
import { substream } from './prng.js';

/** The only mutex entry point the modelled kernels use for uring_lock here. */
const API: LockApi = 'mutex_lock';
const rel = (n: number): RelNs => n as RelNs;

export class LinkedNopSimulation {
  private readonly rng: Prng;
  private readonly agenda = new ActionQueue<Action>();
  private readonly delivery: PerfDelivery;
  private readonly misses: MissInjector;
  private readonly probes: LinkedNopProbeIndices;
  private readonly rings: Ring[];
  private readonly raw: boolean;
  private readonly patched: boolean;
  private readonly lossPlans: number[];
  private readonly lossSpanNs: number;
  private readonly lossRng: Prng;
  private nextLoss = 0;
  private sliceEnd = SLICE_NS;
  private nextReading: number;
  private readonly totals: KernelTotals;
  private submitted = 0;
  private acquisitions = 0;
  private contended = 0;
  private lastTs = 0;
  private finished = false;

  constructor(private readonly o: ResolvedOptions) {
    this.rng = substream(o.seed, 0);
    this.raw = o.grain === 'raw';
    this.patched = o.kernel === 'patched';
    this.delivery = new PerfDelivery(o.cpus, substream(o.seed, 1), CHUNK_EVENTS);
    this.probes = linkedNopProbeIndices(linkedNopProbes(o.kernel, o.grain));
    this.misses = new MissInjector(o.injectMisses, o.chains, this.probes.proof, substream(o.seed, 2));
    this.lossRng = substream(o.seed, 3);
    this.lossPlans = Array.from({ length: o.chains > 0 ? o.injectLoss : 0 }, () => this.lossRng.int(Math.floor(o.chains * 0.05), Math.floor(o.chains * 0.85)))
      .sort((a, b) => a - b);
    this.lossSpanNs = lossSpan(o);
    this.nextReading = o.missEveryNs;
    this.totals = new KernelTotals(this.nextReading);
    this.rings = buildActors(o);
    this.start();
  }

  get done(): boolean {
    return this.finished;
  }

  takeChunks(): CaptureEvent[][] {
    return this.delivery.takeReady();
  }

  /** Runs the simulation until some chunks are ready or the run is over. */
  advance(): void {
    let steps = 0;
    while (!this.finished) {
      const t = this.agenda.peekTime();
      while (t >= this.sliceEnd && this.agenda.size > 0) {
        this.flushSlice();
      }
      const next = this.agenda.pop();
      if (next === undefined) {
        this.end();
        return;
      }
      this.act(next.t, next.action);
      if (++steps >= 256 && this.delivery.readyChunks > 0) {
        return;
      }
    }
  }

  private start(): void {
    this.direct({ kind: 'marker', ts: rel(0), cpu: -1, tid: 0, marker: 'session_start', text: `lockscope synthetic linked-NOP model, seed ${this.o.seed}` });
    this.readings(0, false);
    const k = this.o.chainLength;
    this.direct({
      kind: 'marker', ts: rel(500), cpu: -1, tid: 0, marker: 'workload_start',
      text: `${this.o.chains} chains of ${k} linked NOPs (IOSQE_IO_LINK|IOSQE_ASYNC) on ${this.o.rings} rings`,
    });
    for (const ring of this.rings) {
      if (ring.chainsLeft > 0) {
        this.agenda.push(this.draw('firstSubmit'), { kind: 'submit', ring });
      }
    }
  }

  // --- the actors -------------------------------------------------------------------------------

  private act(t: number, a: Action): void {
    switch (a.kind) {
      case 'submit':
        this.submit(t, a.ring);
        break;
      case 'start':
        this.startChain(t, a.worker);
        break;
      case 'enter':
        this.enter(t, a.worker);
        break;
      case 'acquire':
        this.acquireInWindow(t, a.worker);
        break;
      default:
        assertUnreachable(a);
    }
  }

  /** io_uring_enter: take uring_lock, submit one chain, queue its head to io-wq. */
  private submit(t: number, ring: Ring): void {
    if (ring.chainsLeft === 0) {
      return;
    }
    if (ring.inflight >= QUEUE_DEPTH) {
      ring.submitterSleeping = true;
      return;
    }
    if (ring.lock.busyAt(t) && !this.chooseToWait()) {
      this.agenda.push(ring.lock.freeAt + this.draw('retryAfterRelease'), { kind: 'submit', ring });
      return;
    }
    const k = this.o.chainLength;
    const gaps: number[] = [];
    for (let i = 0; i < k; i++) {
      gaps.push(this.draw('submitOne'), i > 0 ? this.draw('linkAfterSubmit') : 0);
    }
    const queueGap = this.draw('queueAsync');
    const releaseGap = this.draw('releaseAfterQueue');
    const hold = gaps.reduce((a, b) => a + b, 0) + queueGap + releaseGap;
    const s = ring.submitter;
    if (this.rng.chance(MIGRATE_SUBMITTER)) {
      s.cpu = this.otherCpu(s.cpu);
    }
    const { acquiredTs, releaseTs } = this.takeLock(t, ring, s, hold, undefined);
    const base = { cpu: s.cpu, tid: s.tid, ctx: ring.ctx };
    const reqs: Addr[] = [];
    let at = acquiredTs;
    for (let i = 0; i < k; i++) {
      at += gaps[2 * i] ?? 0;
      const req = ring.pool.alloc(at);
      const flags = i < k - 1 ? IOSQE_IO_LINK | IOSQE_ASYNC : IOSQE_ASYNC;
      this.stage({ kind: 'io_submit', ts: rel(at), ...base, req, opcode: IORING_OP_NOP, flags });
      const prev = reqs[i - 1];
      if (prev !== undefined) {
        at += gaps[2 * i + 1] ?? 0;
        this.stage({ kind: 'io_link', ts: rel(at), ...base, req, target: prev });
      }
      reqs.push(req);
    }
    at += queueGap;
    const head = reqs[0] ?? NULL_ADDR;
    this.stage({ kind: 'io_queue_async', ts: rel(at), ...base, req: head, opcode: IORING_OP_NOP });
    if (at + releaseGap !== releaseTs) {
      throw new Error('linked-nop: submitter hold does not match its steps');
    }
    this.noteTs(releaseTs);

    const ordinal = this.submitted++;
    this.misses.chainSubmitted(ordinal, t);
    this.planLosses(ordinal, t, ring);
    ring.queue.push({ reqs, queuedAt: at });
    ring.inflight++;
    ring.chainsLeft--;
    const idle = ring.workers.find((w) => w.idle);
    if (idle !== undefined) {
      idle.idle = false;
      this.agenda.push(at + this.draw('workerWake'), { kind: 'start', worker: idle });
    }
    if (ring.chainsLeft > 0) {
      this.agenda.push(releaseTs + this.draw('submitGap'), { kind: 'submit', ring });
    }
  }

  /** A worker takes the oldest queued chain of its rings, or goes idle. */
  private startChain(t: number, w: Worker): void {
    let best: Ring | undefined;
    let bestAt = Infinity;
    for (const r of w.rings) {
      const at = r.queue[0]?.queuedAt ?? Infinity;
      if (at < bestAt) {
        best = r;
        bestAt = at;
      }
    }
    if (best === undefined) {
      w.idle = true;
      return;
    }
    if (bestAt > t) {
      // Queued by a submitter whose io_uring_enter is still running: pick it up once it is there.
      this.agenda.push(bestAt + this.draw('workerNext'), { kind: 'start', worker: w });
      return;
    }
    const chain = best.queue.shift();
    if (chain === undefined) {
      throw new Error('linked-nop: queue emptied under a worker');
    }
    if (this.rng.chance(MIGRATE_AT_CHAIN)) {
      w.cpu = this.otherCpu(w.cpu);
    }
    w.ring = best;
    w.chain = chain;
    w.pos = 0;
    this.runRequest(t, w);
  }

  /** Runs request `w.pos` of the chain (io_uring_complete), then enters its free_work window. */
  private runRequest(t: number, w: Worker): void {
    const { ring, req } = this.current(w);
    const completeTs = t + this.draw('exec');
    this.stage({ kind: 'io_complete', ts: rel(completeTs), cpu: w.cpu, tid: w.tid, ctx: ring.ctx, req, res: 0 });
    this.agenda.push(completeTs + this.draw('completeToEnter'), { kind: 'enter', worker: w });
  }

  /** io_wq_free_work entry. */
  private enter(t: number, w: Worker): void {
    const { ring, req, link } = this.current(w);
    const owner = ring.lock.ownerAt(t);
    const flags = link === NULL_ADDR ? IOSQE_ASYNC : IOSQE_IO_LINK | IOSQE_ASYNC;
    let entrySeen = true;
    if (this.raw) {
      this.probeHit(
        { kind: 'window_enter', ts: rel(t), cpu: w.cpu, tid: w.tid, site: 'io_wq_free_work', task: w.task, req, ctx: ring.ctx, lock: ring.lock.addr, flags, link, owner },
        this.probes.entry,
      );
    } else {
      entrySeen = !this.misses.swallows(this.probes.entry, t);
    }
    w.window = { enterTs: t, cpu: w.cpu, req, link, owner, flags, ops: [], entrySeen };
    if (link !== NULL_ADDR && this.patched) {
      this.agenda.push(t + this.draw('enterToLock'), { kind: 'acquire', worker: w });
      return;
    }
    const freeTs = t + this.draw('enterToFreeUnlocked');
    this.closeWindow(w, freeTs, freeTs + this.draw('freeToExitUnlocked'));
  }

  /** Patched kernels: mutex_lock(&ctx->uring_lock) around io_req_find_next inside the window. */
  private acquireInWindow(t: number, w: Worker): void {
    const { ring } = this.current(w);
    if (ring.lock.busyAt(t) && !this.chooseToWait()) {
      this.agenda.push(ring.lock.freeAt + this.draw('retryAfterRelease'), { kind: 'acquire', worker: w });
      return;
    }
    const { releaseTs } = this.takeLock(t, ring, w, this.draw('walkHold'), w.window);
    const freeTs = releaseTs + this.draw('unlockToFree');
    this.closeWindow(w, freeTs, freeTs + this.draw('freeToExit'));
  }

  /** io_free_req and the window's return; then the next request of the chain, or the next chain. */
  private closeWindow(w: Worker, freeTs: number, exitTs: number): void {
    const { ring, req, link } = this.current(w);
    const win = w.window;
    if (win === undefined) {
      throw new Error('linked-nop: window closed twice');
    }
    w.window = undefined;
    this.probeHit({ kind: 'req_free', ts: rel(freeTs), cpu: w.cpu, tid: w.tid, req }, this.probes.free);
    if (this.raw) {
      this.probeHit({ kind: 'window_exit', ts: rel(exitTs), cpu: w.cpu, tid: w.tid, site: 'io_wq_free_work', req, next: link }, this.probes.exit);
    } else {
      this.summarize(w, ring, win, exitTs);
    }
    ring.pool.release(req, freeTs);
    this.noteTs(exitTs);
    w.pos++;
    const chain = w.chain;
    if (chain !== undefined && w.pos < chain.reqs.length) {
      if (this.rng.chance(MIGRATE_IN_CHAIN)) {
        w.cpu = this.otherCpu(w.cpu);
      }
      this.runRequest(exitTs, w);
      return;
    }
    w.chain = undefined;
    ring.inflight--;
    if (ring.submitterSleeping) {
      ring.submitterSleeping = false;
      this.agenda.push(exitTs + this.draw('submitterWake'), { kind: 'submit', ring });
    }
    this.agenda.push(exitTs + this.draw('workerNext'), { kind: 'start', worker: w });
  }

  /** Grain summary: the kernel's record of the window, and its count for the totals. */
  private summarize(w: Worker, ring: Ring, win: OpenWindow, exitTs: number): void {
    const returnSeen = !this.misses.swallows(this.probes.exit, exitTs);
    if (!win.entrySeen || !returnSeen) {
      return; // the kernel never saw a whole window: no record, not counted
    }
    const held = ownerTask(win.owner) === w.task;
    this.stage(
      {
        kind: 'window_summary', ts: rel(win.enterTs), cpu: win.cpu, tid: w.tid, site: 'io_wq_free_work',
        duration: (exitTs - win.enterTs) as DurationNs, task: w.task, req: win.req, ctx: ring.ctx, lock: ring.lock.addr,
        flags: win.flags, link: win.link, owner: win.owner, heldAtEntry: held ? 'held' : 'not_held', next: win.link,
        ops: win.ops, opsOverflow: false,
      },
      exitTs,
    );
    this.totals.count(ring.totals, exitTs, win.link !== NULL_ADDR, lockedAroundWalk(win.link, win.ops));
  }

  // --- the lock ---------------------------------------------------------------------------------

  /** Whether an acquisition that finds the lock busy waits for it (else the task retries later). */
  private chooseToWait(): boolean {
    return this.contended < this.o.contentionRate * (this.acquisitions + 1);
  }

  /**
   * `task` calls mutex_lock at `t` (the caller has decided to wait if the lock is busy) and holds
   * the lock for `hold` ns after it returns. Inside window `win` the operations snapshot
   * req->link (the walk happens while the lock is held); outside a window they have no snapshot.
   */
  private takeLock(t: number, ring: Ring, task: Task, hold: number, win: OpenWindow | undefined): { acquiredTs: number; releaseTs: number } {
    const lock = ring.lock;
    const base = { cpu: task.cpu, tid: task.tid, lock: lock.addr };
    let heldFrom = t;
    let acquiredTs: number;
    if (lock.busyAt(t)) {
      const grant = lock.freeAt;
      const beginTs = t + Math.min(this.draw('contendBegin'), Math.floor((grant - t) / 2));
      const endTs = grant + this.draw('contendEnd');
      acquiredTs = endTs + this.draw('contendReturn');
      heldFrom = grant;
      lock.wait(t, t, grant);
      this.stage({ kind: 'contention_begin', ts: rel(beginTs), ...base, flags: LCB_F_MUTEX });
      this.stage({ kind: 'contention_end', ts: rel(endTs), ...base, ret: 0 });
      this.contended++;
    } else {
      acquiredTs = t + this.draw('lockFast');
    }
    this.acquisitions++;
    const releaseTs = acquiredTs + hold;
    lock.hold(t, heldFrom, releaseTs, task.task);
    if (this.raw) {
      const snap = win === undefined ? ({ seen: false } as const) : ({ seen: true, link: win.link } as const);
      const cleared = win === undefined ? ({ seen: false } as const) : ({ seen: true, link: NULL_ADDR } as const);
      this.probeHit({ kind: 'lock_acquire', ts: rel(t), ...base, api: API, snapshot: snap }, this.probes.acquire);
      this.probeHit({ kind: 'lock_acquired', ts: rel(acquiredTs), ...base, api: API, ok: true, snapshot: snap }, this.probes.acquired);
      this.probeHit({ kind: 'lock_release', ts: rel(releaseTs), ...base, snapshot: cleared }, this.probes.release);
    } else if (win !== undefined) {
      // Summary grain: the kernel keeps the window's operations; those outside windows are filtered out.
      const ops: readonly (readonly [WindowOp['op'], number, Addr, number])[] = [
        ['acquire', t, win.link, this.probes.acquire],
        ['acquired', acquiredTs, win.link, this.probes.acquired],
        ['release', releaseTs, NULL_ADDR, this.probes.release],
      ];
      for (const [op, ts, link, probe] of ops) {
        if (!this.misses.swallows(probe, ts)) {
          win.ops.push({ op, ts: rel(ts), api: API, link });
        }
      }
    }
    return { acquiredTs, releaseTs };
  }

  // --- output -----------------------------------------------------------------------------------

  private stage(e: CaptureEvent, writeTs?: number): void {
    this.delivery.stage(e, writeTs);
  }

  /** A hit of a miss-counted probe: recorded unless an injected miss swallows it. */
  private probeHit(e: CaptureEvent, probe: number): void {
    if (probe >= 0 && this.misses.swallows(probe, e.ts)) {
      return;
    }
    this.delivery.stage(e);
  }

  private direct(e: CaptureEvent): void {
    this.delivery.direct(e);
  }

  private noteTs(ts: number): void {
    this.lastTs = Math.max(this.lastTs, ts);
  }

  /** Delivers the slice that just ended and the readings due within it. */
  private flushSlice(): void {
    this.delivery.flushUntil(this.sliceEnd);
    while (this.nextReading < this.sliceEnd) {
      this.periodicReading();
    }
    this.sliceEnd += SLICE_NS;
  }

  private periodicReading(): void {
    this.readings(this.nextReading, !this.raw);
    this.nextReading += this.o.missEveryNs;
    this.totals.advance(this.nextReading);
  }

  /** Miss counters of every counted probe (and, for grain summary, each ring's totals) at `t`. */
  private readings(t: number, totals: boolean): void {
    for (const probe of this.probes.counted) {
      this.direct({ kind: 'probe_misses', ts: rel(t), cpu: -1, tid: 0, probe, missed: this.misses.readAt(probe, t) });
    }
    if (totals) {
      for (const r of this.rings) {
        this.direct({ kind: 'totals', ts: rel(t), cpu: -1, tid: 0, ctx: r.ctx, ...r.totals });
      }
    }
  }

  /** Every chain done: the last slices, the final readings and the closing markers. */
  private end(): void {
    const stopTs = this.lastTs + 1_000;
    const finalTs = stopTs + 1_000;
    this.delivery.flushUntil(stopTs);
    while (this.nextReading < finalTs) {
      this.periodicReading();
    }
    this.totals.advance(Infinity);
    this.delivery.finish();
    this.direct({ kind: 'marker', ts: rel(stopTs), cpu: -1, tid: 0, marker: 'workload_stop', text: `${this.submitted} chains submitted` });
    this.readings(finalTs, !this.raw);
    this.direct({ kind: 'marker', ts: rel(finalTs + 1_000), cpu: -1, tid: 0, marker: 'session_stop', text: 'end of the synthetic run' });
    this.delivery.close();
    this.finished = true;
  }

  // --- helpers ----------------------------------------------------------------------------------

  private current(w: Worker): { ring: Ring; req: Addr; link: Addr } {
    const ring = w.ring;
    const req = w.chain?.reqs[w.pos];
    if (ring === undefined || req === undefined) {
      throw new Error(`linked-nop: worker ${w.tid} has no current request`);
    }
    return { ring, req, link: w.chain?.reqs[w.pos + 1] ?? NULL_ADDR };
  }

  private draw(step: Step): number {
    const [lo, hi] = STEP_NS[step];
    return this.rng.int(lo, hi);
  }

  private otherCpu(cpu: number): number {
    return this.o.cpus === 1 ? cpu : (cpu + this.rng.int(1, this.o.cpus - 1)) % this.o.cpus;
  }

  /** Injected losses planned for chain `ordinal`: one CPU's events over a few ms from about now. */
  private planLosses(ordinal: number, t: number, ring: Ring): void {
    for (;;) {
      const at = this.lossPlans[this.nextLoss];
      if (at === undefined || at > ordinal) {
        return;
      }
      this.nextLoss++;
      const from = t + this.lossRng.int(0, 20_000);
      const span = Math.round(this.lossSpanNs * (0.5 + this.lossRng.next()));
      const victim = ring.workers[this.lossRng.int(0, ring.workers.length - 1)];
      this.delivery.planLoss(from, from + span, victim?.cpu ?? ring.submitter.cpu);
    }
  }
}

/** Length of an injected loss: about 1/40 of the run's expected length, within [20 µs, 4 ms]. */
function lossSpan(o: ResolvedOptions): number {
  const perRing = Math.ceil(o.chains / o.rings);
  const effWorkers = Math.max(0.25, Math.min(o.workers / o.rings, QUEUE_DEPTH));
  const cycle = Math.max(4_000, (o.chainLength * 2_300) / effWorkers);
  return Math.min(4_000_000, Math.max(20_000, Math.round((perRing * cycle) / 40)));
}
