/**
* Writes the synthetic sample captures in test/fixtures/captures/ from the linked-NOP model (deterministic: the
 * same code writes the same bytes; test/golden checks that). They test the analysis on a model
 * whose truth is known; the captures bundled in assets/ are real ones from the lab kernels. Run: npm run build && node build/scripts/make-sample-captures.js
 */
import { writeFileSync } from 'node:fs';
import { CaptureEncoder } from '../main/core/capture/capture-encoder.js';
import { concatBytes } from '../main/core/util/concat-bytes.js';
import type { LinkedNopOptions } from '../main/core/synthetic/linked-nop-model.js';
import { linkedNopEvents, linkedNopHeader } from '../main/core/synthetic/linked-nop-model.js';

export interface Sample {
  readonly file: string;
  readonly host: string;
  readonly options: LinkedNopOptions;
}

export const SAMPLES: readonly Sample[] = [
  {
    file: 'test/fixtures/captures/sample-6.1-unpatched.lscap',
    host: 'model-bookworm-6.1',
    // A few injected probe misses and one loss: the UNKNOWNs they cause are part of the picture.
    options: { kernel: 'unpatched', grain: 'raw', chains: 1500, chainLength: 4, rings: 2, workers: 4, cpus: 2, seed: 61, timeScale: 30, missEveryNs: 2_000_000, injectMisses: 2, injectLoss: 1 },
  },
  {
    file: 'test/fixtures/captures/sample-7.2-patched.lscap',
    host: 'model-sid-7.2',
    options: { kernel: 'patched', grain: 'raw', chains: 1500, chainLength: 4, rings: 2, workers: 4, cpus: 2, seed: 72, timeScale: 30, missEveryNs: 2_000_000 },
  },
];

export function sampleBytes(s: Sample): Uint8Array {
  const enc = new CaptureEncoder();
  const header = linkedNopHeader(s.options, s.host);
  // A fixed wall-clock start keeps the bytes reproducible.
  const parts: Uint8Array[] = [enc.start({ ...header, startWallTime: '2026-11-25T00:00:00.000Z' })];
  for (const chunk of linkedNopEvents(s.options)) {
    parts.push(...enc.append(chunk));
  }
  parts.push(...enc.close('model run finished'));
  return concatBytes(parts);
}

if (process.argv[1]?.endsWith('make-sample-captures.js') === true) {
  for (const s of SAMPLES) {
    const bytes = sampleBytes(s);
    writeFileSync(s.file, bytes);
    console.log(`${s.file}: ${bytes.length.toLocaleString('en-US')} bytes`);
  }
}
