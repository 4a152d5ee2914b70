import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CaptureEnd, CaptureItem } from '../../../main/core/capture/capture-decoder.js';
import { CaptureDecoder } from '../../../main/core/capture/capture-decoder.js';
import { eventsOf } from '../../../main/core/capture/event-columns.js';
import { BatchEncoder } from '../../../main/core/capture/event-codec.js';
import type { CaptureEvent } from '../../../main/core/capture/events.js';
import { FRAME_HEADER_BYTES, MAX_FRAME_PAYLOAD, encodeFrame } from '../../../main/core/capture/frame-codec.js';
import { FORMAT_MAJOR } from '../../../main/core/capture/header.js';
import { MAGIC_LENGTH, magicBytes } from '../../../main/core/capture/magic.js';
import { encodeBatchRecord } from '../../../main/core/capture/record-codec.js';
import type { SampleCapture } from '../../support/capture-samples.js';
import { EVERY_KIND, concatBytes, sampleCapture } from '../../support/capture-samples.js';
import { header } from '../../support/fixtures.js';
import { mulberry32 } from '../../support/prng.js';

interface Run {
  readonly items: CaptureItem[];
  readonly events: CaptureEvent[];
  /** Offsets of the `events` items, in order. */
  readonly batchOffsets: number[];
  readonly end: CaptureEnd;
}

/** Feeds `bytes` in chunks of `chunk` bytes (0: one push of everything), then finishes. */
function run(bytes: Uint8Array, chunk = 0): Run {
  const dec = new CaptureDecoder();
  const items: CaptureItem[] = [];
  const size = chunk <= 0 ? Math.max(1, bytes.length) : chunk;
  if (bytes.length === 0) {
    items.push(...dec.push(bytes));
  }
  for (let at = 0; at < bytes.length; at += size) {
    items.push(...dec.push(bytes.subarray(at, at + size)));
  }
  const events: CaptureEvent[] = [];
  const batchOffsets: number[] = [];
  for (const item of items) {
    if (item.type === 'events') {
      events.push(...eventsOf(item.columns));
      batchOffsets.push(item.offset);
    }
  }
  return { items, events, batchOffsets, end: dec.finish() };
}

/** Events of the batches whose frames end at or before `at`. */
function eventsBefore(s: SampleCapture, at: number): CaptureEvent[] {
  return s.batches.filter((_, i) => (s.batchFrames[i]?.[1] ?? Infinity) <= at).flat();
}

function batchStartsBefore(s: SampleCapture, at: number): number[] {
  return s.batchFrames.filter(([, end]) => end <= at).map(([start]) => start);
}

/** The start of the frame that holds byte `i` (i >= MAGIC_LENGTH). */
function frameAt(s: SampleCapture, i: number): readonly [number, number] {
  const all = [s.headerFrame, ...s.batchFrames, s.footerFrame];
  const f = all.find(([start, end]) => start <= i && i < end);
  assert.ok(f !== undefined, `no frame holds byte ${i}`);
  return f;
}

function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function withMajor(major: number, rest: Uint8Array): Uint8Array {
  const magic = magicBytes();
  magic[6] = major;
  return concatBytes([magic, rest]);
}

const SMALL = sampleCapture(EVERY_KIND, 4);
const TOTAL = SMALL.bytes.length;

describe('CaptureDecoder: the sample capture', () => {
  it('is laid out as the tests assume', () => {
    assert.equal(SMALL.headerFrame[0], MAGIC_LENGTH);
    assert.equal(SMALL.batchFrames.length, Math.ceil(EVERY_KIND.length / 4));
    assert.equal(SMALL.batches.flat().length, EVERY_KIND.length);
    assert.equal(SMALL.footerFrame[1], TOTAL);
    const r = run(SMALL.bytes);
    assert.deepEqual(r.events, EVERY_KIND);
    assert.deepEqual(r.batchOffsets, SMALL.batchFrames.map(([start]) => start));
    assert.deepEqual(r.end, { complete: true, droppedBytes: 0, droppedAt: TOTAL, error: undefined, bytesRead: TOTAL });
    const first = r.items[0];
    assert.ok(first?.type === 'header');
    assert.deepEqual(first.header, header());
    const last = r.items[r.items.length - 1];
    assert.ok(last?.type === 'footer');
    assert.deepEqual(last.footer, { events: EVERY_KIND.length, batches: SMALL.batchFrames.length, stopReason: 'test' });
  });
});

/** What decoding the sample capture cut after `cut` bytes must give. */
function checkCut(cut: number, items: readonly CaptureItem[], end: CaptureEnd, label: string): void {
  const [, headerEnd] = SMALL.headerFrame;
  const events: CaptureEvent[] = [];
  const batchOffsets: number[] = [];
  for (const item of items) {
    if (item.type === 'events') {
      events.push(...eventsOf(item.columns));
      batchOffsets.push(item.offset);
    }
  }
  assert.equal(end.bytesRead, cut, label);
  // Events: exactly the whole batches before the cut, each at its frame's offset.
  assert.deepEqual(events, eventsBefore(SMALL, cut), label);
  assert.deepEqual(batchOffsets, batchStartsBefore(SMALL, cut), label);
  assert.equal(end.complete, cut === TOTAL, label);
  if (cut === 0) {
    assert.deepEqual(end.error, { code: 'empty' }, label);
    assert.equal(items.length, 0, label);
    assert.equal(end.droppedBytes, 0, label);
  } else if (cut < MAGIC_LENGTH) {
    assert.deepEqual(end.error, { code: 'cut_in_magic', bytes: cut }, label);
    assert.equal(items.length, 0, label);
    assert.equal(end.droppedBytes, 0, label);
  } else if (cut < headerEnd) {
    // The header frame is incomplete: nothing usable, and the partial frame is counted.
    assert.deepEqual(end.error, { code: 'no_header', offset: MAGIC_LENGTH }, label);
    assert.equal(items.length, 0, label);
    assert.equal(end.droppedBytes, cut - MAGIC_LENGTH, label);
    assert.equal(end.droppedAt, MAGIC_LENGTH, label);
  } else {
    assert.equal(end.error, undefined, label);
    assert.equal(items[0]?.type, 'header', label);
    const ends = [headerEnd, ...SMALL.batchFrames.map(([, e]) => e), SMALL.footerFrame[1]].filter((e) => e <= cut);
    const lastEnd = ends[ends.length - 1] ?? NaN;
    assert.equal(end.droppedBytes, cut - lastEnd, label);
    assert.equal(end.droppedAt, lastEnd, label);
    if (SMALL.batchFrames.some(([s, e]) => s < cut && cut < e)) {
      assert.ok(end.droppedBytes > 0, `${label}: cut inside a batch`);
    }
    assert.equal(items.some((x) => x.type === 'footer'), cut === TOTAL, label);
  }
}

describe('CaptureDecoder: a file cut at every byte', () => {
  for (const chunk of [0, 5]) {
    it(`keeps every whole batch and reports the cut (${chunk === 0 ? 'one push' : `chunks of ${chunk}`})`, () => {
      // Chunks of 5 only at every 3rd cut, to stay fast; one push at every cut.
      for (let cut = 0; cut <= TOTAL; cut += chunk === 0 ? 1 : 3) {
        const label = `cut at ${cut} of ${TOTAL}`;
        let r: Run | undefined;
        assert.doesNotThrow(() => {
          r = run(SMALL.bytes.subarray(0, cut), chunk);
        }, label);
        assert.ok(r !== undefined);
        checkCut(cut, r.items, r.end, label);
      }
    });
  }

  it('reports the same as a growing file read one byte at a time, finish() after every byte', () => {
    const dec = new CaptureDecoder();
    const items: CaptureItem[] = [];
    checkCut(0, items, dec.finish(), 'nothing pushed');
    for (let cut = 1; cut <= TOTAL; cut++) {
      items.push(...dec.push(SMALL.bytes.subarray(cut - 1, cut)));
      checkCut(cut, items, dec.finish(), `grown to ${cut}`);
    }
  });
});

describe('CaptureDecoder: chunk sizes', () => {
  it('gives identical items and end summary for every chunk size 1..32', () => {
    const whole = run(SMALL.bytes);
    for (let chunk = 1; chunk <= 32; chunk++) {
      const r = run(SMALL.bytes, chunk);
      assert.deepEqual(r.items, whole.items, `chunks of ${chunk}`);
      assert.deepEqual(r.end, whole.end, `chunks of ${chunk}`);
    }
  });

  it('gives identical results for seeded random chunkings of a larger capture', () => {
    const rng = mulberry32(0xdec0_0001);
    const events = Array.from({ length: 20 }, () => EVERY_KIND).flat();
    const big = sampleCapture(events, 37).bytes;
    const whole = run(big);
    assert.deepEqual(whole.events, events);
    for (let round = 0; round < 8; round++) {
      const dec = new CaptureDecoder();
      const items: CaptureItem[] = [];
      for (let at = 0; at < big.length; ) {
        const size = rng.next() < 0.05 ? 0 : rng.int(1, rng.next() < 0.7 ? 16 : 3000);
        items.push(...dec.push(big.subarray(at, at + size)));
        at += size;
      }
      assert.deepEqual(items, whole.items, `round ${round}`);
      assert.deepEqual(dec.finish(), whole.end, `round ${round}`);
    }
  });
});

describe('CaptureDecoder: garbage input', () => {
  it('reports an empty file as empty', () => {
    assert.deepEqual(run(new Uint8Array(0)).end, { complete: false, droppedBytes: 0, droppedAt: 0, error: { code: 'empty' }, bytesRead: 0 });
    const dec = new CaptureDecoder();
    assert.deepEqual(dec.finish().error, { code: 'empty' });
  });

  it('refuses seeded random bytes without throwing', () => {
    const rng = mulberry32(0x9a4b_0001);
    for (let round = 0; round < 200; round++) {
      const bytes = rng.bytes(rng.int(1, 1000));
      if (bytes[0] === 0x4c) {
        bytes[0] = 0x4d; // not an "L": the file cannot start like a capture
      }
      for (const chunk of [0, 1, 13]) {
        const r = run(bytes, chunk);
        assert.equal(r.items.length, 0);
        assert.deepEqual(r.end.error, { code: 'not_a_capture' }, `round ${round}`);
        assert.equal(r.end.complete, false);
        assert.equal(r.end.bytesRead, bytes.length);
      }
    }
  });

  it('refuses JSON and bpftrace text output as not a capture', () => {
    const inputs = [
      '{"events":[{"kind":"marker","ts":0}]}\n',
      '[]',
      'Attaching 12 probes...\n@walks: 3\n',
      'L',
      'LSCAPX',
      'lscap\u0000\u0001\n',
    ];
    for (const s of inputs) {
      for (const chunk of [0, 1]) {
        const r = run(text(s), chunk);
        assert.equal(r.items.length, 0, JSON.stringify(s));
        const want = s === 'L' ? { code: 'cut_in_magic', bytes: 1 } : { code: 'not_a_capture' };
        assert.deepEqual(r.end.error, want, JSON.stringify(s));
      }
    }
  });

  it('reports a file cut inside the signature with its length', () => {
    for (let n = 1; n < MAGIC_LENGTH; n++) {
      const r = run(magicBytes().subarray(0, n), 1);
      assert.deepEqual(r.end.error, { code: 'cut_in_magic', bytes: n });
    }
  });

  it('refuses a bad major byte or line end in the signature', () => {
    const rest = SMALL.bytes.subarray(MAGIC_LENGTH);
    assert.deepEqual(run(withMajor(0, rest)).end.error, { code: 'not_a_capture' });
    const noNewline = Uint8Array.from(SMALL.bytes);
    noNewline[7] = 0x0d;
    assert.deepEqual(run(noNewline).end.error, { code: 'not_a_capture' });
  });

  it('reports a newer major version in the signature as newer_format, however it is fed', () => {
    for (const bytes of [withMajor(9, SMALL.bytes.subarray(MAGIC_LENGTH)), withMajor(9, new Uint8Array(0)), withMajor(9, text('anything at all'))]) {
      for (const chunk of [0, 1, 3, 8]) {
        const r = run(bytes, chunk);
        assert.equal(r.items.length, 0);
        assert.deepEqual(r.end.error, { code: 'newer_format', major: 9, supported: FORMAT_MAJOR });
        assert.equal(r.end.complete, false);
      }
    }
  });

  it('reports a newer major version in the header record as newer_format', () => {
    const s = sampleCapture(EVERY_KIND, 4, header({ formatMajor: FORMAT_MAJOR + 1 }));
    const r = run(s.bytes);
    assert.equal(r.items.length, 0);
    assert.deepEqual(r.end.error, { code: 'newer_format', major: FORMAT_MAJOR + 1, supported: FORMAT_MAJOR });
  });

  it('reports seeded random bytes after a valid signature as corrupt or headerless, without throwing', () => {
    const rng = mulberry32(0x9a4b_0002);
    for (let round = 0; round < 200; round++) {
      const bytes = concatBytes([magicBytes(), rng.bytes(rng.int(0, 2000))]);
      for (const chunk of [0, 7]) {
        const r = run(bytes, chunk);
        assert.equal(r.items.length, 0, `round ${round}`);
        assert.ok(r.end.error?.code === 'corrupt' || r.end.error?.code === 'no_header', `round ${round}: ${JSON.stringify(r.end.error)}`);
        if (r.end.error.code === 'corrupt') {
          assert.equal(r.end.error.offset, MAGIC_LENGTH);
        }
      }
    }
  });

  it('reports well-framed random records as corrupt, without throwing', () => {
    const rng = mulberry32(0x9a4b_0003);
    for (let round = 0; round < 300; round++) {
      const frames = Array.from({ length: rng.int(1, 4) }, () => encodeFrame(rng.bytes(rng.int(0, 200))));
      const r = run(concatBytes([magicBytes(), ...frames]));
      assert.equal(r.events.length, 0, `round ${round}`);
      assert.ok(r.end.error !== undefined, `round ${round}`);
    }
  });

  it('reports records in the wrong place as corrupt at their offset, keeping what came before', () => {
    const [, headerEnd] = SMALL.headerFrame;
    const headerFrame = SMALL.bytes.subarray(MAGIC_LENGTH, headerEnd);
    const firstBatch = SMALL.batchFrames[0] ?? [0, 0];
    const batchFrame = SMALL.bytes.subarray(firstBatch[0], firstBatch[1]);
    const footerFrame = SMALL.bytes.subarray(SMALL.footerFrame[0], SMALL.footerFrame[1]);

    const noHeader = concatBytes([magicBytes(), batchFrame]);
    const e1 = run(noHeader).end.error;
    assert.ok(e1?.code === 'corrupt');
    assert.equal(e1.offset, MAGIC_LENGTH);
    assert.match(e1.reason, /before the header/);

    const footerFirst = concatBytes([magicBytes(), footerFrame]);
    const e2 = run(footerFirst).end.error;
    assert.ok(e2?.code === 'corrupt');
    assert.match(e2.reason, /footer before the header/);

    const twoHeaders = concatBytes([SMALL.bytes.subarray(0, headerEnd), headerFrame, batchFrame]);
    const r3 = run(twoHeaders);
    assert.equal(r3.items.length, 1);
    assert.ok(r3.end.error?.code === 'corrupt');
    assert.equal(r3.end.error.offset, headerEnd);
    assert.match(r3.end.error.reason, /second header/);

    const afterFooter = concatBytes([SMALL.bytes, batchFrame]);
    const r4 = run(afterFooter);
    assert.deepEqual(r4.events, EVERY_KIND);
    assert.ok(r4.end.error?.code === 'corrupt');
    assert.equal(r4.end.error.offset, TOTAL);
    assert.match(r4.end.error.reason, /after the closing footer/);
  });

  it('reports a well-framed but malformed batch as corrupt at its offset, keeping earlier batches', () => {
    const b = new BatchEncoder();
    for (const e of EVERY_KIND.slice(0, 3)) {
      b.add(e);
    }
    const columns = b.finish();
    const bad = encodeFrame(encodeBatchRecord({ ...columns, count: columns.count + 1 }));
    const at = SMALL.batchFrames[2]?.[0] ?? NaN;
    const bytes = concatBytes([SMALL.bytes.subarray(0, at), bad, SMALL.bytes.subarray(at)]);
    for (const chunk of [0, 1, 9]) {
      const r = run(bytes, chunk);
      assert.deepEqual(r.events, eventsBefore(SMALL, at));
      assert.ok(r.end.error?.code === 'corrupt');
      assert.equal(r.end.error.offset, at);
      assert.match(r.end.error.reason, /unreadable event batch/);
    }
  });

  it('reports a length over the frame limit at once, at the frame offset', () => {
    const tooLong = new Uint8Array(FRAME_HEADER_BYTES);
    new DataView(tooLong.buffer).setUint32(0, MAX_FRAME_PAYLOAD + 1, true);
    const [, headerEnd] = SMALL.headerFrame;
    const dec = new CaptureDecoder();
    dec.push(SMALL.bytes.subarray(0, headerEnd));
    dec.push(tooLong);
    const end = dec.finish();
    assert.ok(end.error?.code === 'corrupt');
    assert.equal(end.error.offset, headerEnd);
  });

  it('ignores everything pushed after an error', () => {
    const dec = new CaptureDecoder();
    assert.deepEqual(dec.push(text('{}')), []);
    assert.deepEqual(dec.push(SMALL.bytes), []);
    const end = dec.finish();
    assert.deepEqual(end.error, { code: 'not_a_capture' });
    assert.equal(end.bytesRead, 2 + TOTAL);
  });
});

describe('CaptureDecoder: a flipped byte at every position', () => {
  for (const mask of [0x01, 0xff]) {
    it(`never throws, and reports the flip where it is (xor 0x${mask.toString(16)})`, () => {
      for (let i = 0; i < TOTAL; i++) {
        const bad = Uint8Array.from(SMALL.bytes);
        bad[i] = (bad[i] ?? 0) ^ mask;
        const label = `byte ${i} ^ 0x${mask.toString(16)}`;
        let r: Run | undefined;
        assert.doesNotThrow(() => {
          r = run(bad, mask === 0xff ? 7 : 0);
        }, label);
        assert.ok(r !== undefined);
        const { items, events, end } = r;
        assert.equal(end.complete, false, label);

        if (i < MAGIC_LENGTH) {
          assert.equal(items.length, 0, label);
          const major = bad[6] ?? 0;
          const want = i === 6 && major !== 0 ? { code: 'newer_format', major, supported: FORMAT_MAJOR } : { code: 'not_a_capture' };
          assert.deepEqual(end.error, want, label);
          continue;
        }

        const [start] = frameAt(SMALL, i);
        const isHeader = start === MAGIC_LENGTH;
        // Every batch before the damaged frame is still delivered, nothing from it or after.
        assert.deepEqual(events, eventsBefore(SMALL, start), label);
        assert.equal(items.length > 0, !isHeader, label);

        // A damaged length field can make the frame run past the end of the file: that reads
        // exactly like a file cut inside that frame.
        const view = new DataView(bad.buffer, bad.byteOffset + start, FRAME_HEADER_BYTES);
        const newLength = view.getUint32(0, true);
        const runsPastEnd = i - start < 4 && newLength <= MAX_FRAME_PAYLOAD && start + FRAME_HEADER_BYTES + newLength > TOTAL;
        if (runsPastEnd) {
          assert.deepEqual(end.error, isHeader ? { code: 'no_header', offset: MAGIC_LENGTH } : undefined, label);
          assert.equal(end.droppedAt, start, label);
          assert.equal(end.droppedBytes, TOTAL - start, label);
        } else {
          assert.ok(end.error?.code === 'corrupt', `${label}: ${JSON.stringify(end.error)}`);
          assert.equal(end.error.offset, start, label);
          assert.equal(end.droppedBytes, 0, label);
          if (isHeader) {
            assert.match(end.error.reason, /before any header/, label);
          }
        }
      }
    });
  }

  it('keeps batches before a record made unreadable behind a valid checksum (seeded)', () => {
    const rng = mulberry32(0xf11b_0001);
    for (let round = 0; round < 400; round++) {
      const k = rng.int(0, SMALL.batchFrames.length - 1);
      const [start, end] = SMALL.batchFrames[k] ?? [0, 0];
      const payload = Uint8Array.from(SMALL.bytes.subarray(start + FRAME_HEADER_BYTES, end));
      const j = rng.int(0, payload.length - 1);
      payload[j] = (payload[j] ?? 0) ^ rng.int(1, 255);
      const bytes = concatBytes([SMALL.bytes.subarray(0, start), encodeFrame(payload), SMALL.bytes.subarray(end)]);
      let r: Run | undefined;
      assert.doesNotThrow(() => {
        r = run(bytes);
      }, `round ${round}`);
      assert.ok(r !== undefined);
      const before = eventsBefore(SMALL, start);
      assert.deepEqual(r.events.slice(0, before.length), before, `round ${round}`);
      if (r.end.error !== undefined) {
        assert.ok(r.end.error.code === 'corrupt', `round ${round}`);
        assert.equal(r.end.error.offset, start, `round ${round}`);
        assert.deepEqual(r.events, before, `round ${round}`);
      }
    }
  });
});

describe('CaptureDecoder: end summary after a record-level error', () => {
  const [, headerEnd] = SMALL.headerFrame;
  const headerFrame = SMALL.bytes.subarray(MAGIC_LENGTH, headerEnd);
  const cases: readonly (readonly [string, Uint8Array])[] = [
    ['a header of a newer format', sampleCapture(EVERY_KIND, 4, header({ formatMajor: FORMAT_MAJOR + 1 })).bytes],
    ['a second header', concatBytes([SMALL.bytes.subarray(0, headerEnd), headerFrame, SMALL.bytes.subarray(headerEnd)])],
    ['a batch before the header', concatBytes([magicBytes(), SMALL.bytes.subarray(headerEnd)])],
  ];

  for (const [name, bytes] of cases) {
    it(
      `does not depend on the chunk size (${name})`,
      () => {
        const whole = run(bytes);
        assert.ok(whole.end.error !== undefined);
        for (let chunk = 1; chunk <= 32; chunk++) {
          const r = run(bytes, chunk);
          assert.deepEqual(r.items, whole.items, `chunks of ${chunk}`);
          assert.deepEqual(r.end, whole.end, `chunks of ${chunk}`);
          assert.equal(r.end.droppedBytes, 0, `chunks of ${chunk}: bytes after an error are not a cut tail`);
        }
      },
    );
  }

  it('reports the same error whatever the chunk size (this part holds today)', () => {
    for (const [name, bytes] of cases) {
      const whole = run(bytes);
      for (let chunk = 1; chunk <= 32; chunk++) {
        const r = run(bytes, chunk);
        assert.deepEqual(r.items, whole.items, `${name}, chunks of ${chunk}`);
        assert.deepEqual(r.end.error, whole.end.error, `${name}, chunks of ${chunk}`);
      }
    }
  });
});
