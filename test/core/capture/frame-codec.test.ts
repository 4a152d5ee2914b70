import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32 } from '../../../main/core/capture/crc32.js';
import type { FrameItem, FrameTail } from '../../../main/core/capture/frame-codec.js';
import { FRAME_HEADER_BYTES, FrameDecoder, MAX_FRAME_PAYLOAD, encodeFrame } from '../../../main/core/capture/frame-codec.js';
import { concatBytes } from '../../support/capture-samples.js';
import { mulberry32 } from '../../support/prng.js';

/** What a decoder produced, with payloads copied out (they may alias the decoder's buffers). */
interface Decoded {
  readonly items: FrameItem[];
  readonly tail: FrameTail;
  /** For each item, how many input bytes had been pushed when it came out. */
  readonly deliveredAt: number[];
}

function copyItem(item: FrameItem): FrameItem {
  return item.type === 'frame' ? { type: 'frame', offset: item.offset, payload: Uint8Array.from(item.payload) } : item;
}

function decodeChunks(chunks: readonly Uint8Array[], startOffset = 0, maxPayload?: number): Decoded {
  const dec = new FrameDecoder(startOffset, maxPayload);
  const items: FrameItem[] = [];
  const deliveredAt: number[] = [];
  let pushed = 0;
  for (const c of chunks) {
    pushed += c.length;
    for (const item of dec.push(c)) {
      items.push(copyItem(item));
      deliveredAt.push(pushed);
    }
  }
  return { items, tail: dec.finish(), deliveredAt };
}

function split(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    out.push(bytes.subarray(at, at + size));
  }
  return out;
}

function payloadOf(size: number, seed: number): Uint8Array {
  return mulberry32(seed).bytes(size);
}

/** A stream of frames and what decoding it must give. */
interface Stream {
  readonly bytes: Uint8Array;
  readonly payloads: readonly Uint8Array[];
  /** Start of each frame within `bytes`. */
  readonly starts: readonly number[];
  /** End (exclusive) of each frame within `bytes`. */
  readonly ends: readonly number[];
}

function stream(sizes: readonly number[]): Stream {
  const payloads = sizes.map((n, i) => payloadOf(n, 1000 + i));
  const frames = payloads.map(encodeFrame);
  const starts: number[] = [];
  const ends: number[] = [];
  let at = 0;
  for (const f of frames) {
    starts.push(at);
    at += f.length;
    ends.push(at);
  }
  return { bytes: concatBytes(frames), payloads, starts, ends };
}

function expectedFrames(s: Stream, startOffset: number, count = s.payloads.length): FrameItem[] {
  return s.payloads.slice(0, count).map((payload, i) => ({ type: 'frame', offset: startOffset + (s.starts[i] ?? NaN), payload }));
}

const SIZES = [0, 1, 300, 70000, 7, 8, 9, 0, 65536];
const BIG = stream(SIZES);

describe('crc32 and encodeFrame', () => {
  it('computes the zlib CRC-32', () => {
    assert.equal(crc32(new Uint8Array(0)), 0);
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
    assert.equal(crc32(new TextEncoder().encode('The quick brown fox jumps over the lazy dog')), 0x414fa339);
    const bytes = new TextEncoder().encode('xx123456789yy');
    assert.equal(crc32(bytes, 2, 11), 0xcbf43926);
  });

  it('writes u32 LE length, u32 LE CRC, then the payload', () => {
    const payload = payloadOf(300, 1);
    const f = encodeFrame(payload);
    assert.equal(f.length, FRAME_HEADER_BYTES + 300);
    const view = new DataView(f.buffer, f.byteOffset, f.byteLength);
    assert.equal(view.getUint32(0, true), 300);
    assert.equal(view.getUint32(4, true), crc32(payload));
    assert.deepEqual(f.subarray(FRAME_HEADER_BYTES), payload);
    assert.deepEqual([...encodeFrame(new Uint8Array(0))], [0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('refuses a payload over the limit', () => {
    assert.throws(() => encodeFrame(new Uint8Array(MAX_FRAME_PAYLOAD + 1)), RangeError);
  });
});

describe('FrameDecoder: fragmentation', () => {
  it('gives the same frames and offsets for every chunk size (stride 1..64 and a few large ones)', () => {
    const startOffset = 8;
    const want = expectedFrames(BIG, startOffset);
    const sizes = [...Array.from({ length: 64 }, (_, i) => i + 1), 100, 1000, 4096, 65535, 65536, 70008, BIG.bytes.length - 1, BIG.bytes.length, BIG.bytes.length + 1];
    for (const size of sizes) {
      const got = decodeChunks(split(BIG.bytes, size), startOffset);
      assert.deepEqual(got.items, want, `chunk size ${size}`);
      assert.deepEqual(got.tail, { droppedBytes: 0, offset: startOffset + BIG.bytes.length }, `chunk size ${size}`);
      // Each frame comes out of the push that brings its last byte, not later.
      got.deliveredAt.forEach((at, i) => {
        const end = BIG.ends[i] ?? NaN;
        assert.equal(at, Math.min(BIG.bytes.length, Math.ceil(end / size) * size), `chunk size ${size}, frame ${i}`);
      });
    }
  });

  it('gives the same frames for seeded random fragmentations, empty chunks included', () => {
    const rng = mulberry32(0xf4a9_0001);
    const want = expectedFrames(BIG, 0);
    for (let round = 0; round < 60; round++) {
      const chunks: Uint8Array[] = [];
      let at = 0;
      while (at < BIG.bytes.length) {
        const r = rng.next();
        const size = r < 0.1 ? 0 : r < 0.6 ? rng.int(1, 16) : r < 0.9 ? rng.int(17, 2000) : rng.int(2001, 80000);
        chunks.push(BIG.bytes.subarray(at, at + size));
        at += size;
      }
      const got = decodeChunks(chunks, 0);
      assert.deepEqual(got.items, want, `round ${round}`);
      assert.deepEqual(got.tail, { droppedBytes: 0, offset: BIG.bytes.length });
    }
  });

  it('decodes many small frames delivered inside one chunk', () => {
    const s = stream(Array.from({ length: 500 }, (_, i) => i % 37));
    const got = decodeChunks([s.bytes], 3);
    assert.deepEqual(got.items, expectedFrames(s, 3));
    assert.deepEqual(got.tail, { droppedBytes: 0, offset: 3 + s.bytes.length });
  });

  it('returns payloads that later pushes do not change', () => {
    const s = stream([5, 300, 5]);
    const dec = new FrameDecoder();
    const first = dec.push(s.bytes.subarray(0, (s.ends[0] ?? 0) + 4));
    const rest = dec.push(s.bytes.subarray((s.ends[0] ?? 0) + 4));
    const all = [...first, ...rest];
    assert.deepEqual(all, expectedFrames(s, 0));
  });
});

describe('FrameDecoder: truncation', () => {
  it('drops exactly the bytes after the last whole frame, cut at every byte (fresh decoder per cut)', () => {
    const s = stream([0, 1, 300, 9, 0, 1000, 8]);
    for (let cut = 0; cut <= s.bytes.length; cut++) {
      const whole = s.ends.filter((e) => e <= cut).length;
      const lastEnd = whole === 0 ? 0 : (s.ends[whole - 1] ?? NaN);
      for (const size of [cut, 7]) {
        const got = decodeChunks(split(s.bytes.subarray(0, cut), Math.max(1, size)), 8);
        assert.deepEqual(got.items, expectedFrames(s, 8, whole), `cut ${cut}, chunks of ${size}`);
        assert.deepEqual(got.tail, { droppedBytes: cut - lastEnd, offset: 8 + lastEnd }, `cut ${cut}, chunks of ${size}`);
      }
    }
  });

  it('reports the right tail after every byte of a large stream pushed one byte at a time', () => {
    const dec = new FrameDecoder(0);
    let frames = 0;
    for (let cut = 1; cut <= BIG.bytes.length; cut++) {
      const items = dec.push(BIG.bytes.subarray(cut - 1, cut));
      frames += items.length;
      const whole = BIG.ends.filter((e) => e <= cut).length;
      const lastEnd = whole === 0 ? 0 : (BIG.ends[whole - 1] ?? NaN);
      assert.equal(frames, whole, `cut ${cut}`);
      const tail = dec.finish();
      if (tail.droppedBytes !== cut - lastEnd || tail.offset !== lastEnd) {
        assert.deepEqual(tail, { droppedBytes: cut - lastEnd, offset: lastEnd }, `cut ${cut}`);
      }
    }
  });
});

describe('FrameDecoder: corruption', () => {
  const s = stream([0, 1, 300, 9, 0, 1000, 8]);

  it('reports a flipped payload byte once, at the frame offset, and nothing after', () => {
    for (let k = 0; k < s.payloads.length; k++) {
      const len = s.payloads[k]?.length ?? 0;
      const start = s.starts[k] ?? NaN;
      for (const at of new Set([0, Math.floor(len / 2), len - 1].filter((i) => i >= 0 && i < len))) {
        for (const flip of [0x01, 0x80, 0xff]) {
          const bad = Uint8Array.from(s.bytes);
          const i = start + FRAME_HEADER_BYTES + at;
          bad[i] = (bad[i] ?? 0) ^ flip;
          for (const size of [bad.length, 1, 5, 64]) {
            const got = decodeChunks(split(bad, size), 8);
            const label = `frame ${k}, payload byte ${at} ^ ${flip}, chunks of ${size}`;
            assert.deepEqual(got.items.slice(0, k), expectedFrames(s, 8, k), label);
            assert.equal(got.items.length, k + 1, label);
            const last = got.items[k];
            assert.ok(last?.type === 'corrupt', label);
            assert.equal(last.offset, 8 + start, label);
            assert.match(last.reason, /checksum/, label);
            assert.equal(got.tail.droppedBytes, 0, label);
          }
        }
      }
    }
  });

  it('reports a flipped checksum byte at the frame offset', () => {
    for (let k = 0; k < s.payloads.length; k++) {
      for (let b = 4; b < 8; b++) {
        const bad = Uint8Array.from(s.bytes);
        const i = (s.starts[k] ?? NaN) + b;
        bad[i] = (bad[i] ?? 0) ^ 0x10;
        const got = decodeChunks([bad], 0);
        assert.equal(got.items.length, k + 1);
        const item = got.items[k];
        assert.ok(item?.type === 'corrupt');
        assert.equal(item.offset, s.starts[k]);
      }
    }
  });

  it('returns nothing more once it has reported a corruption', () => {
    const bad = Uint8Array.from(s.bytes);
    const i = (s.starts[2] ?? NaN) + FRAME_HEADER_BYTES;
    bad[i] = (bad[i] ?? 0) ^ 1;
    const dec = new FrameDecoder();
    const items = dec.push(bad);
    assert.equal(items.filter((x) => x.type === 'corrupt').length, 1);
    assert.deepEqual(dec.push(s.bytes), []);
    assert.deepEqual(dec.push(encodeFrame(Uint8Array.of(1, 2, 3))), []);
    assert.deepEqual(dec.finish(), { droppedBytes: 0, offset: s.starts[2] });
  });

  it('reports a length over the limit as soon as the 8 header bytes are in, without waiting for the payload', () => {
    const header = new Uint8Array(8);
    const view = new DataView(header.buffer);
    view.setUint32(0, MAX_FRAME_PAYLOAD + 1, true);
    for (const size of [1, 3, 8]) {
      const dec = new FrameDecoder(8);
      const items: FrameItem[] = [];
      for (const c of split(header, size)) {
        items.push(...dec.push(c));
      }
      assert.equal(items.length, 1, `chunks of ${size}`);
      const item = items[0];
      assert.ok(item?.type === 'corrupt');
      assert.equal(item.offset, 8);
      assert.match(item.reason, /exceeds/);
      assert.deepEqual(dec.finish(), { droppedBytes: 0, offset: 8 });
    }
    view.setUint32(0, 0xffffffff, true);
    assert.equal(new FrameDecoder().push(header)[0]?.type, 'corrupt');
  });

  it('honours a custom limit, and accepts a length exactly at it', () => {
    const atLimit = encodeFrame(payloadOf(100, 5));
    const got = decodeChunks([atLimit], 0, 100);
    assert.equal(got.items.length, 1);
    assert.equal(got.items[0]?.type, 'frame');

    const over = encodeFrame(payloadOf(101, 6));
    const dec = new FrameDecoder(0, 100);
    const items = dec.push(over.subarray(0, 8));
    assert.equal(items.length, 1);
    assert.equal(items[0]?.type, 'corrupt');
  });

  it('reports an oversized length that follows whole frames, at that frame offset', () => {
    const tooLong = new Uint8Array(8);
    new DataView(tooLong.buffer).setUint32(0, 0x7fffffff, true);
    const bytes = concatBytes([s.bytes, tooLong]);
    for (const size of [1, 7, 8, 100, bytes.length]) {
      const got = decodeChunks(split(bytes, size), 8);
      assert.deepEqual(got.items.slice(0, -1), expectedFrames(s, 8), `chunks of ${size}`);
      const last = got.items[got.items.length - 1];
      assert.ok(last?.type === 'corrupt', `chunks of ${size}`);
      assert.equal(last.offset, 8 + s.bytes.length);
    }
  });
});
