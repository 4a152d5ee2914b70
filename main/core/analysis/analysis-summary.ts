/** The result of analyzing a capture, as plain data (what `analyze --json` prints). */
import type { MarkerKind } from '../capture/events.js';
import type { Grain } from '../capture/header.js';
import type { SummaryStats } from '../stats/summary-stats.js';
import type { TimingMetric } from './timing-stats.js';
import type { CountedContention } from './counted-contention.js';
import type { CountedWalkClass } from './counted-walks.js';
import type { LockProof, UnknownReason, VerdictName } from './verdict.js';

export type VerdictCounts = { readonly [V in VerdictName]: number };

export interface RingSummary {
  readonly ctx: string;
  readonly lock: string;
  readonly windows: number;
  readonly walks: number;
  readonly verdicts: VerdictCounts;
  /** Exact counts kept in the kernel, when the capture has them. */
  readonly kernelTotals:
    | { readonly windows: number; readonly walks: number; readonly walksLockedInside: number; readonly chainTails: number }
    | undefined;
}

export interface TaskSummary {
  readonly tid: number;
  readonly walks: number;
  readonly verdicts: VerdictCounts;
}

export interface RuleSummary {
  readonly id: string;
  readonly title: string;
  readonly source: string;
  readonly walks: number;
  readonly verdicts: VerdictCounts;
  readonly unknownReasons: Partial<Record<UnknownReason, number>>;
  /**
   * Walks the kernel classified and counted without recording them (included in `walks`,
   * `verdicts` and `unknownReasons`): per class, the verdict its shape gets.
   */
  readonly counted: readonly CountedVerdict[];
  /** Walk indices of the first few walks with each verdict (for `inspect --walk`). */
  readonly examples: { readonly [V in VerdictName]: readonly number[] };
  /** One sentence: what the capture shows under this rule. */
  readonly conclusion: string;
  readonly outcome: Outcome;
}

export type CountedVerdict = {
  readonly class: CountedWalkClass;
  /** The window shape the class stands for, in words. */
  readonly shape: string;
  readonly walks: number;
} & (
  | { readonly verdict: 'HELD' | 'NOT_HELD'; readonly proof: LockProof }
  | { readonly verdict: 'UNKNOWN'; readonly reason: UnknownReason; readonly detail: string }
);

/** The gate: what the CLI's exit code says. */
export type Outcome = 'all_held' | 'violation' | 'unproven';

export interface AnalysisSummary {
  readonly target: { readonly host: string; readonly kernelRelease: string; readonly arch: string; readonly bpftraceVersion: string };
  readonly grain: Grain;
  readonly source: string;
  readonly events: number;
  /** Capture time covered, ns from the first to the last event. */
  readonly spanNs: number;
  readonly windows: {
    readonly total: number;
    readonly chainTails: number;
    /** Walks seen in detail (each has a record and a walk number). */
    readonly walks: number;
    readonly exitsWithoutEntry: number;
    /** Walks and chain tails the kernel counted by class without recording them (in `total`). */
    readonly countedWalks: number;
    readonly countedTails: number;
  };
  readonly coverage: { readonly complete: boolean; readonly detail: string };
  readonly rules: readonly RuleSummary[];
  readonly rings: readonly RingSummary[];
  readonly tasks: readonly TaskSummary[];
  readonly losses: {
    readonly lostNotices: number;
    readonly lostEvents: number;
    readonly lateEvents: number;
    readonly maxLatenessNs: number;
    /** Late events that may fall inside walks judged too long ago to withdraw: verdicts may be wrong. */
    readonly orderViolations: number;
    /** Verdicts given, then withdrawn to UNKNOWN when a late event fell inside their window. */
    readonly withdrawn: number;
    readonly probeMisses: readonly { readonly probe: string; readonly missed: number }[];
    /** Durations left out of the timing statistics (negative or beyond 2^53 ns: clocks that disagree). */
    readonly badDurations: number;
  };
  /** Reconciliation of detailed walks with the kernel's exact totals. */
  readonly reconciliation: {
    readonly kernelWalks: number | undefined;
    readonly detailedWalks: number;
    /** Walks the kernel counted by class without a record. */
    readonly countedWalks: number;
    /**
     * Recorded walks that returned after the kernel last read its counters for their ring and
     * CPU (bpftrace's END reads them while probes still fire): in detailedWalks, not in
     * kernelWalks. Counted only among the latest recorded walks (they come last).
     */
    readonly walksAfterLastReading: number;
    /** detailedWalks / kernelWalks, when the kernel counted. */
    readonly seenInDetail: number | undefined;
    /** (detailedWalks + countedWalks) / kernelWalks, when the kernel counted. */
    readonly accountedFor: number | undefined;
    readonly kernelWalksLockedInside: number | undefined;
    readonly text: string;
  };
  /** Per metric: all samples, per ring (by ctx address), per task (by tid; the 64 busiest). */
  readonly timing: {
    readonly [M in TimingMetric]: {
      readonly all: SummaryStats;
      readonly byRing: Readonly<Record<string, SummaryStats>>;
      readonly byTask: Readonly<Record<string, SummaryStats>>;
    };
  };
  /**
   * Every contended wait on a tracked uring_lock, as the kernel counted it (captures whose program
   * counts waits; absent otherwise): `timing.contention` holds only the recorded sample of them.
   */
  readonly contentionCounted?: {
    readonly all: CountedContention;
    readonly byRing: Readonly<Record<string, CountedContention>>;
  };
  /** Decimated series for plotting (one entry per non-empty time bucket). */
  readonly series: { readonly lockHold: SeriesColumns; readonly windowDuration: SeriesColumns };
  readonly markers: readonly { readonly ts: number; readonly marker: MarkerKind; readonly text: string }[];
}

/** A decimated time series as plain arrays: bucket start (ns since capture base), count, min, max, mean (ns). */
export interface SeriesColumns {
  readonly widthNs: number;
  readonly start: readonly number[];
  readonly count: readonly number[];
  readonly min: readonly number[];
  readonly max: readonly number[];
  readonly mean: readonly number[];
}
