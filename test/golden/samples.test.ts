/**
 * Golden outputs of the bundled sample captures. They change only on purpose:
 *   UPDATE_GOLDEN=1 npm test     rewrites test/golden/*.json|txt (and nothing else)
 * then review the diff like code.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { analysisJson } from '../../main/node/commands/analyze-command.js';
import { runAnalysis } from '../../main/node/commands/analysis-run.js';
import { SAMPLES, sampleBytes } from '../../scripts/make-sample-captures.js';

const update = process.env.UPDATE_GOLDEN === '1';

function golden(name: string, actual: string): void {
  const file = `test/golden/${name}`;
  if (update || !existsSync(file)) {
    if (!update) {
      assert.fail(`${file} is missing: run UPDATE_GOLDEN=1 npm test and review it`);
    }
    writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `${file} differs (UPDATE_GOLDEN=1 npm test rewrites it after review)`);
}

function analyzeGolden(file: string, base: string): void {
  const run = runAnalysis(file, { rulesFile: undefined, reorderHorizon: undefined }, () => undefined);
  // The plotting series (thousands of numbers) are left out of the golden file to keep it readable.
  const summary = JSON.parse(analysisJson(file, run)) as Record<string, unknown>;
  delete summary.series;
  golden(`${base}.analyze.json`, `${JSON.stringify(summary, null, 2)}\n`);
}

function inspectGolden(file: string, base: string): void {
  const run = runAnalysis(file, { rulesFile: undefined, reorderHorizon: undefined }, () => undefined);
  const rule = run.summary.rules[0];
  assert.ok(rule !== undefined);
  const parts: string[] = [];
  for (const v of ['HELD', 'NOT_HELD', 'UNKNOWN'] as const) {
    const index: number | undefined = rule.examples[v][0];
    if (index === undefined) {
      continue;
    }
    const r: { status: number | null; stdout: string; stderr: string } = spawnSync(process.execPath, ['bin/lockscope.js', 'inspect', file, '--walk', String(index)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    parts.push(r.stdout);
  }
  golden(`${base}.inspect.txt`, parts.join('\n'));
}

describe('bundled real captures (assets/)', () => {
  const files = readdirSync('assets').filter((f) => f.endsWith('.lscap')).sort();
  it('there are some', () => {
    assert.ok(files.length > 0);
  });
  for (const f of files) {
    const base = basename(f, '.lscap');
    it(`assets/${f}: analyze --json matches the golden summary`, () => {
      analyzeGolden(`assets/${f}`, base);
    });
    it(`assets/${f}: inspect --walk of the first example of each verdict matches the golden timeline`, () => {
      inspectGolden(`assets/${f}`, base);
    });
  }
});

describe('synthetic sample captures (test/fixtures/captures)', () => {
  for (const s of SAMPLES) {
    const base = basename(s.file, '.lscap');
    it(`${s.file} is what scripts/make-sample-captures writes`, () => {
      assert.deepEqual(new Uint8Array(readFileSync(s.file)), sampleBytes(s));
    });

    it(`${s.file}: analyze --json matches the golden summary`, () => {
      analyzeGolden(s.file, base);
    });

    it(`${s.file}: inspect --walk of the first example of each verdict matches the golden timeline`, () => {
      inspectGolden(s.file, base);
    });
  }
});
