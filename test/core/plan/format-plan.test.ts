/** The plan as text: the window, each site with status and reason, offsets, and per rule what can be proven. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPlan } from '../../../main/core/plan/format-plan.js';
import { planProbes } from '../../../main/core/plan/plan-probes.js';
import { DEFAULT_RULES_JSON } from '../../../main/core/rules/default-rules.js';
import { parseRules } from '../../../main/core/rules/rule.js';
import { machineFacts, machineLayout } from '../../support/kernel-plans.js';

describe('formatPlan', async () => {
  const rules = parseRules(DEFAULT_RULES_JSON);
  assert.ok(rules.ok);
  const host = formatPlan(planProbes(await machineFacts('host-6.18'), machineLayout('host-6.18'), { rules: rules.value, host: 'dev' }));
  const k61 = formatPlan(planProbes(await machineFacts('debian-6.1'), machineLayout('debian-6.1'), { rules: rules.value, host: 'lab-6.1' }));

  it('says plainly that walks will be UNKNOWN on a kernel without kprobes', () => {
    assert.match(host, /^window: none — .*this kernel has no kprobes$/m);
    assert.match(host, /^ {2}HELD {5}no {2}— walks will be UNKNOWN: .*no kprobes$/m);
    assert.match(host, /^ {2}attached {4}lifecycle {5}io_uring:io_uring_submit_req/m);
  });

  it('names the 6.1 window and prototype, the offsets, and why NOT_HELD is not provable yet', () => {
    assert.match(k61, /^window: io_wq_put_work \[linked_out\] bool io_wq_put_work\(struct io_wq_work \*work, struct io_wq_work \*\*linked\) \(kprobe\)$/m);
    assert.match(k61, /^offsets: io_kiocb\.work=200\/16 io_kiocb\.ctx=88\/8 io_kiocb\.flags=68\/4 io_kiocb\.link=184\/8 io_ring_ctx\.uring_lock=64\/32 mutex\.owner=0$/m);
    assert.match(k61, /^ {2}NOT_HELD no {2}— NOT_HELD will be UNKNOWN \(misses_not_counted\)/m);
    assert.match(k61, /^ {2}HELD {5}no {2}— HELD will be UNKNOWN \(misses_not_counted\)/m);
    assert.match(k61, /^ {2}absent {6}lock_acquired mutex_lock_nested/m);
  });
});
