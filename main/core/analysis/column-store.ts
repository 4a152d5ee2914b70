/**
 * Events the reorder buffer must hold out of arrival order, one slot each in the columns of an
 * EventColumns (so the analysis reads them exactly as it reads a batch). Slots are reused as
 * events leave; the store grows when more wait at once. A rare kind's object sits in `rare` at
 * its slot, and its `num` is that slot.
 */
import type { EventColumns } from '../capture/event-columns.js';
import { allocColumns, RARE_KIND_FROM } from '../capture/event-columns.js';
import type { CaptureEvent } from '../capture/events.js';

const INITIAL_SLOTS = 1024;

export class ColumnStore {
  private readonly rare: (CaptureEvent | undefined)[] = [];
  /** The slots' columns (replaced when the store grows). */
  columns: EventColumns = allocColumns(INITIAL_SLOTS, this.rare);
  private freeSlots = new Int32Array(INITIAL_SLOTS);
  private freeCount = 0;
  private used = 0;

  /** Copies event `i` of a batch into a free slot; returns the slot. */
  put(c: EventColumns, i: number): number {
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.freeSlots[--this.freeCount] ?? 0;
    } else {
      if (this.used === this.columns.count) {
        this.grow();
      }
      slot = this.used++;
    }
    const s = this.columns;
    const kind = c.kind[i] ?? 0;
    s.kind[slot] = kind;
    s.ts[slot] = c.ts[i] ?? 0;
    s.cpu[slot] = c.cpu[i] ?? 0;
    s.tid[slot] = c.tid[i] ?? 0;
    s.code[slot] = c.code[i] ?? 0;
    s.bits[slot] = c.bits[i] ?? 0;
    s.req[slot] = c.req[i] ?? 0;
    s.ctx[slot] = c.ctx[i] ?? 0;
    s.lock[slot] = c.lock[i] ?? 0;
    s.link[slot] = c.link[i] ?? 0;
    s.task[slot] = c.task[i] ?? 0;
    s.owner[slot] = c.owner[i] ?? 0;
    s.num2[slot] = c.num2[i] ?? 0;
    if (kind >= RARE_KIND_FROM) {
      this.rare[slot] = c.rare[c.num[i] ?? 0];
      s.num[slot] = slot;
    } else {
      s.num[slot] = c.num[i] ?? 0;
    }
    return slot;
  }

  free(slot: number): void {
    if ((this.columns.kind[slot] ?? 0) >= RARE_KIND_FROM) {
      this.rare[slot] = undefined;
    }
    this.freeSlots[this.freeCount++] = slot;
  }

  private grow(): void {
    const old = this.columns;
    const next = allocColumns(old.count * 2, this.rare);
    next.kind.set(old.kind);
    next.ts.set(old.ts);
    next.cpu.set(old.cpu);
    next.tid.set(old.tid);
    next.code.set(old.code);
    next.bits.set(old.bits);
    next.req.set(old.req);
    next.ctx.set(old.ctx);
    next.lock.set(old.lock);
    next.link.set(old.link);
    next.task.set(old.task);
    next.owner.set(old.owner);
    next.num.set(old.num);
    next.num2.set(old.num2);
    const free = new Int32Array(old.count * 2);
    free.set(this.freeSlots);
    this.freeSlots = free;
    this.columns = next;
  }
}
