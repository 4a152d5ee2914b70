// Bundles the renderer (renderer/src/main.tsx → build/renderer/app.js, renderer/styles/index.css
// → build/renderer/app.css, with uPlot and Preact inside) and copies index.html. esbuild does the
// bundling: the renderer runs with no Node and no module loader, in Electron and in a browser.
// Usage: node scripts/build-renderer.mjs [--minify]
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

const out = 'build/renderer';
mkdirSync(out, { recursive: true });
const minify = process.argv.includes('--minify');
await build({
  entryPoints: { app: 'renderer/src/main.tsx' },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome120'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  sourcemap: true,
  minify,
  outdir: out,
  logLevel: 'warning',
});
await build({
  entryPoints: { app: 'renderer/styles/index.css' },
  bundle: true,
  minify,
  outdir: out,
  logLevel: 'warning',
});
copyFileSync('renderer/index.html', `${out}/index.html`);
