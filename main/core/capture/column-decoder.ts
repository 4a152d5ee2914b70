/**
 * The batch decoder: the stored columns of one EventBatch (event-codec.ts says which field each
 * kind writes where, in which order) into EventColumns (event-columns.ts), without an object per
 * event. Only the rare kinds (window_summary, totals, lost, probe_misses, marker) become objects,
 * kept in `rare`.
 *
 * This runs for every event of every capture, so it goes in two passes, each a loop small enough
 * for V8 to keep its state in registers:
 *   1. events: kind, time, cpu and every `num` value, checked as they are read, plus the list of
 *      address reads in stored order (which column, and where the value goes);
 *   2. addresses: that list, against the shared `atag` column and the address columns
 *      (recent-addrs.ts readAddrs), into one buffer that the seven address columns are views of.
 * Then the rare kinds' objects are put together from what both passes set aside.
 *
 * Malformed columns throw ColumnFormatError (the capture decoder reports the batch as corrupt at
 * its offset), the same error an event-by-event reading meets first: when the first pass fails,
 * the second still reads the addresses listed before the failing read, and a problem there is
 * the one reported.
 */
import type { Addr } from '../util/addr.js';
import type { DurationNs, RelNs } from '../util/time.js';
import type { BatchColumns } from './event-codec.js';
import { KIND_MASK, MAX_WINDOW_OPS, SAME_CPU, SAME_TID, TIME_LIMIT } from './event-codec.js';
import type { EventColumns } from './event-columns.js';
import { K, KIND_OF_CODE, OK, SEEN } from './event-columns.js';
import type { CaptureEvent, WindowOp } from './events.js';
import { COUNTED_SHAPES, HELD_AT_ENTRY, LOCK_APIS, MARKERS, WALK_SITES, WINDOW_OPS } from './events.js';
import { readAddrs, tagsAtEnd } from './recent-addrs.js';
import { ByteSource, ColumnFormatError } from './varint.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

// Address columns by number, in the order of Sources.addrs and of the address buffer.
const TID = 0;
const REQ = 1;
const LINK = 2;
const CTX = 3;
const LOCK = 4;
const TASK = 5;
const OWNER = 6;
const ADDR_COLUMNS = 7;
const ADDR_NAMES = ['tid', 'req', 'link', 'ctx', 'lock', 'task', 'owner'];

/** The most address reads one event lists: a window_summary with the most ops, and its thread id. */
const MAX_ADDRS_PER_EVENT = 8 + MAX_WINDOW_OPS;

function unknownCode(what: string, index: number): ColumnFormatError {
  return new ColumnFormatError(`unknown ${what} code ${index}`);
}

/** An index into `table`, checked. */
function code(table: readonly unknown[], index: number, what: string): number {
  if (index >= table.length) {
    throw unknownCode(what, index);
  }
  return index;
}

/** An entry of `table` at an index checked by `code` in the first pass. */
function at<T>(table: readonly T[], index: number): T {
  const v = table[index];
  if (v === undefined) {
    throw new RangeError(`index ${index} was not checked`);
  }
  return v;
}

function checkTime(t: number): number {
  if (t > TIME_LIMIT || t < -TIME_LIMIT) {
    throw new ColumnFormatError(`an event time of ${t} ns is more than 2^52 ns from the capture base`);
  }
  return t;
}

/** The column cursors of one batch. */
interface Sources {
  readonly time: ByteSource;
  readonly cpu: ByteSource;
  readonly num: ByteSource;
  /** tid, req, link, ctx, lock, task, owner: the column numbers above. */
  readonly addrs: readonly ByteSource[];
}

/** The columns the first pass fills. */
type EventFields = Pick<EventColumns, 'kind' | 'ts' | 'cpu' | 'code' | 'bits' | 'num' | 'num2'>;

/**
 * The address reads listed by the first pass: read `j` is of column `cols[j]` and goes to
 * `index[j]` of the address buffer: event i's address of column `col` at `col * room + i`, where
 * `room` is the room for events, and the rare kinds' addresses in order from `ADDR_COLUMNS * room`.
 */
interface AddrList {
  readonly cols: Uint8Array;
  readonly index: Int32Array;
  n: number;
  /** Addresses listed for rare kinds. */
  rare: number;
  readonly rareAt: number;
}

// The lists are scratch space, grown to the largest batch and used again for the next: the
// decoder runs one batch at a time, to the end, and keeps nothing from them.
let scratchCols = new Uint8Array(0);
let scratchIndex = new Int32Array(0);

function addrList(tags: number, room: number): AddrList {
  const size = tags + MAX_ADDRS_PER_EVENT;
  if (scratchCols.length < size) {
    scratchCols = new Uint8Array(size);
    scratchIndex = new Int32Array(size);
  }
  return { cols: scratchCols, index: scratchIndex, n: 0, rare: 0, rareAt: ADDR_COLUMNS * room };
}

/** A batch's columns as EventColumns. Throws ColumnFormatError on malformed columns. */
export function decodeColumns(c: BatchColumns): EventColumns {
  // Each event has one kind byte: a count beyond them fails in the first pass ("kind" ends
  // early) after the same checks of the events before; room for more would only waste memory.
  const room = Math.min(c.count, c.kind.length);
  const fields: EventFields = {
    kind: new Uint8Array(room),
    ts: new Float64Array(room),
    cpu: new Int32Array(room),
    code: new Uint8Array(room),
    bits: new Uint8Array(room),
    num: new Float64Array(room),
    num2: new Float64Array(room),
  };
  const s: Sources = {
    time: new ByteSource(c.time, 'time'),
    cpu: new ByteSource(c.cpu, 'cpu'),
    num: new ByteSource(c.num, 'num'),
    addrs: [c.tid, c.req, c.link, c.ctx, c.lock, c.task, c.owner].map((bytes, col) => new ByteSource(bytes, ADDR_NAMES[col] ?? '')),
  };
  const list = addrList(c.atag.length * 2, room);
  const rareValues: number[] = [];
  const first = readEvents(c, fields, s, list, rareValues);

  const addrs = new Float64Array(list.rareAt + list.rare);
  readAddrs(c.atag, s.addrs, list.cols, list.index, list.n, addrs);
  if (first.error !== undefined) {
    throw first.error;
  }
  if (first.read < c.count) {
    // The first pass stops early only when the list runs past the tags, which readAddrs refuses.
    throw new Error(`the first pass stopped at event ${first.read} of ${c.count} with no error`);
  }
  const column = (col: number): Float64Array => addrs.subarray(col * room, (col + 1) * room);
  const rare: CaptureEvent[] = [];
  const out: EventColumns = {
    count: c.count,
    ...fields,
    tid: column(TID),
    req: column(REQ),
    ctx: column(CTX),
    lock: column(LOCK),
    link: column(LINK),
    task: column(TASK),
    owner: column(OWNER),
    rare,
  };
  repeatTids(c.kind, out.tid, c.count);
  rareEvents(out, first.rare, rareValues, addrs.subarray(list.rareAt), c.strings, rare);

  if (c.kind.length > c.count) {
    throw new ColumnFormatError(`column "kind" has ${c.kind.length - c.count} bytes left after ${c.count} events`);
  }
  const a = s.addrs;
  const atag = { atEnd: tagsAtEnd(c.atag, list.n), remaining: c.atag.length - (list.n >> 1) };
  const all = [
    ['time', s.time], ['cpu', s.cpu], ['tid', a[TID]], ['num', s.num], ['atag', atag],
    ['req', a[REQ]], ['link', a[LINK]], ['ctx', a[CTX]], ['lock', a[LOCK]], ['task', a[TASK]], ['owner', a[OWNER]],
  ] as const;
  for (const [name, src] of all) {
    if (src !== undefined && !src.atEnd) {
      throw new ColumnFormatError(`column "${name}" has ${src.remaining} bytes left after ${c.count} events`);
    }
  }
  return out;
}

interface FirstPass {
  /** Events read whole. */
  readonly read: number;
  /** What stopped the pass, if anything did. */
  readonly error: ColumnFormatError | undefined;
  /** Indexes of the rare kinds' events. */
  readonly rare: readonly number[];
}

/**
 * First pass: every column but the addresses, whose reads it lists in `list` in stored order (a
 * read listed before a failing one was made before it).
 */
function readEvents(c: BatchColumns, out: EventFields, s: Sources, list: AddrList, rareValues: number[]): FirstPass {
  const count = c.count;
  const kindBuf = c.kind;
  const tagCount = c.atag.length * 2;
  const { time, cpu: cpuCol, num } = s;
  const { kind: oKind, ts: oTs, cpu: oCpu, code: oCode, bits: oBits, num: oNum, num2: oNum2 } = out;
  const { cols, index } = list;
  // Where each address column's values start in the address buffer.
  const room = out.kind.length;
  const tidAt = TID * room;
  const reqAt = REQ * room;
  const linkAt = LINK * room;
  const ctxAt = CTX * room;
  const lockAt = LOCK * room;
  const taskAt = TASK * room;
  const ownerAt = OWNER * room;
  const siteCount = WALK_SITES.length;
  const apiCount = LOCK_APIS.length;
  const rare: number[] = [];
  let prevTime = 0;
  let prevCpu = 0;
  let n = 0;
  let i = 0;
  let k = 0;
  let t = 0;
  try {
    // The common kinds in an inner loop that calls nothing; a rare kind leaves it, is read (with
    // calls, which would cost the loop every event runs), and the loop starts again.
    events: for (;;) {
      common: for (; i < count; i++) {
        if (n > tagCount) {
          // More reads listed than there are tags: readAddrs fails there, before any later read.
          break events;
        }
        const head = kindBuf[i];
        if (head === undefined) {
          throw new ColumnFormatError(`column "kind": ends early at byte ${i} of ${kindBuf.length}`);
        }
        k = head & KIND_MASK;
        if (KIND_OF_CODE[k] === undefined) {
          throw new ColumnFormatError(`event ${i} has an unknown kind`);
        }
        if (i === 0 && (head & (SAME_CPU | SAME_TID)) !== 0) {
          throw new ColumnFormatError('the first event of a batch refers to a previous event');
        }
        t = checkTime(prevTime + time.svarint());
        prevTime = t;
        if ((head & SAME_CPU) === 0) {
          prevCpu = cpuCol.svarint();
          if (prevCpu < INT32_MIN || prevCpu > INT32_MAX) {
            throw new ColumnFormatError(`column "cpu": cpu ${prevCpu} of event ${i} is outside the 32-bit range`);
          }
        }
        oKind[i] = k;
        oTs[i] = t;
        oCpu[i] = prevCpu;
        if ((head & SAME_TID) === 0) {
          cols[n] = TID;
          index[n++] = tidAt + i;
        }
        switch (k) {
          case K.window_enter: {
            const site = num.uvarint();
            if (site >= siteCount) {
              throw unknownCode('walk site', site);
            }
            oCode[i] = site;
            cols[n] = TASK;
            index[n++] = taskAt + i;
            cols[n] = REQ;
            index[n++] = reqAt + i;
            cols[n] = CTX;
            index[n++] = ctxAt + i;
            cols[n] = LOCK;
            index[n++] = lockAt + i;
            oNum[i] = num.uvarint();
            cols[n] = LINK;
            index[n++] = linkAt + i;
            cols[n] = OWNER;
            index[n++] = ownerAt + i;
            break;
          }
          case K.window_exit: {
            const site = num.uvarint();
            if (site >= siteCount) {
              throw unknownCode('walk site', site);
            }
            oCode[i] = site;
            cols[n] = REQ;
            index[n++] = reqAt + i;
            cols[n] = LINK;
            index[n++] = linkAt + i;
            break;
          }
          case K.lock_acquire:
          case K.lock_acquired: {
            const api = num.uvarint();
            if (api >= apiCount) {
              throw unknownCode('lock api', api);
            }
            oCode[i] = api;
            cols[n] = LOCK;
            index[n++] = lockAt + i;
            const ok = k === K.lock_acquired && num.uvarint() === 1 ? OK : 0;
            if (num.uvarint() === 1) {
              oBits[i] = ok | SEEN;
              cols[n] = LINK;
              index[n++] = linkAt + i;
            } else {
              oBits[i] = ok;
            }
            break;
          }
          case K.lock_release:
            cols[n] = LOCK;
            index[n++] = lockAt + i;
            if (num.uvarint() === 1) {
              oBits[i] = SEEN;
              cols[n] = LINK;
              index[n++] = linkAt + i;
            }
            break;
          case K.contention_begin:
            cols[n] = LOCK;
            index[n++] = lockAt + i;
            oNum[i] = num.uvarint();
            break;
          case K.contention_end:
            cols[n] = LOCK;
            index[n++] = lockAt + i;
            oNum[i] = num.svarint();
            break;
          case K.io_submit:
            cols[n] = CTX;
            index[n++] = ctxAt + i;
            cols[n] = REQ;
            index[n++] = reqAt + i;
            oNum[i] = num.uvarint();
            oNum2[i] = num.uvarint();
            break;
          case K.io_link:
          case K.io_fail_link:
            cols[n] = CTX;
            index[n++] = ctxAt + i;
            cols[n] = REQ;
            index[n++] = reqAt + i;
            cols[n] = LINK;
            index[n++] = linkAt + i;
            break;
          case K.io_queue_async:
            cols[n] = CTX;
            index[n++] = ctxAt + i;
            cols[n] = REQ;
            index[n++] = reqAt + i;
            oNum[i] = num.uvarint();
            break;
          case K.io_complete:
            cols[n] = CTX;
            index[n++] = ctxAt + i;
            cols[n] = REQ;
            index[n++] = reqAt + i;
            oNum[i] = num.svarint();
            break;
          case K.req_free:
            cols[n] = REQ;
            index[n++] = reqAt + i;
            break;
          default:
            break common;
        }
      }
      if (i >= count) {
        break;
      }
      oNum[i] = rare.length;
      rare.push(i);
      list.n = n;
      try {
        readRare(k, t, s, c.strings, list, rareValues);
      } finally {
        n = list.n;
      }
      i++;
    }
  } catch (e) {
    if (e instanceof ColumnFormatError) {
      list.n = n;
      return { read: i, error: e, rare };
    }
    throw e;
  }
  list.n = n;
  return { read: i, error: undefined, rare };
}

/** Lists an address read of a rare kind. */
function rareAddr(list: AddrList, col: number): void {
  list.cols[list.n] = col;
  list.index[list.n++] = list.rareAt + list.rare++;
}

/**
 * The `num` values and op times of a rare event, checked, onto `values`, and its address reads
 * onto `list`, all in stored order.
 */
function readRare(k: number, t: number, s: Sources, strings: readonly string[], list: AddrList, values: number[]): void {
  const num = s.num;
  switch (k) {
    case K.window_summary: {
      values.push(code(WALK_SITES, num.uvarint(), 'walk site'), num.uvarint());
      rareAddr(list, TASK);
      rareAddr(list, REQ);
      rareAddr(list, CTX);
      rareAddr(list, LOCK);
      values.push(num.uvarint());
      rareAddr(list, LINK);
      rareAddr(list, OWNER);
      values.push(code(HELD_AT_ENTRY, num.uvarint(), 'held-at-entry'));
      rareAddr(list, LINK);
      values.push(num.uvarint());
      const opCount = num.uvarint();
      if (opCount > MAX_WINDOW_OPS) {
        throw new ColumnFormatError(`window_summary with ${opCount} ops (max ${MAX_WINDOW_OPS})`);
      }
      values.push(opCount);
      // Op times are deltas from the previous op; the next event's, from the window's start.
      let opTime = t;
      for (let j = 0; j < opCount; j++) {
        values.push(code(WINDOW_OPS, num.uvarint(), 'window op'), code(LOCK_APIS, num.uvarint(), 'lock api'));
        opTime = checkTime(opTime + s.time.svarint());
        values.push(opTime);
        rareAddr(list, LINK);
      }
      return;
    }
    case K.totals:
      rareAddr(list, CTX);
      values.push(num.uvarint(), num.uvarint(), num.uvarint(), num.uvarint());
      return;
    case K.counted:
      values.push(code(WALK_SITES, num.uvarint(), 'walk site'));
      rareAddr(list, CTX);
      values.push(num.uvarint(), code(COUNTED_SHAPES, num.uvarint(), 'counted shape'), num.uvarint(), num.uvarint(), num.uvarint(), num.uvarint());
      values.push(checkTime(t - num.svarint()), checkTime(t - num.svarint()));
      return;
    case K.contention_counted:
      rareAddr(list, CTX);
      rareAddr(list, LOCK);
      values.push(num.uvarint(), num.uvarint(), num.uvarint(), num.uvarint(), num.uvarint(), num.uvarint());
      return;
    case K.lost:
    case K.probe_misses:
      values.push(num.uvarint(), num.uvarint());
      return;
    case K.marker:
      values.push(code(MARKERS, num.uvarint(), 'marker'));
      values.push(code(strings, num.uvarint(), 'string'));
      return;
    default:
      throw new RangeError(`kind code ${k} is not a rare kind`);
  }
}

/** Thread ids of the events that repeat the previous event's (the first event cannot). */
function repeatTids(kind: Uint8Array, tid: Float64Array, count: number): void {
  for (let i = 1; i < count; i++) {
    if (((kind[i] ?? 0) & SAME_TID) !== 0) {
      tid[i] = tid[i - 1] ?? 0;
    }
  }
}

/** The rare kinds' objects, from the values and addresses the two passes set aside in order. */
function rareEvents(out: EventColumns, events: readonly number[], values: readonly number[], addrs: Float64Array, strings: readonly string[], rare: CaptureEvent[]): void {
  let v = 0;
  let a = 0;
  const next = (): number => values[v++] ?? 0;
  const addr = (): Addr => (addrs[a++] ?? 0) as Addr;
  for (const i of events) {
    const ts = (out.ts[i] ?? 0) as RelNs;
    const cpu = out.cpu[i] ?? 0;
    const tid = out.tid[i] ?? 0;
    const k = out.kind[i] ?? 0;
    switch (k) {
      case K.window_summary: {
        const site = at(WALK_SITES, next());
        const duration = next() as DurationNs;
        const task = addr();
        const req = addr();
        const ctx = addr();
        const lock = addr();
        const flags = next();
        const link = addr();
        const owner = addr();
        const heldAtEntry = at(HELD_AT_ENTRY, next());
        const nextReq = addr();
        const opsOverflow = next() === 1;
        const opCount = next();
        const ops: WindowOp[] = [];
        for (let j = 0; j < opCount; j++) {
          const op = at(WINDOW_OPS, next());
          const api = at(LOCK_APIS, next());
          ops.push({ op, api, ts: next() as RelNs, link: addr() });
        }
        rare.push({ kind: 'window_summary', ts, cpu, tid, site, duration, task, req, ctx, lock, flags, link, owner, heldAtEntry, next: nextReq, ops, opsOverflow });
        break;
      }
      case K.totals:
        rare.push({ kind: 'totals', ts, cpu, tid, ctx: addr(), windows: next(), walks: next(), walksLockedInside: next(), chainTails: next() });
        break;
      case K.counted: {
        const site = at(WALK_SITES, next());
        const ctx = addr();
        rare.push({
          kind: 'counted', ts, cpu, tid, site, ctx, onCpu: next(), shape: at(COUNTED_SHAPES, next()), windows: next(), counted: next(), lockedInside: next(),
          maxDuration: next() as DurationNs, since: next() as RelNs, first: next() as RelNs,
        });
        break;
      }
      case K.contention_counted: {
        const ctx = addr();
        const lock = addr();
        rare.push({
          kind: 'contention_counted', ts, cpu, tid, ctx, lock, onCpu: next(), waits: next(), counted: next(),
          totalWait: next() as DurationNs, maxWait: next() as DurationNs, unpaired: next(),
        });
        break;
      }
      case K.lost:
        rare.push({ kind: 'lost', ts, cpu, tid, count: next(), span: next() as DurationNs });
        break;
      case K.probe_misses:
        rare.push({ kind: 'probe_misses', ts, cpu, tid, probe: next(), missed: next() });
        break;
      case K.marker: {
        const marker = at(MARKERS, next());
        rare.push({ kind: 'marker', ts, cpu, tid, marker, text: at(strings, next()) });
        break;
      }
      default:
        throw new RangeError(`event ${i} of kind code ${k} is not a rare kind`);
    }
  }
}
