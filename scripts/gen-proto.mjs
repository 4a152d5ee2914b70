// Embeds main/core/capture/capture.proto as a string module so that the pure core can build its
// protobufjs schema without reading files. Run by `npm run build`; `--check` fails when stale.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';

const src = 'main/core/capture/capture.proto';
const out = 'main/core/capture/capture-proto.generated.ts';
const text = readFileSync(src, 'utf8');
const body = `// Generated from capture.proto by scripts/gen-proto.mjs. Do not edit.\nexport const CAPTURE_PROTO = ${JSON.stringify(text)};\n`;
if (process.argv.includes('--check')) {
  if (!existsSync(out) || readFileSync(out, 'utf8') !== body) {
    console.error(`${out} is stale: run node scripts/gen-proto.mjs`);
    process.exit(1);
  }
} else if (!existsSync(out) || readFileSync(out, 'utf8') !== body) {
  writeFileSync(out, body);
}
