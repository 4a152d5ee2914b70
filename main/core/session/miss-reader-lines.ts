/**
 * The probe-miss reader's output (bpf/workload/lsmiss.c, run on the target beside bpftrace) and
 * what it proves. Pure.
 *
 * Lines:
 *   LSM sources progs=N links=N kprobe_multi=N kprobe_multi_missed=N perf_events=N perf_kprobes=N witnesses=N
 *   LSM reading <CLOCK_MONOTONIC ns> <total misses>
 *   LSM unsettled <CLOCK_MONOTONIC ns>
 *   LSM error <text>
 * A reading is exact: the reader read every counter, took the time, and read them all again,
 * and printed it only when both reads agreed. Its total sums every counter the reader found
 * (programs' recursion_misses, kprobe_multi links' missed, witness kprobes' nmissed), so one miss
 * anywhere marks every counted probe: coarser than per probe, never less safe.
 */
import type { ProbeSite } from '../capture/header.js';

export interface MissSources {
  readonly progs: number;
  readonly links: number;
  readonly kprobeMulti: number;
  readonly kprobeMultiMissed: number;
  readonly perfEvents: number;
  readonly perfKprobes: number;
  readonly witnesses: number;
  /** perf-event kprobe links whose fdinfo shows a missed: count (newer kernels). */
  readonly perfLinksMissed: number;
}

export type MissReaderLine =
  | { readonly kind: 'sources'; readonly sources: MissSources }
  | { readonly kind: 'reading'; readonly ns: bigint; readonly total: number }
  | { readonly kind: 'unsettled'; readonly ns: bigint }
  | { readonly kind: 'error'; readonly text: string }
  | { readonly kind: 'bad'; readonly line: string };

const SOURCE_KEYS = ['progs', 'links', 'kprobe_multi', 'kprobe_multi_missed', 'perf_events', 'perf_kprobes', 'witnesses'] as const;

/** Whether a line is the miss reader's (it shares standard error with bpftrace's messages). */
export function isMissReaderLine(line: string): boolean {
  return line.startsWith('LSM ');
}

export function parseMissReaderLine(line: string): MissReaderLine {
  const parts = line.trim().split(/\s+/);
  const bad: MissReaderLine = { kind: 'bad', line };
  switch (parts[1]) {
    case 'reading': {
      if (parts.length !== 4 || !/^[0-9]{1,20}$/.test(parts[2] ?? '') || !/^[0-9]{1,15}$/.test(parts[3] ?? '')) {
        return bad;
      }
      return { kind: 'reading', ns: BigInt(parts[2] ?? '0'), total: Number(parts[3]) };
    }
    case 'unsettled':
      return parts.length === 3 && /^[0-9]{1,20}$/.test(parts[2] ?? '') ? { kind: 'unsettled', ns: BigInt(parts[2] ?? '0') } : bad;
    case 'error':
      return { kind: 'error', text: line.replace(/^LSM error\s*/, '') };
    case 'sources': {
      const values = new Map<string, number>();
      for (const p of parts.slice(2)) {
        const m = /^([a-z_]+)=([0-9]{1,9})$/.exec(p);
        if (m === null) {
          return bad;
        }
        values.set(m[1] ?? '', Number(m[2]));
      }
      const get = (k: (typeof SOURCE_KEYS)[number]): number | undefined => values.get(k);
      const v = SOURCE_KEYS.map(get);
      if (v.some((x) => x === undefined)) {
        return bad;
      }
      return {
        kind: 'sources',
        sources: {
          progs: get('progs') ?? 0,
          links: get('links') ?? 0,
          kprobeMulti: get('kprobe_multi') ?? 0,
          kprobeMultiMissed: get('kprobe_multi_missed') ?? 0,
          perfEvents: get('perf_events') ?? 0,
          perfKprobes: get('perf_kprobes') ?? 0,
          witnesses: get('witnesses') ?? 0,
          perfLinksMissed: values.get('perf_links_missed') ?? 0,
        },
      };
    }
    default:
      return bad;
  }
}

/** A witness kprobe the reader creates beside each kprobe site: `p:SYMBOL` or `r:SYMBOL`. */
export function witnessArgs(sites: readonly ProbeSite[]): string[] {
  const out = new Set<string>();
  for (const s of sites) {
    if (s.status !== 'attached') {
      continue;
    }
    if (s.mechanism === 'kprobe') {
      out.add(`p:${s.target}`);
    } else if (s.mechanism === 'kretprobe') {
      out.add(`r:${s.target}`);
    }
  }
  return [...out].sort();
}

export type MissCoverage =
  | { readonly kind: 'complete' }
  /** Not every planned probe is attached yet: readings now say nothing about them. */
  | { readonly kind: 'attaching'; readonly detail: string }
  | { readonly kind: 'incomplete'; readonly reason: string };

/**
 * Whether the counters the reader found cover every counted function probe of the plan.
 * - perf-event kprobes (bpftrace 0.17 and bcc-style attachment) have no readable miss count of
 *   their own: a disabled witness kprobe at the same address shares it (the kernel counts a miss
 *   on every kprobe of an aggregate), so every kprobe site needs its witness.
 * - kprobe_multi links count misses when their fdinfo has a `missed:` line (Linux 6.9+); so do
 *   perf-event kprobe links on kernels that print one.
 * - fentry/fexit programs count their recursion misses in recursion_misses.
 */
export function missCoverage(sites: readonly ProbeSite[], s: MissSources, witnessesPlanned: number): MissCoverage {
  const counted = sites.filter((p) => p.status === 'attached' && p.missesCounted);
  const kprobes = counted.filter((p) => p.mechanism === 'kprobe' || p.mechanism === 'kretprobe').length;
  const trampolines = counted.filter((p) => p.mechanism === 'fentry' || p.mechanism === 'fexit').length;
  if (kprobes > 0) {
    if (s.kprobeMulti > s.kprobeMultiMissed) {
      return { kind: 'incomplete', reason: `${s.kprobeMulti - s.kprobeMultiMissed} of ${s.kprobeMulti} kprobe_multi links show no missed count (the kernel predates it): misses of those probes cannot be read` };
    }
    if (s.perfKprobes > s.perfLinksMissed && s.witnesses < witnessesPlanned) {
      return { kind: 'incomplete', reason: `perf-event kprobes need a witness kprobe at each site to count their misses; ${s.witnesses} of ${witnessesPlanned} exist` };
    }
    // One kprobe_multi link may carry several probes (bpftrace 0.2x joins a function's entry and
    // return), so links are not counted against sites: any attached means bpftrace has attached.
    if (s.kprobeMulti + s.perfKprobes === 0) {
      return { kind: 'attaching', detail: 'no kprobe attached yet' };
    }
  }
  if (trampolines > 0 && s.progs < trampolines) {
    return { kind: 'attaching', detail: `${s.progs} programs loaded, ${trampolines} fentry/fexit probes planned` };
  }
  return { kind: 'complete' };
}
