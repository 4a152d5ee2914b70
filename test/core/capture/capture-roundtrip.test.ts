import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CaptureDecoder } from '../../../main/core/capture/capture-decoder.js';
import { CaptureEncoder } from '../../../main/core/capture/capture-encoder.js';
import { eventsOf } from '../../../main/core/capture/event-columns.js';
import type { CaptureEvent } from '../../../main/core/capture/events.js';
import { EVERY_KIND, concatBytes } from '../../support/capture-samples.js';
import { header } from '../../support/fixtures.js';

function decodeAll(bytes: Uint8Array): { events: CaptureEvent[]; decoder: CaptureDecoder } {
  const decoder = new CaptureDecoder();
  const events: CaptureEvent[] = [];
  for (const item of decoder.push(bytes)) {
    if (item.type === 'events') {
      events.push(...eventsOf(item.columns));
    }
  }
  return { events, decoder };
}

function encodeCapture(events: readonly CaptureEvent[], batchEvents = 4): Uint8Array {
  const enc = new CaptureEncoder(batchEvents);
  return concatBytes([enc.start(header()), ...enc.append(events), ...enc.close('test')]);
}

describe('capture encode/decode', () => {
  it('round-trips one event of every kind across batch boundaries', () => {
    for (const batch of [1, 3, 4, 1000]) {
      const { events, decoder } = decodeAll(encodeCapture(EVERY_KIND, batch));
      assert.deepEqual(events, EVERY_KIND);
      const end = decoder.finish();
      assert.equal(end.error, undefined);
      assert.equal(end.complete, true);
      assert.equal(end.droppedBytes, 0);
    }
  });

  it('round-trips the header, bigint fields exact', () => {
    const decoder = new CaptureDecoder();
    const items = decoder.push(encodeCapture(EVERY_KIND));
    const first = items[0];
    assert.ok(first !== undefined && first.type === 'header');
    assert.deepEqual(first.header, header());
  });
});
