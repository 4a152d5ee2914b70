/**
 * The hosts an ssh_config file names, to offer as targets: every `Host` pattern that is a plain
 * alias (no `*`, `?` or `!`: those match many hosts and name none). Pure: the caller reads the
 * file. `Include`d files are not followed (their hosts can be added by hand).
 *
 *   Host db1 db2          → db1, db2
 *   Host *.internal !bad  → (none)
 *   Host=lab              → lab
 */
import { parseTargetSpec } from '../target/target-spec.js';

export function sshConfigHosts(text: string): readonly string[] {
  const hosts: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    // "Keyword value" or "Keyword=value" (ssh_config(5)); the keyword is case-insensitive.
    const m = /^([A-Za-z]+)\s*(?:=\s*|\s+)(.*)$/.exec(line);
    if (m === null || m[1]?.toLowerCase() !== 'host') {
      continue;
    }
    for (const pattern of (m[2] ?? '').split(/\s+/)) {
      const name = pattern.replace(/^"(.*)"$/, '$1');
      if (name === '' || /[*?!]/.test(name) || hosts.includes(name)) {
        continue;
      }
      // Only names that are also valid target addresses (they reach ssh's command line).
      const spec = parseTargetSpec(name);
      if (spec.ok && spec.value.kind === 'ssh') {
        hosts.push(name);
      }
    }
  }
  return hosts;
}
