// Bundles the Electron preload (main/electron/preload.cts → build/main/electron/preload-bundle.cjs) with
// what it imports (the method list, the channel names), since a sandboxed preload
// is CommonJS and may require nothing but electron. (tsc's own preload.cjs, which requires local
// files, is left beside it unused: a plain `tsc -p tsconfig.json` must not undo the bundle.)
// Fails if the bundle would require anything else.
// Usage: node scripts/build-electron.mjs
import { build } from 'esbuild';

const out = 'build/main/electron/preload-bundle.cjs';
const result = await build({
  entryPoints: ['main/electron/preload.cts'],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: ['node22', 'chrome140'],
  external: ['electron'],
  sourcemap: false,
  metafile: true,
  logLevel: 'warning',
});
const requires = [...new Set(Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path)))];
const foreign = requires.filter((p) => p !== 'electron');
if (foreign.length > 0) {
  console.error(`build-electron: ${out} requires ${foreign.join(', ')}; a sandboxed preload may require only electron`);
  process.exit(1);
}
