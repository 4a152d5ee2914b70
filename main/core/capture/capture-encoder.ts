/**
 * Writes a capture as byte chunks (pure: the caller puts them in a file or a socket). Events are
 * appended as they come and cut into batches by count; each batch is a whole frame, so a
 * reader of a growing or cut file sees every batch written before the cut.
 */
import { BatchEncoder } from './event-codec.js';
import type { CaptureEvent } from './events.js';
import { encodeFrame } from './frame-codec.js';
import type { CaptureHeader } from './header.js';
import { magicBytes } from './magic.js';
import { encodeBatchRecord, encodeFooterRecord, encodeHeaderRecord } from './record-codec.js';

export const DEFAULT_BATCH_EVENTS = 8192;

export class CaptureEncoder {
  private batch = new BatchEncoder();
  private events = 0;
  private batches = 0;
  private closed = false;

  constructor(private readonly batchEvents = DEFAULT_BATCH_EVENTS) {}

  /** Signature and header: the first bytes of the file. */
  start(header: CaptureHeader): Uint8Array {
    const frame = encodeFrame(encodeHeaderRecord(header));
    const magic = magicBytes();
    const out = new Uint8Array(magic.length + frame.length);
    out.set(magic);
    out.set(frame, magic.length);
    return out;
  }

  /** Adds events; returns the frames of the batches this filled (possibly none). */
  append(events: Iterable<CaptureEvent>): Uint8Array[] {
    if (this.closed) {
      throw new Error('capture already closed');
    }
    const out: Uint8Array[] = [];
    for (const e of events) {
      this.batch.add(e);
      if (this.batch.count >= this.batchEvents) {
        out.push(this.cut());
      }
    }
    return out;
  }

  /** Frames whatever is pending now (a live capture calls this on a timer). */
  flush(): Uint8Array[] {
    return this.batch.count > 0 ? [this.cut()] : [];
  }

  /** Pending events and the footer: the last bytes of a cleanly closed capture. */
  close(stopReason: string): Uint8Array[] {
    const out = this.flush();
    out.push(encodeFrame(encodeFooterRecord({ events: this.events, batches: this.batches, stopReason })));
    this.closed = true;
    return out;
  }

  private cut(): Uint8Array {
    const columns = this.batch.finish();
    this.events += columns.count;
    this.batches++;
    this.batch = new BatchEncoder();
    return encodeFrame(encodeBatchRecord(columns));
  }
}
