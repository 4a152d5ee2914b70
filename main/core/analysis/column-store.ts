/**
 * Events waiting in the reorder buffer, one slot each in typed-array columns (the columns of
 * EventColumns). Slots are reused as events leave; the store grows when more wait at once.
 */
import type { ColumnView, EventColumns } from '../capture/event-columns.js';
import { eventAt, RARE_KIND_FROM } from '../capture/event-columns.js';
import type { CaptureEvent } from '../capture/events.js';

const INITIAL_SLOTS = 4096;

export class ColumnStore implements ColumnView {
  kind = new Uint8Array(INITIAL_SLOTS);
  ts = new Float64Array(INITIAL_SLOTS);
  cpu = new Int32Array(INITIAL_SLOTS);
  tid = new Float64Array(INITIAL_SLOTS);
  code = new Uint8Array(INITIAL_SLOTS);
  bits = new Uint8Array(INITIAL_SLOTS);
  req = new Float64Array(INITIAL_SLOTS);
  ctx = new Float64Array(INITIAL_SLOTS);
  lock = new Float64Array(INITIAL_SLOTS);
  link = new Float64Array(INITIAL_SLOTS);
  task = new Float64Array(INITIAL_SLOTS);
  owner = new Float64Array(INITIAL_SLOTS);
  num = new Float64Array(INITIAL_SLOTS);
  num2 = new Float64Array(INITIAL_SLOTS);
  /** The rare kinds' objects, by slot. */
  private rareBySlot: (CaptureEvent | undefined)[] = [];
  private freeSlots = new Int32Array(INITIAL_SLOTS);
  private freeCount = 0;
  private capacity = INITIAL_SLOTS;
  private used = 0;

  /** Copies event `i` of a batch into a free slot; returns the slot. */
  put(c: EventColumns, i: number): number {
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.freeSlots[--this.freeCount] ?? 0;
    } else {
      if (this.used === this.capacity) {
        this.grow();
      }
      slot = this.used++;
    }
    this.kind[slot] = c.kind[i] ?? 0;
    this.ts[slot] = c.ts[i] ?? 0;
    this.cpu[slot] = c.cpu[i] ?? 0;
    this.tid[slot] = c.tid[i] ?? 0;
    this.code[slot] = c.code[i] ?? 0;
    this.bits[slot] = c.bits[i] ?? 0;
    this.req[slot] = c.req[i] ?? 0;
    this.ctx[slot] = c.ctx[i] ?? 0;
    this.lock[slot] = c.lock[i] ?? 0;
    this.link[slot] = c.link[i] ?? 0;
    this.task[slot] = c.task[i] ?? 0;
    this.owner[slot] = c.owner[i] ?? 0;
    this.num2[slot] = c.num2[i] ?? 0;
    const kind = c.kind[i] ?? 0;
    if (kind >= RARE_KIND_FROM) {
      // The slot's num is its own index into rareBySlot.
      this.rareBySlot[slot] = c.rare[c.num[i] ?? 0];
      this.num[slot] = slot;
    } else {
      this.num[slot] = c.num[i] ?? 0;
    }
    return slot;
  }

  free(slot: number): void {
    if ((this.kind[slot] ?? 0) >= RARE_KIND_FROM) {
      this.rareBySlot[slot] = undefined;
    }
    this.freeSlots[this.freeCount++] = slot;
  }

  /** The rare kind's object of a slot (window_summary, totals, lost, probe_misses, marker). */
  rare(slot: number): CaptureEvent | undefined {
    return this.rareBySlot[slot];
  }

  /** The slot's event as an object. */
  event(slot: number): CaptureEvent {
    return eventAt(this, slot, (n) => this.rareBySlot[n]);
  }

  private grow(): void {
    const n = this.capacity * 2;
    const grow = <T extends Uint8Array | Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.kind = grow(this.kind, (k) => new Uint8Array(k));
    this.ts = grow(this.ts, (k) => new Float64Array(k));
    this.cpu = grow(this.cpu, (k) => new Int32Array(k));
    this.tid = grow(this.tid, (k) => new Float64Array(k));
    this.code = grow(this.code, (k) => new Uint8Array(k));
    this.bits = grow(this.bits, (k) => new Uint8Array(k));
    this.req = grow(this.req, (k) => new Float64Array(k));
    this.ctx = grow(this.ctx, (k) => new Float64Array(k));
    this.lock = grow(this.lock, (k) => new Float64Array(k));
    this.link = grow(this.link, (k) => new Float64Array(k));
    this.task = grow(this.task, (k) => new Float64Array(k));
    this.owner = grow(this.owner, (k) => new Float64Array(k));
    this.num = grow(this.num, (k) => new Float64Array(k));
    this.num2 = grow(this.num2, (k) => new Float64Array(k));
    this.freeSlots = grow(this.freeSlots, (k) => new Int32Array(k));
    this.capacity = n;
  }
}
