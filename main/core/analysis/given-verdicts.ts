/**
 * Definite verdicts already given from raw windows, kept (up to a cap) so that a late event
 * falling inside one can withdraw it: a new record with the same index, UNKNOWN, replaces it.
 * Past the cap, a late event that may touch a forgotten walk is an order violation.
 */
import type { Taint } from './observed-window.js';
import type { WalkRecord } from './verdict.js';

/** How many given walks stay open to withdrawal by late events (memory: their records). */
export const DEFAULT_WITHDRAWABLE = 16_384;

/** Initial room (walks); the ring grows up to the cap. */
const INITIAL_ROOM = 1024;

/**
 * The kept walks, oldest first, in a ring: their windows' start and end, when they closed (never
 * decreasing along the ring, never before `end`), their task, and their records — columns rather
 * than an object per walk, since each kept walk outlives many garbage collections.
 */
export class GivenVerdicts {
  private start: Float64Array = new Float64Array(INITIAL_ROOM);
  private end: Float64Array = new Float64Array(INITIAL_ROOM);
  private closedAt: Float64Array = new Float64Array(INITIAL_ROOM);
  private tid: Float64Array = new Float64Array(INITIAL_ROOM);
  private records: (readonly WalkRecord[] | undefined)[] = new Array<readonly WalkRecord[] | undefined>(INITIAL_ROOM);
  /** Ring position of the oldest kept walk, and how many are kept. */
  private head = 0;
  private count = 0;
  /** Latest end among walks no longer kept: a late event at or before it may contradict one. */
  private forgottenUntil = -Infinity;

  constructor(private readonly cap: number) {}

  private get room(): number {
    return this.start.length;
  }

  add(start: number, end: number, closedAt: number, tid: number, records: readonly WalkRecord[]): void {
    if (this.cap <= 0) {
      this.forgottenUntil = Math.max(this.forgottenUntil, end);
      return;
    }
    if (this.count === this.cap) {
      this.forgottenUntil = Math.max(this.forgottenUntil, this.end[this.head] ?? -Infinity);
      this.records[this.head] = undefined;
      this.head = (this.head + 1) % this.room;
      this.count--;
    } else if (this.count === this.room) {
      this.grow();
    }
    const at = (this.head + this.count) % this.room;
    this.start[at] = start;
    this.end[at] = end;
    this.closedAt[at] = closedAt;
    this.tid[at] = tid;
    this.records[at] = records;
    this.count++;
  }

  private grow(): void {
    const room = Math.min(this.cap, this.room * 2);
    const move = (a: Float64Array): Float64Array => {
      const b = new Float64Array(room);
      for (let k = 0; k < this.count; k++) {
        b[k] = a[(this.head + k) % this.room] ?? 0;
      }
      return b;
    };
    const records = new Array<readonly WalkRecord[] | undefined>(room);
    for (let k = 0; k < this.count; k++) {
      records[k] = this.records[(this.head + k) % this.room];
    }
    this.start = move(this.start);
    this.end = move(this.end);
    this.closedAt = move(this.closedAt);
    this.tid = move(this.tid);
    this.records = records;
    this.head = 0;
  }

  /**
   * Withdraws every kept verdict whose window overlaps [from, to] (of task `tid`, when given),
   * calling `replaced(old, next)` for each record. Returns false when the interval may touch a
   * walk no longer kept (an order violation).
   */
  withdraw(from: number, to: number, tid: number | undefined, taint: Taint, replaced: (old: WalkRecord, next: WalkRecord) => void): boolean {
    // Kept in the order their windows closed: scan back from the newest until one closed before `from`.
    for (let k = this.count - 1; k >= 0; k--) {
      const at = (this.head + k) % this.room;
      if ((this.closedAt[at] ?? -Infinity) < from) {
        break;
      }
      if ((this.end[at] ?? 0) < from || (this.start[at] ?? 0) > to || (tid !== undefined && this.tid[at] !== tid)) {
        continue;
      }
      this.records[at] = this.records[at]?.map((old) => {
        if (old.verdict.verdict === 'UNKNOWN') {
          return old;
        }
        const next: WalkRecord = {
          ...old,
          verdict: { verdict: 'UNKNOWN', reason: taint.reason, detail: `withdrawn: ${taint.detail}`, evidence: old.verdict.evidence },
        };
        replaced(old, next);
        return next;
      });
    }
    return from > this.forgottenUntil;
  }
}
