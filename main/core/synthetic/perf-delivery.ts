/**
 * How the linked-NOP model's events reach user space: like bpftrace's per-CPU perf buffers.
 *
 * Events are staged as the simulation makes them, each with the time it was written to its CPU's
 * buffer (its own time, or for a kernel summary the window's return), and delivered one time
 * slice of write times at a time: all of one CPU's events of the slice (in the order that CPU
 * wrote them), then the next CPU's, starting from a
 * different CPU each slice. Across CPUs, arrival is therefore out of timestamp order by up to a
 * slice; a task that migrated can see its own events reordered. Records that come from user
 * space (counter readings, markers, loss notices) are appended after the slice they follow.
 *
 * Losses: for a planned loss, every event of one CPU inside [from, to] is dropped, and once the
 * interval has been delivered a `lost` notice (cpu -1) with the exact count follows.
 */
import type { CaptureEvent } from '../capture/events.js';
import type { DurationNs, RelNs } from '../util/time.js';
import type { Prng } from './prng.js';

interface Staged {
  readonly e: CaptureEvent;
  /** When the event was written to its CPU's buffer. */
  readonly w: number;
}

interface Loss {
  readonly from: number;
  readonly to: number;
  readonly cpu: number;
  count: number;
}

export class PerfDelivery {
  private staging: Staged[] = [];
  private flushed = 0;
  private out: CaptureEvent[] = [];
  private ready: CaptureEvent[][] = [];
  private readonly losses: Loss[] = [];
  private maxStaged = 0;

  constructor(
    private readonly cpus: number,
    private readonly rng: Prng,
    private readonly chunkSize: number,
  ) {}

  /** Events before this time have been delivered (or dropped). */
  get deliveredUntil(): number {
    return this.flushed;
  }

  /** Largest number of events staged at once (memory check). */
  get maxStagedEvents(): number {
    return this.maxStaged;
  }

  /** An event from a probe, written to its CPU's buffer at `writeTs` (default: its own time). */
  stage(e: CaptureEvent, writeTs: number = e.ts): void {
    if (writeTs < this.flushed) {
      throw new Error(`perf-delivery: event written at ${writeTs} ns staged after delivery reached ${this.flushed} ns`);
    }
    this.staging.push({ e, w: writeTs });
  }

  /** A record from user space, delivered now. */
  direct(e: CaptureEvent): void {
    this.out.push(e);
    this.cut(false);
  }

  /** Drop one CPU's events in [from, to]; the interval must not be delivered yet. */
  planLoss(from: number, to: number, cpu: number): void {
    if (from < this.flushed) {
      throw new Error(`perf-delivery: loss at ${from} ns planned after delivery reached ${this.flushed} ns`);
    }
    this.losses.push({ from, to, cpu, count: 0 });
  }

  /** Delivers every staged event before `until`, CPU by CPU, then the loss notices now due. */
  flushUntil(until: number): void {
    this.maxStaged = Math.max(this.maxStaged, this.staging.length);
    const now: Staged[] = [];
    const keep: Staged[] = [];
    for (const s of this.staging) {
      (s.w < until ? now : keep).push(s);
    }
    this.staging = keep;
    this.flushed = Math.max(this.flushed, until);
    if (now.length > 0) {
      const byCpu = new Map<number, Staged[]>();
      for (const s of now) {
        let list = byCpu.get(s.e.cpu);
        if (list === undefined) {
          list = [];
          byCpu.set(s.e.cpu, list);
        }
        list.push(s);
      }
      const first = this.rng.int(0, this.cpus - 1);
      const order = [...byCpu.keys()].sort((a, b) => mod(a - first, this.cpus) - mod(b - first, this.cpus) || a - b);
      for (const cpu of order) {
        const list = (byCpu.get(cpu) ?? []).sort((a, b) => a.w - b.w);
        for (const s of list) {
          if (!this.dropped(s)) {
            this.out.push(s.e);
          }
        }
        this.cut(false);
      }
    }
    this.announce(until);
  }

  /** End of the run: everything staged, every pending notice, and the last partial chunk. */
  finish(): void {
    this.flushUntil(Infinity);
  }

  /** Appends the final partial chunk to the ready ones. */
  close(): void {
    this.cut(true);
  }

  /** Chunks ready to be taken. */
  get readyChunks(): number {
    return this.ready.length;
  }

  takeReady(): CaptureEvent[][] {
    const r = this.ready;
    this.ready = [];
    return r;
  }

  private dropped(s: Staged): boolean {
    for (const l of this.losses) {
      if (s.e.cpu === l.cpu && s.w >= l.from && s.w <= l.to) {
        l.count++;
        return true;
      }
    }
    return false;
  }

  private announce(until: number): void {
    for (let i = 0; i < this.losses.length; ) {
      const l = this.losses[i];
      if (l === undefined || l.to >= until) {
        i++;
        continue;
      }
      this.losses.splice(i, 1);
      if (l.count > 0) {
        this.direct({ kind: 'lost', ts: l.from as RelNs, cpu: -1, tid: 0, count: l.count, span: (l.to - l.from) as DurationNs });
      }
    }
  }

  private cut(all: boolean): void {
    while (this.out.length >= this.chunkSize || (all && this.out.length > 0)) {
      this.ready.push(this.out.splice(0, this.chunkSize));
    }
  }
}

function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}
