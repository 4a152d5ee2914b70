import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { ByteSink, ByteSource, ColumnFormatError } from '../../../main/core/capture/varint.js';
import { mulberry32 } from '../../support/prng.js';

const MAX = Number.MAX_SAFE_INTEGER;

/** 0, ±1, ±63, ±64, ±127, ±128, 2^k and its neighbours up to 2^53 - 1, ±MAX_SAFE_INTEGER. */
function interestingMagnitudes(): number[] {
  const out = [0, 1, 2, 63, 64, 65, 127, 128, 129, 255, 256, 300, 16383, 16384, MAX - 1, MAX];
  for (let k = 0; k <= 52; k++) {
    out.push(2 ** k - 1, 2 ** k, 2 ** k + 1);
  }
  out.push(2 ** 53 - 1); // 2^53 itself is out of range: see the RangeError tests
  return [...new Set(out)].filter((v) => v <= MAX);
}

/** A uniform integer of a uniform bit length in 0..53 (so small and large values both occur). */
function randomMagnitude(rng: ReturnType<typeof mulberry32>): number {
  const bits = rng.int(0, 53);
  const hi = Math.floor(rng.next() * 2 ** Math.max(0, bits - 26));
  const lo = Math.floor(rng.next() * 2 ** Math.min(26, bits));
  return Math.min(MAX, hi * 2 ** Math.min(26, bits) + lo);
}

function encodeU(v: number): Uint8Array {
  const s = new ByteSink();
  s.uvarint(v);
  return s.bytes();
}

function encodeS(v: number): Uint8Array {
  const s = new ByteSink();
  s.svarint(v);
  return s.bytes();
}

function decodeU(bytes: readonly number[] | Uint8Array): number {
  return new ByteSource(Uint8Array.from(bytes), 'test').uvarint();
}

function decodeS(bytes: readonly number[] | Uint8Array): number {
  return new ByteSource(Uint8Array.from(bytes), 'test').svarint();
}

describe('varint: unsigned', () => {
  it('round-trips boundary values, each alone and using exactly its bytes', () => {
    for (const v of interestingMagnitudes()) {
      const bytes = encodeU(v);
      const src = new ByteSource(bytes, 'u');
      assert.equal(src.uvarint(), v, `uvarint ${v}`);
      assert.equal(src.atEnd, true, `uvarint ${v} left bytes unread`);
      assert.equal(src.remaining, 0);
    }
  });

  it('uses the LEB128 layout: 7 bits a byte, low group first', () => {
    assert.deepEqual([...encodeU(0)], [0x00]);
    assert.deepEqual([...encodeU(1)], [0x01]);
    assert.deepEqual([...encodeU(127)], [0x7f]);
    assert.deepEqual([...encodeU(128)], [0x80, 0x01]);
    assert.deepEqual([...encodeU(300)], [0xac, 0x02]);
    assert.deepEqual([...encodeU(16384)], [0x80, 0x80, 0x01]);
    assert.deepEqual([...encodeU(MAX)], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
  });

  it('takes ceil(bits / 7) bytes, at most 8', () => {
    for (const v of interestingMagnitudes()) {
      let bits = 0;
      while (2 ** bits <= v) {
        bits++;
      }
      assert.equal(encodeU(v).length, Math.max(1, Math.ceil(bits / 7)), `length of ${v}`);
      assert.ok(encodeU(v).length <= 8);
    }
  });

  it('round-trips seeded random values written back to back in one sink', () => {
    const rng = mulberry32(0x5eed_0001);
    const values = Array.from({ length: 5000 }, () => randomMagnitude(rng));
    const sink = new ByteSink(1);
    for (const v of values) {
      sink.uvarint(v);
    }
    const src = new ByteSource(sink.bytes(), 'u');
    for (const v of values) {
      assert.equal(src.uvarint(), v);
    }
    assert.equal(src.atEnd, true);
  });

  it('accepts exactly MAX_SAFE_INTEGER and refuses 2^53 and beyond when decoding', () => {
    assert.equal(decodeU([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]), MAX);
    // 2^53 = 0x10 << 49
    assert.throws(() => decodeU([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]), ColumnFormatError);
    // 2^56 - 1, the largest 8-byte varint
    assert.throws(() => decodeU([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), ColumnFormatError);
  });

  it('throws RangeError on out-of-range input and writes nothing', () => {
    const bad = [-1, -0.5, 0.5, 1.5, 2 ** 53, MAX + 2, 2 ** 60, -MAX, Number.NaN, Infinity, -Infinity];
    for (const v of bad) {
      const sink = new ByteSink();
      sink.byte(7);
      assert.throws(() => {
        sink.uvarint(v);
      }, RangeError, `uvarint(${v})`);
      assert.deepEqual([...sink.bytes()], [7], `uvarint(${v}) wrote bytes before throwing`);
    }
  });

  it('throws ColumnFormatError on an empty or truncated varint, at every cut', () => {
    assert.throws(() => decodeU([]), ColumnFormatError);
    for (const v of [128, 300, 2 ** 20, 2 ** 35, MAX]) {
      const full = encodeU(v);
      for (let cut = 0; cut < full.length; cut++) {
        assert.throws(() => decodeU(full.subarray(0, cut)), ColumnFormatError, `uvarint ${v} cut at ${cut}`);
      }
    }
  });

  it('throws ColumnFormatError on a varint longer than 8 bytes', () => {
    assert.throws(() => decodeU([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), ColumnFormatError);
    assert.throws(() => decodeU(new Uint8Array(20).fill(0xff)), ColumnFormatError);
    assert.throws(() => decodeU([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80]), ColumnFormatError);
  });

  it('names the column and the position in its error', () => {
    assert.equal(new ColumnFormatError('x').name, 'ColumnFormatError');
    const src = new ByteSource(Uint8Array.of(0x05, 0x80), 'req');
    assert.equal(src.uvarint(), 5);
    assert.throws(
      () => src.uvarint(),
      (e: unknown) => e instanceof ColumnFormatError && /column "req"/.test(e.message) && /of 2/.test(e.message),
    );
  });
});

describe('varint: signed', () => {
  it('round-trips ±boundary values, each using exactly its bytes', () => {
    for (const m of interestingMagnitudes()) {
      for (const v of m === 0 ? [0] : [m, -m]) {
        const bytes = encodeS(v);
        const src = new ByteSource(bytes, 's');
        assert.equal(src.svarint(), v, `svarint ${v}`);
        assert.equal(src.atEnd, true, `svarint ${v} left bytes unread`);
      }
    }
  });

  it('keeps the sign in bit 0 and 6 magnitude bits in the first byte', () => {
    assert.deepEqual([...encodeS(0)], [0x00]);
    assert.deepEqual([...encodeS(1)], [0x02]);
    assert.deepEqual([...encodeS(-1)], [0x03]);
    assert.deepEqual([...encodeS(63)], [0x7e]);
    assert.deepEqual([...encodeS(-63)], [0x7f]);
    assert.deepEqual([...encodeS(64)], [0x80, 0x01]);
    assert.deepEqual([...encodeS(-64)], [0x81, 0x01]);
    assert.deepEqual([...encodeS(127)], [0xfe, 0x01]);
    assert.deepEqual([...encodeS(-128)], [0x81, 0x02]);
  });

  it('takes one byte for |v| < 64, two up to 2^13 - 1, and at most 8 for ±MAX_SAFE_INTEGER', () => {
    for (const v of [0, 1, -1, 63, -63]) {
      assert.equal(encodeS(v).length, 1, `svarint ${v}`);
    }
    for (const v of [64, -64, 127, -128, 8191, -8191]) {
      assert.equal(encodeS(v).length, 2, `svarint ${v}`);
    }
    assert.equal(encodeS(8192).length, 3);
    assert.equal(encodeS(MAX).length, 8);
    assert.equal(encodeS(-MAX).length, 8);
  });

  it('round-trips seeded random values of both signs, interleaved with unsigned ones and raw bytes', () => {
    const rng = mulberry32(0x5eed_0002);
    type Op = { readonly t: 's' | 'u' | 'b'; readonly v: number };
    const ops: Op[] = Array.from({ length: 5000 }, (): Op => {
      const r = rng.int(0, 2);
      if (r === 0) {
        const m = randomMagnitude(rng);
        return { t: 's', v: rng.next() < 0.5 && m !== 0 ? -m : m };
      }
      return r === 1 ? { t: 'u', v: randomMagnitude(rng) } : { t: 'b', v: rng.int(0, 255) };
    });
    const sink = new ByteSink(2);
    for (const op of ops) {
      if (op.t === 's') {
        sink.svarint(op.v);
      } else if (op.t === 'u') {
        sink.uvarint(op.v);
      } else {
        sink.byte(op.v);
      }
    }
    const src = new ByteSource(sink.bytes(), 'mixed');
    for (const op of ops) {
      const got = op.t === 's' ? src.svarint() : op.t === 'u' ? src.uvarint() : src.byte();
      assert.equal(got, op.v);
    }
    assert.equal(src.atEnd, true);
  });

  it('throws RangeError on out-of-range input and writes nothing', () => {
    const bad = [2 ** 53, -(2 ** 53), MAX + 2, -(MAX + 2), 0.5, -1.5, Number.NaN, Infinity, -Infinity];
    for (const v of bad) {
      const sink = new ByteSink();
      assert.throws(() => {
        sink.svarint(v);
      }, RangeError, `svarint(${v})`);
      assert.equal(sink.length, 0, `svarint(${v}) wrote bytes before throwing`);
    }
  });

  it('throws ColumnFormatError on an empty or truncated signed varint, at every cut', () => {
    assert.throws(() => decodeS([]), ColumnFormatError);
    assert.throws(() => decodeS([0x80]), ColumnFormatError);
    for (const v of [64, -64, -300, 2 ** 30, -(2 ** 40), MAX, -MAX]) {
      const full = encodeS(v);
      for (let cut = 0; cut < full.length; cut++) {
        assert.throws(() => decodeS(full.subarray(0, cut)), ColumnFormatError, `svarint ${v} cut at ${cut}`);
      }
    }
  });

  it('accepts ±MAX_SAFE_INTEGER and refuses magnitudes of 2^53 and more', () => {
    // first byte: 63 and continue; rest: 2^47 - 1 → 63 + (2^47 - 1) * 64 = 2^53 - 1
    const maxRest = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f];
    assert.equal(decodeS([0xfe, ...maxRest]), MAX);
    assert.equal(decodeS([0xff, ...maxRest]), -MAX);
    // rest 2^47 → 2^53 (and 63 + 2^53) are out of range
    const rest47 = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20];
    assert.throws(() => decodeS([0x80, ...rest47]), ColumnFormatError);
    assert.throws(() => decodeS([0xff, ...rest47]), ColumnFormatError);
    // a rest that is itself at the unsigned limit
    assert.throws(() => decodeS([0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]), ColumnFormatError);
  });

  it('throws ColumnFormatError when the rest of a signed varint is over-long', () => {
    assert.throws(() => decodeS([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), ColumnFormatError);
  });
});

describe('ByteSink / ByteSource', () => {
  it('grows from a tiny buffer and returns a copy from bytes()', () => {
    const sink = new ByteSink(1);
    for (let i = 0; i < 1000; i++) {
      sink.uvarint(MAX);
    }
    assert.equal(sink.length, 8000);
    const a = sink.bytes();
    a[0] = 0;
    assert.equal(sink.bytes()[0], 0xff, 'bytes() must not alias the sink');
  });

  it('starts over after reset()', () => {
    const sink = new ByteSink(4);
    sink.uvarint(300);
    sink.reset();
    assert.equal(sink.length, 0);
    sink.svarint(-1);
    assert.deepEqual([...sink.bytes()], [0x03]);
  });

  it('byte() past the end throws ColumnFormatError', () => {
    const src = new ByteSource(Uint8Array.of(9), 'kind');
    assert.equal(src.byte(), 9);
    assert.equal(src.atEnd, true);
    assert.throws(() => src.byte(), ColumnFormatError);
  });

  it('does not move past a byte it failed to read', () => {
    const src = new ByteSource(new Uint8Array(0), 'x');
    assert.throws(() => src.uvarint(), ColumnFormatError);
    assert.throws(() => src.svarint(), ColumnFormatError);
    assert.equal(src.remaining, 0);
  });

  it(
    'a sink made with an initial size of 0 can be written to',
    async () => {
      // Run in a worker: on the buggy code the write never returns.
      const url = new URL('../../../main/core/capture/varint.js', import.meta.url).href;
      const code = `
        const { parentPort } = require('node:worker_threads');
        import(${JSON.stringify(url)}).then(({ ByteSink }) => {
          const s = new ByteSink(0);
          s.uvarint(300);
          parentPort.postMessage(Array.from(s.bytes()));
        });`;
      const worker = new Worker(code, { eval: true });
      const result = await new Promise<unknown>((resolve) => {
        const timer = setTimeout(() => {
          resolve('timed out');
        }, 500);
        worker.once('message', (m: unknown) => {
          clearTimeout(timer);
          resolve(m);
        });
      });
      await worker.terminate();
      assert.deepEqual(result, [0xac, 0x02]);
    },
  );
});
