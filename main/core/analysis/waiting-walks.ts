/**
 * Walks whose windows have closed, waiting for their verdict (to settle, and for a probe-miss
 * reading after them), in the order their windows closed — with an index by task, because a late
 * event concerns only its own task's walks and a storm of late events must not scan every walk
 * of every task each time.
 */

export interface Waiting {
  readonly tid: number;
  /** Stream time when its window closed: never decreases along the queue. */
  readonly closedAt: number;
  /** Set when the walk leaves the queue (its verdict was given). */
  done: boolean;
}

interface Queue<W> {
  items: W[];
  head: number;
}

function compact<W>(q: Queue<W>): void {
  if (q.head > 1024 && q.head * 2 > q.items.length) {
    q.items.splice(0, q.head);
    q.head = 0;
  }
}

/** Task queues kept while empty (tasks usually walk again soon), before the empty ones are dropped. */
const MAX_IDLE_TASKS = 1024;

export class WaitingWalks<W extends Waiting> {
  private readonly all: Queue<W> = { items: [], head: 0 };
  private readonly byTask = new Map<number, Queue<W>>();
  private dropAt = MAX_IDLE_TASKS;

  get size(): number {
    return this.all.items.length - this.all.head;
  }

  push(w: W): void {
    this.all.items.push(w);
    let q = this.byTask.get(w.tid);
    if (q === undefined) {
      q = { items: [], head: 0 };
      this.byTask.set(w.tid, q);
    }
    q.items.push(w);
  }

  oldest(): W | undefined {
    return this.all.items[this.all.head];
  }

  /** Takes the oldest walk out of the queue (marking it done). */
  shift(): W | undefined {
    const w = this.all.items[this.all.head];
    if (w === undefined) {
      return undefined;
    }
    this.all.head++;
    compact(this.all);
    w.done = true;
    const q = this.byTask.get(w.tid);
    if (q !== undefined) {
      // Both queues keep closing order, so the oldest walk is its task's oldest too.
      if (q.items[q.head] === w) {
        q.head++;
      }
      if (q.head === q.items.length) {
        q.items.length = 0;
        q.head = 0;
        if (this.byTask.size > this.dropAt) {
          this.dropIdleTasks();
          this.dropAt = Math.max(MAX_IDLE_TASKS, 2 * this.byTask.size);
        }
      } else {
        compact(q);
      }
    }
    return w;
  }

  /**
   * Visits waiting walks (of task `tid` only, when given) from the newest back, stopping before
   * the first that closed before `from` — it and every older one ended before `from` — or when
   * `visit` returns true.
   */
  newestSince(from: number, tid: number | undefined, visit: (w: W) => boolean): void {
    const q = tid === undefined ? this.all : this.byTask.get(tid);
    if (q === undefined) {
      return;
    }
    for (let i = q.items.length - 1; i >= q.head; i--) {
      const w = q.items[i];
      if (w === undefined || w.closedAt < from || visit(w)) {
        return;
      }
    }
  }

  /** Tasks come and go (io-wq workers): forget those with nothing waiting. */
  private dropIdleTasks(): void {
    for (const [tid, q] of this.byTask) {
      if (q.head === q.items.length) {
        this.byTask.delete(tid);
      }
    }
  }

  /** The earliest of `f` over every waiting walk, or `initial`. */
  min(f: (w: W) => number, initial: number): number {
    let m = initial;
    for (let i = this.all.head; i < this.all.items.length; i++) {
      const w = this.all.items[i];
      if (w !== undefined) {
        m = Math.min(m, f(w));
      }
    }
    return m;
  }
}
