/** A probe plan as text for a terminal: the window, each site with its status and why, offsets, what can be proven. */
import type { ProbePlan, Provable } from './probe-plan.js';

function provable(p: Provable): string {
  return `${p.can ? 'yes' : 'no '} — ${p.reason}`;
}

export function formatPlan(plan: ProbePlan): string {
  const t = plan.target;
  const lines: string[] = [];
  lines.push(`probe plan for ${t.host}: kernel ${t.kernelRelease} ${t.arch}, bpftrace ${t.bpftraceVersion}, PREEMPT_RT ${t.preemptRt}`);
  const w = plan.window;
  lines.push(w.kind === 'none' ? `window: none — ${w.reason}` : `window: ${w.symbol} [${w.kind}] ${w.prototype} (${plan.mechanism})`);
  lines.push('sites:');
  for (const p of plan.probes) {
    lines.push(`  ${p.status.padEnd(11)} ${p.role.padEnd(13)} ${p.target.padEnd(36)} ${p.mechanism.padEnd(10)} misses ${p.missesCounted ? 'counted' : 'not counted'}`);
    lines.push(`  ${''.padEnd(11)} ${p.reason}`);
  }
  if (plan.offsets.length > 0) {
    lines.push(`offsets: ${plan.offsets.map((o) => `${o.member}=${o.offset}/${o.size}`).join(' ')}${plan.ownerWord === undefined ? ' mutex.owner unusable' : ` mutex.owner=${plan.ownerWord.offset}`}`);
  } else {
    lines.push('offsets: none (no BTF)');
  }
  for (const r of plan.rules) {
    lines.push(`rule ${r.ruleId}:`);
    lines.push(`  HELD     ${provable(r.held)}`);
    lines.push(`  NOT_HELD ${provable(r.notHeld)}`);
  }
  for (const warning of plan.warnings) {
    lines.push(`warning: ${warning}`);
  }
  return `${lines.join('\n')}\n`;
}
