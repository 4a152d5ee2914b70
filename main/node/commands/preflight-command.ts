/**
 * `lockscope preflight --target local [--json]`: what the target offers for tracing, check by
 * check as each is known, each with what to do when it is not fine. Exit 0 when no check failed,
 * 1 when one did, 2 on error (the target could not be used at all, bad options).
 */
import { formatCheck, formatPreflightHeader, formatPreflightSummary } from '../../core/report/format-preflight.js';
import type { PreflightCheck } from '../../core/target/preflight-check.js';
import type { TargetFacts } from '../../core/target/target-facts.js';
import { CliError } from '../cli-error.js';
import { parseTargetSpec } from '../../core/target/target-spec.js';
import { SshTarget } from '../targets/ssh-target.js';
import type { TargetError } from '../targets/target-error.js';
import { describeTargetError } from '../targets/target-error.js';
import { LocalTarget } from '../targets/local-target.js';
import type { PreflightOptions } from '../targets/preflight.js';
import { collectPreflight } from '../targets/preflight.js';
import type { Target } from '../targets/target.js';

export const PREFLIGHT_EXIT = { ready: 0, failed: 1, error: 2 } as const;

export interface PreflightIo {
  readonly out: (text: string) => void;
}

/** The target a `--target` value names. SSH targets are wired in with the SSH target itself. */
export function targetFor(name: string, sshConfig?: string): Target {
  const spec = parseTargetSpec(name);
  if (!spec.ok) {
    throw new CliError(spec.error);
  }
  switch (spec.value.kind) {
    case 'local':
      return new LocalTarget();
    case 'ssh':
      return new SshTarget(spec.value, sshConfig === undefined ? {} : { configFile: sshConfig });
  }
}

/** What `preflight --json` prints. */
export function preflightJson(target: string, checks: readonly PreflightCheck[], facts: TargetFacts): string {
  return JSON.stringify({ target, ready: !checks.some((c) => c.status === 'fail'), checks, facts }, null, 2);
}

/** Errors that mean the target cannot be used at all: no check could say anything true. */
const UNREACHABLE: ReadonlySet<TargetError['kind']> = new Set(['unreachable', 'host_key_unknown', 'host_key_changed', 'auth_failed', 'bad_target', 'timeout']);

export async function preflightCommand(target: Target, json: boolean, io: PreflightIo, o: PreflightOptions = {}): Promise<number> {
  // Reach it first: a target that cannot be reached is one error, not a failed check per line.
  const reach = await target.exec(['true'], { timeoutMs: 30_000 });
  if (!reach.ok && UNREACHABLE.has(reach.error.kind)) {
    throw new CliError(describeTargetError(reach.error));
  }
  if (!json) {
    io.out(formatPreflightHeader(target.name));
  }
  const { checks, facts } = await collectPreflight(target, o, (check) => {
    if (!json) {
      io.out(formatCheck(check));
    }
  });
  io.out(json ? preflightJson(target.name, checks, facts) : formatPreflightSummary(checks));
  return checks.some((c) => c.status === 'fail') ? PREFLIGHT_EXIT.failed : PREFLIGHT_EXIT.ready;
}
