/**
 * parseBtf on small hand-made blobs: every kind decoded in both byte orders, corrupt headers and
 * records refused with the byte offset of the fault, a blob cut at every byte, and random damage
 * that must give an error value or a blob whose queries still answer — never a throw or a hang.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Btf, BtfParseError } from '../../../main/core/target/btf.js';
import {
  BTF_KIND,
  describeBtfParseError,
  describeType,
  formatPrototype,
  formatType,
  memberOffsetIn,
  parseBtf,
  prototypeOf,
  typeAt,
  typeSize,
  typesNamed,
} from '../../../main/core/target/btf.js';
import { BtfBuilder } from '../../support/btf-builder.js';
import { mulberry32 } from '../../support/prng.js';

/** One of each kind; returns the builder and the ids it gave. */
function everyKind(): { readonly b: BtfBuilder; readonly ids: Record<string, number> } {
  const b = new BtfBuilder();
  const int = b.int('int', 4, { signed: true });
  const uint = b.int('unsigned int', 4);
  const char = b.int('char', 1, { signed: true, char: true });
  const bool = b.int('_Bool', 1, { bool: true });
  const long = b.int('long', 8, { signed: true });
  const ptrChar = b.ptr(char);
  const arr = b.array(int, uint, 4);
  const point = b.struct('point', 8, [
    { name: 'x', type: int, bitOffset: 0 },
    { name: 'y', type: int, bitOffset: 32 },
  ]);
  const num = b.union('num', 8, [
    { name: 'i', type: int, bitOffset: 0 },
    { name: 'l', type: long, bitOffset: 0 },
  ]);
  const color = b.enum('color', 4, [
    ['RED', 0],
    ['MINUS', -1],
  ], true);
  const big = b.enum64('big', [
    ['HUGE', 0xfedcba9876543210n],
    ['ONE', 1n],
  ]);
  const fwd = b.fwd('opaque', true);
  const td = b.typedef('bool', bool);
  const vol = b.qualifier('volatile', int);
  const cnst = b.qualifier('const', char);
  const restrict = b.qualifier('restrict', ptrChar);
  const tag = b.typeTag('user', char);
  const proto = b.funcProto(td, [
    ['p', b.ptr(point)],
    ['fmt', b.ptr(cnst)],
  ], true);
  const func = b.func('check', proto, 1);
  const v = b.variable('counter', int, 1);
  const sec = b.datasec('.data', 4, [[v, 0, 4]]);
  const flt = b.float('double', 8);
  const decl = b.declTag('kfunc', func, -1);
  return { b, ids: { int, uint, char, bool, long, ptrChar, arr, point, num, color, big, fwd, td, vol, cnst, restrict, tag, proto, func, v, sec, flt, decl } };
}

function parsed(bytes: Uint8Array): Btf {
  const r = parseBtf(bytes);
  assert.ok(r.ok, r.ok ? '' : describeBtfParseError(r.error, 'blob'));
  return r.value;
}

function parseError(bytes: Uint8Array): BtfParseError {
  const r = parseBtf(bytes);
  assert.ok(!r.ok, 'expected a parse error');
  return r.error;
}

/** Every query on every type: must answer (ok or error value) without throwing. */
function queryEverything(btf: Btf): void {
  for (let id = 0; id < btf.count; id++) {
    const t = typeAt(btf, id);
    describeType(btf, id);
    typeSize(btf, id);
    if (t.kind === 'struct' || t.kind === 'union') {
      for (const m of t.members) {
        memberOffsetIn(btf, id, [m.name]);
        memberOffsetIn(btf, id, [m.name, 'x']);
      }
    }
    if (t.kind === 'func') {
      const p = prototypeOf(btf, id);
      if (p.ok) {
        formatPrototype(p.value);
      }
    }
  }
}

describe('parseBtf decodes every kind', () => {
  for (const endian of ['little', 'big'] as const) {
    it(`in ${endian} endian`, () => {
      const { b, ids } = everyKind();
      const btf = parsed(b.build({ endian }));
      assert.equal(btf.endian, endian);
      assert.equal(btf.count, b.next);
      assert.deepEqual(typeAt(btf, 0), { kind: 'void', id: 0 });
      assert.deepEqual(typeAt(btf, ids.int ?? 0), { kind: 'int', id: ids.int, name: 'int', size: 4, signed: true, char: false, bool: false, bits: 32, bitOffset: 0 });
      assert.deepEqual(typeAt(btf, ids.arr ?? 0), { kind: 'array', id: ids.arr, elementType: ids.int, indexType: ids.uint, length: 4 });
      const point = typeAt(btf, ids.point ?? 0);
      assert.ok(point.kind === 'struct');
      assert.deepEqual(
        point.members.map((m) => [m.name, m.bitOffset, m.bitfieldSize]),
        [
          ['x', 0, 0],
          ['y', 32, 0],
        ],
      );
      assert.equal(typeAt(btf, ids.num ?? 0).kind, 'union');
      assert.deepEqual(typeAt(btf, ids.color ?? 0), {
        kind: 'enum',
        id: ids.color,
        name: 'color',
        size: 4,
        signed: true,
        values: [
          { name: 'RED', value: 0n },
          { name: 'MINUS', value: -1n },
        ],
      });
      const big = typeAt(btf, ids.big ?? 0);
      assert.ok(big.kind === 'enum');
      assert.deepEqual(
        big.values.map((v) => v.value),
        [0xfedcba9876543210n, 1n],
      );
      assert.deepEqual(typeAt(btf, ids.fwd ?? 0), { kind: 'fwd', id: ids.fwd, name: 'opaque', union: true });
      assert.deepEqual(typeAt(btf, ids.tag ?? 0), { kind: 'type_tag', id: ids.tag, tag: 'user', type: ids.char });
      assert.deepEqual(typeAt(btf, ids.func ?? 0), { kind: 'func', id: ids.func, name: 'check', type: ids.proto, linkage: 'global' });
      assert.deepEqual(typeAt(btf, ids.v ?? 0), { kind: 'var', id: ids.v, name: 'counter', type: ids.int, linkage: 'global' });
      assert.deepEqual(typeAt(btf, ids.sec ?? 0), { kind: 'datasec', id: ids.sec, name: '.data', size: 4, vars: [{ type: ids.v, offset: 0, size: 4 }] });
      assert.deepEqual(typeAt(btf, ids.flt ?? 0), { kind: 'float', id: ids.flt, name: 'double', size: 8 });
      assert.deepEqual(typeAt(btf, ids.decl ?? 0), { kind: 'decl_tag', id: ids.decl, tag: 'kfunc', type: ids.func, componentIndex: -1 });
      const p = prototypeOf(btf, ids.func ?? 0);
      assert.ok(p.ok);
      assert.equal(formatPrototype(p.value), 'bool check(struct point *p, const char *fmt, ...)');
      const restrict = describeType(btf, ids.restrict ?? 0);
      assert.ok(restrict.ok);
      assert.equal(formatType(restrict.value), 'char *restrict');
      assert.deepEqual(typeSize(btf, ids.arr ?? 0), { ok: true, value: 16 });
      assert.deepEqual(typeSize(btf, ids.ptrChar ?? 0), { ok: true, value: 8 });
      assert.deepEqual(typesNamed(btf, 'point', [BTF_KIND.STRUCT]), [ids.point]);
      queryEverything(btf);
    });
  }

  it('reads the same from both byte orders, and with the string section first or a longer header', () => {
    const { b } = everyKind();
    const dump = (btf: Btf): string => JSON.stringify(Array.from({ length: btf.count }, (_, id) => typeAt(btf, id)), (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    const le = dump(parsed(b.build()));
    assert.equal(dump(parsed(b.build({ endian: 'big' }))), le);
    assert.equal(dump(parsed(b.build({ stringsFirst: true }))), le);
    assert.equal(dump(parsed(b.build({ headerLength: 32 }))), le);
  });

  it('reads an empty blob: no types, only the empty name', () => {
    const btf = parsed(new BtfBuilder().build());
    assert.equal(btf.count, 1);
  });

  it('decodes non-ASCII names as UTF-8', () => {
    const b = new BtfBuilder();
    const id = b.struct('größe', 0, []);
    assert.equal(parsed(b.build()).name(id), 'größe');
  });
});

describe('parseBtf refuses corrupt headers, with the byte offset', () => {
  const good = everyKind().b.build();
  const patched = (at: number, bytes: readonly number[]): Uint8Array => {
    const copy = Uint8Array.from(good);
    copy.set(bytes, at);
    return copy;
  };
  const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
  const typeLen = new DataView(good.buffer, good.byteOffset).getUint32(12, true);

  it('not BTF: an ELF file, gzip, text', () => {
    for (const start of [[0x7f, 0x45, 0x4c, 0x46], [0x1f, 0x8b], [0x7b, 0x22]]) {
      const e = parseError(patched(0, start));
      assert.equal(e.code, 'not_btf');
      assert.equal(e.offset, 0);
      assert.match(describeBtfParseError(e, 'f'), /not raw BTF/);
    }
  });

  it('version, flags and header length', () => {
    assert.deepEqual(parseError(patched(2, [2])), { code: 'unsupported_version', offset: 2, version: 2 });
    assert.deepEqual(parseError(patched(3, [1])), { code: 'unsupported_flags', offset: 3, flags: 1 });
    assert.deepEqual(parseError(patched(4, u32(8))), { code: 'corrupt', offset: 4, reason: 'header length 8 is shorter than the 24 bytes of a BTF header' });
    const far = parseError(patched(4, u32(0x10000000)));
    assert.equal(far.code, 'truncated');
    assert.equal(far.offset, good.length);
  });

  it('sections past the end, misaligned or overlapping', () => {
    const past = parseError(patched(20, u32(0xffffffff)));
    assert.equal(past.code, 'truncated');
    assert.equal(past.offset, good.length);
    assert.match(describeBtfParseError(past, 'f'), /the string section/);
    assert.equal(parseError(patched(8, u32(2))).offset, 8);
    assert.match(JSON.stringify(parseError(patched(16, u32(typeLen - 4)))), /overlaps/);
  });

  it('a string section that is empty, or does not start or end with NUL', () => {
    assert.deepEqual(parseError(patched(20, u32(0))), { code: 'corrupt', offset: 20, reason: 'the string section is empty (it must hold at least the empty name)' });
    const strStart = 24 + typeLen;
    assert.equal(parseError(patched(strStart, [0x41])).offset, strStart);
    assert.equal(parseError(patched(good.length - 1, [0x41])).offset, good.length - 1);
  });
});

describe('parseBtf refuses corrupt type records, with the byte offset of the record', () => {
  const firstRecord = 24;
  it('an unknown kind (a newer kernel’s, or garbage)', () => {
    const b = new BtfBuilder();
    b.int('int', 4);
    b.raw(0, 20 << 24, 0);
    const e = parseError(b.build());
    assert.equal(e.code, 'corrupt');
    assert.equal(e.offset, firstRecord + 16 + 4);
    assert.match(describeBtfParseError(e, 'f'), /type id 2 has kind 20, which this reader does not know/);
    const zero = new BtfBuilder();
    zero.raw(0, 0, 0);
    assert.equal(parseError(zero.build()).offset, firstRecord + 4);
  });

  it('a name offset past the string section', () => {
    const b = new BtfBuilder();
    b.raw(9999, BTF_KIND.INT << 24, 4, [32]);
    assert.deepEqual(parseError(b.build()), { code: 'corrupt', offset: firstRecord, reason: 'type id 1: name offset 9999 is outside the 1-byte string section' });
    const m = new BtfBuilder();
    const int = m.int('int', 4);
    m.raw(0, (BTF_KIND.STRUCT << 24) | 1, 4, [5000, int, 0]);
    assert.equal(parseError(m.build()).offset, firstRecord + 16 + 12);
  });

  it('a type reference past the last type: pointer, member, parameter, array, datasec', () => {
    const cases: [string, (b: BtfBuilder) => void, number][] = [
      ['pointer', (b) => b.ptr(7), 8],
      ['member', (b) => b.struct('s', 4, [{ name: 'a', type: 7, bitOffset: 0 }]), 16],
      ['parameter', (b) => b.funcProto(0, [['a', 7]]), 16],
      ['array element', (b) => b.array(7, 0, 1), 12],
      ['array index', (b) => b.array(0, 7, 1), 16],
      ['datasec', (b) => b.datasec('.d', 4, [[7, 0, 4]]), 12],
    ];
    for (const [what, add, at] of cases) {
      const b = new BtfBuilder();
      add(b);
      const e = parseError(b.build());
      assert.equal(e.code, 'corrupt', what);
      assert.equal(e.offset, firstRecord + at, what);
      assert.match(describeBtfParseError(e, 'f'), /refers to type id 7, but the last type id is 1/, what);
    }
  });

  it('a FUNC whose type is not a FUNC_PROTO', () => {
    const b = new BtfBuilder();
    const int = b.int('int', 4);
    b.func('f', int);
    const e = parseError(b.build());
    assert.equal(e.offset, firstRecord + 16 + 8);
    assert.match(describeBtfParseError(e, 'f'), /not a FUNC_PROTO/);
  });

  it('a record whose members run past the type section', () => {
    const b = new BtfBuilder();
    b.raw(0, (BTF_KIND.STRUCT << 24) | 1000, 4, [0, 0, 0]);
    const e = parseError(b.build());
    assert.equal(e.offset, firstRecord);
    assert.match(describeBtfParseError(e, 'f'), /STRUCT, vlen 1000\) needs 12012 bytes/);
  });
});

describe('parseBtf on a blob cut short', () => {
  it('at every byte of a hand-made blob: an error whose offset is within what was given', () => {
    for (const endian of ['little', 'big'] as const) {
      const whole = everyKind().b.build({ endian });
      for (let n = 0; n < whole.length; n++) {
        const e = parseError(whole.subarray(0, n));
        assert.equal(e.code, 'truncated', `cut at ${n}: ${JSON.stringify(e)}`);
        assert.equal(e.offset, n);
        assert.ok(e.needed > 0);
      }
      parsed(whole);
    }
  });
});

describe('parseBtf and the queries on random damage never throw', () => {
  const whole = everyKind().b.build();
  it('one to eight random bytes changed, 4000 times', () => {
    const rnd = mulberry32(20260503);
    let refused = 0;
    for (let round = 0; round < 4000; round++) {
      const copy = Uint8Array.from(whole);
      const flips = rnd.int(1, 8);
      for (let i = 0; i < flips; i++) {
        copy[rnd.int(0, copy.length - 1)] = rnd.int(0, 255);
      }
      const r = parseBtf(copy);
      if (r.ok) {
        queryEverything(r.value);
      } else {
        refused++;
        assert.ok(r.error.offset >= 0 && r.error.offset <= copy.length);
        describeBtfParseError(r.error, 'f');
      }
    }
    assert.ok(refused > 0);
  });

  it('random type sections behind a valid header', () => {
    const rnd = mulberry32(7);
    for (let round = 0; round < 500; round++) {
      const types = rnd.bytes(rnd.int(0, 40) * 4);
      const strings = Uint8Array.from([0, 0x61, 0, 0x62, 0x63, 0]);
      const blob = new Uint8Array(24 + types.length + strings.length);
      const v = new DataView(blob.buffer);
      v.setUint16(0, 0xeb9f, true);
      v.setUint8(2, 1);
      v.setUint32(4, 24, true);
      v.setUint32(12, types.length, true);
      v.setUint32(16, types.length, true);
      v.setUint32(20, strings.length, true);
      blob.set(types, 24);
      blob.set(strings, 24 + types.length);
      const r = parseBtf(blob);
      if (r.ok) {
        queryEverything(r.value);
      }
    }
  });
});
