/**
 * Reads a capture from byte chunks: signature, header, event batches, footer.
 *
 * Whatever precedes a problem is kept: a file cut anywhere yields every whole batch before the
 * cut and says how many bytes it dropped; corruption yields every batch before it and its byte
 * offset. Nothing here throws on bad input.
 */
import type { CaptureError } from './capture-error.js';
import { decodeColumns } from './column-decoder.js';
import type { EventColumns } from './event-columns.js';
import { FrameDecoder } from './frame-codec.js';
import type { CaptureHeader } from './header.js';
import { FORMAT_MAJOR } from './header.js';
import { MAGIC_LENGTH, checkMagic } from './magic.js';
import type { CaptureFooter } from './record-codec.js';
import { decodeRecord } from './record-codec.js';

export type CaptureItem =
  | { readonly type: 'header'; readonly header: CaptureHeader }
  | { readonly type: 'events'; readonly offset: number; readonly columns: EventColumns }
  | { readonly type: 'footer'; readonly footer: CaptureFooter };

export interface CaptureEnd {
  /** A footer was read: the capture was closed cleanly. */
  readonly complete: boolean;
  /** Bytes of an incomplete last frame, and where they start (a cut file). */
  readonly droppedBytes: number;
  readonly droppedAt: number;
  /** The first problem met; items before it were delivered. */
  readonly error: CaptureError | undefined;
  readonly bytesRead: number;
}

export class CaptureDecoder {
  private magic = new Uint8Array(0);
  private frames: FrameDecoder | undefined;
  private header: CaptureHeader | undefined;
  private footer: CaptureFooter | undefined;
  private error: CaptureError | undefined;
  private bytes = 0;

  push(chunk: Uint8Array): CaptureItem[] {
    this.bytes += chunk.length;
    if (this.error !== undefined) {
      return [];
    }
    let data = chunk;
    if (this.frames === undefined) {
      const joined = new Uint8Array(this.magic.length + chunk.length);
      joined.set(this.magic);
      joined.set(chunk, this.magic.length);
      const check = checkMagic(joined.subarray(0, MAGIC_LENGTH));
      switch (check.kind) {
        case 'not_a_capture':
          this.error = { code: 'not_a_capture' };
          return [];
        case 'newer_major':
          this.error = { code: 'newer_format', major: check.major, supported: FORMAT_MAJOR };
          return [];
        case 'incomplete':
          this.magic = joined;
          return [];
        case 'ok':
          break;
      }
      this.frames = new FrameDecoder(MAGIC_LENGTH);
      data = joined.subarray(MAGIC_LENGTH);
    }
    const out: CaptureItem[] = [];
    for (const f of this.frames.push(data)) {
      if (f.type === 'corrupt') {
        this.fail(f.offset, f.reason);
        return out;
      }
      const item = this.record(f.offset, f.payload);
      if (item === undefined) {
        return out;
      }
      out.push(item);
    }
    return out;
  }

  finish(): CaptureEnd {
    // After an error the frame decoder may have read ahead; only a clean read has a tail to report.
    const tail = this.error === undefined ? this.frames?.finish() : undefined;
    let error = this.error;
    if (error === undefined && this.header === undefined) {
      if (this.bytes === 0) {
        error = { code: 'empty' };
      } else if (this.frames === undefined) {
        error = { code: 'cut_in_magic', bytes: this.bytes };
      } else {
        error = { code: 'no_header', offset: tail?.offset ?? MAGIC_LENGTH };
      }
    }
    return {
      complete: this.footer !== undefined,
      droppedBytes: tail?.droppedBytes ?? 0,
      droppedAt: tail?.offset ?? 0,
      error,
      bytesRead: this.bytes,
    };
  }

  private fail(offset: number, reason: string): void {
    this.error = {
      code: 'corrupt',
      offset,
      reason: this.header === undefined ? `${reason}, before any header was read` : reason,
    };
  }

  private record(offset: number, payload: Uint8Array): CaptureItem | undefined {
    let decoded;
    try {
      decoded = decodeRecord(payload);
    } catch (e) {
      this.fail(offset, `unreadable record: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
    if (this.footer !== undefined) {
      this.fail(offset, 'data after the closing footer');
      return undefined;
    }
    switch (decoded.type) {
      case 'header':
        if (this.header !== undefined) {
          this.fail(offset, 'a second header');
          return undefined;
        }
        if (decoded.header.formatMajor > FORMAT_MAJOR) {
          this.error = { code: 'newer_format', major: decoded.header.formatMajor, supported: FORMAT_MAJOR };
          return undefined;
        }
        this.header = decoded.header;
        return { type: 'header', header: decoded.header };
      case 'batch': {
        if (this.header === undefined) {
          this.fail(offset, 'events before the header');
          return undefined;
        }
        try {
          return { type: 'events', offset, columns: decodeColumns(decoded.columns) };
        } catch (e) {
          this.fail(offset, `unreadable event batch: ${e instanceof Error ? e.message : String(e)}`);
          return undefined;
        }
      }
      case 'footer':
        if (this.header === undefined) {
          this.fail(offset, 'footer before the header');
          return undefined;
        }
        this.footer = decoded.footer;
        return { type: 'footer', footer: decoded.footer };
    }
  }
}
