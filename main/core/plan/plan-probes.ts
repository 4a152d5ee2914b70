/**
 * The probe planner: from what preflight found on a target (TargetFacts) and what its BTF says
 * (KernelLayout), decide the window, the mechanism of each site, the mutex probes and the
 * tracepoints, and say per rule which verdicts this plan can prove. Pure. Nothing is planned
 * that preflight did not find: a site the kernel lacks is `absent`, one it has but that cannot
 * be attached is `unavailable` with the reason.
 */
import type { LockApi } from '../capture/events.js';
import { LOCK_APIS } from '../capture/events.js';
import type { ProbeMechanism, ProbeRole, ProbeSite } from '../capture/header.js';
import type { Rule } from '../rules/rule.js';
import type { KernelSymbol } from '../target/kallsyms.js';
import type { TargetFacts } from '../target/target-facts.js';
import { captureTargetFacts } from '../target/target-facts.js';
import type { Result } from '../util/result.js';
import type { KernelLayout, LayoutError, WindowPrototype } from './kernel-layout.js';
import type { FunctionMechanism, LockProbe, PlannedTracepoints, ProbePlan, Provable, RuleProvability, WindowChoice } from './probe-plan.js';

export interface PlanOptions {
  /** Host name for the capture header (defaults to the facts' target name). */
  readonly host?: string;
  /** fentry/fexit instead of kprobes, where the target's bpftrace and kernel support them. */
  readonly mechanism?: FunctionMechanism;
  /** Attach the per-event lifecycle tracepoints (submit, link, queue, complete) on a target with a window. */
  readonly lifecycle?: boolean;
  /**
   * Whether the session runner reads the probes' miss counters during the session (`lockscope
   * trace` does, with its miss reader). Default false: without readings NOT_HELD cannot be proven.
   */
  readonly missesCounted?: boolean;
  /** The rules to say provability for (default: none named; pass the parsed default rules). */
  readonly rules?: readonly Rule[];
}

const FENTRY_MUTEX_WARNING =
  'fentry on mutex_lock misses hits (BPF recursion protection: a task preempted inside the program makes the next hit on that CPU go unrecorded, counted only in recursion_misses); a patched kernel showed hundreds of false "without the lock" walks per 800,000 in the lab. Use kprobes unless the misses are read during the session';

const SUBMIT_TRACEPOINTS = ['io_uring:io_uring_submit_req', 'io_uring:io_uring_submit_sqe'] as const;

/** The attachable form of a candidate: its exact or LTO-renamed symbol, never a fragment or clone. */
function attachable(facts: TargetFacts, base: string): KernelSymbol | undefined {
  const found = facts.symbols?.found.filter((s) => s.base === base && s.module === undefined) ?? [];
  return found.find((s) => s.variant === 'exact') ?? found.find((s) => s.variant === 'renamed');
}

function isAbsent(facts: TargetFacts, base: string): boolean {
  return facts.symbols?.absent.some((a) => a === base) ?? false;
}

function successOf(api: LockApi): LockProbe['success'] {
  if (api === 'mutex_trylock') {
    return 'ret_one';
  }
  if (api.includes('interruptible') || api.includes('killable')) {
    return 'ret_zero';
  }
  return 'always';
}

interface Ctx {
  readonly facts: TargetFacts;
  readonly fnMech: FunctionMechanism;
  /** Why function probes cannot be attached at all, or undefined when they can. */
  readonly noFunctionProbes: string | undefined;
  readonly missesCounted: boolean;
  readonly missReason: string;
}

function entryMech(c: Ctx): ProbeMechanism {
  return c.fnMech === 'fentry' ? 'fentry' : 'kprobe';
}

function returnMech(c: Ctx): ProbeMechanism {
  return c.fnMech === 'fentry' ? 'fexit' : 'kretprobe';
}

function site(role: ProbeRole, target: string, mechanism: ProbeMechanism, status: ProbeSite['status'], reason: string, missesCounted: boolean): ProbeSite {
  return { role, target, mechanism, status, reason, missesCounted: status === 'attached' && missesCounted };
}

/** Chooses the window from the symbols and the prototypes, never from the version number. */
function chooseWindow(facts: TargetFacts, layout: KernelLayout | undefined, noFunctionProbes: string | undefined): WindowChoice {
  if (layout === undefined) {
    return { kind: 'none', reason: 'the kernel has no usable BTF, so struct offsets and window prototypes are unknown' };
  }
  if (facts.symbols === undefined) {
    return { kind: 'none', reason: '/proc/kallsyms could not be read, so no window function was found' };
  }
  const freeWork = attachable(facts, 'io_wq_free_work');
  const putWork = attachable(facts, 'io_wq_put_work');
  const findNext = attachable(facts, 'io_req_find_next');
  const proto = (name: 'io_wq_free_work' | 'io_wq_put_work' | 'io_req_find_next'): WindowPrototype | undefined => layout.prototypes[name];
  const notes: string[] = [];
  let choice: Exclude<WindowChoice, { readonly kind: 'none' }> | undefined;
  const put = proto('io_wq_put_work');
  const free = proto('io_wq_free_work');
  const find = proto('io_req_find_next');
  if (putWork !== undefined && put?.shape === 'linked_out') {
    choice = { kind: 'linked_out', site: 'io_wq_put_work', symbol: putWork.name, prototype: put.text };
  } else if (freeWork !== undefined && free?.shape === 'returns_next_work') {
    choice = { kind: 'returns_next_work', site: 'io_wq_free_work', symbol: freeWork.name, prototype: free.text };
  } else if (findNext !== undefined && find?.shape === 'returns_next_req') {
    choice = { kind: 'returns_next_req', site: 'io_req_find_next', symbol: findNext.name, prototype: find.text };
  }
  if (choice !== undefined) {
    return noFunctionProbes === undefined ? choice : { kind: 'none', reason: `${choice.symbol} (${choice.prototype}) is the window, but ${noFunctionProbes}` };
  }
  if (freeWork !== undefined && free?.shape === 'void') {
    notes.push(`io_wq_free_work is ${free.text}: it only frees, and its return value is not a next request`);
  } else if (freeWork !== undefined && free !== undefined) {
    notes.push(`io_wq_free_work is ${free.text}, a shape Lockscope does not know`);
  } else if (freeWork === undefined) {
    notes.push('io_wq_free_work is not in /proc/kallsyms');
  } else {
    notes.push("io_wq_free_work has no prototype in the kernel's BTF");
  }
  if (putWork !== undefined) {
    notes.push(put === undefined ? "io_wq_put_work has no prototype in the kernel's BTF" : `io_wq_put_work is ${put.text}, a shape Lockscope does not know`);
  }
  notes.push('io_req_find_next has no out-of-line symbol (inlined)');
  return { kind: 'none', reason: `walks cannot be seen on this kernel: ${notes.join('; ')}` };
}

function windowSites(c: Ctx, w: WindowChoice): ProbeSite[] {
  if (w.kind !== 'none') {
    const why = `${w.prototype}: ${w.kind === 'linked_out' ? 'the next work is read through the saved linked pointer at return' : w.kind === 'returns_next_req' ? 'an out-of-line copy returns the next request' : 'returns the next work'}; ${c.fnMech === 'fentry' ? 'fentry/fexit as asked' : 'kprobe/kretprobe'}; ${c.missReason}`;
    return [
      site('window_entry', w.symbol, entryMech(c), 'attached', why, c.missesCounted),
      site('window_return', w.symbol, returnMech(c), 'attached', why, c.missesCounted),
    ];
  }
  const present = ['io_wq_put_work', 'io_wq_free_work'].filter((s) => attachable(c.facts, s) !== undefined);
  return present.flatMap((s) => [
    site('window_entry', s, entryMech(c), 'unavailable', w.reason, false),
    site('window_return', s, returnMech(c), 'unavailable', w.reason, false),
  ]);
}

function lockSites(c: Ctx, w: WindowChoice): { sites: ProbeSite[]; apis: LockProbe[]; unlock: string | undefined } {
  const sites: ProbeSite[] = [];
  const apis: LockProbe[] = [];
  const notAttached = c.noFunctionProbes ?? (w.kind === 'none' ? 'no window to filter the mutex probes by, so they would only trace every mutex in the system' : undefined);
  const fentryNote = c.fnMech === 'fentry' ? 'fentry as asked (it misses hits on mutex_lock: see the warnings)' : 'kprobe/kretprobe (fentry on mutex_lock misses hits)';
  for (const api of LOCK_APIS) {
    const sym = attachable(c.facts, api);
    if (sym === undefined) {
      if (isAbsent(c.facts, api)) {
        sites.push(site('lock_acquired', api, 'none', 'absent', 'not in /proc/kallsyms: nothing can take the lock through it', false));
      } else {
        const why = c.facts.symbols === undefined ? '/proc/kallsyms could not be read' : 'only a fragment or clone of it is in /proc/kallsyms';
        sites.push(site('lock_acquired', api, 'none', 'unavailable', why, false));
      }
      continue;
    }
    if (notAttached !== undefined) {
      sites.push(site('lock_acquire', api, entryMech(c), 'unavailable', notAttached, false));
      sites.push(site('lock_acquired', api, returnMech(c), 'unavailable', notAttached, false));
      continue;
    }
    const reason = `in /proc/kallsyms as ${sym.name}; filtered to tracked uring_lock addresses inside a window; ${fentryNote}; ${c.missReason}`;
    sites.push(site('lock_acquire', api, entryMech(c), 'attached', reason, c.missesCounted));
    sites.push(site('lock_acquired', api, returnMech(c), 'attached', reason, c.missesCounted));
    apis.push({ api, symbol: sym.name, success: successOf(api) });
  }
  const unlock = attachable(c.facts, 'mutex_unlock');
  if (unlock === undefined) {
    sites.push(site('lock_release', 'mutex_unlock', 'none', 'unavailable', c.facts.symbols === undefined ? '/proc/kallsyms could not be read' : 'mutex_unlock is not in /proc/kallsyms', false));
    return { sites, apis, unlock: undefined };
  }
  if (notAttached !== undefined) {
    sites.push(site('lock_release', 'mutex_unlock', entryMech(c), 'unavailable', notAttached, false));
    return { sites, apis, unlock: undefined };
  }
  sites.push(site('lock_release', 'mutex_unlock', entryMech(c), 'attached', `in /proc/kallsyms as ${unlock.name}; filtered like the acquire probes; ${c.missReason}`, c.missesCounted));
  return { sites, apis, unlock: unlock.name };
}

function tracepointPlan(c: Ctx, w: WindowChoice, lifecycleAsked: boolean, layout: KernelLayout | undefined): { tps: PlannedTracepoints; sites: ProbeSite[] } {
  const has = (tp: string): boolean => c.facts.tracepoints.includes(tp);
  const submit = SUBMIT_TRACEPOINTS.find((tp) => has(tp));
  // Without a window there is nothing else to see: lifecycle events are the session's content.
  const lifecycle = lifecycleAsked || w.kind === 'none';
  const lifecycleWhy = lifecycle
    ? w.kind === 'none'
      ? 'the only io_uring events this target can show'
      : 'asked for (one line per event: lossy at high rates)'
    : 'not attached: one line per event is lossy at real rates (ask for lifecycle events to attach it)';
  const sites: ProbeSite[] = [];
  const tp = (target: string, role: ProbeRole, on: boolean, why: string): boolean => {
    if (!has(target)) {
      return false;
    }
    sites.push(site(role, target, 'tracepoint', on ? 'attached' : 'unavailable', why, false));
    return on;
  };
  const submitOn = submit === undefined ? false : tp(submit, 'lifecycle', lifecycle, lifecycleWhy);
  const link = tp('io_uring:io_uring_link', 'lifecycle', lifecycle, lifecycleWhy);
  const queueAsync = tp('io_uring:io_uring_queue_async_work', 'lifecycle', lifecycle, lifecycleWhy);
  const complete = tp('io_uring:io_uring_complete', 'lifecycle', lifecycle, lifecycleWhy);
  const failLink = tp('io_uring:io_uring_fail_link', 'lifecycle', lifecycle, lifecycleWhy);
  // Contention is filtered to uring_lock addresses: learned at window entries, or (without a
  // window) from the submit tracepoint's ctx plus the BTF offset of uring_lock.
  const canFilter = w.kind !== 'none' || (submitOn && layout !== undefined);
  const contentionWhy = canFilter
    ? `filtered to tracked uring_lock addresses; ${w.kind === 'none' ? 'every wait printed' : 'every wait counted in the kernel, a sample printed'}; fires only when the lock is contended, so it shows wanting, never holding`
    : 'not attached: no uring_lock address to filter by (needs a window, or the submit tracepoint and BTF)';
  const begin = tp('lock:contention_begin', 'contention', canFilter, contentionWhy);
  const end = tp('lock:contention_end', 'contention', canFilter, contentionWhy);
  return {
    tps: { submit: submitOn ? submit : undefined, link, queueAsync, complete, failLink, contention: begin && end },
    sites,
  };
}

function provability(c: Ctx, w: WindowChoice, plan: { apisComplete: boolean; ownerUsable: boolean }): { held: Provable; notHeld: Provable } {
  if (w.kind === 'none') {
    const why = c.noFunctionProbes !== undefined && !w.reason.includes(c.noFunctionProbes) ? `${w.reason}; ${c.noFunctionProbes}` : w.reason;
    const r: Provable = { can: false, reason: `walks will be UNKNOWN: ${why}` };
    return { held: r, notHeld: r };
  }
  // A span proof (the walk between two link snapshots, inside or outside the walker's held span)
  // rests on no lock operation going unseen in either direction, so HELD needs the same
  // completeness as NOT_HELD; only the owner word read at an out-of-line io_req_find_next
  // answers without it.
  let held: Provable;
  if (w.kind === 'returns_next_req' && plan.ownerUsable) {
    held = { can: true, reason: 'the owner word read at io_req_find_next itself says whether the walker holds the lock' };
  } else if (w.kind === 'returns_next_req') {
    held = { can: false, reason: 'HELD will be UNKNOWN: the owner word at io_req_find_next is the only evidence there, and it is unusable (PREEMPT_RT or unknown mutex layout)' };
  } else if (!plan.apisComplete) {
    held = { can: false, reason: 'HELD will be UNKNOWN: not every mutex acquire path and mutex_unlock is probed, so the held span cannot be bounded' };
  } else if (!c.missesCounted) {
    held = {
      can: false,
      reason: "HELD will be UNKNOWN (misses_not_counted): a held span is proven from the walker's lock operations, and nothing reads the probes' miss counters during the session yet (the streaming runner's job), so an unseen release cannot be ruled out",
    };
  } else {
    held = { can: true, reason: 'a walk inside a span the walker holds the lock (acquired with the link set, released with it cleared) is proven, the probes complete and their misses counted' };
  }
  let notHeld: Provable;
  if (!plan.apisComplete) {
    notHeld = { can: false, reason: 'NOT_HELD will be UNKNOWN: not every mutex acquire path and mutex_unlock is probed, so a lock taken unseen cannot be ruled out' };
  } else if (!c.missesCounted) {
    notHeld = {
      can: false,
      reason: "NOT_HELD will be UNKNOWN (misses_not_counted): nothing reads the probes' miss counters during the session yet (the streaming runner's job), so an unseen lock operation cannot be ruled out",
    };
  } else {
    notHeld = { can: true, reason: 'every acquire path and mutex_unlock is probed and their misses are counted' };
  }
  return { held, notHeld };
}

/** The plan for one target. `layout`: from the kernel's BTF (undefined: no BTF could be read). */
export function planProbes(
  facts: TargetFacts,
  layout: Result<KernelLayout, readonly LayoutError[]> | undefined,
  options: PlanOptions = {},
): ProbePlan {
  const warnings: string[] = [];
  const kl = layout?.ok === true ? layout.value : undefined;
  if (layout !== undefined && !layout.ok) {
    warnings.push(`BTF lacks what the programs read: ${layout.error.map((e) => `${e.what}: ${e.detail}`).join('; ')}`);
  }
  let fnMech: FunctionMechanism = 'kprobe';
  if (options.mechanism === 'fentry') {
    const fentry = facts.bpftrace?.features.fentry;
    if (fentry === 'yes') {
      fnMech = 'fentry';
      warnings.push(FENTRY_MUTEX_WARNING);
    } else {
      warnings.push(`fentry was asked for, but ${fentry === 'no' ? "this target's bpftrace says it has no fentry (kfunc) support" : 'fentry support is not known'}: kprobes are used`);
    }
  }
  let noFunctionProbes: string | undefined;
  if (facts.bpftrace === undefined) {
    noFunctionProbes = 'bpftrace is not available on this target';
  } else if (fnMech === 'kprobe' && facts.kprobes === 'no') {
    noFunctionProbes = 'this kernel has no kprobes';
  } else if (fnMech === 'kprobe' && facts.kprobes === 'unknown') {
    warnings.push('kprobe support could not be checked: attaching will tell');
  }
  const missesCounted = options.missesCounted === true;
  const missReason = missesCounted ? 'misses read by the session runner' : 'misses not counted: no probe-miss readings during the session yet';
  const c: Ctx = { facts, fnMech, noFunctionProbes, missesCounted, missReason };
  const window = chooseWindow(facts, kl, noFunctionProbes);
  const windowProbeSites = windowSites(c, window);
  const locks = lockSites(c, window);
  const tps = tracepointPlan(c, window, options.lifecycle === true, kl);
  const owner = kl?.mutexOwner;
  const ownerWord = facts.preemptRt === 'no' && owner?.kind === 'owner_word' ? { offset: owner.offset } : undefined;
  const ownerUsable = ownerWord !== undefined;
  if (kl !== undefined && facts.preemptRt !== 'no') {
    warnings.push(`PREEMPT_RT is ${facts.preemptRt === 'yes' ? 'on' : 'unknown'}: the mutex owner word is not trusted`);
  }
  const apisComplete =
    locks.unlock !== undefined &&
    locks.apis.length > 0 &&
    locks.sites.every((s) => s.status !== 'unavailable');
  const p = provability(c, window, { apisComplete, ownerUsable });
  const rules: RuleProvability[] = (options.rules ?? []).map((r) => {
    if (window.kind !== 'none' && !r.sites.includes(window.site)) {
      const no: Provable = { can: false, reason: `the plan's window ${window.site} is not one of this rule's sites` };
      return { ruleId: r.id, held: no, notHeld: no };
    }
    return { ruleId: r.id, held: p.held, notHeld: p.notHeld };
  });
  return {
    target: captureTargetFacts(facts, options.host ?? facts.target),
    mechanism: fnMech,
    window,
    lockApis: locks.apis,
    unlockSymbol: locks.unlock,
    tracepoints: tps.tps,
    probes: [...windowProbeSites, ...locks.sites, ...tps.sites],
    offsets: kl === undefined ? [] : Object.values(kl.offsets),
    layout: kl,
    ownerWord,
    rules: rules.length > 0 ? rules : [{ ruleId: '(any)', held: p.held, notHeld: p.notHeld }],
    warnings,
  };
}
