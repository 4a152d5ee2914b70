/**
 * Events → the stored columns of one EventBatch. This file is the one table of which fields each
 * kind writes to which column, in which order; column-decoder.ts reads them back in that order.
 * Kind codes are event-columns.ts's `K`.
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
 *   counted         num:site ctx:ctx num:onCpu num:shape num:windows num:counted num:lockedInside
 *                   num:maxDuration num:ts-since (signed) num:ts-first (signed)
 *   contention_counted ctx:ctx lock:lock num:onCpu num:waits num:counted num:totalWait
 *                   num:maxWait num:unpaired
 *   lost            num:count num:span
 *   probe_misses    num:probe num:missed
 *   marker          num:marker num:stringIndex
 */
import type { Addr } from '../util/addr.js';
import { assertUnreachable } from '../util/assert-unreachable.js';
import type { RelNs } from '../util/time.js';
import { K } from './event-columns.js';
import type { CaptureEvent, LinkSnapshot } from './events.js';
import { COUNTED_SHAPES, HELD_AT_ENTRY, LOCK_APIS, MARKERS, WALK_SITES, WINDOW_OPS } from './events.js';
import { AddrColumnWriter, NibbleSink } from './recent-addrs.js';
import { ByteSink } from './varint.js';

/** The kind byte: the kind's code in the low 6 bits; flags say cpu or tid repeat the previous event's. */
export const KIND_MASK = 0x3f;
export const SAME_CPU = 0x80;
export const SAME_TID = 0x40;

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
    this.kind.byte(K[e.kind] | (sameCpu ? SAME_CPU : 0) | (sameTid ? SAME_TID : 0));
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
      case 'counted':
        num.uvarint(WALK_SITES.indexOf(e.site));
        this.addr('ctx', e.ctx);
        num.uvarint(e.onCpu);
        num.uvarint(COUNTED_SHAPES.indexOf(e.shape));
        num.uvarint(e.windows);
        num.uvarint(e.counted);
        num.uvarint(e.lockedInside);
        num.uvarint(e.maxDuration);
        num.svarint(e.ts - e.since);
        num.svarint(e.ts - e.first);
        break;
      case 'contention_counted':
        this.addr('ctx', e.ctx);
        this.addr('lock', e.lock);
        num.uvarint(e.onCpu);
        num.uvarint(e.waits);
        num.uvarint(e.counted);
        num.uvarint(e.totalWait);
        num.uvarint(e.maxWait);
        num.uvarint(e.unpaired);
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
