/**
 * The simulation's agenda: actions ordered by time, ties in the order they were scheduled (so a
 * run replays exactly). A binary heap; it holds about one action per task.
 */

interface Entry<T> {
  readonly t: number;
  readonly seq: number;
  readonly action: T;
}

export class ActionQueue<T> {
  private readonly heap: Entry<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Time of the earliest action, or Infinity when empty. */
  peekTime(): number {
    return this.heap[0]?.t ?? Infinity;
  }

  push(t: number, action: T): void {
    this.heap.push({ t, seq: this.seq++, action });
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.swapIfLess(i, parent)) {
        break;
      }
      i = parent;
    }
  }

  pop(): { readonly t: number; readonly action: T } | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (top === undefined || last === undefined) {
      return undefined;
    }
    if (this.heap.length > 0) {
      this.heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (this.less(l, m)) {
          m = l;
        }
        if (this.less(r, m)) {
          m = r;
        }
        if (m === i) {
          break;
        }
        this.swapIfLess(m, i);
        i = m;
      }
    }
    return { t: top.t, action: top.action };
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a];
    const y = this.heap[b];
    if (x === undefined || y === undefined) {
      return false;
    }
    return x.t < y.t || (x.t === y.t && x.seq < y.seq);
  }

  /** Swaps a and b when a sorts before b; says whether it did. */
  private swapIfLess(a: number, b: number): boolean {
    const x = this.heap[a];
    const y = this.heap[b];
    if (x === undefined || y === undefined || !this.less(a, b)) {
      return false;
    }
    this.heap[a] = y;
    this.heap[b] = x;
    return true;
  }
}
