/**
 * No test may load Electron (the package's index downloads its binary, which this machine cannot
 * run): the compiled test files, and every module they import transitively, are scanned for an
 * import or require of 'electron'. Type-only imports are gone after compilation, so they do not
 * count. The scanner itself is checked on main.js, which must be found to import electron.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { APP_ROOT } from '../../main/node/app-paths.js';

const BUILD = join(APP_ROOT, 'build');
const SPEC = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/gm;

function specifiers(file: string): readonly string[] {
  return [...readFileSync(file, 'utf8').matchAll(SPEC)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4] ?? '');
}

/** The chain of modules from `entry` to one that imports electron, or undefined. */
function electronChain(entry: string, seen = new Set<string>()): readonly string[] | undefined {
  if (seen.has(entry)) {
    return undefined;
  }
  seen.add(entry);
  for (const spec of specifiers(entry)) {
    if (spec === 'electron' || spec.startsWith('electron/')) {
      return [entry];
    }
    if (spec.startsWith('.')) {
      const target = resolve(dirname(entry), spec);
      if (existsSync(target) && statSync(target).isFile()) {
        const chain = electronChain(target, seen);
        if (chain !== undefined) {
          return [entry, ...chain];
        }
      }
    }
  }
  return undefined;
}

function testFiles(dir: string): readonly string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? testFiles(p) : p.endsWith('.js') ? [p] : [];
  });
}

describe('tests never load electron', () => {
  it('the scanner finds electron where it is imported (main.js, through window.js, and the preload)', () => {
    const main = join(BUILD, 'main', 'electron', 'main.js');
    assert.deepEqual(electronChain(main), [main]);
    assert.ok(electronChain(join(BUILD, 'main', 'electron', 'ipc-main.js')) !== undefined);
    assert.ok(electronChain(join(BUILD, 'main', 'electron', 'preload-bundle.cjs')) !== undefined);
  });

  it('no compiled test file reaches a module that imports electron', () => {
    const files = testFiles(join(BUILD, 'test'));
    assert.ok(files.length > 10, `found ${files.length} compiled test files under build/test`);
    const seen = new Set<string>();
    for (const f of files) {
      const chain = electronChain(f, seen);
      assert.equal(chain, undefined, `${f} loads electron: ${chain?.join(' → ') ?? ''}`);
    }
  });
});
