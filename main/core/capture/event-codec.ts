/**
 * Events ⇄ columns of one EventBatch. This file is the one table of which fields each kind
 * writes to which column, in which order; writer and reader both go through it.
 *
 * Every event writes kind, time, cpu, tid. Then, by kind (column:field):
 *   window_enter    num:site task:task req:req ctx:ctx lock:lock num:flags link:link owner:owner
 *   window_exit     num:site req:req link:next
 *   lock_acquire    num:api lock:lock num:seen [link:link]
 *   lock_acquired   num:api lock:lock num:ok num:seen [link:link]
 *   lock_release    lock:lock num:seen [link:link]
 *   contention_begin lock:lock num:flags
 *   contention_end  lock:lock num:ret
 *   io_submit       ctx:ctx req:req num:opcode num:flags
 *   io_link         ctx:ctx req:req link:target
 *   io_queue_async  ctx:ctx req:req num:opcode
 *   io_complete     ctx:ctx req:req num:res
 *   io_fail_link    ctx:ctx req:req link:link
 *   req_free        req:req
 *   window_summary  num:site num:duration task:task req:req ctx:ctx lock:lock num:flags
 *                   link:link owner:owner num:heldAtEntry link:next num:overflow num:opCount
 *                   then per op: num:op num:api time:ts link:link
 *   totals          ctx:ctx num:windows num:walks num:walksLockedInside num:chainTails
 *   lost            num:count num:span
 *   probe_misses    num:probe num:missed
 *   marker          num:marker num:stringIndex
 */
import type { Addr } from '../util/addr.js';
import { assertUnreachable } from '../util/assert-unreachable.js';
import type { DurationNs, RelNs } from '../util/time.js';
import type { CaptureEvent, EventKind, LinkSnapshot, WindowOp } from './events.js';
import { HELD_AT_ENTRY, LOCK_APIS, MARKERS, WALK_SITES, WINDOW_OPS } from './events.js';
import { AddrColumnReader, AddrColumnWriter, NibbleSink, NibbleSource } from './recent-addrs.js';
import { ByteSink, ByteSource, ColumnFormatError } from './varint.js';

export const KIND_CODES: { readonly [K in EventKind]: number } = {
  window_enter: 1,
  window_exit: 2,
  lock_acquire: 3,
  lock_acquired: 4,
  lock_release: 5,
  contention_begin: 6,
  contention_end: 7,
  io_submit: 8,
  io_link: 9,
  io_queue_async: 10,
  io_complete: 11,
  io_fail_link: 12,
  req_free: 13,
  window_summary: 14,
  totals: 15,
  lost: 16,
  probe_misses: 17,
  marker: 18,
};

const KIND_BY_CODE: readonly (EventKind | undefined)[] = (() => {
  const table: (EventKind | undefined)[] = [];
  for (const [kind, code] of Object.entries(KIND_CODES) as [EventKind, number][]) {
    table[code] = kind;
  }
  return table;
})();

/** The kind byte: the kind's code in the low 6 bits; flags say cpu or tid repeat the previous event's. */
const KIND_MASK = 0x3f;
const SAME_CPU = 0x80;
const SAME_TID = 0x40;

/** Event times lie within ±2^52 ns of the capture base, so differences of two stay exact. */
export const TIME_LIMIT = 2 ** 52;

/** A window_summary records at most this many lock operations (the kernel's buffer). */
export const MAX_WINDOW_OPS = 64;

/** The columns of a batch as stored (field names of the EventBatch message). */
export interface BatchColumns {
  readonly count: number;
  readonly kind: Uint8Array;
  readonly time: Uint8Array;
  readonly cpu: Uint8Array;
  readonly tid: Uint8Array;
  readonly req: Uint8Array;
  readonly link: Uint8Array;
  readonly ctx: Uint8Array;
  readonly lock: Uint8Array;
  readonly task: Uint8Array;
  readonly owner: Uint8Array;
  readonly num: Uint8Array;
  /** 4-bit recent-address tags of every address written, in order (see recent-addrs.ts). */
  readonly atag: Uint8Array;
  readonly strings: readonly string[];
}

type AddrColumn = 'req' | 'link' | 'ctx' | 'lock' | 'task' | 'owner';

/** Builds one batch. Create, add events, then `finish()`. */
export class BatchEncoder {
  private readonly kind = new ByteSink(1024);
  private readonly time = new ByteSink(2048);
  private readonly cpu = new ByteSink(1024);
  private readonly num = new ByteSink(2048);
  private readonly atag = new NibbleSink();
  private readonly addrCols: Record<AddrColumn, AddrColumnWriter> = {
    req: new AddrColumnWriter(this.atag),
    link: new AddrColumnWriter(this.atag),
    ctx: new AddrColumnWriter(this.atag),
    lock: new AddrColumnWriter(this.atag),
    task: new AddrColumnWriter(this.atag),
    owner: new AddrColumnWriter(this.atag),
  };
  // Thread ids repeat among a few tasks: coded like addresses, against the 8 most recent.
  private readonly tidCol = new AddrColumnWriter(this.atag);
  private prevTime = 0;
  private prevTid = 0;
  private prevCpu = 0;
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  private n = 0;

  get count(): number {
    return this.n;
  }

  /** Bytes written so far (to cut batches by size). */
  get size(): number {
    let s = this.kind.length + this.time.length + this.cpu.length + this.tidCol.sink.length + this.num.length + this.atag.length;
    for (const col of Object.values(this.addrCols)) {
      s += col.sink.length;
    }
    return s;
  }

  private addr(column: AddrColumn, value: Addr): void {
    this.addrCols[column].write(value);
  }

  private ts(t: RelNs): void {
    this.time.svarint(t - this.prevTime);
    this.prevTime = t;
  }

  private snapshot(s: LinkSnapshot): void {
    if (s.seen) {
      this.num.uvarint(1);
      this.addr('link', s.link);
    } else {
      this.num.uvarint(0);
    }
  }

  private string(text: string): number {
    let i = this.stringIndex.get(text);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(text);
      this.stringIndex.set(text, i);
    }
    return i;
  }

  add(e: CaptureEvent): void {
    const sameCpu = this.n > 0 && e.cpu === this.prevCpu;
    const sameTid = this.n > 0 && e.tid === this.prevTid;
    this.kind.byte(KIND_CODES[e.kind] | (sameCpu ? SAME_CPU : 0) | (sameTid ? SAME_TID : 0));
    this.ts(e.ts);
    if (!sameCpu) {
      this.cpu.svarint(e.cpu);
      this.prevCpu = e.cpu;
    }
    if (!sameTid) {
      this.tidCol.write(e.tid);
      this.prevTid = e.tid;
    }
    const num = this.num;
    switch (e.kind) {
      case 'window_enter':
        num.uvarint(WALK_SITES.indexOf(e.site));
        this.addr('task', e.task);
        this.addr('req', e.req);
        this.addr('ctx', e.ctx);
        this.addr('lock', e.lock);
        num.uvarint(e.flags);
        this.addr('link', e.link);
        this.addr('owner', e.owner);
        break;
      case 'window_exit':
        num.uvarint(WALK_SITES.indexOf(e.site));
        this.addr('req', e.req);
        this.addr('link', e.next);
        break;
      case 'lock_acquire':
        num.uvarint(LOCK_APIS.indexOf(e.api));
        this.addr('lock', e.lock);
        this.snapshot(e.snapshot);
        break;
      case 'lock_acquired':
        num.uvarint(LOCK_APIS.indexOf(e.api));
        this.addr('lock', e.lock);
        num.uvarint(e.ok ? 1 : 0);
        this.snapshot(e.snapshot);
        break;
      case 'lock_release':
        this.addr('lock', e.lock);
        this.snapshot(e.snapshot);
        break;
      case 'contention_begin':
        this.addr('lock', e.lock);
        num.uvarint(e.flags);
        break;
      case 'contention_end':
        this.addr('lock', e.lock);
        num.svarint(e.ret);
        break;
      case 'io_submit':
        this.addr('ctx', e.ctx);
        this.addr('req', e.req);
        num.uvarint(e.opcode);
        num.uvarint(e.flags);
        break;
      case 'io_link':
        this.addr('ctx', e.ctx);
        this.addr('req', e.req);
        this.addr('link', e.target);
        break;
      case 'io_queue_async':
        this.addr('ctx', e.ctx);
        this.addr('req', e.req);
        num.uvarint(e.opcode);
        break;
      case 'io_complete':
        this.addr('ctx', e.ctx);
        this.addr('req', e.req);
        num.svarint(e.res);
        break;
      case 'io_fail_link':
        this.addr('ctx', e.ctx);
        this.addr('req', e.req);
        this.addr('link', e.link);
        break;
      case 'req_free':
        this.addr('req', e.req);
        break;
      case 'window_summary':
        if (e.ops.length > MAX_WINDOW_OPS) {
          throw new RangeError(`window_summary with ${e.ops.length} ops (max ${MAX_WINDOW_OPS})`);
        }
        num.uvarint(WALK_SITES.indexOf(e.site));
        num.uvarint(e.duration);
        this.addr('task', e.task);
        this.addr('req', e.req);
        this.addr('ctx', e.ctx);
        this.addr('lock', e.lock);
        num.uvarint(e.flags);
        this.addr('link', e.link);
        this.addr('owner', e.owner);
        num.uvarint(HELD_AT_ENTRY.indexOf(e.heldAtEntry));
        this.addr('link', e.next);
        num.uvarint(e.opsOverflow ? 1 : 0);
        num.uvarint(e.ops.length);
        for (const op of e.ops) {
          num.uvarint(WINDOW_OPS.indexOf(op.op));
          num.uvarint(LOCK_APIS.indexOf(op.api));
          this.ts(op.ts);
          this.addr('link', op.link);
        }
        // The next event's time is a delta from the window's start, not from its last op.
        this.prevTime = e.ts;
        break;
      case 'totals':
        this.addr('ctx', e.ctx);
        num.uvarint(e.windows);
        num.uvarint(e.walks);
        num.uvarint(e.walksLockedInside);
        num.uvarint(e.chainTails);
        break;
      case 'lost':
        num.uvarint(e.count);
        num.uvarint(e.span);
        break;
      case 'probe_misses':
        num.uvarint(e.probe);
        num.uvarint(e.missed);
        break;
      case 'marker':
        num.uvarint(MARKERS.indexOf(e.marker));
        num.uvarint(this.string(e.text));
        break;
      default:
        assertUnreachable(e);
    }
    this.n++;
  }

  finish(): BatchColumns {
    const a = this.addrCols;
    return {
      count: this.n,
      kind: this.kind.bytes(),
      time: this.time.bytes(),
      cpu: this.cpu.bytes(),
      tid: this.tidCol.sink.bytes(),
      req: a.req.sink.bytes(),
      link: a.link.sink.bytes(),
      ctx: a.ctx.sink.bytes(),
      lock: a.lock.sink.bytes(),
      task: a.task.sink.bytes(),
      owner: a.owner.sink.bytes(),
      num: this.num.bytes(),
      atag: this.atag.bytes(),
      strings: [...this.strings],
    };
  }
}

const NOT_SEEN: LinkSnapshot = { seen: false };

function pick<T>(table: readonly T[], index: number, what: string): T {
  const v = table[index];
  if (v === undefined) {
    throw new ColumnFormatError(`unknown ${what} code ${index}`);
  }
  return v;
}

/** Columns back to events. Throws ColumnFormatError on malformed columns (caught by the reader). */
export function decodeBatch(c: BatchColumns): CaptureEvent[] {
  const kind = new ByteSource(c.kind, 'kind');
  const time = new ByteSource(c.time, 'time');
  const cpuCol = new ByteSource(c.cpu, 'cpu');

  const num = new ByteSource(c.num, 'num');
  // One reader per address column, each called through its own function: keyed access
  // (cols[name]) made this loop several times slower.
  const atag = new NibbleSource(c.atag);
  const tidCol = new AddrColumnReader(c.tid, 'tid', atag);
  const reqCol = new AddrColumnReader(c.req, 'req', atag);
  const linkCol = new AddrColumnReader(c.link, 'link', atag);
  const ctxCol = new AddrColumnReader(c.ctx, 'ctx', atag);
  const lockCol = new AddrColumnReader(c.lock, 'lock', atag);
  const taskCol = new AddrColumnReader(c.task, 'task', atag);
  const ownerCol = new AddrColumnReader(c.owner, 'owner', atag);
  const rReq = (): Addr => reqCol.read() as Addr;
  const rLink = (): Addr => linkCol.read() as Addr;
  const rCtx = (): Addr => ctxCol.read() as Addr;
  const rLock = (): Addr => lockCol.read() as Addr;
  const rTask = (): Addr => taskCol.read() as Addr;
  const rOwner = (): Addr => ownerCol.read() as Addr;
  let prevTime = 0;
  const ts = (): RelNs => {
    prevTime += time.svarint();
    if (Math.abs(prevTime) > TIME_LIMIT) {
      throw new ColumnFormatError(`an event time of ${prevTime} ns is more than 2^52 ns from the capture base`);
    }
    return prevTime as RelNs;
  };
  const snapshot = (): LinkSnapshot => (num.uvarint() === 1 ? { seen: true, link: rLink() } : NOT_SEEN);
  let prevTid = 0;
  let prevCpu = 0;
  const out: CaptureEvent[] = new Array<CaptureEvent>(c.count);
  for (let i = 0; i < c.count; i++) {
    const head = kind.byte();
    const k = KIND_BY_CODE[head & KIND_MASK];
    if (k === undefined) {
      throw new ColumnFormatError(`event ${i} has an unknown kind`);
    }
    if (i === 0 && (head & (SAME_CPU | SAME_TID)) !== 0) {
      throw new ColumnFormatError('the first event of a batch refers to a previous event');
    }
    const t = ts();
    if ((head & SAME_CPU) === 0) {
      prevCpu = cpuCol.svarint();
    }
    const cpu = prevCpu;
    if ((head & SAME_TID) === 0) {
      prevTid = tidCol.read();
    }
    const tid = prevTid;
    let e: CaptureEvent;
    switch (k) {
      case 'window_enter':
        e = {
          kind: k, ts: t, cpu, tid,
          site: pick(WALK_SITES, num.uvarint(), 'walk site'),
          task: rTask(), req: rReq(), ctx: rCtx(), lock: rLock(),
          flags: num.uvarint(), link: rLink(), owner: rOwner(),
        };
        break;
      case 'window_exit':
        e = { kind: k, ts: t, cpu, tid, site: pick(WALK_SITES, num.uvarint(), 'walk site'), req: rReq(), next: rLink() };
        break;
      case 'lock_acquire':
        e = { kind: k, ts: t, cpu, tid, api: pick(LOCK_APIS, num.uvarint(), 'lock api'), lock: rLock(), snapshot: snapshot() };
        break;
      case 'lock_acquired': {
        const api = pick(LOCK_APIS, num.uvarint(), 'lock api');
        const lock = rLock();
        const ok = num.uvarint() === 1;
        e = { kind: k, ts: t, cpu, tid, api, lock, ok, snapshot: snapshot() };
        break;
      }
      case 'lock_release':
        e = { kind: k, ts: t, cpu, tid, lock: rLock(), snapshot: snapshot() };
        break;
      case 'contention_begin':
        e = { kind: k, ts: t, cpu, tid, lock: rLock(), flags: num.uvarint() };
        break;
      case 'contention_end':
        e = { kind: k, ts: t, cpu, tid, lock: rLock(), ret: num.svarint() };
        break;
      case 'io_submit':
        e = { kind: k, ts: t, cpu, tid, ctx: rCtx(), req: rReq(), opcode: num.uvarint(), flags: num.uvarint() };
        break;
      case 'io_link':
        e = { kind: k, ts: t, cpu, tid, ctx: rCtx(), req: rReq(), target: rLink() };
        break;
      case 'io_queue_async':
        e = { kind: k, ts: t, cpu, tid, ctx: rCtx(), req: rReq(), opcode: num.uvarint() };
        break;
      case 'io_complete':
        e = { kind: k, ts: t, cpu, tid, ctx: rCtx(), req: rReq(), res: num.svarint() };
        break;
      case 'io_fail_link':
        e = { kind: k, ts: t, cpu, tid, ctx: rCtx(), req: rReq(), link: rLink() };
        break;
      case 'req_free':
        e = { kind: k, ts: t, cpu, tid, req: rReq() };
        break;
      case 'window_summary': {
        const site = pick(WALK_SITES, num.uvarint(), 'walk site');
        const duration = num.uvarint() as DurationNs;
        const task = rTask();
        const req = rReq();
        const ctx = rCtx();
        const lock = rLock();
        const flags = num.uvarint();
        const link = rLink();
        const owner = rOwner();
        const heldAtEntry = pick(HELD_AT_ENTRY, num.uvarint(), 'held-at-entry');
        const next = rLink();
        const opsOverflow = num.uvarint() === 1;
        const opCount = num.uvarint();
        if (opCount > MAX_WINDOW_OPS) {
          throw new ColumnFormatError(`window_summary with ${opCount} ops (max ${MAX_WINDOW_OPS})`);
        }
        const ops: WindowOp[] = [];
        for (let j = 0; j < opCount; j++) {
          const op = pick(WINDOW_OPS, num.uvarint(), 'window op');
          const api = pick(LOCK_APIS, num.uvarint(), 'lock api');
          ops.push({ op, api, ts: ts(), link: rLink() });
        }
        prevTime = t;
        e = { kind: k, ts: t, cpu, tid, site, duration, task, req, ctx, lock, flags, link, owner, heldAtEntry, next, ops, opsOverflow };
        break;
      }
      case 'totals':
        e = {
          kind: k, ts: t, cpu, tid, ctx: rCtx(),
          windows: num.uvarint(), walks: num.uvarint(), walksLockedInside: num.uvarint(), chainTails: num.uvarint(),
        };
        break;
      case 'lost':
        e = { kind: k, ts: t, cpu, tid, count: num.uvarint(), span: num.uvarint() as DurationNs };
        break;
      case 'probe_misses':
        e = { kind: k, ts: t, cpu, tid, probe: num.uvarint(), missed: num.uvarint() };
        break;
      case 'marker': {
        const marker = pick(MARKERS, num.uvarint(), 'marker');
        const text = pick(c.strings, num.uvarint(), 'string');
        e = { kind: k, ts: t, cpu, tid, marker, text };
        break;
      }
      default:
        return assertUnreachable(k);
    }
    out[i] = e;
  }
  const all = [
    ['kind', kind], ['time', time], ['cpu', cpuCol], ['tid', tidCol.source], ['num', num], ['atag', atag],
    ['req', reqCol.source], ['link', linkCol.source], ['ctx', ctxCol.source], ['lock', lockCol.source], ['task', taskCol.source], ['owner', ownerCol.source],
  ] as const;
  for (const [name, src] of all) {
    if (!src.atEnd) {
      throw new ColumnFormatError(`column "${name}" has ${src.remaining} bytes left after ${c.count} events`);
    }
  }
  return out;
}
