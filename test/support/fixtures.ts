/** Builders for synthetic captures: a header and events with readable defaults. */
import type { CaptureHeader, ProbeSite } from '../../main/core/capture/header.js';
import { makeHeader } from '../../main/core/capture/header.js';
import type { Addr } from '../../main/core/util/addr.js';
import type { RelNs } from '../../main/core/util/time.js';

/** A kernel address as Lockscope stores it (bias 0): 0xffff8880_0000_0000 + offset. */
export function kaddr(offset: number): Addr {
  return (-0x777800000000 + offset) as Addr;
}

export const t = (ns: number): RelNs => ns as RelNs;

export const FULL_PLAN: readonly ProbeSite[] = [
  { role: 'window_entry', target: 'io_wq_free_work', mechanism: 'kprobe', status: 'attached', reason: 'symbol present', missesCounted: true },
  { role: 'window_return', target: 'io_wq_free_work', mechanism: 'kretprobe', status: 'attached', reason: 'symbol present', missesCounted: true },
  { role: 'lock_acquire', target: 'mutex_lock', mechanism: 'kprobe', status: 'attached', reason: 'symbol present', missesCounted: true },
  { role: 'lock_acquired', target: 'mutex_lock', mechanism: 'kretprobe', status: 'attached', reason: 'symbol present', missesCounted: true },
  { role: 'lock_acquire', target: 'mutex_trylock', mechanism: 'kprobe', status: 'attached', reason: 'symbol present', missesCounted: true },
  { role: 'lock_acquired', target: 'mutex_trylock', mechanism: 'kretprobe', status: 'attached', reason: 'symbol present', missesCounted: true },
  { role: 'lock_release', target: 'mutex_unlock', mechanism: 'kprobe', status: 'attached', reason: 'symbol present', missesCounted: true },
  { role: 'lock_acquired', target: 'mutex_lock_interruptible', mechanism: 'kretprobe', status: 'attached', reason: 'symbol present', missesCounted: true },
  { role: 'lock_acquired', target: 'mutex_lock_killable', mechanism: 'kretprobe', status: 'attached', reason: 'symbol present', missesCounted: true },
  ...(['mutex_lock_nested', 'mutex_lock_interruptible_nested', 'mutex_lock_killable_nested', 'mutex_lock_io', 'mutex_lock_io_nested'] as const).map(
    (target): ProbeSite => ({ role: 'lock_acquired', target, mechanism: 'none', status: 'absent', reason: 'not in /proc/kallsyms', missesCounted: false }),
  ),
];

export function header(over: Partial<CaptureHeader> = {}): CaptureHeader {
  return {
    ...makeHeader({
      target: { host: 'lab-6.1', kernelRelease: '6.1.0-test', arch: 'x86_64', bpftraceVersion: '0.17.0', preemptRt: 'no' },
      clock: 'CLOCK_MONOTONIC',
      baseNs: 123_456_789_000_000n,
      startWallTime: '2026-11-25T00:00:00.000Z',
      addrBias: 0n,
      probes: FULL_PLAN,
      offsets: [{ member: 'io_kiocb.link', offset: 184, size: 8 }],
      grain: 'raw',
      source: 'synthetic',
      notes: [],
    }),
    ...over,
  };
}
