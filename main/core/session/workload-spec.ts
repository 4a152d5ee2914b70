/**
 * `--workload linkstorm[:OPTION=VALUE,...]`: the bundled linked-request generator and its options
 * as an argument vector (the runner adds --duration). Pure.
 *   lockscope trace … --workload linkstorm:chain=8,inflight=64,rings=2,hard-links,no-async
 */
import type { Result } from '../util/result.js';
import { err, ok } from '../util/result.js';

export interface WorkloadSpec {
  readonly kind: 'linkstorm';
  /** linkstorm's options, without --duration. */
  readonly args: readonly string[];
}

const VALUE_OPTIONS: Readonly<Record<string, RegExp>> = {
  chain: /^[0-9]{1,4}$/,
  inflight: /^[0-9]{1,6}$/,
  rings: /^[0-9]{1,3}$/,
  threads: /^[0-9]{1,3}$/,
  chains: /^[0-9]{1,12}$/,
  op: /^(nop|read)$/,
  'read-size': /^[0-9]{1,9}$/,
};
const FLAG_OPTIONS = new Set(['hard-links', 'async', 'no-async']);

export function parseWorkloadSpec(text: string): Result<WorkloadSpec, string> {
  const [name, rest] = splitOnce(text, ':');
  if (name !== 'linkstorm') {
    return err(`--workload ${text}: unknown workload '${name}'; the bundled one is linkstorm[:chain=N,inflight=N,rings=N,threads=N,chains=N,op=nop|read,read-size=N,hard-links,no-async] (or give your own with --workload-command)`);
  }
  const args: string[] = [];
  if (rest !== undefined && rest !== '') {
    for (const item of rest.split(',')) {
      const [key, value] = splitOnce(item, '=');
      if (FLAG_OPTIONS.has(key)) {
        if (value !== undefined) {
          return err(`--workload ${text}: ${key} takes no value`);
        }
        args.push(`--${key}`);
        continue;
      }
      const pattern = VALUE_OPTIONS[key];
      if (pattern === undefined) {
        return err(`--workload ${text}: linkstorm has no option '${key}'; known: ${[...Object.keys(VALUE_OPTIONS), ...FLAG_OPTIONS].join(', ')}`);
      }
      if (value === undefined || !pattern.test(value)) {
        return err(`--workload ${text}: ${key}=${value ?? ''} is not a valid value (expected ${pattern.source})`);
      }
      args.push(`--${key}`, value);
    }
  }
  return ok({ kind: 'linkstorm', args });
}

function splitOnce(text: string, sep: string): [string, string | undefined] {
  const i = text.indexOf(sep);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}
