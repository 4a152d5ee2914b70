/**
 * Events and header facts as LS1 lines: the inverse of ls1-line.ts, exactly what Lockscope's
 * bpftrace programs print. Used to export a capture as probe output and by the tests and the
 * benchmark to produce bpftrace-shaped input. Pure.
 */
import type { CaptureEvent } from '../capture/events.js';
import type { CaptureHeader } from '../capture/header.js';
import { assertUnreachable } from '../util/assert-unreachable.js';
import type { Addr } from '../util/addr.js';
import { addrValue } from '../util/addr.js';

export function formatLs1Header(h: CaptureHeader): string[] {
  const t = h.target;
  const lines = [`LS1 target host=${t.host} release=${t.kernelRelease} arch=${t.arch} bpftrace=${t.bpftraceVersion} ${t.preemptRt === 'unknown' ? '' : ` rt=${t.preemptRt === 'yes' ? 1 : 0}`}`];
  for (const p of h.probes) {
    lines.push(`LS1 probe role=${p.role} target=${p.target} mechanism=${p.mechanism} status=${p.status} counted=${p.missesCounted ? 1 : 0} reason=${p.reason}`);
  }
  for (const o of h.offsets) {
    lines.push(`LS1 offset member=${o.member} offset=${o.offset} size=${o.size}`);
  }
  lines.push(`LS1 grain ${h.grain}`);
  return lines;
}

/** The LS1 line(s) of one event; `lost` has none (bpftrace itself reports losses). */
export function formatLs1(e: CaptureEvent, baseNs: bigint, bias: bigint): string[] {
  const a = (x: Addr): string => (x === 0 ? '0' : `0x${addrValue(x, bias).toString(16)}`);
  const stamp = (ts: number): string => `${(baseNs + BigInt(ts)).toString()} ${e.cpu} ${e.tid}`;
  const head = `LS1 ${e.kind} ${stamp(e.ts)}`;
  const snap = (s: { readonly seen: false } | { readonly seen: true; readonly link: Addr }): string => (s.seen ? ` link=${a(s.link)}` : '');
  switch (e.kind) {
    case 'window_enter':
      return [`${head} site=${e.site} task=${a(e.task)} req=${a(e.req)} ctx=${a(e.ctx)} lock=${a(e.lock)} flags=0x${e.flags.toString(16)} link=${a(e.link)} owner=${a(e.owner)}`];
    case 'window_exit':
      return [`${head} site=${e.site} req=${a(e.req)} next=${a(e.next)}`];
    case 'lock_acquire':
      return [`${head} api=${e.api} lock=${a(e.lock)}${snap(e.snapshot)}`];
    case 'lock_acquired':
      return [`${head} api=${e.api} lock=${a(e.lock)} ok=${e.ok ? 1 : 0}${snap(e.snapshot)}`];
    case 'lock_release':
      return [`${head} lock=${a(e.lock)}${snap(e.snapshot)}`];
    case 'contention_begin':
      return [`${head} lock=${a(e.lock)} flags=${e.flags}`];
    case 'contention_end':
      return [`${head} lock=${a(e.lock)} ret=${e.ret}`];
    case 'io_submit':
      return [`${head} ctx=${a(e.ctx)} req=${a(e.req)} opcode=${e.opcode} flags=0x${e.flags.toString(16)}`];
    case 'io_link':
      return [`${head} ctx=${a(e.ctx)} req=${a(e.req)} target=${a(e.target)}`];
    case 'io_queue_async':
      return [`${head} ctx=${a(e.ctx)} req=${a(e.req)} opcode=${e.opcode}`];
    case 'io_complete':
      return [`${head} ctx=${a(e.ctx)} req=${a(e.req)} res=${e.res}`];
    case 'io_fail_link':
      return [`${head} ctx=${a(e.ctx)} req=${a(e.req)} link=${a(e.link)}`];
    case 'req_free':
      return [`${head} req=${a(e.req)}`];
    case 'window_summary':
      return [
        `${head} site=${e.site} dur=${e.duration} task=${a(e.task)} req=${a(e.req)} ctx=${a(e.ctx)} lock=${a(e.lock)} flags=0x${e.flags.toString(16)} link=${a(e.link)} owner=${a(e.owner)} held=${e.heldAtEntry} next=${a(e.next)} overflow=${e.opsOverflow ? 1 : 0} nops=${e.ops.length}`,
        ...e.ops.map((op) => `LS1 window_op ${stamp(op.ts)} op=${op.op} api=${op.api} link=${a(op.link)}`),
      ];
    case 'totals':
      return [`${head} ctx=${a(e.ctx)} windows=${e.windows} walks=${e.walks} locked=${e.walksLockedInside} tails=${e.chainTails}`];
    case 'counted': {
      const abs = (t: number): string => (baseNs + BigInt(t)).toString();
      return [
        `${head} site=${e.site} ctx=${a(e.ctx)} oncpu=${e.onCpu} shape=${e.shape} windows=${e.windows} counted=${e.counted} locked=${e.lockedInside} maxdur=${e.maxDuration} since=${abs(e.since)} first=${e.counted === 0 ? '0' : abs(e.first)}`,
      ];
    }
    case 'contention_counted':
      return [`${head} ctx=${a(e.ctx)} lock=${a(e.lock)} oncpu=${e.onCpu} waits=${e.waits} counted=${e.counted} total=${e.totalWait} maxwait=${e.maxWait} unpaired=${e.unpaired}`];
    case 'probe_misses':
      return [`${head} probe=${e.probe} missed=${e.missed}`];
    case 'marker':
      return [`${head} marker=${e.marker} text=${e.text}`];
    case 'lost':
      return [];
    default:
      return assertUnreachable(e);
  }
}
