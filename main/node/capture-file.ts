/**
 * Capture files on disk: read in chunks through the pure decoder (memory stays bounded by one
 * batch), and written append-only so a crash leaves every whole batch readable.
 */
import { closeSync, openSync, readSync, writeSync, fsyncSync, fstatSync } from 'node:fs';
import type { CaptureDecoder, CaptureEnd, CaptureItem } from '../core/capture/capture-decoder.js';
import { CaptureDecoder as Decoder } from '../core/capture/capture-decoder.js';
import { describeCaptureError } from '../core/capture/capture-error.js';
import { CliError } from './cli-error.js';

const CHUNK = 1 << 20;

/** What to say about a file that could not be opened, as a user can act on it. */
export function describeOpenError(e: unknown, file: string, verb: string): string {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
  switch (code) {
    case 'ENOENT':
      return `${file}: no such file`;
    case 'EISDIR':
      return `${file}: is a directory, not a capture file`;
    case 'EACCES':
    case 'EPERM':
      return `${file}: permission denied (cannot ${verb} it)`;
    default:
      return `${file}: cannot ${verb} it: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/**
 * Streams a capture file's items to `onItem`. Returns how the file ended; throws CliError when
 * the file cannot be opened or holds no usable capture at all.
 */
export function readCaptureFile(file: string, onItem: (item: CaptureItem) => void): CaptureEnd {
  let fd: number;
  try {
    fd = openSync(file, 'r');
    if (fstatSync(fd).isDirectory()) {
      closeSync(fd);
      throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    }
  } catch (e) {
    throw new CliError(describeOpenError(e, file, 'read'));
  }
  const decoder: CaptureDecoder = new Decoder();
  try {
    for (;;) {
      const buf = new Uint8Array(CHUNK);
      let n: number;
      try {
        n = readSync(fd, buf, 0, CHUNK, null);
      } catch (e) {
        throw new CliError(describeOpenError(e, file, 'read'));
      }
      if (n === 0) {
        break;
      }
      for (const item of decoder.push(buf.subarray(0, n))) {
        onItem(item);
      }
    }
  } finally {
    closeSync(fd);
  }
  const end = decoder.finish();
  if (end.error !== undefined && end.error.code !== 'corrupt') {
    throw new CliError(describeCaptureError(end.error, file));
  }
  return end;
}

/** Lines about how a capture file ended, for the summary (empty when it is whole). */
export function fileNotes(end: CaptureEnd, file: string): string[] {
  const notes: string[] = [];
  if (end.error !== undefined) {
    notes.push(describeCaptureError(end.error, file).replace(`${file}: `, ''));
    notes.push('events after that point were not read');
  }
  if (end.droppedBytes > 0) {
    notes.push(`the capture was cut short: the last ${end.droppedBytes.toLocaleString('en-US')} bytes (from byte ${end.droppedAt}) hold an incomplete batch and were dropped`);
  } else if (!end.complete && end.error === undefined) {
    notes.push('the capture has no closing footer: it was still being written or its writer stopped early');
  }
  return notes;
}

/** An append-only capture file. */
export class CaptureFileWriter {
  private readonly fd: number;

  constructor(readonly file: string) {
    try {
      this.fd = openSync(file, 'wx');
    } catch (e) {
      const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
      if (code === 'EEXIST') {
        throw new CliError(`${file}: already exists; choose another output name or remove it first`);
      }
      throw new CliError(describeOpenError(e, file, 'create'));
    }
  }

  write(chunks: readonly Uint8Array[]): void {
    for (const c of chunks) {
      let off = 0;
      while (off < c.length) {
        off += writeSync(this.fd, c, off, c.length - off);
      }
    }
  }

  close(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
  }
}
