/**
 * A target's preflight for the Targets view: every check with its remediation, whether a session
 * can start, and the probe plan a session would attach with what it can prove — the same checks
 * as `lockscope preflight` and the same plan `lockscope trace` prints before it attaches.
 *
 * Ready means a session can run: a failed kprobes, symbols or BTF check costs only the walks
 * (they will be UNKNOWN, and the plan says why), as in `lockscope trace`.
 */
import { fileURLToPath } from 'node:url';
import type { AppResult, PreflightReport } from '../../core/app/app-contract.js';
import { formatPlan } from '../../core/plan/format-plan.js';
import { kernelLayoutFromBtf } from '../../core/plan/kernel-layout.js';
import { planProbes } from '../../core/plan/plan-probes.js';
import type { Rule } from '../../core/rules/rule.js';
import { describeBtfParseError, parseBtf } from '../../core/target/btf.js';
import type { PreflightCheck } from '../../core/target/preflight-check.js';
import type { TargetFacts } from '../../core/target/target-facts.js';
import { helperSource } from '../session/session-helpers.js';
import { WALK_ONLY_CHECKS } from '../session/trace-session.js';
import type { PreflightOptions } from '../targets/preflight.js';
import { collectPreflight } from '../targets/preflight.js';
import type { Target } from '../targets/target.js';
import type { TargetError } from '../targets/target-error.js';
import { describeTargetError } from '../targets/target-error.js';

const BTF_PATH = '/sys/kernel/btf/vmlinux';
export const DEFAULT_BIN_DIR = fileURLToPath(new URL('../../../bpf/', import.meta.url));

/** Errors that mean the target cannot be used at all (as `lockscope preflight` treats them). */
const UNREACHABLE: ReadonlySet<TargetError['kind']> = new Set(['unreachable', 'host_key_unknown', 'host_key_changed', 'auth_failed', 'bad_target', 'timeout']);

export interface PreflightReportOptions {
  readonly rules: readonly Rule[];
  /** The helper binaries (build/bpf/): whether probe misses can be counted changes the plan. */
  readonly binDir: string;
  readonly preflight?: PreflightOptions;
}

/** Whether a session can start after these checks: nothing failed but what costs only the walks. */
export function sessionCanRun(checks: readonly PreflightCheck[]): boolean {
  return !checks.some((c) => c.status === 'fail' && !WALK_ONLY_CHECKS.has(c.id));
}

export async function preflightReport(targetId: string, target: Target, o: PreflightReportOptions): Promise<AppResult<PreflightReport>> {
  const reach = await target.exec(['true'], { timeoutMs: 30_000 });
  if (!reach.ok && UNREACHABLE.has(reach.error.kind)) {
    return { ok: false, error: { code: 'target_failed', message: describeTargetError(reach.error) } };
  }
  const { checks, facts } = await collectPreflight(target, o.preflight ?? {});
  const ready = sessionCanRun(checks);
  return { ok: true, value: { targetId, checks, planText: await planText(target, facts, o), ready } };
}

/** The plan as `lockscope trace` would print it; undefined without a usable bpftrace (nothing to plan for). */
async function planText(target: Target, facts: TargetFacts, o: PreflightReportOptions): Promise<string | undefined> {
  if (facts.bpftrace === undefined) {
    return undefined;
  }
  const notes: string[] = [];
  const btfBytes = await target.readFile(BTF_PATH, { root: false, maxBytes: 128 << 20, timeoutMs: 120_000 });
  let layout: ReturnType<typeof kernelLayoutFromBtf> | undefined;
  if (btfBytes.ok) {
    const btf = parseBtf(btfBytes.value);
    if (btf.ok) {
      layout = kernelLayoutFromBtf(btf.value);
    } else {
      notes.push(`${describeBtfParseError(btf.error, `${target.name}:${BTF_PATH}`)}; walks will be UNKNOWN`);
    }
  } else {
    notes.push(`${target.name}:${BTF_PATH}: ${describeTargetError(btfBytes.error)}; without BTF the offsets are unknown and walks will be UNKNOWN`);
  }
  const dir = o.binDir.endsWith('/') ? o.binDir : `${o.binDir}/`;
  const helpers = await helperSource(target, facts.kernel?.arch, dir, 30_000);
  if (helpers.kind === 'none') {
    notes.push(`${helpers.why}; probe misses will not be counted and walks will be UNKNOWN`);
  }
  const plan = planProbes(facts, layout, { rules: o.rules, host: target.name, missesCounted: helpers.kind !== 'none', lifecycle: false });
  return `${formatPlan(plan)}${notes.map((n) => `note: ${n}\n`).join('')}`;
}
