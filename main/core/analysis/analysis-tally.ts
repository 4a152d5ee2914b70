/** Counts what the analyzer saw and builds the AnalysisSummary at the end. */
import type { ContentionCountedEvent, CountedEvent, MarkerEvent, TotalsEvent } from '../capture/events.js';
import type { CountedContentionTotals } from './counted-contention.js';
import { countedContention } from './counted-contention.js';
import type { CountedWalkClass } from './counted-walks.js';
import { COUNTED_CLASS_TEXT, countedTotals } from './counted-walks.js';
import type { RelNs } from '../util/time.js';
import type { CaptureHeader } from '../capture/header.js';
import { formatAddr } from '../util/addr.js';
import type { Addr } from '../util/addr.js';
import type { Rule } from '../rules/rule.js';
import type { SummaryStats } from '../stats/summary-stats.js';
import { EMPTY_SUMMARY, summarize } from '../stats/summary-stats.js';
import type { AnalysisSummary, CountedVerdict, Outcome, RingSummary, RuleSummary, SeriesColumns, TaskSummary, VerdictCounts } from './analysis-summary.js';
import type { DecimatingTimeSeries } from '../stats/time-series.js';
import type { ObservedWindow } from './observed-window.js';
import type { PlanCoverage } from './plan-coverage.js';
import type { TimingMetric, TimingStats } from './timing-stats.js';
import { TIMING_METRICS } from './timing-stats.js';
import type { UnknownReason, Verdict, VerdictName, WalkRecord } from './verdict.js';

const MAX_EXAMPLES = 20;
const MAX_MARKERS = 1000;
const MAX_TASK_STATS = 64;

type MutableCounts = { -readonly [V in VerdictName]: number };

function counts(): MutableCounts {
  return { HELD: 0, NOT_HELD: 0, UNKNOWN: 0 };
}

interface RuleTally {
  walks: number;
  readonly verdicts: MutableCounts;
  readonly reasons: Partial<Record<UnknownReason, number>>;
  readonly examples: { readonly [V in VerdictName]: number[] };
  /** Walks the kernel only counted (included in the numbers above), by class. */
  readonly counted: Map<CountedWalkClass, { walks: number; spans: number; verdict: Verdict }[]>;
}

interface RingTally {
  readonly lock: Addr;
  windows: number;
  walks: number;
  readonly verdicts: MutableCounts;
  totals: TotalsEvent | undefined;
}

export class AnalysisTally {
  events = 0;
  firstTs: number | undefined;
  lastTs = 0;
  windows = 0;
  chainTails = 0;
  walkWindows = 0;
  exitsWithoutEntry = 0;
  lostNotices = 0;
  lostEvents = 0;
  lateEvents = 0;
  maxLateness = 0;
  orderViolations = 0;
  /** Verdicts withdrawn by late events after they were given. */
  withdrawn = 0;
  private readonly missed = new Map<number, { first: number; last: number }>();
  private readonly rules = new Map<string, RuleTally>();
  private readonly rings = new Map<Addr, RingTally>();
  private readonly tasks = new Map<number, { walks: number; verdicts: MutableCounts }>();
  private readonly markers: { ts: number; marker: MarkerEvent['marker']; text: string }[] = [];
  private timing: TimingStats | undefined;
  private readonly totalsByRing = new Map<Addr, TotalsEvent>();
  private readonly countedList: CountedEvent[] = [];
  private readonly contentionList: ContentionCountedEvent[] = [];
  /** The latest recorded walks' ring, CPU and return (a ring buffer): which came after the last reading. */
  private readonly recentWalks: { ctx: Addr; cpu: number; end: number }[] = [];
  private recentAt = 0;
  private walksAfterLastReading = 0;
  /** Walks and chain tails the kernel only counted (from the latest counted event of each ring). */
  countedWalkCount = 0;
  countedTails = 0;

  constructor(
    private readonly header: CaptureHeader,
    private readonly ruleList: readonly Rule[],
    private readonly coverage: PlanCoverage,
  ) {
    for (const r of ruleList) {
      this.rules.set(r.id, { walks: 0, verdicts: counts(), reasons: {}, examples: { HELD: [], NOT_HELD: [], UNKNOWN: [] }, counted: new Map() });
    }
  }

  private ring(ctx: Addr, lock: Addr): RingTally {
    let r = this.rings.get(ctx);
    if (r === undefined) {
      r = { lock, windows: 0, walks: 0, verdicts: counts(), totals: undefined };
      this.rings.set(ctx, r);
    }
    return r;
  }

  /** A closed window: a walk, a chain tail, or (only its NULL return seen) neither for sure. */
  window(w: ObservedWindow, kind: 'walk' | 'tail' | 'undetermined'): void {
    this.windows++;
    if (kind === 'tail') {
      this.chainTails++;
    } else if (kind === 'walk') {
      this.walkWindows++;
      if (w.end !== undefined) {
        const x = { ctx: w.ctx, cpu: w.cpu, end: w.end };
        if (this.recentWalks.length < RECENT_WALKS) {
          this.recentWalks.push(x);
        } else {
          this.recentWalks[this.recentAt] = x;
          this.recentAt = (this.recentAt + 1) % RECENT_WALKS;
        }
      }
    }
    if (w.start !== undefined && w.ctx !== 0) {
      const r = this.ring(w.ctx, w.lock);
      r.windows++;
      if (kind === 'walk') {
        r.walks++;
      }
    }
  }

  walk(rec: WalkRecord): void {
    const rt = this.rules.get(rec.rule);
    if (rt === undefined) {
      throw new Error(`walk for unknown rule ${rec.rule}`);
    }
    rt.walks++;
    if (rec.rule === this.ruleList[0]?.id) {
      let t = this.tasks.get(rec.tid);
      if (t === undefined) {
        t = { walks: 0, verdicts: counts() };
        this.tasks.set(rec.tid, t);
      }
      t.walks++;
    }
    this.count(rec, 1);
    const v = rec.verdict.verdict;
    if (rt.examples[v].length < MAX_EXAMPLES) {
      rt.examples[v].push(rec.index);
    }
  }

  /** Adds (or, with -1, takes back) a record's verdict in the rule, ring and task counts. */
  private count(rec: WalkRecord, by: 1 | -1): void {
    const rt = this.rules.get(rec.rule);
    if (rt === undefined) {
      throw new Error(`walk for unknown rule ${rec.rule}`);
    }
    const v = rec.verdict.verdict;
    rt.verdicts[v] += by;
    if (rec.verdict.verdict === 'UNKNOWN') {
      const reason = rec.verdict.reason;
      rt.reasons[reason] = (rt.reasons[reason] ?? 0) + by;
    }
    // Rings and tasks count the first rule's verdicts.
    if (rec.rule === this.ruleList[0]?.id) {
      if (rec.ctx !== 0) {
        this.ring(rec.ctx, rec.lock).verdicts[v] += by;
      }
      const t = this.tasks.get(rec.tid);
      if (t !== undefined) {
        t.verdicts[v] += by;
      }
    }
  }

  /** A verdict withdrawn after it was counted (a late event): move it. */
  replace(old: WalkRecord, next: WalkRecord): void {
    this.count(old, -1);
    this.count(next, 1);
    const rt = this.rules.get(old.rule);
    if (rt !== undefined) {
      const list = rt.examples[old.verdict.verdict];
      const at = list.indexOf(old.index);
      if (at >= 0) {
        list.splice(at, 1);
      }
      const to = rt.examples[next.verdict.verdict];
      if (to.length < MAX_EXAMPLES) {
        to.push(next.index);
      }
    }
    this.withdrawn++;
  }

  totals(e: TotalsEvent): void {
    const prev = this.totalsByRing.get(e.ctx);
    // Cumulative counters: keep the latest reading.
    if (prev === undefined || e.ts >= prev.ts) {
      this.totalsByRing.set(e.ctx, e);
    }
  }

  counted(e: CountedEvent): void {
    this.countedList.push(e);
  }

  contentionCounted(e: ContentionCountedEvent): void {
    this.contentionList.push(e);
  }

  /** The kernel's exact contention figures so far (undefined: the capture has none). */
  countedContention(): CountedContentionTotals | undefined {
    return countedContention(this.contentionList);
  }

  /** Every counted event, in the order they came. */
  countedEvents(): readonly CountedEvent[] {
    return this.countedList;
  }

  /** `n` walks the kernel counted in class `cls` on ring `ctx`, judged `verdict` under rule `ruleId`. */
  countedWalks(ruleId: string, ctx: Addr, cls: CountedWalkClass, n: number, verdict: Verdict): void {
    const rt = this.rules.get(ruleId);
    if (rt === undefined) {
      throw new Error(`counted walks for unknown rule ${ruleId}`);
    }
    rt.walks += n;
    rt.verdicts[verdict.verdict] += n;
    if (verdict.verdict === 'UNKNOWN') {
      rt.reasons[verdict.reason] = (rt.reasons[verdict.reason] ?? 0) + n;
    }
    const list = rt.counted.get(cls) ?? [];
    const same = list.find((c) => sameVerdict(c.verdict, verdict));
    if (same === undefined) {
      list.push({ walks: n, spans: 1, verdict });
    } else {
      same.walks += n;
      same.spans++;
    }
    rt.counted.set(cls, list);
    if (ruleId === this.ruleList[0]?.id) {
      this.countedWalkCount += n;
      const r = this.ring(ctx, 0 as Addr);
      r.walks += n;
      r.windows += n;
      r.verdicts[verdict.verdict] += n;
    }
  }

  missReading(probe: number, missed: number): void {
    const m = this.missed.get(probe);
    if (m === undefined) {
      this.missed.set(probe, { first: missed, last: missed });
    } else {
      m.last = Math.max(m.last, missed);
    }
  }

  marker(e: MarkerEvent): void {
    if (this.markers.length < MAX_MARKERS) {
      this.markers.push({ ts: e.ts, marker: e.marker, text: e.text });
    }
  }

  finish(timing: TimingStats): void {
    this.timing = timing;
    // The kernel's totals of a capture with counted lines come from them (its windows of every
    // shape, recorded or not); the counted tails are windows no record stands for.
    this.walksAfterLastReading = afterLastReading(this.recentWalks, this.countedList);
    for (const t of countedTotals(this.countedList)) {
      this.countedTails += t.countedTails;
      const r = this.ring(t.ctx, 0 as Addr);
      r.windows += t.countedTails;
      if (!this.totalsByRing.has(t.ctx)) {
        this.totalsByRing.set(t.ctx, {
          kind: 'totals', ts: 0 as RelNs, cpu: -1, tid: 0, ctx: t.ctx, windows: t.windows, walks: t.walks, walksLockedInside: t.walksLockedInside, chainTails: t.chainTails,
        });
      }
    }
  }

  summary(): AnalysisSummary {
    const fmt = (a: Addr): string => formatAddr(a, this.header.addrBias);
    const rules: RuleSummary[] = this.ruleList.map((r) => {
      const t: RuleTally = this.rules.get(r.id) ?? { walks: 0, verdicts: counts(), reasons: {}, examples: { HELD: [], NOT_HELD: [], UNKNOWN: [] }, counted: new Map() };
      const outcome = outcomeOf(t.verdicts);
      const counted = [...t.counted.entries()].flatMap(([cls, list]) =>
        list.map((c): CountedVerdict => {
          const base = { class: cls, shape: COUNTED_CLASS_TEXT[cls], walks: c.walks };
          const v = c.verdict;
          const more = c.spans > 1 ? ` (the first of ${c.spans} spans of counting with this reason)` : '';
          return v.verdict === 'UNKNOWN' ? { ...base, verdict: v.verdict, reason: v.reason, detail: `${v.detail}${more}` } : { ...base, verdict: v.verdict, proof: v.proof };
        }),
      );
      return {
        id: r.id, title: r.title, source: r.source, walks: t.walks, verdicts: { ...t.verdicts }, unknownReasons: { ...t.reasons }, counted,
        examples: { HELD: [...t.examples.HELD], NOT_HELD: [...t.examples.NOT_HELD], UNKNOWN: [...t.examples.UNKNOWN] },
        conclusion: conclusion(r, t.walks, t.verdicts, this.orderViolations),
        outcome: this.orderViolations > 0 ? 'unproven' : outcome,
      };
    });
    for (const [ctx, tot] of this.totalsByRing) {
      this.ring(ctx, 0 as Addr).totals = tot;
    }
    const rings: RingSummary[] = [...this.rings.entries()].map(([ctx, r]) => ({
      ctx: fmt(ctx), lock: fmt(r.lock), windows: r.windows, walks: r.walks, verdicts: { ...r.verdicts },
      kernelTotals: r.totals === undefined ? undefined : {
        windows: r.totals.windows, walks: r.totals.walks, walksLockedInside: r.totals.walksLockedInside, chainTails: r.totals.chainTails,
      },
    }));
    const tasks: TaskSummary[] = [...this.tasks.entries()].sort((a, b) => a[0] - b[0]).map(([tid, t]) => ({ tid, walks: t.walks, verdicts: { ...t.verdicts } }));
    const kernelWalks = this.totalsByRing.size === 0 ? undefined : [...this.totalsByRing.values()].reduce((n, t) => n + t.walks, 0);
    const kernelLocked = this.totalsByRing.size === 0 ? undefined : [...this.totalsByRing.values()].reduce((n, t) => n + t.walksLockedInside, 0);
    const timing = {} as Record<TimingMetric, { all: SummaryStats; byRing: Record<string, SummaryStats>; byTask: Record<string, SummaryStats> }>;
    for (const m of TIMING_METRICS) {
      const g = this.timing?.byMetric[m];
      const byRing: Record<string, SummaryStats> = {};
      const byTask: Record<string, SummaryStats> = {};
      let all: SummaryStats = EMPTY_SUMMARY;
      if (g !== undefined) {
        const tasks: [string, SummaryStats][] = [];
        for (const [key, h] of g.entries()) {
          if (key === 'all') {
            all = summarize(h);
          } else if (key.startsWith('ring:')) {
            byRing[key.slice(5)] = summarize(h);
          } else if (key.startsWith('task:')) {
            tasks.push([key.slice(5), summarize(h)]);
          }
        }
        for (const [tid, s] of tasks.sort((a, b) => b[1].count - a[1].count).slice(0, MAX_TASK_STATS)) {
          byTask[tid] = s;
        }
      }
      timing[m] = { all, byRing, byTask };
    }
    return {
      target: {
        host: this.header.target.host, kernelRelease: this.header.target.kernelRelease, arch: this.header.target.arch,
        bpftraceVersion: this.header.target.bpftraceVersion,
      },
      grain: this.header.grain,
      source: this.header.source,
      events: this.events,
      spanNs: this.firstTs === undefined ? 0 : Math.max(0, this.lastTs - this.firstTs),
      windows: {
        total: this.windows + this.countedWalkCount + this.countedTails, chainTails: this.chainTails + this.countedTails, walks: this.walkWindows,
        exitsWithoutEntry: this.exitsWithoutEntry, countedWalks: this.countedWalkCount, countedTails: this.countedTails,
      },
      coverage: this.coverage.complete
        ? { complete: true, detail: `every lock path probed; misses counted on ${this.coverage.countedProbes.length} probes` }
        : { complete: false, detail: this.coverage.detail },
      rules,
      rings,
      tasks,
      losses: {
        lostNotices: this.lostNotices, lostEvents: this.lostEvents, lateEvents: this.lateEvents, maxLatenessNs: this.maxLateness,
        orderViolations: this.orderViolations,
        withdrawn: this.withdrawn,
        badDurations: this.timing?.badDurations ?? 0,
        probeMisses: [...this.missed.entries()].map(([i, m]) => {
          const p = this.header.probes[i];
          return { probe: p === undefined ? `#${i}` : `${p.mechanism}:${p.target}`, missed: m.last - m.first };
        }),
      },
      reconciliation: reconcile(kernelWalks, this.walkWindows, this.countedWalkCount, kernelLocked, this.walksAfterLastReading),
      timing,
      ...contentionSummary(this.countedContention(), fmt),
      series: {
        lockHold: seriesColumns(this.timing?.holdSeries),
        windowDuration: seriesColumns(this.timing?.windowSeries),
      },
      markers: [...this.markers],
    };
  }
}

function outcomeOf(v: VerdictCounts): Outcome {
  if (v.NOT_HELD > 0) {
    return 'violation';
  }
  if (v.HELD > 0 && v.UNKNOWN === 0) {
    return 'all_held';
  }
  return 'unproven';
}

const n = (x: number): string => x.toLocaleString('en-US');

function conclusion(r: Rule, walks: number, v: VerdictCounts, violations: number): string {
  const where = r.sites.join('/');
  if (violations > 0) {
    return `Not proven: ${n(violations)} events arrived later than the reorder horizon inside windows already judged; rerun with a larger --reorder-horizon.`;
  }
  if (walks === 0) {
    return `No link walks in ${where} were observed; nothing is proven either way.`;
  }
  const unknown = v.UNKNOWN > 0 ? `; ${n(v.UNKNOWN)} could not be proven either way` : '';
  if (v.NOT_HELD > 0) {
    return `${n(walks)} link walks in ${where}; ${n(v.NOT_HELD)} did not hold the required lock, ${n(v.HELD)} did${unknown}.`;
  }
  if (v.HELD === walks) {
    return `${n(walks)} link walks in ${where}; all held the required lock.`;
  }
  if (v.HELD > 0) {
    return `${n(walks)} link walks in ${where}; ${n(v.HELD)} held the required lock, none was seen without it${unknown}.`;
  }
  return `${n(walks)} link walks in ${where}; none could be proven either way.`;
}

/** Recorded walks kept to find those that returned after the kernel's last reading. */
const RECENT_WALKS = 8192;

/**
 * How many of `walks` returned after the kernel last read the counters of their ring on their
 * CPU (the latest counted line of each shape there: a return after the last of those readings is
 * in none of them). A ring with no counted line on that CPU: after its last reading anywhere.
 */
function afterLastReading(walks: readonly { ctx: Addr; cpu: number; end: number }[], lines: readonly CountedEvent[]): number {
  if (lines.length === 0) {
    return 0;
  }
  const onCpu = new Map<string, number>();
  const anyCpu = new Map<Addr, number>();
  for (const e of lines) {
    const k = `${e.ctx} ${e.onCpu}`;
    onCpu.set(k, Math.max(onCpu.get(k) ?? -Infinity, e.since));
    anyCpu.set(e.ctx, Math.max(anyCpu.get(e.ctx) ?? -Infinity, e.since));
  }
  return walks.filter((w) => {
    const read = onCpu.get(`${w.ctx} ${w.cpu}`) ?? anyCpu.get(w.ctx);
    return read !== undefined && w.end > read;
  }).length;
}

function reconcile(kernelWalks: number | undefined, detailed: number, countedOnly: number, kernelLocked: number | undefined, afterReading: number): AnalysisSummary['reconciliation'] {
  if (kernelWalks === undefined) {
    return {
      kernelWalks, detailedWalks: detailed, countedWalks: countedOnly, walksAfterLastReading: 0, seenInDetail: undefined, accountedFor: undefined, kernelWalksLockedInside: kernelLocked,
      text: 'the capture has no kernel-counted totals to reconcile with',
    };
  }
  const ratio = (x: number): number => (kernelWalks === 0 ? (x === 0 ? 1 : Infinity) : x / kernelWalks);
  const seen = ratio(detailed);
  const accounted = ratio(detailed - afterReading + countedOnly);
  const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'more than');
  const counted = countedOnly > 0 ? ` and ${n(countedOnly)} counted by shape without a record` : '';
  const after = afterReading > 0 ? `; ${n(afterReading)} of those seen in detail returned after the kernel last read its counters, so they are in no total` : '';
  const text =
    detailed - afterReading + countedOnly > kernelWalks
      ? `${n(detailed)} walks seen in detail${counted} but the kernel counted only ${n(kernelWalks)}${after}: the totals were not read after the last window`
      : `${n(detailed)} of ${n(kernelWalks)} kernel-counted walks seen in detail${counted} (${pct(accounted)} accounted for${after}); the kernel counted ${n(kernelLocked ?? 0)} with the lock taken inside the window`;
  return {
    kernelWalks, detailedWalks: detailed, countedWalks: countedOnly, walksAfterLastReading: afterReading, seenInDetail: Number.isFinite(seen) ? seen : undefined,
    accountedFor: Number.isFinite(accounted) ? accounted : undefined, kernelWalksLockedInside: kernelLocked, text,
  };
}

function sameVerdict(a: Verdict, b: Verdict): boolean {
  if (a.verdict !== b.verdict) {
    return false;
  }
  if (a.verdict === 'UNKNOWN' && b.verdict === 'UNKNOWN') {
    // Details differ by span (times, counts): one entry per reason, with the first span's detail.
    return a.reason === b.reason;
  }
  return true;
}

function seriesColumns(s: DecimatingTimeSeries | undefined): SeriesColumns {
  if (s === undefined) {
    return { widthNs: 0, start: [], count: [], min: [], max: [], mean: [] };
  }
  const c = s.columns();
  return { widthNs: c.widthNs, start: [...c.start], count: [...c.count], min: [...c.min], max: [...c.max], mean: [...c.mean] };
}

/** The summary's contentionCounted field: present only when the capture has the kernel's lines. */
function contentionSummary(c: CountedContentionTotals | undefined, fmt: (a: Addr) => string): Pick<AnalysisSummary, 'contentionCounted'> {
  return c === undefined ? {} : { contentionCounted: { all: c.all, byRing: Object.fromEntries([...c.byRing].map(([ctx, v]) => [fmt(ctx), v])) } };
}
