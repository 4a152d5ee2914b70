/**
 * The probe planner on the three captured machines (preflight facts from test/fixtures/preflight
 * through fake targets, BTF from test/fixtures/btf), and on variations of them for the kernel
 * shapes not in the lab: an older 6.1 whose io_wq_free_work returns the next work, a void
 * io_wq_free_work alone, an out-of-line io_req_find_next, no BTF, fentry.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planCoverage } from '../../../main/core/analysis/plan-coverage.js';
import type { ProbeSite } from '../../../main/core/capture/header.js';
import type { KernelLayout } from '../../../main/core/plan/kernel-layout.js';
import type { ProbePlan } from '../../../main/core/plan/probe-plan.js';
import { planProbes } from '../../../main/core/plan/plan-probes.js';
import { DEFAULT_RULES_JSON } from '../../../main/core/rules/default-rules.js';
import type { Rule } from '../../../main/core/rules/rule.js';
import { parseRules } from '../../../main/core/rules/rule.js';
import type { TargetFacts } from '../../../main/core/target/target-facts.js';
import { ok } from '../../../main/core/util/result.js';
import { header } from '../../support/fixtures.js';
import { machineFacts, machineLayout } from '../../support/kernel-plans.js';

function defaultRules(): readonly Rule[] {
  const r = parseRules(DEFAULT_RULES_JSON);
  assert.ok(r.ok);
  return r.value;
}

function layoutOf(m: Parameters<typeof machineLayout>[0]): KernelLayout {
  const l = machineLayout(m);
  assert.ok(l.ok, l.ok ? '' : JSON.stringify(l.error));
  return l.value;
}

/** The window as one line: "KIND SYMBOL PROTOTYPE", or "none: REASON". */
function windowText(plan: ProbePlan): string {
  const w = plan.window;
  return w.kind === 'none' ? `none: ${w.reason}` : `${w.kind} ${w.symbol} ${w.prototype}`;
}

function withoutPrototype(layout: KernelLayout, name: keyof KernelLayout['prototypes']): KernelLayout {
  return { ...layout, prototypes: Object.fromEntries(Object.entries(layout.prototypes).filter(([k]) => k !== name)) };
}

function sites(plan: ProbePlan, status: ProbeSite['status']): string[] {
  return plan.probes.filter((p) => p.status === status).map((p) => `${p.role} ${p.target} ${p.mechanism}`);
}

function rule(plan: ProbePlan): ProbePlan['rules'][number] {
  const r = plan.rules[0];
  assert.ok(r !== undefined);
  return r;
}

/** Nothing is attached that preflight did not find. */
function assertOnlyFound(plan: ProbePlan, facts: TargetFacts): void {
  for (const p of plan.probes.filter((s) => s.status === 'attached')) {
    if (p.mechanism === 'tracepoint') {
      assert.ok(facts.tracepoints.includes(p.target), `${p.target} attached but not among the tracepoints found`);
    } else {
      assert.ok(facts.symbols?.found.some((s) => s.base === p.target && s.variant === 'exact'), `${p.target} attached but not in kallsyms`);
    }
  }
}

function withoutSymbol(facts: TargetFacts, base: string): TargetFacts {
  const s = facts.symbols;
  assert.ok(s !== undefined);
  return { ...facts, symbols: { ...s, found: s.found.filter((x) => x.base !== base), absent: [...s.absent, base as (typeof s.absent)[number]] } };
}

describe('probe plan: Debian 6.1.192 (lab; io_wq_put_work shape, bpftrace 0.17)', async () => {
  const facts = await machineFacts('debian-6.1');
  const plan = planProbes(facts, machineLayout('debian-6.1'), { rules: defaultRules() });

  it('walks are watched through io_wq_put_work, the next work read through *linked', () => {
    assert.equal(windowText(plan), 'linked_out io_wq_put_work bool io_wq_put_work(struct io_wq_work *work, struct io_wq_work **linked)');
    assert.equal(plan.mechanism, 'kprobe');
    assert.deepEqual(
      plan.probes.filter((p) => p.role.startsWith('window')).map((p) => `${p.role} ${p.target} ${p.mechanism} ${p.status}`),
      ['window_entry io_wq_put_work kprobe attached', 'window_return io_wq_put_work kretprobe attached'],
    );
  });

  it('every mutex acquire API in kallsyms is probed at entry and return; the others are absent; mutex_unlock is probed', () => {
    assert.deepEqual(plan.lockApis.map((l) => `${l.api}:${l.success}`), [
      'mutex_lock:always',
      'mutex_lock_interruptible:ret_zero',
      'mutex_lock_killable:ret_zero',
      'mutex_trylock:ret_one',
      'mutex_lock_io:always',
    ]);
    assert.deepEqual(sites(plan, 'absent'), [
      'lock_acquired mutex_lock_nested none',
      'lock_acquired mutex_lock_interruptible_nested none',
      'lock_acquired mutex_lock_killable_nested none',
      'lock_acquired mutex_lock_io_nested none',
    ]);
    assert.equal(plan.unlockSymbol, 'mutex_unlock');
    assert.ok(sites(plan, 'attached').includes('lock_release mutex_unlock kprobe'));
  });

  it("the 6.1 submit tracepoint (io_uring_submit_sqe) is known, but lifecycle is off by default; contention is on", () => {
    assert.equal(plan.tracepoints.submit, undefined);
    assert.ok(sites(plan, 'unavailable').includes('lifecycle io_uring:io_uring_submit_sqe tracepoint'));
    assert.equal(plan.tracepoints.contention, true);
    const on = planProbes(facts, machineLayout('debian-6.1'), { lifecycle: true });
    assert.equal(on.tracepoints.submit, 'io_uring:io_uring_submit_sqe');
  });

  it('offsets and the owner word come from BTF', () => {
    assert.deepEqual(
      plan.offsets.map((o) => `${o.member}=${o.offset}/${o.size}`),
      ['io_kiocb.work=200/16', 'io_kiocb.ctx=88/8', 'io_kiocb.flags=68/4', 'io_kiocb.link=184/8', 'io_ring_ctx.uring_lock=64/32'],
    );
    assert.deepEqual(plan.ownerWord, { offset: 0 });
  });

  it('neither HELD nor NOT_HELD is provable while nothing reads the miss counters, and the analysis agrees', () => {
    const r = rule(plan);
    assert.equal(r.ruleId, 'io-wq-link-walk-uring-lock');
    assert.equal(r.held.can, false);
    assert.match(r.held.reason, /misses_not_counted/);
    assert.equal(r.notHeld.can, false);
    assert.match(r.notHeld.reason, /misses_not_counted/);
    const cov = planCoverage(header({ probes: plan.probes }));
    assert.equal(cov.complete ? 'complete' : cov.reason, 'misses_not_counted');
  });

  it('with miss counters read by the runner, NOT_HELD is provable and the plan covers every lock path', () => {
    const counted = planProbes(facts, machineLayout('debian-6.1'), { missesCounted: true });
    assert.equal(rule(counted).notHeld.can, true);
    assert.equal(rule(counted).held.can, true);
    assert.deepEqual(planCoverage(header({ probes: counted.probes })).complete, true);
  });

  it('attaches nothing preflight did not find', () => {
    assertOnlyFound(plan, facts);
  });
});

describe('probe plan: Debian sid 7.2 (lab; io_wq_free_work returns the next work, bpftrace 0.27)', async () => {
  const facts = await machineFacts('debian-sid-7.2');
  const plan = planProbes(facts, machineLayout('debian-sid-7.2'), { rules: defaultRules(), lifecycle: true });

  it('walks are watched through io_wq_free_work; its .cold fragment is never a site', () => {
    assert.equal(windowText(plan), 'returns_next_work io_wq_free_work struct io_wq_work *io_wq_free_work(struct io_wq_work *work)');
    assert.ok(!plan.probes.some((p) => p.target.includes('.cold')));
  });

  it('the 7.2 submit tracepoint is io_uring_submit_req; uring_lock is 24 bytes here', () => {
    assert.equal(plan.tracepoints.submit, 'io_uring:io_uring_submit_req');
    assert.ok(plan.offsets.some((o) => o.member === 'io_ring_ctx.uring_lock' && o.offset === 64 && o.size === 24));
    assert.ok(plan.offsets.some((o) => o.member === 'io_kiocb.flags' && o.offset === 72 && o.size === 8));
  });

  it('attaches nothing preflight did not find', () => {
    assertOnlyFound(plan, facts);
  });

  it('fentry when asked: fentry on the lab sid (its 0.27 lists fentry probes though --info no longer reports them)', () => {
    const asked = planProbes(facts, machineLayout('debian-sid-7.2'), { mechanism: 'fentry' });
    assert.equal(asked.mechanism, 'fentry');
  });

  it('fentry when asked: kprobes stay when fentry support is not known', () => {
    const bt = facts.bpftrace;
    assert.ok(bt !== undefined);
    const unknown: TargetFacts = { ...facts, bpftrace: { ...bt, features: { ...bt.features, fentry: 'unknown' } } };
    const asked = planProbes(unknown, machineLayout('debian-sid-7.2'), { mechanism: 'fentry' });
    assert.equal(asked.mechanism, 'kprobe');
    assert.ok(asked.warnings.some((w) => w.includes('fentry was asked for')));
  });

  it('fentry when asked and supported: fentry/fexit everywhere, with the warning that fentry on mutex_lock misses hits', () => {
    const bt = facts.bpftrace;
    assert.ok(bt !== undefined);
    const yes: TargetFacts = { ...facts, bpftrace: { ...bt, features: { ...bt.features, fentry: 'yes' } } };
    const f = planProbes(yes, machineLayout('debian-sid-7.2'), { mechanism: 'fentry' });
    assert.equal(f.mechanism, 'fentry');
    assert.ok(sites(f, 'attached').includes('lock_acquired mutex_lock fexit'));
    assert.ok(sites(f, 'attached').includes('window_entry io_wq_free_work fentry'));
    assert.ok(f.warnings.some((w) => w.includes('fentry on mutex_lock misses hits')));
  });
});

describe('probe plan: the development host (no kprobes)', async () => {
  const facts = await machineFacts('host-6.18');
  const plan = planProbes(facts, machineLayout('host-6.18'), { rules: defaultRules() });

  it('still gets a plan: tracepoints only, and says walks will be UNKNOWN because there are no kprobes', () => {
    assert.match(windowText(plan), /^none: .*this kernel has no kprobes/);
    assert.deepEqual(sites(plan, 'attached').filter((s) => !s.endsWith('tracepoint')), []);
    assert.equal(plan.tracepoints.submit, 'io_uring:io_uring_submit_req');
    assert.equal(plan.tracepoints.contention, true);
    const r = rule(plan);
    assert.equal(r.held.can, false);
    assert.match(r.held.reason, /^walks will be UNKNOWN: .*this kernel has no kprobes/);
    assert.equal(r.notHeld.can, false);
  });

  it('the mutex sites it has are unavailable (their hits would go unseen), the ones it lacks absent', () => {
    assert.ok(sites(plan, 'unavailable').includes('lock_acquired mutex_lock kretprobe'));
    assert.ok(sites(plan, 'absent').includes('lock_acquired mutex_lock_nested none'));
    assertOnlyFound(plan, facts);
  });
});

describe('probe plan: kernel shapes outside the lab', async () => {
  const f61 = await machineFacts('debian-6.1');
  const l61 = layoutOf('debian-6.1');
  const l72 = layoutOf('debian-sid-7.2');

  it('io_wq_free_work void and no io_wq_put_work: walks cannot be seen, and the plan says so', () => {
    const facts = withoutSymbol(f61, 'io_wq_put_work');
    const plan = planProbes(facts, ok(withoutPrototype(l61, 'io_wq_put_work')), { rules: defaultRules() });
    assert.ok(windowText(plan).includes('io_wq_free_work is void io_wq_free_work(struct io_wq_work *work): it only frees'), windowText(plan));
    assert.match(rule(plan).held.reason, /^walks will be UNKNOWN: walks cannot be seen/);
    assert.deepEqual(plan.lockApis, []);
  });

  it('an older 6.1 whose io_wq_free_work returns the next work (lock not taken) is planned like 7.x', () => {
    const facts = withoutSymbol(f61, 'io_wq_put_work');
    const rest = withoutPrototype(l61, 'io_wq_put_work');
    const freeWork = l72.prototypes.io_wq_free_work;
    assert.ok(freeWork !== undefined);
    const plan = planProbes(facts, ok({ ...rest, prototypes: { ...rest.prototypes, io_wq_free_work: freeWork } }));
    assert.equal(plan.window.kind, 'returns_next_work');
    assert.ok(plan.offsets.some((o) => o.member === 'io_kiocb.work' && o.offset === 200));
  });

  it('io_req_find_next is used only when kallsyms has an out-of-line symbol', () => {
    const facts0 = withoutSymbol(f61, 'io_wq_put_work');
    const rest = withoutPrototype(l61, 'io_wq_put_work');
    const layout: KernelLayout = { ...rest, prototypes: { ...rest.prototypes, io_req_find_next: { shape: 'returns_next_req', text: 'struct io_kiocb *io_req_find_next(struct io_kiocb *req)', params: ['req'] } } };
    assert.equal(planProbes(facts0, ok(layout)).window.kind, 'none');
    const s = facts0.symbols;
    assert.ok(s !== undefined);
    const facts: TargetFacts = {
      ...facts0,
      symbols: { ...s, found: [...s.found, { name: 'io_req_find_next', base: 'io_req_find_next', suffix: '', variant: 'exact', type: 't', module: undefined, address: '0xffffffff81000000' }] },
    };
    const plan = planProbes(facts, ok(layout));
    assert.equal(plan.window.kind, 'returns_next_req');
    assert.equal(rule(plan).held.can, true, 'the owner word at the walk answers without the miss check');
  });

  it('without BTF there are no offsets, and walks are UNKNOWN for that reason', () => {
    const plan = planProbes(f61, undefined);
    assert.equal(plan.window.kind, 'none');
    assert.deepEqual(plan.offsets, []);
    assert.match(rule(plan).held.reason, /no usable BTF/);
  });

  it('without bpftrace nothing but the header is planned', () => {
    const plan = planProbes({ ...f61, bpftrace: undefined }, ok(l61));
    assert.equal(plan.window.kind, 'none');
    assert.deepEqual(plan.lockApis, []);
  });
});
