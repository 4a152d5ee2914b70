/**
 * Puts events back in timestamp order within a bounded horizon.
 *
 * bpftrace's perf buffers are per CPU, so events reach user space out of order across CPUs (and a
 * task that migrates can see its own events reordered). Events are kept in one queue per CPU
 * (each nearly ordered, so insertion is at or near the tail) and released in global timestamp
 * order once the newest timestamp seen is more than `horizonNs` past them. An event older than
 * one already released is *late*: it is handed to `onLate` instead of the ordered stream, so the
 * analysis can refuse to judge what it might have changed.
 */
import type { CaptureEvent } from '../capture/events.js';

interface Queue<T> {
  items: T[];
  head: number;
}

export class ReorderBuffer {
  private readonly queues = new Map<number, Queue<CaptureEvent>>();
  /** Queues ordered by the timestamp of their head item (a small binary heap). */
  private heap: Queue<CaptureEvent>[] = [];
  private newest = -Infinity;
  private released = -Infinity;
  private size = 0;

  constructor(
    private readonly horizonNs: number,
    private readonly emit: (e: CaptureEvent) => void,
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

  push(e: CaptureEvent): void {
    if (e.ts < this.released) {
      this.onLate(e, this.released);
      return;
    }
    let q = this.queues.get(e.cpu);
    if (q === undefined) {
      q = { items: [], head: 0 };
      this.queues.set(e.cpu, q);
    }
    const wasEmpty = q.head === q.items.length;
    const items = q.items;
    // Insert by timestamp from the tail; equal times keep arrival order.
    let i = items.length;
    while (i > q.head) {
      const prev = items[i - 1];
      if (prev === undefined || prev.ts <= e.ts) {
        break;
      }
      i--;
    }
    if (i === items.length) {
      items.push(e);
    } else {
      items.splice(i, 0, e);
    }
    this.size++;
    if (wasEmpty) {
      this.heapPush(q);
    } else if (i === q.head) {
      this.heapFix(q);
    }
    if (e.ts > this.newest) {
      this.newest = e.ts;
    }
    this.drain(this.newest - this.horizonNs);
  }

  /** Releases everything (end of input). */
  flush(): void {
    this.drain(Infinity);
  }

  private drain(limit: number): void {
    for (;;) {
      const q = this.heap[0];
      if (q === undefined) {
        return;
      }
      const e = q.items[q.head];
      if (e === undefined) {
        throw new Error('reorder: empty queue in heap');
      }
      if (e.ts > limit && this.size <= this.maxBuffered) {
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
      this.released = e.ts;
      this.emit(e);
    }
  }

  private key(q: Queue<CaptureEvent>): number {
    return q.items[q.head]?.ts ?? Infinity;
  }

  private heapPush(q: Queue<CaptureEvent>): void {
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

  private heapFix(q: Queue<CaptureEvent>): void {
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
