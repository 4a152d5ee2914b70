/** The UI benchmark's synthetic capture: the linked-NOP model (as `npm run bench` makes it) sized to about N events, written once and reused. */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureEncoder } from '../../main/core/capture/capture-encoder.js';
import type { KernelFamily, LinkedNopOptions } from '../../main/core/synthetic/linked-nop-model.js';
import { linkedNopEvents, linkedNopHeader } from '../../main/core/synthetic/linked-nop-model.js';

/** Events per chain of 4 in the raw model (the model's tests measure these). */
const EVENTS_PER_CHAIN: { readonly [K in KernelFamily]: number } = { patched: 36.4, unpatched: 27 };

export interface BenchCapture {
  readonly path: string;
  readonly events: number | undefined;
  readonly bytes: number;
  /** Seconds spent generating it now; undefined when an earlier run's file was reused. */
  readonly generateS: number | undefined;
}

export function benchCapture(dir: string, targetEvents: number, kernel: KernelFamily): BenchCapture {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `ui-bench-${kernel}-${targetEvents}.lscap`);
  if (existsSync(path)) {
    return { path, events: undefined, bytes: statSync(path).size, generateS: undefined };
  }
  const t0 = performance.now();
  const o: LinkedNopOptions = { kernel, grain: 'raw', chains: Math.ceil(targetEvents / EVENTS_PER_CHAIN[kernel]), chainLength: 4, rings: 4, workers: 8, cpus: 2, seed: 1, timeScale: 30 };
  const enc = new CaptureEncoder();
  const tmp = `${path}.part`;
  const fd = openSync(tmp, 'w');
  const write = (chunks: readonly Uint8Array[]): void => {
    for (const c of chunks) {
      writeSync(fd, c);
    }
  };
  write([enc.start(linkedNopHeader(o, 'ui-bench'))]);
  let n = 0;
  for (const chunk of linkedNopEvents(o)) {
    write(enc.append(chunk));
    n += chunk.length;
  }
  write(enc.close('ui-bench'));
  closeSync(fd);
  renameSync(tmp, path);
  return { path, events: n, bytes: statSync(path).size, generateS: (performance.now() - t0) / 1000 };
}

