/** Preflight results as terminal text (what `lockscope preflight` prints), one check at a time. Pure. */
import { assertUnreachable } from '../util/assert-unreachable.js';
import type { CheckStatus, PreflightCheck } from '../target/preflight-check.js';
import { countStatuses } from '../target/preflight-check.js';

const TITLE_WIDTH = 30;

function statusWord(s: CheckStatus): string {
  switch (s) {
    case 'ok':
      return 'ok  ';
    case 'warn':
      return 'WARN';
    case 'fail':
      return 'FAIL';
    case 'skipped':
      return 'skip';
    default:
      return assertUnreachable(s);
  }
}

/** "  ok    Kernel BTF                     /sys/kernel/btf/vmlinux (…)" and, when there is one, "        → what to do". */
export function formatCheck(c: PreflightCheck): string {
  const head = `  ${statusWord(c.status)}  ${c.title.padEnd(TITLE_WIDTH)} ${c.found}`;
  return c.remediation === undefined ? head : `${head}\n        → ${c.remediation}`;
}

export function formatPreflightHeader(target: string): string {
  return `Preflight of ${target}:`;
}

/** The closing lines: counts, and what they mean for tracing. */
export function formatPreflightSummary(checks: readonly PreflightCheck[]): string {
  const n = countStatuses(checks);
  const counts = `${checks.length} checks: ${n.ok} ok, ${n.warn} ${n.warn === 1 ? 'warning' : 'warnings'}, ${n.fail} failed, ${n.skipped} skipped`;
  if (n.fail > 0) {
    const failed = checks.filter((c) => c.status === 'fail').map((c) => c.id);
    return `${counts}\nNot ready: fix what failed (${failed.join(', ')}) before tracing; each → line says how.`;
  }
  if (n.warn > 0) {
    return `${counts}\nReady, with the warnings above.`;
  }
  return `${counts}\nReady to trace.`;
}
