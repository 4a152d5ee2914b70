/**
 * Puts events back in timestamp order within a bounded horizon.
 *
 * bpftrace's perf buffers are per CPU, so events reach user space out of order across CPUs (and a
 * task that migrates can see its own events reordered). Events are kept in one queue per CPU
 * (each nearly ordered, so insertion is at or near the tail) and released in global timestamp
 * order once the newest timestamp seen is more than `horizonNs` past them. An event older than
 * one already released is *late*: it is handed to `onLate` instead of the ordered stream, so the
 * analysis can refuse to judge what it might have changed.
 *
 * Events wait in a column store (slots in typed arrays, reused), not as objects: `emit` receives
 * a slot, valid until it returns.
 */
import type { EventColumns } from '../capture/event-columns.js';
import { eventAt } from '../capture/event-columns.js';
import type { CaptureEvent } from '../capture/events.js';
import { ColumnStore } from './column-store.js';

interface Queue {
  /** Slots, ordered by timestamp from `head` on. */
  items: number[];
  head: number;
}

export class ReorderBuffer {
  /** The events waiting, by slot. */
  readonly store = new ColumnStore();
  private readonly queues = new Map<number, Queue>();
  /** Queues ordered by the timestamp of their head item (a small binary heap). */
  private heap: Queue[] = [];
  private newest = -Infinity;
  private released = -Infinity;
  private size = 0;

  constructor(
    private readonly horizonNs: number,
    private readonly emit: (slot: number) => void,
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
    const rare = (n: number): CaptureEvent | undefined => c.rare[n];
    for (let i = 0; i < c.count; i++) {
      const ts = c.ts[i] ?? 0;
      if (ts < this.released) {
        this.onLate(eventAt(c, i, rare), this.released);
        continue;
      }
      this.insert(this.store.put(c, i), ts, c.cpu[i] ?? 0);
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
    const times = this.store.ts;
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
    this.size++;
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
    const times = this.store.ts;
    for (;;) {
      const q = this.heap[0];
      if (q === undefined) {
        return;
      }
      const slot = q.items[q.head];
      if (slot === undefined) {
        throw new Error('reorder: empty queue in heap');
      }
      const ts = times[slot] ?? 0;
      if (ts > limit && this.size <= this.maxBuffered) {
        return;
      }
      q.head++;
      this.size--;
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
      this.released = ts;
      this.emit(slot);
      this.store.free(slot);
    }
  }

  private key(q: Queue): number {
    const slot = q.items[q.head];
    return slot === undefined ? Infinity : (this.store.ts[slot] ?? Infinity);
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
