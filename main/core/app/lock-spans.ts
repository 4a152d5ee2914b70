/**
 * The lanes of one walk's request timeline: per task, what it did with the walk's lock around the
 * walk — its walk windows, the spans it waited for the lock (call → acquired) and held it
 * (acquired → release), contention, its lock operations, and the lifecycle of the walk's two
 * requests. Other tasks on the same lock get their own lanes: who held uring_lock while the walker
 * walked is the question the picture answers. Pure.
 *
 * The scan covers [from − lookback, to + lookahead] so that a hold taken before the range (or
 * released after it) is still seen whole; spans are then clipped to [from, to]. A hold whose
 * acquisition is not in the scanned stretch starts at `from` (it was taken earlier).
 */
import type { WalkRecord } from '../analysis/verdict.js';
import type { EventColumns } from '../capture/event-columns.js';
import { K, OK } from '../capture/event-columns.js';
import type { WindowSummaryEvent } from '../capture/events.js';
import { LOCK_APIS } from '../capture/events.js';
import { ownerTask } from '../util/addr.js';
import type { Addr } from '../util/addr.js';
import type { Lane, LaneMark, LaneSpan } from './app-contract.js';
import type { BatchExtent } from './capture-index.js';

/** At most this many lanes and, per lane, spans and marks (the picture stays readable and small). */
export const MAX_LANES = 24;
export const MAX_ITEMS_PER_LANE = 2000;

export interface LaneRange {
  readonly fromNs: number;
  readonly toNs: number;
}

/** The range the lanes cover: the walk's window with a margin either side (20%, at least 5 µs). */
export function laneRange(w: Pick<WalkRecord, 'start' | 'end'>): LaneRange {
  const end = w.end ?? w.start;
  const margin = Math.max((end - w.start) * 0.2, 5_000);
  return { fromNs: w.start - margin, toNs: end + margin };
}

type Op = 'lock_call' | 'lock_acquired' | 'lock_failed' | 'unlock';

class LaneBuilder {
  readonly spans: LaneSpan[] = [];
  readonly marks: LaneMark[] = [];
  /** Open spans: when the task called the lock, took it, began contending, entered a window. */
  calledAt: number | undefined;
  heldFrom: number | undefined;
  contendedFrom: number | undefined;
  /** The task's last contention_end: a begin from before it (it arrived late) opens no wait. */
  contendedEnd = -Infinity;
  windowFrom: number | undefined;
  task: Addr | undefined;
  walker = false;

  constructor(readonly tid: number, private readonly range: LaneRange) {}

  span(kind: LaneSpan['kind'], from: number, to: number | undefined): void {
    const end = to ?? this.range.toNs;
    if (end < this.range.fromNs || from > this.range.toNs || this.spans.length >= MAX_ITEMS_PER_LANE) {
      return;
    }
    this.spans.push({ kind, from: Math.max(from, this.range.fromNs), to: to === undefined ? undefined : Math.min(to, this.range.toNs) });
  }

  mark(kind: LaneMark['kind'], ts: number, text: string): void {
    if (ts >= this.range.fromNs && ts <= this.range.toNs && this.marks.length < MAX_ITEMS_PER_LANE) {
      this.marks.push({ kind, ts, text });
    }
  }

  lockOp(op: Op, ts: number, api: string): void {
    switch (op) {
      case 'lock_call':
        this.calledAt = ts;
        this.mark('lock_call', ts, `${api} called`);
        break;
      case 'lock_acquired':
      case 'lock_failed':
        if (this.calledAt !== undefined) {
          this.span('waited', this.calledAt, ts);
        }
        this.calledAt = undefined;
        if (op === 'lock_acquired') {
          this.heldFrom = ts;
          this.mark('lock_acquired', ts, `${api} acquired`);
        } else {
          this.mark('lock_acquired', ts, `${api} failed`);
        }
        break;
      case 'unlock':
        // A release whose acquisition was not seen: taken before the scanned stretch.
        this.span('held', this.heldFrom ?? this.range.fromNs - 1, ts);
        this.heldFrom = undefined;
        this.mark('unlock', ts, 'mutex_unlock');
        break;
    }
  }

  /** Closes what is still open at the end of the scan (past the range: clipped to its end). */
  close(scanTo: number, captureEnded: boolean): void {
    const to = captureEnded ? undefined : scanTo;
    if (this.heldFrom !== undefined) {
      this.span('held', this.heldFrom, to);
    }
    if (this.calledAt !== undefined) {
      this.span('waited', this.calledAt, to);
    }
    if (this.contendedFrom !== undefined) {
      this.span('contended', this.contendedFrom, to);
    }
    if (this.windowFrom !== undefined) {
      this.span('window', this.windowFrom, to);
    }
  }
}

export interface LaneInput {
  readonly batches: readonly EventColumns[];
  readonly extents: readonly BatchExtent[];
  readonly walk: WalkRecord;
  readonly range: LaneRange;
  /** The last event time of the capture: spans open there are open at its end. */
  readonly captureEnd: number;
  readonly fmt: (a: Addr) => string;
}

const LIFECYCLE: Partial<Record<number, LaneMark['kind']>> = {
  [K.io_submit]: 'submit',
  [K.io_link]: 'link',
  [K.io_queue_async]: 'queue_async',
  [K.io_complete]: 'complete',
  [K.io_fail_link]: 'fail_link',
  [K.req_free]: 'free',
};

export function walkLanes(input: LaneInput): Lane[] {
  const { walk: w, range } = input;
  const width = range.toNs - range.fromNs;
  const scanFrom = range.fromNs - Math.max(10 * width, 100_000);
  const scanTo = range.toNs + Math.max(10 * width, 100_000);
  const lock: number = w.lock;
  const lanes = new Map<number, LaneBuilder>();
  const lane = (tid: number): LaneBuilder => {
    let l = lanes.get(tid);
    if (l === undefined) {
      l = new LaneBuilder(tid, range);
      lanes.set(tid, l);
    }
    return l;
  };
  const walker = lane(w.tid);
  walker.walker = true;
  walker.task = w.task;
  const reqName = (a: number): string => (a === w.req ? `req ${input.fmt(w.req)}` : `next ${input.fmt(w.next)}`);

  const summary = (e: WindowSummaryEvent): void => {
    if (e.lock !== w.lock || e.ts > scanTo || e.ts + e.duration < scanFrom) {
      return;
    }
    const l = lane(e.tid);
    l.task = e.task;
    l.span('window', e.ts, e.ts + e.duration);
    let heldFrom: number | undefined = e.heldAtEntry === 'held' ? e.ts : undefined;
    let calledAt: number | undefined;
    for (const op of e.ops) {
      switch (op.op) {
        case 'acquire':
          calledAt = op.ts;
          l.mark('lock_call', op.ts, `${op.api} called`);
          break;
        case 'acquired':
        case 'acquire_failed':
          if (calledAt !== undefined) {
            l.span('waited', calledAt, op.ts);
          }
          calledAt = undefined;
          if (op.op === 'acquired') {
            heldFrom = op.ts;
          }
          l.mark('lock_acquired', op.ts, op.op === 'acquired' ? `${op.api} acquired` : `${op.api} failed`);
          break;
        case 'release':
          l.span('held', heldFrom ?? e.ts, op.ts);
          heldFrom = undefined;
          l.mark('unlock', op.ts, 'mutex_unlock');
          break;
      }
    }
    // Still held (or waiting) at the window's return: the summary says no more.
    if (heldFrom !== undefined) {
      l.span('held', heldFrom, e.ts + e.duration);
    }
    if (calledAt !== undefined) {
      l.span('waited', calledAt, e.ts + e.duration);
    }
  };

  input.batches.forEach((c, b) => {
    const x = input.extents[b];
    if (x !== undefined && (x.max < scanFrom || x.min > scanTo)) {
      return;
    }
    for (let i = 0; i < c.count; i++) {
      const ts = c.ts[i] ?? 0;
      if (ts < scanFrom || ts > scanTo) {
        continue;
      }
      const k = c.kind[i] ?? 0;
      const tid = c.tid[i] ?? 0;
      switch (k) {
        case K.window_enter:
          if (c.lock[i] === lock) {
            const l = lane(tid);
            l.task = (c.task[i] ?? 0) as Addr;
            l.windowFrom = ts;
            if (ownerTask((c.owner[i] ?? 0) as Addr) === l.task && l.heldFrom === undefined) {
              // The owner word names this task at entry: it took the lock before.
              l.heldFrom = range.fromNs - 1;
            }
          }
          break;
        case K.window_exit: {
          const l = lanes.get(tid);
          if (l?.windowFrom !== undefined) {
            l.span('window', l.windowFrom, ts);
            l.windowFrom = undefined;
          }
          break;
        }
        case K.lock_acquire:
          if (c.lock[i] === lock) {
            lane(tid).lockOp('lock_call', ts, LOCK_APIS[c.code[i] ?? 0] ?? 'mutex_lock');
          }
          break;
        case K.lock_acquired:
          if (c.lock[i] === lock) {
            lane(tid).lockOp(((c.bits[i] ?? 0) & OK) !== 0 ? 'lock_acquired' : 'lock_failed', ts, LOCK_APIS[c.code[i] ?? 0] ?? 'mutex_lock');
          }
          break;
        case K.lock_release:
          if (c.lock[i] === lock) {
            lane(tid).lockOp('unlock', ts, 'mutex_unlock');
          }
          break;
        case K.contention_begin:
          if (c.lock[i] === lock) {
            // A mutex's wait begins more than once (spinning, then sleeping) and ends once: it
            // runs from the first begin after the task's last end.
            const l = lane(tid);
            if (l.contendedFrom === undefined || l.contendedFrom <= l.contendedEnd) {
              l.contendedFrom = ts;
            }
          }
          break;
        case K.contention_end:
          if (c.lock[i] === lock) {
            const l = lane(tid);
            const from = l.contendedFrom !== undefined && l.contendedFrom > l.contendedEnd ? l.contendedFrom : range.fromNs - 1;
            l.span('contended', from, ts);
            l.contendedFrom = undefined;
            l.contendedEnd = Math.max(l.contendedEnd, ts);
          }
          break;
        default: {
          const mk = LIFECYCLE[k];
          const r = c.req[i] ?? 0;
          if (mk !== undefined && (r === w.req || r === w.next) && ts >= range.fromNs && ts <= range.toNs) {
            lane(tid).mark(mk, ts, `${mk} ${reqName(r)}`);
          } else if (k === K.window_summary) {
            const e = c.rare[c.num[i] ?? 0];
            if (e !== undefined && e.kind === 'window_summary') {
              summary(e);
            }
          }
        }
      }
    }
  });
  const ended = scanTo >= input.captureEnd;
  for (const l of lanes.values()) {
    l.close(scanTo, ended);
  }
  walker.mark('walk', walkTime(w), `walk #${w.index}: ${w.verdict.verdict}`);
  if (!walker.spans.some((s) => s.kind === 'window')) {
    // The window itself was not in the events (a window begun before the capture): from the record.
    walker.span('window', w.start, w.end);
  }
  const ordered = [walker, ...[...lanes.values()].filter((l) => l !== walker && (l.spans.length > 0 || l.marks.length > 0)).sort((a, b) => a.tid - b.tid)];
  return ordered.slice(0, MAX_LANES).map((l) => ({
    tid: l.tid,
    label: `tid ${l.tid}${l.walker ? ' (walker)' : ''}${l.task === undefined ? '' : ` task ${input.fmt(l.task)}`}`,
    spans: [...l.spans].sort((a, b) => a.from - b.from),
    marks: [...l.marks].sort((a, b) => a.ts - b.ts),
  }));
}

/** When the walk happened, as well as the evidence says: the start of its span, or the entry probe. */
export function walkTime(w: WalkRecord): number {
  for (const e of w.verdict.evidence) {
    if (e.type === 'walk_span') {
      return e.from;
    }
  }
  for (const e of w.verdict.evidence) {
    if (e.type === 'entry') {
      return e.ts;
    }
  }
  return w.start;
}
