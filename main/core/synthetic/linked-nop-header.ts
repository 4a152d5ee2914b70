/**
 * The capture header of a synthetic linked-NOP capture: the probe plan a kprobe session on the
 * modelled kernel would have (every mutex path probed, misses counted), the kernel's BTF offsets
 * (../shared/KERNEL-NOTES.md and lab/README.md: 6.1 vs 7.2) and notes saying it is a model.
 */
import { LOCK_APIS } from '../capture/events.js';
import type { LockApi } from '../capture/events.js';
import type { CaptureHeader, ProbeRole, ProbeSite, StructOffset } from '../capture/header.js';
import { makeHeader } from '../capture/header.js';
import type { KernelFamily, LinkedNopOptions } from './linked-nop-options.js';
import { resolveOptions } from './linked-nop-options.js';

export const SYNTHETIC_SOURCE = 'synthetic:linked-nop';
/** Clock value the event times are relative to: one hour of uptime. */
export const SYNTHETIC_BASE_NS = 3_600_000_000_000n;

const SYMBOL = 'symbol present (model)';

function kprobe(role: ProbeRole, target: string): ProbeSite {
  return { role, target, mechanism: 'kprobe', status: 'attached', reason: `${SYMBOL}; kprobe nmissed counted`, missesCounted: true };
}

function kretprobe(role: ProbeRole, target: string): ProbeSite {
  return { role, target, mechanism: 'kretprobe', status: 'attached', reason: `${SYMBOL}; kretprobe nmissed counted`, missesCounted: true };
}

function tracepoint(role: ProbeRole, target: string): ProbeSite {
  return { role, target, mechanism: 'tracepoint', status: 'attached', reason: 'tracepoint present (model); statistics only', missesCounted: false };
}

/** Mutex entry points with a symbol on both modelled kernels, in plan order. */
const MUTEX_APIS: readonly LockApi[] = ['mutex_lock', 'mutex_trylock', 'mutex_lock_interruptible', 'mutex_lock_killable'];

export function submitTracepoint(kernel: KernelFamily): string {
  // 6.1 has io_uring_submit_sqe; 7.2 renamed it io_uring_submit_req.
  return kernel === 'patched' ? 'io_uring:io_uring_submit_req' : 'io_uring:io_uring_submit_sqe';
}

export function linkedNopProbes(kernel: KernelFamily, grain: 'raw' | 'summary'): ProbeSite[] {
  const probes: ProbeSite[] = [kprobe('window_entry', 'io_wq_free_work'), kretprobe('window_return', 'io_wq_free_work')];
  for (const api of MUTEX_APIS) {
    probes.push(kprobe('lock_acquire', api), kretprobe('lock_acquired', api));
  }
  const absent = (role: ProbeRole, target: LockApi): ProbeSite => ({
    role, target, mechanism: 'none', status: 'absent', reason: 'no such symbol (CONFIG_DEBUG_LOCK_ALLOC off)', missesCounted: false,
  });
  for (const api of LOCK_APIS.filter((a) => !MUTEX_APIS.includes(a))) {
    probes.push(absent('lock_acquire', api), absent('lock_acquired', api));
  }
  probes.push(kprobe('lock_release', 'mutex_unlock'));
  probes.push(kprobe('free', 'io_free_req'));
  probes.push(tracepoint('contention', 'lock:contention_begin'), tracepoint('contention', 'lock:contention_end'));
  for (const tp of [submitTracepoint(kernel), 'io_uring:io_uring_link', 'io_uring:io_uring_queue_async_work', 'io_uring:io_uring_complete', 'io_uring:io_uring_fail_link']) {
    probes.push(tracepoint('lifecycle', tp));
  }
  if (grain === 'summary') {
    probes.push({
      role: 'totals', target: 'io_wq_free_work', mechanism: 'kretprobe', status: 'attached',
      reason: 'counted in BPF maps by the window return probe (model)', missesCounted: false,
    });
  }
  return probes;
}

export function linkedNopOffsets(kernel: KernelFamily): StructOffset[] {
  const k72 = kernel === 'patched';
  return [
    { member: 'io_kiocb.work', offset: k72 ? 216 : 200, size: 16 },
    { member: 'io_kiocb.ctx', offset: k72 ? 96 : 88, size: 8 },
    { member: 'io_kiocb.flags', offset: k72 ? 72 : 68, size: k72 ? 8 : 4 },
    { member: 'io_kiocb.link', offset: k72 ? 200 : 184, size: 8 },
    { member: 'io_ring_ctx.uring_lock', offset: 64, size: 32 },
    { member: 'mutex.owner', offset: 0, size: 8 },
  ];
}

export function linkedNopHeader(o: LinkedNopOptions, host: string): CaptureHeader {
  const r = resolveOptions(o);
  const family = r.kernel === 'patched'
    ? '7.2 shape (7.1+): io_wq_free_work takes ctx->uring_lock around io_req_find_next'
    : '6.1 shape (before 6.1.191): io_wq_free_work walks the link without ctx->uring_lock';
  return makeHeader({
    target: {
      host,
      kernelRelease: r.kernel === 'patched' ? '7.2.0-synthetic' : '6.1.0-synthetic',
      arch: 'x86_64',
      bpftraceVersion: '0.17.0',
      preemptRt: 'no',
    },
    clock: 'CLOCK_MONOTONIC',
    baseNs: SYNTHETIC_BASE_NS,
    startWallTime: '2026-06-01T00:00:00.000Z',
    addrBias: 0n,
    probes: linkedNopProbes(r.kernel, r.grain),
    offsets: linkedNopOffsets(r.kernel),
    grain: r.grain,
    source: SYNTHETIC_SOURCE,
    notes: [
      'A deterministic model of the linked-NOP workload (chains of IOSQE_IO_LINK|IOSQE_ASYNC NOPs), not a real trace: ' +
        'every event was synthesized by Lockscope, no kernel was traced.',
      `Modelled kernel: ${family}.`,
      `Model parameters: ${r.chains} chains of ${r.chainLength}, ${r.rings} rings, ${r.workers} io-wq workers, ${r.cpus} CPUs, ` +
        `seed ${r.seed}, miss readings every ${r.missEveryNs} ns, ${r.injectMisses} injected misses, ${r.injectLoss} injected losses, ` +
        `contention rate ${r.contentionRate}.`,
    ],
  });
}

/** Index of the attached probe with this role and target in `probes`, or -1. */
export function probeIndex(probes: readonly ProbeSite[], role: ProbeRole, target: string): number {
  return probes.findIndex((p) => p.role === role && p.target === target && p.status === 'attached');
}

/** Where the probes the model emits sit in the plan. */
export interface LinkedNopProbeIndices {
  readonly entry: number;
  readonly exit: number;
  readonly acquire: number;
  readonly acquired: number;
  readonly release: number;
  readonly free: number;
  /** Every probe whose misses are counted (readings are emitted for each). */
  readonly counted: readonly number[];
  /** Counted probes the proof depends on (where injected misses land). */
  readonly proof: readonly number[];
}

const PROOF_ROLES: ReadonlySet<ProbeRole> = new Set<ProbeRole>(['window_entry', 'window_return', 'lock_acquire', 'lock_acquired', 'lock_release']);

export function linkedNopProbeIndices(probes: readonly ProbeSite[]): LinkedNopProbeIndices {
  const counted = probes.flatMap((p, i) => (p.missesCounted && p.status === 'attached' ? [i] : []));
  return {
    entry: probeIndex(probes, 'window_entry', 'io_wq_free_work'),
    exit: probeIndex(probes, 'window_return', 'io_wq_free_work'),
    acquire: probeIndex(probes, 'lock_acquire', 'mutex_lock'),
    acquired: probeIndex(probes, 'lock_acquired', 'mutex_lock'),
    release: probeIndex(probes, 'lock_release', 'mutex_unlock'),
    free: probeIndex(probes, 'free', 'io_free_req'),
    counted,
    proof: counted.filter((i) => {
      const role = probes[i]?.role;
      return role !== undefined && PROOF_ROLES.has(role);
    }),
  };
}
