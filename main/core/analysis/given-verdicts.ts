/**
 * Definite verdicts already given from raw windows, kept (up to a cap) so that a late event
 * falling inside one can withdraw it: a new record with the same index, UNKNOWN, replaces it.
 * Past the cap, a late event that may touch a forgotten walk is an order violation.
 */
import type { Taint } from './observed-window.js';
import type { WalkRecord } from './verdict.js';

/** How many given walks stay open to withdrawal by late events (memory: their records). */
export const DEFAULT_WITHDRAWABLE = 16_384;

interface GivenWalk {
  readonly start: number;
  readonly end: number;
  /** Stream time when its window closed: never decreases along the list, never before `end`. */
  readonly closedAt: number;
  readonly tid: number;
  records: readonly WalkRecord[];
}

export class GivenVerdicts {
  private readonly list: GivenWalk[] = [];
  private head = 0;
  /** Latest end among walks no longer kept: a late event at or before it may contradict one. */
  private forgottenUntil = -Infinity;

  constructor(private readonly cap: number) {}

  add(start: number, end: number, closedAt: number, tid: number, records: readonly WalkRecord[]): void {
    this.list.push({ start, end, closedAt, tid, records });
    for (;;) {
      const g = this.list[this.head];
      if (g === undefined || this.list.length - this.head <= this.cap) {
        break;
      }
      this.forgottenUntil = Math.max(this.forgottenUntil, g.end);
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.list.length) {
      this.list.splice(0, this.head);
      this.head = 0;
    }
  }

  /**
   * Withdraws every kept verdict whose window overlaps [from, to] (of task `tid`, when given),
   * calling `replaced(old, next)` for each record. Returns false when the interval may touch a
   * walk no longer kept (an order violation).
   */
  withdraw(from: number, to: number, tid: number | undefined, taint: Taint, replaced: (old: WalkRecord, next: WalkRecord) => void): boolean {
    // Kept in the order their windows closed: scan back from the newest until one closed before `from`.
    for (let i = this.list.length - 1; i >= this.head; i--) {
      const g = this.list[i];
      if (g === undefined || g.closedAt < from) {
        break;
      }
      if (g.end < from || g.start > to || (tid !== undefined && g.tid !== tid)) {
        continue;
      }
      g.records = g.records.map((old) => {
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
