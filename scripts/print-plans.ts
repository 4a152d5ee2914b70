// Scratch: prints each fixture machine's plan and writes its program to build/plans/ (not a test).
import { mkdirSync, writeFileSync } from 'node:fs';
import { generateProgram, describeProgramError } from '../main/core/bpf/bpftrace-program.js';
import { formatPlan } from '../main/core/plan/format-plan.js';
import { planProbes } from '../main/core/plan/plan-probes.js';
import { parseRules } from '../main/core/rules/rule.js';
import { DEFAULT_RULES_JSON } from '../main/core/rules/default-rules.js';
import { machineFacts, machineLayout } from '../test/support/kernel-plans.js';
import { MACHINES } from '../test/support/preflight-fixtures.js';

const rules = parseRules(DEFAULT_RULES_JSON);
mkdirSync('build/plans', { recursive: true });
for (const m of MACHINES) {
  const facts = await machineFacts(m);
  const plan = planProbes(facts, machineLayout(m), { rules: rules.ok ? rules.value : [], host: `lab-${m}`, lifecycle: process.argv.includes('--lifecycle') });
  process.stdout.write(`${formatPlan(plan)}\n`);
  const v = facts.bpftrace?.version;
  if (v !== undefined) {
    const g = generateProgram(plan, v, { maxCpus: 2 });
    if (g.ok) {
      writeFileSync(`build/plans/${m}.bt`, g.value.text);
    } else {
      process.stdout.write(`program: ${describeProgramError(g.error)}\n`);
    }
  }
}
