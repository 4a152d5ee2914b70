/**
 * A target's address as the Targets view takes it — `local`, `ssh://[user@]host[:port]` or an
 * alias from ~/.ssh/config — checked with the same parser as `lockscope trace --target`, and the
 * names derived from it (a target id, a session capture's file name). Pure.
 */
import type { Result } from '../util/result.js';
import { err, ok } from '../util/result.js';
import { parseTargetSpec } from '../target/target-spec.js';

/** The address trimmed, or why it is not one (phrased for a form, not a command line). */
export function checkTargetAddress(text: string): Result<string, string> {
  const address = text.trim();
  if (address === '') {
    return err('give an address: local, ssh://[user@]host[:port] or an alias from ~/.ssh/config');
  }
  const spec = parseTargetSpec(address);
  if (!spec.ok) {
    return err(spec.error.replace(/^--target /, 'the address '));
  }
  return ok(address);
}

/** A file-name and id safe form of an address: `ssh://root@db2:2222` → `root_db2_2222`. */
export function addressSlug(address: string): string {
  const base = address.replace(/^ssh:\/\//, '').replace(/[^A-Za-z0-9._-]/g, '_');
  return base === '' || base.startsWith('.') ? `_${base}` : base;
}

/** `<target>-<YYYYMMDD-HHMMSS>.lscap`, in UTC, for a session started at `startedAt` (ms). */
export function sessionCaptureName(address: string, startedAt: number): string {
  const d = new Date(startedAt);
  const two = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}-${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
  return `${addressSlug(address)}-${stamp}.lscap`;
}
