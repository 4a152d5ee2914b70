import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeColumns } from '../../../main/core/capture/column-decoder.js';
import type { BatchColumns } from '../../../main/core/capture/event-codec.js';
import { BatchEncoder, MAX_WINDOW_OPS, TIME_LIMIT } from '../../../main/core/capture/event-codec.js';
import type { EventColumns } from '../../../main/core/capture/event-columns.js';
import { K, OK, SEEN, columnsFromEvents, eventsOf } from '../../../main/core/capture/event-columns.js';
import type { CaptureEvent, LinkSnapshot, WindowOp } from '../../../main/core/capture/events.js';
import { COUNTED_SHAPES, HELD_AT_ENTRY, LOCK_APIS, MARKERS, WALK_SITES, WINDOW_OPS } from '../../../main/core/capture/events.js';
import { ByteSink, ColumnFormatError } from '../../../main/core/capture/varint.js';
import type { LinkedNopOptions } from '../../../main/core/synthetic/linked-nop-model.js';
import { linkedNopEvents } from '../../../main/core/synthetic/linked-nop-model.js';
import type { Addr } from '../../../main/core/util/addr.js';
import type { DurationNs } from '../../../main/core/util/time.js';
import { EVERY_KIND } from '../../support/capture-samples.js';
import { kaddr, t } from '../../support/fixtures.js';
import type { Prng } from '../../support/prng.js';
import { mulberry32 } from '../../support/prng.js';

type ColumnName = Exclude<keyof BatchColumns, 'count' | 'strings'>;
const COLUMNS: readonly ColumnName[] = ['kind', 'time', 'cpu', 'tid', 'req', 'link', 'ctx', 'lock', 'task', 'owner', 'num', 'atag'];
const ADDRESS_COLUMNS: readonly ColumnName[] = ['tid', 'req', 'link', 'ctx', 'lock', 'task', 'owner'];

function encode(events: readonly CaptureEvent[]): BatchColumns {
  const b = new BatchEncoder();
  for (const e of events) {
    b.add(e);
  }
  return b.finish();
}

function modelEvents(o: LinkedNopOptions): CaptureEvent[] {
  const out: CaptureEvent[] = [];
  for (const chunk of linkedNopEvents(o)) {
    out.push(...chunk);
  }
  return out;
}

const MODEL: LinkedNopOptions = { kernel: 'patched', grain: 'raw', chains: 60, chainLength: 4, rings: 2, workers: 3, cpus: 2, seed: 7, missEveryNs: 200_000, injectMisses: 2, injectLoss: 1 };

/** Events of every kind with random fields over their whole ranges (times and addresses near and far). */
function randomEvents(rng: Prng, n: number): CaptureEvent[] {
  const pick = <T>(xs: readonly T[]): T => {
    const x = xs[rng.int(0, xs.length - 1)];
    assert.ok(x !== undefined);
    return x;
  };
  // The extremes stay less than 2^53 apart: the encoder writes differences of two.
  const addrs = [kaddr(0), kaddr(0x100), kaddr(0x200), kaddr(0x300), 0 as Addr, kaddr(0x40_0000), (2 ** 52) as Addr, (4096 - 2 ** 52) as Addr, 1 as Addr];
  const addr = (): Addr => (rng.next() < 0.8 ? pick(addrs.slice(0, 4)) : rng.next() < 0.5 ? pick(addrs) : kaddr(rng.int(0, 2 ** 30)));
  const big = (): number => (rng.next() < 0.7 ? rng.int(0, 200) : rng.int(0, 2 ** 31) * 2 ** rng.int(0, 21));
  const signed = (): number => {
    const v = big();
    return v !== 0 && rng.next() < 0.5 ? -v : v;
  };
  const snap = (): LinkSnapshot => (rng.next() < 0.5 ? { seen: false } : { seen: true, link: addr() });
  const events: CaptureEvent[] = [];
  let ts = rng.int(-1000, 1000);
  for (let i = 0; i < n; i++) {
    ts = rng.next() < 0.02 ? pick([TIME_LIMIT, 10 - TIME_LIMIT, 0]) : Math.max(-TIME_LIMIT + 10_000, Math.min(TIME_LIMIT - 10_000, ts + rng.int(-500, 5000)));
    const base = { ts: t(ts), cpu: rng.next() < 0.9 ? rng.int(0, 3) : pick([-1, 2 ** 31 - 1, -(2 ** 31)]), tid: rng.next() < 0.9 ? rng.int(100, 104) : rng.int(0, 2 ** 40) };
    const kind = pick(Object.keys(K) as (keyof typeof K)[]);
    switch (kind) {
      case 'window_enter':
        events.push({ kind, ...base, site: pick(WALK_SITES), task: addr(), req: addr(), ctx: addr(), lock: addr(), flags: big(), link: addr(), owner: addr() });
        break;
      case 'window_exit':
        events.push({ kind, ...base, site: pick(WALK_SITES), req: addr(), next: addr() });
        break;
      case 'lock_acquire':
        events.push({ kind, ...base, api: pick(LOCK_APIS), lock: addr(), snapshot: snap() });
        break;
      case 'lock_acquired':
        events.push({ kind, ...base, api: pick(LOCK_APIS), lock: addr(), ok: rng.next() < 0.7, snapshot: snap() });
        break;
      case 'lock_release':
        events.push({ kind, ...base, lock: addr(), snapshot: snap() });
        break;
      case 'contention_begin':
        events.push({ kind, ...base, lock: addr(), flags: big() });
        break;
      case 'contention_end':
        events.push({ kind, ...base, lock: addr(), ret: signed() });
        break;
      case 'io_submit':
        events.push({ kind, ...base, ctx: addr(), req: addr(), opcode: big(), flags: big() });
        break;
      case 'io_link':
        events.push({ kind, ...base, ctx: addr(), req: addr(), target: addr() });
        break;
      case 'io_queue_async':
        events.push({ kind, ...base, ctx: addr(), req: addr(), opcode: big() });
        break;
      case 'io_complete':
        events.push({ kind, ...base, ctx: addr(), req: addr(), res: signed() });
        break;
      case 'io_fail_link':
        events.push({ kind, ...base, ctx: addr(), req: addr(), link: addr() });
        break;
      case 'req_free':
        events.push({ kind, ...base, req: addr() });
        break;
      case 'window_summary': {
        const ops: WindowOp[] = [];
        let opTs = ts;
        for (let j = rng.next() < 0.05 ? MAX_WINDOW_OPS : rng.int(0, 4); j > 0; j--) {
          opTs = Math.min(TIME_LIMIT, opTs + rng.int(0, 300));
          ops.push({ op: pick(WINDOW_OPS), api: pick(LOCK_APIS), ts: t(opTs), link: addr() });
        }
        events.push({
          kind, ...base, site: pick(WALK_SITES), duration: big() as DurationNs, task: addr(), req: addr(), ctx: addr(), lock: addr(), flags: big(),
          link: addr(), owner: addr(), heldAtEntry: pick(HELD_AT_ENTRY), next: addr(), ops, opsOverflow: rng.next() < 0.2,
        });
        break;
      }
      case 'totals':
        events.push({ kind, ...base, ctx: addr(), windows: big(), walks: big(), walksLockedInside: big(), chainTails: big() });
        break;
      case 'counted': {
        // The counted span lies within ±2^52 like every time, before the event's own.
        const first = Math.max(-TIME_LIMIT, ts - big());
        events.push({
          kind, ...base, site: pick(WALK_SITES), ctx: addr(), onCpu: rng.int(0, 63), shape: pick(COUNTED_SHAPES), windows: big(), counted: big(), lockedInside: big(), maxDuration: big() as DurationNs,
          since: t(Math.max(-TIME_LIMIT, ts - big())), first: t(first),
        });
        break;
      }
      case 'lost':
        events.push({ kind, ...base, count: big(), span: big() as DurationNs });
        break;
      case 'probe_misses':
        events.push({ kind, ...base, probe: rng.int(0, 20), missed: big() });
        break;
      case 'marker':
        events.push({ kind, ...base, marker: pick(MARKERS), text: pick(['', 'a', 'lockscope 0.1.0', 'ünïcode ✓']) });
        break;
    }
  }
  return events;
}

function assertSameColumns(got: EventColumns, want: EventColumns, label: string): void {
  assert.equal(got.count, want.count, label);
  for (const name of ['kind', 'ts', 'cpu', 'tid', 'code', 'bits', 'req', 'ctx', 'lock', 'link', 'task', 'owner', 'num', 'num2'] as const) {
    assert.deepEqual(got[name], want[name], `${label}: column ${name}`);
  }
  assert.deepEqual(got.rare, want.rare, `${label}: rare`);
}

/** decodeColumns of the encoded events: checked against the events and against columnsFromEvents. */
function roundTrip(events: readonly CaptureEvent[], label: string): void {
  const columns = decodeColumns(encode(events));
  assert.deepEqual(eventsOf(columns), events, label);
  assertSameColumns(columns, columnsFromEvents(events), label);
}

function uvarint(...vs: number[]): Uint8Array {
  const s = new ByteSink();
  for (const v of vs) {
    s.uvarint(v);
  }
  return s.bytes();
}

function svarint(...vs: number[]): Uint8Array {
  const s = new ByteSink();
  for (const v of vs) {
    s.svarint(v);
  }
  return s.bytes();
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** decodeColumns(c) must throw ColumnFormatError with this message. */
function refuses(c: BatchColumns, message: string | RegExp, label = String(message)): void {
  assert.throws(
    () => decodeColumns(c),
    (e: unknown) => {
      assert.ok(e instanceof ColumnFormatError, `${label}: threw ${String(e)}`);
      if (typeof message === 'string') {
        assert.equal(e.message, message, label);
      } else {
        assert.match(e.message, message, label);
      }
      return true;
    },
    label,
  );
}

const exit: CaptureEvent = { kind: 'window_exit', ts: t(5), cpu: 0, tid: 7, site: 'io_wq_free_work', req: kaddr(0x100), next: kaddr(0x200) };

describe('decodeColumns: round trips', () => {
  it('decodes one event of every kind, in batches of every size, to the events encoded and to columnsFromEvents', () => {
    for (let size = 1; size <= EVERY_KIND.length; size++) {
      for (let at = 0; at < EVERY_KIND.length; at += size) {
        roundTrip(EVERY_KIND.slice(at, at + size), `batches of ${size}, from ${at}`);
      }
    }
  });

  it('fills the columns the contract names for each kind', () => {
    const c = decodeColumns(encode(EVERY_KIND));
    const index = (kind: keyof typeof K): number => EVERY_KIND.findIndex((e) => e.kind === kind);
    const enter = index('window_enter');
    assert.equal(c.kind[enter], K.window_enter);
    assert.equal(c.code[enter], WALK_SITES.indexOf('io_wq_free_work'));
    assert.equal(c.num[enter], 2 ** 40 + 4);
    const acquired = index('lock_acquired');
    assert.equal(c.bits[acquired], SEEN | OK);
    const release = index('lock_release');
    assert.equal(c.bits[release], 0);
    assert.equal(c.link[release], 0);
    const summary = index('window_summary');
    const rareIndex = c.num[summary] ?? -1;
    assert.deepEqual(c.rare[rareIndex], EVERY_KIND[summary]);
    assert.deepEqual(c.rare, EVERY_KIND.filter((e) => e.kind === 'window_summary' || e.kind === 'totals' || e.kind === 'counted' || e.kind === 'contention_counted' || e.kind === 'lost' || e.kind === 'probe_misses' || e.kind === 'marker'));
  });

  it('decodes the linked-NOP model, raw and summary, patched and unpatched, with misses and a loss', () => {
    for (const grain of ['raw', 'summary'] as const) {
      for (const kernel of ['patched', 'unpatched'] as const) {
        const events = modelEvents({ ...MODEL, grain, kernel });
        for (const size of [1, 7, 4096]) {
          for (let at = 0; at < events.length; at += size) {
            roundTrip(events.slice(at, at + size), `${kernel} ${grain}, batches of ${size} from ${at}`);
          }
        }
      }
    }
  });

  it('decodes seeded random events of every kind over their whole ranges', () => {
    const rng = mulberry32(0xc01d_0001);
    for (let round = 0; round < 60; round++) {
      roundTrip(randomEvents(rng, rng.int(1, 400)), `round ${round}`);
    }
  });

  it('gives an empty batch no events', () => {
    const c = decodeColumns(encode([]));
    assert.equal(c.count, 0);
    assert.deepEqual(eventsOf(c), []);
  });

  it('decodes batches one after another alike, whatever came before (large, small, refused)', () => {
    const rng = mulberry32(0xc01d_0002);
    const big = randomEvents(rng, 5000);
    const small = randomEvents(rng, 3);
    const bad = { ...encode(small), count: 4 };
    for (const events of [big, small, null, big, null, small]) {
      if (events === null) {
        assert.throws(() => decodeColumns(bad), ColumnFormatError);
      } else {
        roundTrip(events, `${events.length} events`);
      }
    }
  });
});

describe('columnsFromEvents and eventsOf', () => {
  it('are inverse over every kind, the model and random events', () => {
    const rng = mulberry32(0xc01d_0003);
    for (const events of [EVERY_KIND, modelEvents(MODEL), modelEvents({ ...MODEL, grain: 'summary' }), randomEvents(rng, 2000)]) {
      assert.deepEqual(eventsOf(columnsFromEvents(events)), events);
    }
  });
});

describe('decodeColumns: malformed columns', () => {
  const good = encode(EVERY_KIND);

  it('refuses an unknown kind code', () => {
    for (const code of [0, 21, 63]) {
      refuses({ ...encode([exit]), kind: Uint8Array.of(code) }, 'event 0 has an unknown kind');
    }
    const two = encode([exit, exit]);
    refuses({ ...two, kind: Uint8Array.of(two.kind[0] ?? 0, 0xc0 | 21) }, 'event 1 has an unknown kind');
  });

  it('refuses a first event that repeats the cpu or thread of a previous one', () => {
    for (const flag of [0x80, 0x40, 0xc0]) {
      refuses({ ...encode([exit]), kind: Uint8Array.of(K.window_exit | flag) }, 'the first event of a batch refers to a previous event');
    }
  });

  it('refuses times more than 2^52 ns from the base, of events and of window ops', () => {
    refuses(encode([{ ...exit, ts: t(TIME_LIMIT + 1) }]), `an event time of ${TIME_LIMIT + 1} ns is more than 2^52 ns from the capture base`);
    refuses(encode([{ ...exit, ts: t(-TIME_LIMIT - 1) }]), `an event time of ${-TIME_LIMIT - 1} ns is more than 2^52 ns from the capture base`);
    refuses(encode([{ ...exit, ts: t(TIME_LIMIT) }, { ...exit, ts: t(TIME_LIMIT + 2) }]), /an event time of 4503599627370498 ns/);
    const summary = EVERY_KIND.find((e) => e.kind === 'window_summary');
    assert.ok(summary?.kind === 'window_summary');
    const late = { ...summary, ts: t(TIME_LIMIT - 5), ops: [{ op: 'acquire', api: 'mutex_lock', ts: t(TIME_LIMIT + 3), link: kaddr(0) }] } as const;
    refuses(encode([late]), `an event time of ${TIME_LIMIT + 3} ns is more than 2^52 ns from the capture base`);
  });

  it('refuses unknown site, api, window op, held-at-entry, marker and string codes', () => {
    const cases: readonly (readonly [CaptureEvent, (num: number[]) => void, string])[] = [
      [exit, (n) => (n[0] = WALK_SITES.length), `unknown walk site code ${WALK_SITES.length}`],
      [{ kind: 'window_enter', ts: t(0), cpu: 0, tid: 1, site: 'io_wq_free_work', task: kaddr(1), req: kaddr(2), ctx: kaddr(3), lock: kaddr(4), flags: 0, link: 0 as Addr, owner: 0 as Addr }, (n) => (n[0] = 99), 'unknown walk site code 99'],
      [{ kind: 'lock_acquire', ts: t(0), cpu: 0, tid: 1, api: 'mutex_lock', lock: kaddr(4), snapshot: { seen: false } }, (n) => (n[0] = LOCK_APIS.length), `unknown lock api code ${LOCK_APIS.length}`],
      [{ kind: 'lock_acquired', ts: t(0), cpu: 0, tid: 1, api: 'mutex_lock', lock: kaddr(4), ok: true, snapshot: { seen: false } }, (n) => (n[0] = 100), 'unknown lock api code 100'],
      [{ kind: 'marker', ts: t(0), cpu: 0, tid: 1, marker: 'note', text: 'x' }, (n) => (n[0] = MARKERS.length), `unknown marker code ${MARKERS.length}`],
      [{ kind: 'marker', ts: t(0), cpu: 0, tid: 1, marker: 'note', text: 'x' }, (n) => (n[1] = 1), 'unknown string code 1'],
    ];
    for (const [e, patch, message] of cases) {
      const c = encode([e]);
      const num = [...c.num];
      patch(num);
      refuses({ ...c, num: Uint8Array.from(num) }, message);
    }
    // A window_summary's num values: site, duration, flags, held-at-entry, overflow, op count, then op and api per op.
    const summary = { ...EVERY_KIND.find((e) => e.kind === 'window_summary'), ops: [{ op: 'acquire', api: 'mutex_lock', ts: t(2 ** 50 + 10), link: kaddr(0) }] } as CaptureEvent;
    const c = encode([summary]);
    const at = (values: number[], message: string): void => {
      const s = new ByteSink();
      for (const v of values) {
        s.uvarint(v);
      }
      refuses({ ...c, num: s.bytes() }, message);
    };
    at([3, 5000, 0, 2, 0, 1, 0, 0], 'unknown walk site code 3');
    at([1, 5000, 0, 3, 0, 1, 0, 0], 'unknown held-at-entry code 3');
    at([1, 5000, 0, 2, 0, 1, 4, 0], 'unknown window op code 4');
    at([1, 5000, 0, 2, 0, 1, 0, 9], 'unknown lock api code 9');
    at([1, 5000, 0, 2, 0, MAX_WINDOW_OPS + 1], `window_summary with ${MAX_WINDOW_OPS + 1} ops (max ${MAX_WINDOW_OPS})`);
  });

  it('refuses bytes left in any column after the last event', () => {
    for (const name of COLUMNS) {
      const c = { ...good, [name]: concat(good[name], Uint8Array.of(0)) };
      refuses(c, `column "${name}" has 1 bytes left after ${good.count} events`, name);
    }
    refuses({ ...good, count: good.count - 1 }, `column "kind" has 1 bytes left after ${good.count - 1} events`);
  });

  it('accepts the padding half byte of an odd number of tags, and no more', () => {
    const one = encode([exit]);
    // tid, req, next: three tags, so the tags column ends in a padding half byte.
    assert.equal(one.atag.length, 2);
    roundTrip([exit], 'three tags');
    // Bytes left count from the half-read one, as they always have.
    refuses({ ...one, atag: concat(one.atag, Uint8Array.of(0)) }, 'column "atag" has 2 bytes left after 1 events');
  });

  it('refuses every column cut short, at every length', () => {
    for (const name of COLUMNS) {
      for (let cut = 0; cut < good[name].length; cut++) {
        assert.throws(() => decodeColumns({ ...good, [name]: good[name].subarray(0, cut) }), ColumnFormatError, `${name} cut at ${cut}`);
      }
    }
    refuses({ ...good, kind: good.kind.subarray(0, 3) }, `column "kind": ends early at byte 3 of 3`);
    refuses({ ...good, atag: good.atag.subarray(0, 2) }, 'column "atag" ends early at byte 2');
  });

  it('refuses a count beyond the events at once, without room for them', () => {
    refuses({ ...good, count: good.count + 1 }, `column "kind": ends early at byte ${good.count} of ${good.count}`);
    refuses({ ...good, count: 2 ** 32 - 1 }, `column "kind": ends early at byte ${good.count} of ${good.count}`);
  });

  it('refuses a tag that is neither a recent index nor the miss tag', () => {
    const c = encode([exit]);
    for (const tag of [9, 10, 15]) {
      refuses({ ...c, atag: Uint8Array.of(tag, 0) }, `column "atag": tag ${tag} is not a recent-address index or the miss tag`);
    }
  });

  it('refuses an address more than 2^52 from the bias, in every address column', () => {
    for (const name of ADDRESS_COLUMNS) {
      const events: CaptureEvent[] = [{ kind: 'window_enter', ts: t(0), cpu: 0, tid: 1, site: 'io_wq_free_work', task: kaddr(1), req: kaddr(2), ctx: kaddr(3), lock: kaddr(4), flags: 0, link: kaddr(5), owner: kaddr(6) }];
      const c = encode(events);
      // Every address is a miss (tag 8); make this column's difference too large.
      refuses({ ...c, [name]: svarint(2 ** 52 + 1) }, `column "${name}": an address outside ±2^52`, name);
      refuses({ ...c, [name]: svarint(-(2 ** 53) + 1) }, `column "${name}": an address outside ±2^52`, name);
    }
  });

  it('refuses malformed varints with ByteSource messages, in the hot columns and the address columns', () => {
    const c = encode([exit]);
    refuses({ ...c, time: Uint8Array.of(1) }, 'column "time": negative zero at byte 1 of 1');
    refuses({ ...c, time: Uint8Array.of(0x80) }, 'column "time": ends early at byte 1 of 1');
    refuses({ ...c, req: Uint8Array.of(1) }, 'column "req": negative zero at byte 1 of 1');
    refuses({ ...c, req: Uint8Array.of(0x81, 0x80) }, 'column "req": ends inside a varint at byte 2 of 2');
    refuses({ ...c, req: Uint8Array.of(0x80, ...new Array<number>(9).fill(0x80)) }, /column "req": varint longer than 8 bytes/);
    refuses({ ...c, req: Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10) }, 'column "req": varint exceeds 2^53 at byte 9 of 9');
    refuses({ ...c, req: Uint8Array.of(0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f) }, 'column "req": signed varint exceeds 2^53 at byte 9 of 9');
    refuses({ ...c, num: Uint8Array.of(0x80) }, 'column "num": ends inside a varint at byte 1 of 1');
  });

  it('refuses a cpu outside the 32-bit range of the cpu column', () => {
    const c = encode([exit]);
    refuses({ ...c, cpu: svarint(2 ** 31) }, `column "cpu": cpu ${2 ** 31} of event 0 is outside the 32-bit range`);
    refuses({ ...c, cpu: svarint(-(2 ** 31) - 1) }, /outside the 32-bit range/);
  });

  it('reports the problem met first in stored order, across the passes', () => {
    // Event 0's req tag is bad; event 1's site is unknown: the tag comes first.
    const two = encode([exit, { ...exit, ts: t(6) }]);
    const num = Uint8Array.from(two.num);
    num[1] = 7;
    // Tags: tid, req, next of event 0, then req, next of event 1 (its tid repeats).
    refuses({ ...two, num, atag: Uint8Array.of(0x98, 0x88, 0x00) }, 'column "atag": tag 9 is not a recent-address index or the miss tag');
    refuses({ ...two, num }, 'unknown walk site code 7');
    // In one window_enter: site, then task, req, ctx, lock, then flags. A bad task tag comes
    // before a cut flags varint, and an unknown site before a bad task tag.
    const enter: CaptureEvent = { kind: 'window_enter', ts: t(0), cpu: 0, tid: 1, site: 'io_wq_free_work', task: kaddr(1), req: kaddr(2), ctx: kaddr(3), lock: kaddr(4), flags: 300, link: kaddr(5), owner: kaddr(6) };
    const c = encode([enter]);
    const badTask = Uint8Array.from(c.atag);
    badTask[0] = ((badTask[0] ?? 0) & 0x0f) | 0xa0;
    refuses({ ...c, atag: badTask, num: Uint8Array.of(0, 0xac) }, 'column "atag": tag 10 is not a recent-address index or the miss tag');
    refuses({ ...c, atag: badTask, num: uvarint(3, 300) }, 'unknown walk site code 3');
    // A window_summary's ops: op, api, time, link in turn. Every link here is a miss: the link
    // column holds a long difference, then 1, 1, 1 (one byte each).
    const summary: CaptureEvent = {
      kind: 'window_summary', ts: t(0), cpu: 0, tid: 1, site: 'io_wq_free_work', duration: 10 as DurationNs, task: kaddr(1), req: kaddr(2), ctx: kaddr(3), lock: kaddr(4),
      flags: 0, link: kaddr(5), owner: kaddr(6), heldAtEntry: 'held', next: kaddr(6), opsOverflow: false,
      ops: [{ op: 'acquire', api: 'mutex_lock', ts: t(1), link: kaddr(7) }, { op: 'release', api: 'mutex_lock', ts: t(2), link: kaddr(8) }],
    };
    const s = encode([summary]);
    roundTrip([summary], 'summary');
    const lateSecondOp = svarint(0, 1, TIME_LIMIT + 1);
    const linkLength = s.link.length;
    refuses({ ...s, time: lateSecondOp, link: s.link.subarray(0, linkLength - 1) }, `an event time of ${TIME_LIMIT + 2} ns is more than 2^52 ns from the capture base`);
    refuses({ ...s, time: lateSecondOp, link: s.link.subarray(0, linkLength - 2) }, `column "link": ends early at byte ${linkLength - 2} of ${linkLength - 2}`);
  });

  it('throws nothing but ColumnFormatError on seeded random damage, and decodes what it accepts whole', () => {
    const rng = mulberry32(0xc01d_0004);
    const sources = [EVERY_KIND, modelEvents(MODEL), modelEvents({ ...MODEL, grain: 'summary' }), randomEvents(rng, 3000)];
    for (let round = 0; round < 3000; round++) {
      const from = sources[rng.int(0, sources.length - 1)] ?? [];
      const start = rng.int(0, from.length - 1);
      const c: { -readonly [N in keyof BatchColumns]: BatchColumns[N] } = { ...encode(from.slice(start, start + rng.int(1, 60))) };
      for (let k = rng.int(1, 3); k > 0; k--) {
        const name = COLUMNS[rng.int(0, COLUMNS.length - 1)] ?? 'kind';
        const bytes = Uint8Array.from(c[name]);
        const r = rng.int(0, 5);
        if (r <= 2 && bytes.length > 0) {
          bytes[rng.int(0, bytes.length - 1)] = r === 0 ? rng.int(0, 255) : (bytes[0] ?? 0) ^ (1 << rng.int(0, 7));
          c[name] = bytes;
        } else if (r === 3) {
          c[name] = bytes.subarray(0, rng.int(0, bytes.length));
        } else if (r === 4) {
          c[name] = concat(bytes, rng.bytes(rng.int(1, 3)));
        } else {
          c.count = Math.max(0, c.count + rng.int(-2, 2));
        }
      }
      try {
        const columns = decodeColumns(c);
        assert.equal(columns.count, c.count, `round ${round}`);
        assert.equal(eventsOf(columns).length, c.count, `round ${round}`);
      } catch (e) {
        assert.ok(e instanceof ColumnFormatError, `round ${round}: ${String(e)}`);
      }
    }
  });
});
