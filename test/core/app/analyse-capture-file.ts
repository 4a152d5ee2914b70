/** Test helper: a capture file analysed as the app does it (CaptureAnalysis with the built-in rules). */
import { readFileSync } from 'node:fs';
import { CaptureAnalysis } from '../../../main/core/app/capture-analysis.js';
import { CaptureDecoder } from '../../../main/core/capture/capture-decoder.js';
import { loadRules } from '../../../main/node/commands/analysis-run.js';

export function analyseCaptureFile(path: string): CaptureAnalysis {
  const analysis = new CaptureAnalysis(loadRules(undefined));
  const decoder = new CaptureDecoder();
  for (const item of decoder.push(new Uint8Array(readFileSync(path)))) {
    analysis.item(item);
  }
  decoder.finish();
  analysis.finish();
  return analysis;
}
