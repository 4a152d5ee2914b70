// The main job on the bundled captures: analyze each, print the verdict summary.
// Exit codes 0 (all HELD), 1 (NOT_HELD found) and 3 (nothing proven) are answers, not failures;
// only 2 (an error) fails the demo.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const captures = readdirSync('assets').filter((f) => f.endsWith('.lscap')).sort().map((f) => `assets/${f}`);
if (captures.length === 0) {
  console.error('demo: no bundled captures in assets/');
  process.exit(1);
}
let failed = false;
for (const file of captures) {
  const r = spawnSync(process.execPath, ['bin/lockscope.js', 'analyze', file], { stdio: 'inherit' });
  const meaning = { 0: 'every walk HELD', 1: 'NOT_HELD walks found', 3: 'nothing proven either way' }[r.status] ?? 'error';
  console.log(`\n-> lockscope analyze ${file}: exit ${r.status} (${meaning})\n${'-'.repeat(78)}`);
  if (r.status !== 0 && r.status !== 1 && r.status !== 3) {
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
