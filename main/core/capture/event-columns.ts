/**
 * Events as typed-array columns: the form the analysis reads, without one object per event.
 *
 * Decoding a capture into objects costs more than everything the analysis does with most events
 * (lifecycle tracepoints and lock operations outside walk windows only feed statistics), and the
 * garbage those objects leave dominated analysis time. A batch decodes into these columns instead;
 * the few kinds that are rare or variable-sized (window_summary, totals, lost, probe_misses,
 * marker) stay whole objects in `rare`, and `num` holds their index there.
 *
 * Which column holds which field, by kind (every kind: kind, ts, cpu, tid):
 *   window_enter    code:site task req ctx lock num:flags link owner
 *   window_exit     code:site req link:next
 *   lock_acquire    code:api lock bits(SEEN) [link]
 *   lock_acquired   code:api lock bits(SEEN|OK) [link]
 *   lock_release    lock bits(SEEN) [link]
 *   contention_begin lock num:flags
 *   contention_end  lock num:ret
 *   io_submit       ctx req num:opcode num2:flags
 *   io_link         ctx req link:target
 *   io_queue_async  ctx req num:opcode
 *   io_complete     ctx req num:res
 *   io_fail_link    ctx req link
 *   req_free        req
 *   rare kinds      num:index into `rare`
 * Columns a kind does not use hold 0. `link` of a lock operation is meaningful only with SEEN.
 */
import type { Addr } from '../util/addr.js';
import { assertUnreachable } from '../util/assert-unreachable.js';
import type { RelNs } from '../util/time.js';
import type { CaptureEvent, EventKind, LinkSnapshot } from './events.js';
import { LOCK_APIS, WALK_SITES } from './events.js';

/** Kind codes (as stored in capture files: see event-codec.ts). */
export const K = {
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
  counted: 19,
  contention_counted: 20,
} as const satisfies { readonly [Kind in EventKind]: number };

export const KIND_OF_CODE: readonly (EventKind | undefined)[] = (() => {
  const table: (EventKind | undefined)[] = [];
  for (const [kind, code] of Object.entries(K) as [EventKind, number][]) {
    table[code] = kind;
  }
  return table;
})();

/** Kinds from this code on are the rare ones, kept whole in `rare`. */
export const RARE_KIND_FROM = K.window_summary;

/** `bits`: a `req->link` snapshot was taken (its value is in `link`). */
export const SEEN = 1;
/** `bits` of lock_acquired: the lock was taken (a trylock can fail). */
export const OK = 2;

export interface EventColumns {
  readonly count: number;
  readonly kind: Uint8Array;
  readonly ts: Float64Array;
  readonly cpu: Int32Array;
  readonly tid: Float64Array;
  /** Walk site index (WALK_SITES) or lock API index (LOCK_APIS). */
  readonly code: Uint8Array;
  readonly bits: Uint8Array;
  readonly req: Float64Array;
  readonly ctx: Float64Array;
  readonly lock: Float64Array;
  readonly link: Float64Array;
  readonly task: Float64Array;
  readonly owner: Float64Array;
  readonly num: Float64Array;
  readonly num2: Float64Array;
  /** The rare kinds' events (a store of waiting events leaves holes: hence undefined). */
  readonly rare: readonly (CaptureEvent | undefined)[];
}

/** Empty columns with room for `count` events (every value 0), to be filled by a decoder. */
export function allocColumns(count: number, rare: readonly (CaptureEvent | undefined)[] = []): EventColumns {
  return {
    count,
    kind: new Uint8Array(count),
    ts: new Float64Array(count),
    cpu: new Int32Array(count),
    tid: new Float64Array(count),
    code: new Uint8Array(count),
    bits: new Uint8Array(count),
    req: new Float64Array(count),
    ctx: new Float64Array(count),
    lock: new Float64Array(count),
    link: new Float64Array(count),
    task: new Float64Array(count),
    owner: new Float64Array(count),
    num: new Float64Array(count),
    num2: new Float64Array(count),
    rare,
  };
}

function snapshotBits(s: LinkSnapshot): number {
  return s.seen ? SEEN : 0;
}

/** Events (any order) into columns, in the same order. */
export function columnsFromEvents(events: readonly CaptureEvent[]): EventColumns {
  const rare: CaptureEvent[] = [];
  const c = allocColumns(events.length, rare);
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e === undefined) {
      continue;
    }
    c.kind[i] = K[e.kind];
    c.ts[i] = e.ts;
    c.cpu[i] = e.cpu;
    c.tid[i] = e.tid;
    switch (e.kind) {
      case 'window_enter':
        c.code[i] = WALK_SITES.indexOf(e.site);
        c.task[i] = e.task;
        c.req[i] = e.req;
        c.ctx[i] = e.ctx;
        c.lock[i] = e.lock;
        c.num[i] = e.flags;
        c.link[i] = e.link;
        c.owner[i] = e.owner;
        break;
      case 'window_exit':
        c.code[i] = WALK_SITES.indexOf(e.site);
        c.req[i] = e.req;
        c.link[i] = e.next;
        break;
      case 'lock_acquire':
      case 'lock_acquired':
        c.code[i] = LOCK_APIS.indexOf(e.api);
        c.lock[i] = e.lock;
        c.bits[i] = snapshotBits(e.snapshot) | (e.kind === 'lock_acquired' && e.ok ? OK : 0);
        c.link[i] = e.snapshot.seen ? e.snapshot.link : 0;
        break;
      case 'lock_release':
        c.lock[i] = e.lock;
        c.bits[i] = snapshotBits(e.snapshot);
        c.link[i] = e.snapshot.seen ? e.snapshot.link : 0;
        break;
      case 'contention_begin':
        c.lock[i] = e.lock;
        c.num[i] = e.flags;
        break;
      case 'contention_end':
        c.lock[i] = e.lock;
        c.num[i] = e.ret;
        break;
      case 'io_submit':
        c.ctx[i] = e.ctx;
        c.req[i] = e.req;
        c.num[i] = e.opcode;
        c.num2[i] = e.flags;
        break;
      case 'io_link':
        c.ctx[i] = e.ctx;
        c.req[i] = e.req;
        c.link[i] = e.target;
        break;
      case 'io_queue_async':
        c.ctx[i] = e.ctx;
        c.req[i] = e.req;
        c.num[i] = e.opcode;
        break;
      case 'io_complete':
        c.ctx[i] = e.ctx;
        c.req[i] = e.req;
        c.num[i] = e.res;
        break;
      case 'io_fail_link':
        c.ctx[i] = e.ctx;
        c.req[i] = e.req;
        c.link[i] = e.link;
        break;
      case 'req_free':
        c.req[i] = e.req;
        break;
      case 'window_summary':
      case 'totals':
      case 'counted':
      case 'contention_counted':
      case 'lost':
      case 'probe_misses':
      case 'marker':
        c.num[i] = rare.length;
        rare.push(e);
        break;
      default:
        assertUnreachable(e);
    }
  }
  return c;
}

function site(code: number): (typeof WALK_SITES)[number] {
  const s = WALK_SITES[code];
  if (s === undefined) {
    throw new RangeError(`walk site code ${code}`);
  }
  return s;
}

function api(code: number): (typeof LOCK_APIS)[number] {
  const a = LOCK_APIS[code];
  if (a === undefined) {
    throw new RangeError(`lock api code ${code}`);
  }
  return a;
}

/** The event at index `i` as an object (for evidence, late events, tests). */
export function eventAt(c: EventColumns, i: number): CaptureEvent {
  const kind = KIND_OF_CODE[c.kind[i] ?? 0];
  const ts = (c.ts[i] ?? 0) as RelNs;
  const cpu = c.cpu[i] ?? 0;
  const tid = c.tid[i] ?? 0;
  const code = c.code[i] ?? 0;
  const bits = c.bits[i] ?? 0;
  const req = (c.req[i] ?? 0) as Addr;
  const ctx = (c.ctx[i] ?? 0) as Addr;
  const lock = (c.lock[i] ?? 0) as Addr;
  const link = (c.link[i] ?? 0) as Addr;
  const num = c.num[i] ?? 0;
  const snapshot: LinkSnapshot = (bits & SEEN) !== 0 ? { seen: true, link } : { seen: false };
  switch (kind) {
    case undefined:
      throw new RangeError(`event kind code ${c.kind[i] ?? 'missing'} at ${i}`);
    case 'window_enter':
      return {
        kind, ts, cpu, tid, site: site(code), task: (c.task[i] ?? 0) as Addr, req, ctx, lock, flags: num, link,
        owner: (c.owner[i] ?? 0) as Addr,
      };
    case 'window_exit':
      return { kind, ts, cpu, tid, site: site(code), req, next: link };
    case 'lock_acquire':
      return { kind, ts, cpu, tid, api: api(code), lock, snapshot };
    case 'lock_acquired':
      return { kind, ts, cpu, tid, api: api(code), lock, ok: (bits & OK) !== 0, snapshot };
    case 'lock_release':
      return { kind, ts, cpu, tid, lock, snapshot };
    case 'contention_begin':
      return { kind, ts, cpu, tid, lock, flags: num };
    case 'contention_end':
      return { kind, ts, cpu, tid, lock, ret: num };
    case 'io_submit':
      return { kind, ts, cpu, tid, ctx, req, opcode: num, flags: c.num2[i] ?? 0 };
    case 'io_link':
      return { kind, ts, cpu, tid, ctx, req, target: link };
    case 'io_queue_async':
      return { kind, ts, cpu, tid, ctx, req, opcode: num };
    case 'io_complete':
      return { kind, ts, cpu, tid, ctx, req, res: num };
    case 'io_fail_link':
      return { kind, ts, cpu, tid, ctx, req, link };
    case 'req_free':
      return { kind, ts, cpu, tid, req };
    case 'window_summary':
    case 'totals':
    case 'counted':
    case 'contention_counted':
    case 'lost':
    case 'probe_misses':
    case 'marker': {
      const e = c.rare[num];
      if (e?.kind !== kind) {
        throw new RangeError(`${kind} at ${i}: no such rare event ${num}`);
      }
      return e;
    }
    default:
      return assertUnreachable(kind);
  }
}

/** Every event of a batch as objects. */
export function eventsOf(c: EventColumns): CaptureEvent[] {
  const out = new Array<CaptureEvent>(c.count);
  for (let i = 0; i < c.count; i++) {
    out[i] = eventAt(c, i);
  }
  return out;
}
