/**
 * Scenario builder for analysis tests: write what a task did, in time order, and get the
 * capture events the probes would have produced.
 */
import type { CaptureEvent, LockApi, WalkSite } from '../../main/core/capture/events.js';
import type { CaptureHeader } from '../../main/core/capture/header.js';
import { Analyzer } from '../../main/core/analysis/analyzer.js';
import type { AnalysisSummary } from '../../main/core/analysis/analysis-summary.js';
import type { WalkRecord } from '../../main/core/analysis/verdict.js';
import { DEFAULT_RULES_JSON } from '../../main/core/rules/default-rules.js';
import { parseRules } from '../../main/core/rules/rule.js';
import type { Rule } from '../../main/core/rules/rule.js';
import type { Addr } from '../../main/core/util/addr.js';
import type { DurationNs } from '../../main/core/util/time.js';
import { FULL_PLAN, header, kaddr, t } from './fixtures.js';

export const CTX = kaddr(0x100000);
export const LOCK = kaddr(0x100040);
export const CTX2 = kaddr(0x200000);
export const LOCK2 = kaddr(0x200040);
export const TASK = kaddr(0x900000);
export const OTHER_TASK = kaddr(0x910000);
export const req = (n: number): Addr => kaddr(0x400000 + n * 0x100);

export function defaultRules(): readonly Rule[] {
  const r = parseRules(DEFAULT_RULES_JSON);
  if (!r.ok) {
    throw new Error(r.error.message);
  }
  return r.value;
}

export interface WindowSpec {
  readonly at: number;
  readonly tid?: number;
  readonly cpu?: number;
  readonly site?: WalkSite;
  readonly req: Addr;
  readonly link: Addr;
  readonly next: Addr;
  readonly ctx?: Addr;
  readonly lock?: Addr;
  readonly owner?: Addr;
  readonly task?: Addr;
  /** Lock ops inside the window: [offset ns, op, link snapshot]. */
  readonly ops?: readonly (readonly [number, 'acquire' | 'acquired' | 'release' | 'acquire_failed', Addr | undefined])[];
  readonly duration?: number;
  readonly opLock?: Addr;
  readonly api?: LockApi;
}

/** Raw events of one window. */
export function rawWindow(s: WindowSpec): CaptureEvent[] {
  const tid = s.tid ?? 100;
  const cpu = s.cpu ?? 0;
  const site = s.site ?? 'io_wq_free_work';
  const lock = s.lock ?? LOCK;
  const out: CaptureEvent[] = [
    {
      kind: 'window_enter', ts: t(s.at), cpu, tid, site, task: s.task ?? TASK, req: s.req, ctx: s.ctx ?? CTX, lock,
      flags: 4, link: s.link, owner: s.owner ?? (0 as Addr),
    },
  ];
  const api = s.api ?? 'mutex_lock';
  for (const [dt, op, link] of s.ops ?? []) {
    const snapshot = link === undefined ? ({ seen: false } as const) : ({ seen: true, link } as const);
    const ts = t(s.at + dt);
    const opLock = s.opLock ?? lock;
    switch (op) {
      case 'acquire':
        out.push({ kind: 'lock_acquire', ts, cpu, tid, api, lock: opLock, snapshot });
        break;
      case 'acquired':
      case 'acquire_failed':
        out.push({ kind: 'lock_acquired', ts, cpu, tid, api, lock: opLock, ok: op === 'acquired', snapshot });
        break;
      case 'release':
        out.push({ kind: 'lock_release', ts, cpu, tid, lock: opLock, snapshot });
        break;
    }
  }
  out.push({ kind: 'window_exit', ts: t(s.at + (s.duration ?? 1000)), cpu, tid, site, req: s.req, next: s.next });
  return out;
}

/** The same window as a kernel summary record. */
export function summaryWindow(s: WindowSpec & { readonly held?: 'held' | 'not_held' | 'unknown'; readonly overflow?: boolean }): CaptureEvent {
  return {
    kind: 'window_summary', ts: t(s.at), cpu: s.cpu ?? 0, tid: s.tid ?? 100, site: s.site ?? 'io_wq_free_work',
    duration: (s.duration ?? 1000) as DurationNs, task: s.task ?? TASK, req: s.req, ctx: s.ctx ?? CTX, lock: s.lock ?? LOCK, flags: 4,
    link: s.link, owner: s.owner ?? (0 as Addr), heldAtEntry: s.held ?? 'unknown', next: s.next,
    ops: (s.ops ?? []).map(([dt, op, link]) => ({ op, api: s.api ?? 'mutex_lock', ts: t(s.at + dt), link: link ?? (0 as Addr) })),
    opsOverflow: s.overflow ?? false,
  };
}

/** Miss readings of every counted probe in the full plan at time `at`, all with `missed`. */
export function missReadings(at: number, missed = 0, onlyProbe?: number): CaptureEvent[] {
  return FULL_PLAN.map((_, probe) => probe)
    .filter((p) => onlyProbe === undefined || p === onlyProbe)
    .map((probe) => ({ kind: 'probe_misses' as const, ts: t(at), cpu: -1, tid: 0, probe, missed: onlyProbe === probe ? missed : 0 }));
}

export interface Analysis {
  readonly walks: readonly WalkRecord[];
  readonly summary: AnalysisSummary;
}

/** How `analyze` feeds the analyzer: evidence or not, and events in batches of these sizes (cycled) or all at once. */
export interface FeedOptions {
  readonly evidence?: boolean;
  readonly batchSizes?: readonly number[];
}

export function analyze(
  events: readonly CaptureEvent[],
  h: CaptureHeader = header(),
  horizonNs = 1_000_000,
  withdrawable?: number,
  feed: FeedOptions = {},
): Analysis {
  const walks: WalkRecord[] = [];
  const options = { rules: defaultRules(), reorderHorizonNs: horizonNs, evidence: feed.evidence ?? true, ...(withdrawable === undefined ? {} : { withdrawable }) };
  const a = new Analyzer(h, options, (w) => {
    // A record with an index already seen replaces it (a withdrawn verdict).
    const at = walks.findIndex((x) => x.index === w.index && x.rule === w.rule);
    if (at >= 0) {
      walks[at] = w;
    } else {
      walks.push(w);
    }
  });
  const sizes = feed.batchSizes ?? [];
  if (sizes.length === 0) {
    a.push(events);
  } else {
    for (let from = 0, k = 0; from < events.length; k++) {
      const n = Math.max(1, sizes[k % sizes.length] ?? 1);
      a.push(events.slice(from, from + n));
      from += n;
    }
  }
  a.finish();
  return { walks, summary: a.tally.summary() };
}

/** The verdict of each walk, as "HELD", "NOT_HELD" or "UNKNOWN:<reason>". */
export function verdicts(a: Analysis): string[] {
  return a.walks.map((w) => (w.verdict.verdict === 'UNKNOWN' ? `UNKNOWN:${w.verdict.reason}` : w.verdict.verdict));
}
