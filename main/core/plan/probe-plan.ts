/**
 * A probe plan: what Lockscope will attach on one target, how, and what that lets it prove. Made
 * by `planProbes` (plan-probes.ts) from preflight's facts and the kernel's BTF layout; read by the
 * bpftrace generator (../bpf/) and written into the capture header (`probes`, `offsets`).
 */
import type { LockApi, WalkSite } from '../capture/events.js';
import type { ProbeSite, StructOffset, TargetFacts as CaptureTargetFacts } from '../capture/header.js';
import type { KernelLayout } from './kernel-layout.js';

/**
 * The window whose entry and return bound a walk, and where the next request comes from.
 * - returns_next_work: `io_wq_free_work` returns the next work (7.x; 6.1 before 6.1.191);
 * - linked_out: `bool io_wq_put_work(work, **linked)`: the next work is read through the saved
 *   `linked` pointer at return (6.1.191+);
 * - returns_next_req: an out-of-line `io_req_find_next(req)` returns the next request itself;
 * - none: no window can be observed on this target; `reason` says why.
 */
export type WindowChoice =
  | { readonly kind: 'returns_next_work'; readonly site: 'io_wq_free_work'; readonly symbol: string; readonly prototype: string }
  | { readonly kind: 'linked_out'; readonly site: 'io_wq_put_work'; readonly symbol: string; readonly prototype: string }
  | { readonly kind: 'returns_next_req'; readonly site: 'io_req_find_next'; readonly symbol: string; readonly prototype: string }
  | { readonly kind: 'none'; readonly reason: string };

/** The mechanism of the function probes: kprobe/kretprobe, or fentry/fexit (BPF trampolines). */
export type FunctionMechanism = 'kprobe' | 'fentry';

/** One mutex entry point the plan attaches, with the kallsyms name it attaches to. */
export interface LockProbe {
  readonly api: LockApi;
  readonly symbol: string;
  /** How success is read at return: void (always), returns 1 on success (trylock), 0 on success (interruptible, killable). */
  readonly success: 'always' | 'ret_one' | 'ret_zero';
}

/** Tracepoints the plan attaches, by what they show (undefined: not attached). */
export interface PlannedTracepoints {
  readonly submit: 'io_uring:io_uring_submit_req' | 'io_uring:io_uring_submit_sqe' | undefined;
  readonly link: boolean;
  readonly queueAsync: boolean;
  readonly complete: boolean;
  readonly failLink: boolean;
  readonly contention: boolean;
}

/** Whether a verdict can be reached on this target, and why (or why not). */
export type Provable = { readonly can: true; readonly reason: string } | { readonly can: false; readonly reason: string };

export interface RuleProvability {
  readonly ruleId: string;
  readonly held: Provable;
  readonly notHeld: Provable;
}

export interface ProbePlan {
  readonly target: CaptureTargetFacts;
  readonly mechanism: FunctionMechanism;
  readonly window: WindowChoice;
  /** Mutex acquire entry points attached (each at entry and at return). */
  readonly lockApis: readonly LockProbe[];
  /** The kallsyms name of mutex_unlock, when attached. */
  readonly unlockSymbol: string | undefined;
  readonly tracepoints: PlannedTracepoints;
  /** Every site considered, for the capture header: attached, absent, or unavailable with why. */
  readonly probes: readonly ProbeSite[];
  /** BTF offsets the programs use (empty without BTF). */
  readonly offsets: readonly StructOffset[];
  readonly layout: KernelLayout | undefined;
  /** Where the mutex owner word is, when the common mutex layout is known (not on PREEMPT_RT). */
  readonly ownerWord: { readonly offset: number } | undefined;
  readonly rules: readonly RuleProvability[];
  /** Things the user should know before trusting a session (fentry misses, unknown kprobes, …). */
  readonly warnings: readonly string[];
}

export function walkSiteOf(w: WindowChoice): WalkSite | undefined {
  return w.kind === 'none' ? undefined : w.site;
}
