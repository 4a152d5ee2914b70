// Embeds the bpftrace templates (bpf/*.bt.tmpl) as a string module so that the pure core's
// program generator (main/core/bpf/) can use them without reading files. Run by `npm run build`;
// `--check` fails when the module is stale.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';

const dir = 'bpf';
const out = 'main/core/bpf/templates.generated.ts';
const files = readdirSync(dir).filter((f) => f.endsWith('.bt.tmpl')).sort();
const entries = files.map((f) => `  ${JSON.stringify(f)}: ${JSON.stringify(readFileSync(`${dir}/${f}`, 'utf8'))},`);
const body = `// Generated from bpf/*.bt.tmpl by scripts/gen-bpf-templates.mjs. Do not edit.\nexport const BPF_TEMPLATES: Readonly<Record<string, string>> = {\n${entries.join('\n')}\n};\n`;
if (process.argv.includes('--check')) {
  if (!existsSync(out) || readFileSync(out, 'utf8') !== body) {
    console.error(`${out} is stale: run node scripts/gen-bpf-templates.mjs`);
    process.exit(1);
  }
} else if (!existsSync(out) || readFileSync(out, 'utf8') !== body) {
  writeFileSync(out, body);
}
