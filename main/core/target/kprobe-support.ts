/**
 * Whether the kernel offers kprobes: bpftrace attaches them through the perf "kprobe" PMU
 * (/sys/bus/event_source/devices/kprobe, since 4.17) or, failing that, tracefs' kprobe_events.
 * Neither means a kernel without CONFIG_KPROBES/CONFIG_KPROBE_EVENTS: the io-wq window and the
 * mutex paths cannot be probed and every walk would be UNKNOWN; tracepoints still work.
 * (bpftrace --info's "kprobe: yes" does not tell: it only loads a program of that type.)
 */
import type { PathStat } from './path-stat.js';
import type { PreflightCheck } from './preflight-check.js';
import { check } from './preflight-check.js';

export const KPROBE_PMU_DIR = '/sys/bus/event_source/devices/kprobe';

export function kprobeEventsFile(tracefsDir: string): string {
  return `${tracefsDir}/kprobe_events`;
}

export type KprobeSupport = 'yes' | 'no' | 'unknown';

export interface KprobeFinding {
  readonly support: KprobeSupport;
  readonly check: PreflightCheck;
}

const TITLE = 'kprobes';

/** `stats`: what `stat` found. `tracefsDir`: where tracefs is, if anywhere. `statRan`: whether stat answered at all. */
export function kprobeFinding(stats: ReadonlyMap<string, PathStat>, tracefsDir: string | undefined, statRan: boolean): KprobeFinding {
  if (!statRan) {
    return { support: 'unknown', check: check('kprobes', TITLE, 'warn', 'could not look for the kprobe PMU (stat failed); attaching will tell') };
  }
  const pmu = stats.has(KPROBE_PMU_DIR);
  const events = tracefsDir !== undefined && stats.has(kprobeEventsFile(tracefsDir));
  const ways = [...(pmu ? [`the kprobe PMU (${KPROBE_PMU_DIR})`] : []), ...(events ? [kprobeEventsFile(tracefsDir)] : [])];
  if (ways.length > 0) {
    return { support: 'yes', check: check('kprobes', TITLE, 'ok', `available through ${ways.join(' and ')}`) };
  }
  return {
    support: 'no',
    check: check(
      'kprobes',
      TITLE,
      'fail',
      `no kprobe PMU and no kprobe_events${tracefsDir === undefined ? ' (tracefs not found)' : ` in ${tracefsDir}`}: this kernel has no kprobes, so link walks and lock operations cannot be observed; only tracepoints (life cycle, contention) can be traced and every walk would be UNKNOWN`,
      'trace a kernel built with CONFIG_KPROBES=y and CONFIG_KPROBE_EVENTS=y (distribution kernels are)',
    ),
  };
}
