/**
 * Framing, apart from decoding: byte chunks in, whole frame payloads out.
 *
 * A frame is: u32 LE payload length, u32 LE CRC-32 of the payload, the payload. The decoder
 * takes chunks of any size, yields each whole frame with its byte offset in the stream, reports
 * the first corruption (bad length or checksum) with its offset and stops there, and at the end
 * says how many bytes of an incomplete last frame it dropped.
 */
import { crc32 } from './crc32.js';

export const FRAME_HEADER_BYTES = 8;
export const MAX_FRAME_PAYLOAD = 64 * 1024 * 1024;

export function encodeFrame(payload: Uint8Array): Uint8Array {
  if (payload.length > MAX_FRAME_PAYLOAD) {
    throw new RangeError(`frame payload of ${payload.length} bytes exceeds ${MAX_FRAME_PAYLOAD}`);
  }
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length, true);
  view.setUint32(4, crc32(payload), true);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

export type FrameItem =
  | { readonly type: 'frame'; readonly offset: number; readonly payload: Uint8Array }
  | { readonly type: 'corrupt'; readonly offset: number; readonly reason: string };

export interface FrameTail {
  /** Bytes after the last whole frame (an incomplete frame cut off by a crash or full disk). */
  readonly droppedBytes: number;
  /** Offset where those bytes start. */
  readonly offset: number;
}

export class FrameDecoder {
  private parts: Uint8Array[] = [];
  private partsLength = 0;
  private offset: number;
  private stopped = false;
  /** Bytes the buffered frame needs in all, once its length is known. */
  private need: number | undefined;

  /** `startOffset`: the stream offset of the first byte pushed (after a file's magic). */
  constructor(
    startOffset = 0,
    private readonly maxPayload = MAX_FRAME_PAYLOAD,
  ) {
    this.offset = startOffset;
  }

  /** Frames completed by this chunk. After a corruption item, nothing more is returned. */
  push(chunk: Uint8Array): FrameItem[] {
    if (this.stopped || chunk.length === 0) {
      return [];
    }
    this.parts.push(chunk);
    this.partsLength += chunk.length;
    const out: FrameItem[] = [];
    this.need ??= this.readNeed();
    if (this.need === undefined || this.partsLength < this.need) {
      return out;
    }
    this.need = undefined;
    const buf = this.takeAll();
    let pos = 0;
    while (buf.length - pos >= FRAME_HEADER_BYTES) {
      const view = new DataView(buf.buffer, buf.byteOffset + pos, FRAME_HEADER_BYTES);
      const length = view.getUint32(0, true);
      const sum = view.getUint32(4, true);
      if (length > this.maxPayload) {
        out.push({
          type: 'corrupt',
          offset: this.offset,
          reason: `frame length ${length} exceeds the ${this.maxPayload}-byte limit`,
        });
        this.stop();
        return out;
      }
      if (buf.length - pos < FRAME_HEADER_BYTES + length) {
        break;
      }
      const payload = buf.subarray(pos + FRAME_HEADER_BYTES, pos + FRAME_HEADER_BYTES + length);
      const actual = crc32(payload);
      if (actual !== sum) {
        out.push({
          type: 'corrupt',
          offset: this.offset,
          reason: `checksum mismatch in a ${length}-byte frame (stored ${hex(sum)}, computed ${hex(actual)})`,
        });
        this.stop();
        return out;
      }
      out.push({ type: 'frame', offset: this.offset, payload });
      pos += FRAME_HEADER_BYTES + length;
      this.offset += FRAME_HEADER_BYTES + length;
    }
    if (pos < buf.length) {
      // A copy: the caller may reuse the chunk it pushed.
      const rest = buf.slice(pos);
      this.parts = [rest];
      this.partsLength = rest.length;
    }
    return out;
  }

  /** Call at the end of the stream. */
  finish(): FrameTail {
    return { droppedBytes: this.stopped ? 0 : this.partsLength, offset: this.offset };
  }

  private readNeed(): number | undefined {
    if (this.partsLength < FRAME_HEADER_BYTES) {
      return undefined;
    }
    const head = this.coalesce();
    const length = new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true);
    // An impossible length is reported at once, not after waiting for that many bytes.
    return length > this.maxPayload ? FRAME_HEADER_BYTES : FRAME_HEADER_BYTES + length;
  }

  /** Joins the buffered chunks into one (kept buffered) and returns it. */
  private coalesce(): Uint8Array {
    const first = this.parts[0];
    if (this.parts.length === 1 && first !== undefined) {
      return first;
    }
    const buf = new Uint8Array(this.partsLength);
    let at = 0;
    for (const p of this.parts) {
      buf.set(p, at);
      at += p.length;
    }
    this.parts = [buf];
    return buf;
  }

  private takeAll(): Uint8Array {
    const buf = this.coalesce();
    this.parts = [];
    this.partsLength = 0;
    return buf;
  }

  private stop(): void {
    this.stopped = true;
    this.parts = [];
    this.partsLength = 0;
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
