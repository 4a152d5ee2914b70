/**
 * Puts events back in timestamp order within a bounded horizon.
 *
 * bpftrace's perf buffers are per CPU, so events reach user space out of order across CPUs (and a
 * task that migrates can see its own events reordered). Events are released in global timestamp
 * order once the newest timestamp seen is more than `horizonNs` past them. An event older than
 * one already released is *late*: it is handed to `onLate` instead of the ordered stream, so the
 * analysis can refuse to judge what it might have changed.
 *
 * Where events wait: an event no older than every event before it joins the *in-order run* — a
 * queue of index ranges of the batches themselves, so that ordered input costs no copy and no
 * per-event bookkeeping. An older one (it must be put in its place) is copied into a column store
 * and waits in its CPU's queue, sorted by insertion from the tail (each CPU's stream is nearly
 * ordered). Release merges the in-order run with the CPU queues (a small heap over the queues).
 * Equal timestamps leave in arrival order within a queue.
 */
import type { EventColumns } from '../capture/event-columns.js';
import { eventAt } from '../capture/event-columns.js';
import type { CaptureEvent } from '../capture/events.js';
import { ColumnStore } from './column-store.js';

/** Events [from, to) of one batch, waiting in arrival (= time) order. */
interface Run {
  readonly c: EventColumns;
  from: number;
  to: number;
}

/** One CPU's out-of-order arrivals: slots in the store, ordered by timestamp from `head` on. */
interface Queue {
  items: number[];
  head: number;
}

export class ReorderBuffer {
  private readonly store = new ColumnStore();
  /** The in-order run; entries before `runHead` are released (undefined). */
  private readonly runs: (Run | undefined)[] = [];
  private runHead = 0;
  /** Timestamp of the last event appended to the in-order run. */
  private runTail = -Infinity;
  private readonly queues = new Map<number, Queue>();
  /** Non-empty CPU queues ordered by the timestamp of their head item (a binary heap). */
  private heap: Queue[] = [];
  private newest = -Infinity;
  private released = -Infinity;
  private size = 0;

  constructor(
    private readonly horizonNs: number,
    /** Receives each event in order: columns and index, valid until it returns. */
    private readonly emit: (c: EventColumns, i: number) => void,
    private readonly onLate: (e: CaptureEvent, lastReleased: number) => void,
    /**
     * Upper bound on buffered events; past it the oldest are released early (anything older
     * arriving after that is late, and handled as such). Keeps memory bounded at any event rate.
     */
    private readonly maxBuffered = 262_144,
  ) {}

  /** Timestamp of the last event released in order. */
  get lastReleased(): number {
    return this.released;
  }

  /** Every event of a batch, in arrival order. */
  push(c: EventColumns): void {
    const times = c.ts;
    let run: Run | undefined;
    for (let i = 0; i < c.count; i++) {
      const ts = times[i] ?? 0;
      if (ts < this.released) {
        this.onLate(eventAt(c, i), this.released);
        continue;
      }
      if (ts >= this.runTail) {
        if (run?.to === i) {
          run.to++;
        } else {
          run = { c, from: i, to: i + 1 };
          this.runs.push(run);
        }
        this.runTail = ts;
      } else {
        this.insert(this.store.put(c, i), ts, c.cpu[i] ?? 0);
      }
      this.size++;
      if (ts > this.newest) {
        this.newest = ts;
      }
      this.drain(this.newest - this.horizonNs);
    }
  }

  private insert(slot: number, ts: number, cpu: number): void {
    let q = this.queues.get(cpu);
    if (q === undefined) {
      q = { items: [], head: 0 };
      this.queues.set(cpu, q);
    }
    const wasEmpty = q.head === q.items.length;
    const items = q.items;
    const times = this.store.columns.ts;
    // Insert by timestamp from the tail; equal times keep arrival order.
    let i = items.length;
    while (i > q.head && (times[items[i - 1] ?? 0] ?? 0) > ts) {
      i--;
    }
    if (i === items.length) {
      items.push(slot);
    } else {
      items.splice(i, 0, slot);
    }
    if (wasEmpty) {
      this.heapPush(q);
    } else if (i === q.head) {
      this.heapFix(q);
    }
  }

  /** Releases everything (end of input). */
  flush(): void {
    this.drain(Infinity);
  }

  private drain(limit: number): void {
    const storeTimes = this.store.columns.ts;
    for (;;) {
      const run = this.runs[this.runHead];
      const runTs = run === undefined ? Infinity : (run.c.ts[run.from] ?? 0);
      const q = this.heap[0];
      const slot = q?.items[q.head];
      const queueTs = slot === undefined ? Infinity : (storeTimes[slot] ?? 0);
      // The in-order run first on equal times: its events arrived earlier than any copied one of that time.
      const fromRun = runTs <= queueTs;
      const ts = fromRun ? runTs : queueTs;
      if (ts === Infinity || (ts > limit && this.size <= this.maxBuffered)) {
        return;
      }
      this.size--;
      this.released = ts;
      if (fromRun && run !== undefined) {
        const i = run.from++;
        if (run.from === run.to) {
          this.runs[this.runHead++] = undefined;
          if (this.runHead > 1024 && this.runHead * 2 > this.runs.length) {
            this.runs.splice(0, this.runHead);
            this.runHead = 0;
          }
        }
        this.emit(run.c, i);
      } else if (q !== undefined && slot !== undefined) {
        q.head++;
        if (q.head === q.items.length) {
          q.items.length = 0;
          q.head = 0;
          this.heapPop();
        } else {
          if (q.head > 4096 && q.head * 2 > q.items.length) {
            q.items = q.items.slice(q.head);
            q.head = 0;
          }
          this.siftDown(0);
        }
        this.emit(this.store.columns, slot);
        this.store.free(slot);
      }
    }
  }

  private key(q: Queue): number {
    const slot = q.items[q.head];
    return slot === undefined ? Infinity : (this.store.columns.ts[slot] ?? Infinity);
  }

  private heapPush(q: Queue): void {
    this.heap.push(q);
    this.siftUp(this.heap.length - 1);
  }

  private heapPop(): void {
    const last = this.heap.pop();
    if (last !== undefined && this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
  }

  private heapFix(q: Queue): void {
    const i = this.heap.indexOf(q);
    this.siftUp(i);
    this.siftDown(i);
  }

  private siftUp(start: number): void {
    const h = this.heap;
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const a = h[i];
      const b = h[parent];
      if (a === undefined || b === undefined || this.key(b) <= this.key(a)) {
        return;
      }
      h[i] = b;
      h[parent] = a;
      i = parent;
    }
  }

  private siftDown(start: number): void {
    const h = this.heap;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      const hm = h[m];
      const hl = h[l];
      const hr = h[r];
      if (hm === undefined) {
        return;
      }
      let km = this.key(hm);
      if (hl !== undefined && this.key(hl) < km) {
        m = l;
        km = this.key(hl);
      }
      if (hr !== undefined && this.key(hr) < km) {
        m = r;
      }
      if (m === i) {
        return;
      }
      const hmNew = h[m];
      if (hmNew === undefined) {
        return;
      }
      h[i] = hmNew;
      h[m] = hm;
      i = m;
    }
  }
}
