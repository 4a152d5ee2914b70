// Keeps the pure core pure: nothing under main/core may import node:*, electron, a Node
// built-in by its bare name, the DOM-only renderer, or the Node shell (main/node, main/electron).
// Globals (process, Buffer, window, document) are caught by tsconfig.core.json, which compiles
// the core with no Node types and no DOM library.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve, sep } from 'node:path';

const core = resolve('main/core');
const builtins = new Set(builtinModules);
const allowedPackages = new Set(['protobufjs', 'zod']);

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const problems = [];
for (const file of walk(core)) {
  const text = readFileSync(file, 'utf8');
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith('.')) {
      const target = resolve(join(file, '..'), spec);
      if (!target.startsWith(core + sep)) {
        problems.push(`${file}: imports ${spec}, outside the pure core`);
      }
      continue;
    }
    if (spec.startsWith('node:') || builtins.has(spec.split('/')[0])) {
      problems.push(`${file}: imports Node built-in ${spec}`);
    } else if (!allowedPackages.has(spec)) {
      problems.push(`${file}: imports package ${spec}; the core may use only ${[...allowedPackages].join(', ')}`);
    }
  }
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`\ncheck-core-imports: ${problems.length} problem(s); the core (main/core) must stay free of Node, Electron and the DOM`);
  process.exit(1);
}
console.log(`check-core-imports: main/core imports only itself and ${[...allowedPackages].join(', ')}`);
