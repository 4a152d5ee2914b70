// Runs every compiled test file under build/test with node's test runner, and closes with one
// plain line a CI can read: "tests: N passed, N failed, N skipped" (todo tests count as skipped:
// they are open bugs whose assertions state the right answer; the report above lists them).
// Usage: node scripts/run-tests.mjs [substring-filter]
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.js') ? [p] : [];
  });
}

const filter = process.argv[2];
const files = walk('build/test').filter((f) => filter === undefined || f.includes(filter)).sort();
if (files.length === 0) {
  console.error('no test files found under build/test (did the build run?)');
  process.exit(1);
}
mkdirSync('build', { recursive: true });
const tap = 'build/test-results.tap';
const r = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files],
  { stdio: 'inherit' },
);
const text = readFileSync(tap, 'utf8');
const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 'NaN');
const passed = count('pass');
const failed = count('fail');
const skipped = count('skipped') + count('todo');
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (!(passed > 0)) {
  console.error('no test passed: the run did not execute the suite');
  process.exit(1);
}
process.exit(r.status ?? 1);
