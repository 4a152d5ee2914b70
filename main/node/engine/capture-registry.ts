/**
 * The captures open in the app: each read once, analysed with evidence, and kept in memory for
 * the views. Files are read in chunks through the pure decoder; an upload arrives as bytes; a
 * live session's capture is fed as it grows (see session-registry.ts).
 *
 * A file that is not a capture, or is empty, is refused with `open_failed` and nothing is kept.
 * A damaged capture opens with what came before the damage, and says so in its notes.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import type { AppResult, CaptureInfo, CaptureOrigin, CaptureSummary } from '../../core/app/app-contract.js';
import { CaptureAnalysis } from '../../core/app/capture-analysis.js';
import { exitCodeFor } from '../../core/report/exit-code.js';
import type { CaptureEnd } from '../../core/capture/capture-decoder.js';
import { CaptureDecoder } from '../../core/capture/capture-decoder.js';
import { describeCaptureError } from '../../core/capture/capture-error.js';
import type { Rule } from '../../core/rules/rule.js';
import type { Addr } from '../../core/util/addr.js';
import { formatAddr } from '../../core/util/addr.js';
import { describeOpenError, fileNotes } from '../capture-file.js';

const CHUNK = 1 << 20;

export interface OpenCapture {
  readonly id: string;
  readonly name: string;
  readonly path: string | undefined;
  readonly origin: CaptureOrigin;
  readonly bytes: number;
  readonly analysis: CaptureAnalysis;
  readonly end: CaptureEnd;
  readonly notes: readonly string[];
  readonly analysisMs: number;
  readonly sessionId: string | undefined;
  readonly fmt: (a: Addr) => string;
}

export function infoOf(c: OpenCapture): CaptureInfo {
  return { id: c.id, name: c.name, path: c.path, origin: c.origin, bytes: c.bytes, complete: c.end.complete, notes: c.notes, sessionId: c.sessionId };
}

type Fed = { readonly ok: true; readonly analysis: CaptureAnalysis; readonly end: CaptureEnd; readonly bytes: number } | { readonly ok: false; readonly message: string };

/** Reads a file in chunks, yielding to the event loop between them so the app stays responsive. */
async function feedFile(path: string, rules: readonly Rule[], progress: (bytes: number, total: number) => void): Promise<Fed> {
  let fd: number;
  let total: number;
  try {
    fd = openSync(path, 'r');
    const st = fstatSync(fd);
    if (st.isDirectory()) {
      closeSync(fd);
      return { ok: false, message: `${path}: is a directory, not a capture file; choose a .lscap file` };
    }
    total = st.size;
  } catch (e) {
    return { ok: false, message: describeOpenError(e, path, 'read') };
  }
  const analysis = new CaptureAnalysis(rules);
  const decoder = new CaptureDecoder();
  let bytes = 0;
  try {
    for (;;) {
      const buf = new Uint8Array(CHUNK);
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) {
        break;
      }
      bytes += n;
      for (const item of decoder.push(buf.subarray(0, n))) {
        analysis.item(item);
      }
      progress(bytes, total);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } catch (e) {
    return { ok: false, message: describeOpenError(e, path, 'read') };
  } finally {
    closeSync(fd);
  }
  return { ok: true, analysis, end: decoder.finish(), bytes };
}

function feedBytes(bytes: Uint8Array, rules: readonly Rule[]): Fed {
  const analysis = new CaptureAnalysis(rules);
  const decoder = new CaptureDecoder();
  for (const item of decoder.push(bytes)) {
    analysis.item(item);
  }
  return { ok: true, analysis, end: decoder.finish(), bytes: bytes.length };
}

export class CaptureRegistry {
  private readonly open = new Map<string, OpenCapture>();
  private nextId = 1;

  constructor(
    private readonly rules: readonly Rule[],
    private readonly changed: () => void,
  ) {}

  list(): readonly CaptureInfo[] {
    return [...this.open.values()].map(infoOf);
  }

  get(id: string): AppResult<OpenCapture> {
    const c = this.open.get(id);
    return c === undefined ? { ok: false, error: { code: 'not_found', message: `no open capture ${id}; it was closed — open the file again` } } : { ok: true, value: c };
  }

  /** Opens and analyses a file; `progress` hears how far the reading got. */
  async openFile(path: string, origin: CaptureOrigin, progress: (bytes: number, total: number) => void = () => undefined): Promise<AppResult<CaptureInfo>> {
    const t0 = performance.now();
    return this.add(await feedFile(path, this.rules, progress), basename(path), path, origin, t0);
  }

  openBytes(name: string, bytes: Uint8Array): AppResult<CaptureInfo> {
    const t0 = performance.now();
    return this.add(feedBytes(bytes, this.rules), name, undefined, 'upload', t0);
  }

  close(id: string): AppResult<null> {
    if (!this.open.delete(id)) {
      return { ok: false, error: { code: 'not_found', message: `no open capture ${id}` } };
    }
    this.changed();
    return { ok: true, value: null };
  }

  summary(id: string): AppResult<CaptureSummary> {
    const got = this.get(id);
    if (!got.ok) {
      return got;
    }
    const c = got.value;
    const summary = c.analysis.summary();
    if (summary === undefined) {
      return { ok: false, error: { code: 'open_failed', message: `${c.name}: the capture has no header; it holds no usable events` } };
    }
    return { ok: true, value: { capture: infoOf(c), summary, exitCode: exitCodeFor(summary, c.end.error !== undefined), analysisMs: c.analysisMs } };
  }

  private add(fed: Fed, name: string, path: string | undefined, origin: CaptureOrigin, t0: number): AppResult<CaptureInfo> {
    if (!fed.ok) {
      return { ok: false, error: { code: 'open_failed', message: fed.message } };
    }
    const { analysis, end } = fed;
    const header = analysis.header;
    if (end.error !== undefined && end.error.code !== 'corrupt') {
      return { ok: false, error: { code: 'open_failed', message: describeCaptureError(end.error, name) } };
    }
    if (header === undefined) {
      return { ok: false, error: { code: 'open_failed', message: `${name}: the capture has no header; it holds no usable events` } };
    }
    analysis.finish();
    const id = `c${this.nextId++}`;
    const bias = header.addrBias;
    const c: OpenCapture = {
      id,
      name,
      path,
      origin,
      bytes: fed.bytes,
      analysis,
      end,
      notes: fileNotes(end, name).map((n) => `${name}: ${n}`),
      analysisMs: performance.now() - t0,
      sessionId: undefined,
      fmt: (a) => formatAddr(a, bias),
    };
    this.open.set(id, c);
    this.changed();
    return { ok: true, value: infoOf(c) };
  }
}
