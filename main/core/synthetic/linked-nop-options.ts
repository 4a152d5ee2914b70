/**
 * Options of the linked-NOP model (see linked-nop-model.ts), their defaults and their checks.
 */

export const KERNEL_FAMILIES = ['patched', 'unpatched'] as const;
/** patched: 7.1+ shape, io_wq_free_work takes uring_lock around the walk. unpatched: 6.1 shape, no lock. */
export type KernelFamily = (typeof KERNEL_FAMILIES)[number];

export interface LinkedNopOptions {
  readonly kernel: KernelFamily;
  readonly grain: 'raw' | 'summary';
  /** Chains to run, over all rings. */
  readonly chains: number;
  /** Requests per chain: 4 gives 3 walks and 1 tail per chain. */
  readonly chainLength: number;
  /** Distinct rings (each its own ctx, uring_lock and submitter thread). */
  readonly rings: number;
  /** io-wq worker tasks (distinct tid and task_struct address). */
  readonly workers: number;
  readonly cpus: number;
  readonly seed: number;
  /** Period of the probe-miss (and, for grain summary, totals) readings, simulated ns. Default 100 ms. */
  readonly missEveryNs?: number;
  /** Probe-miss counter increments to inject at random times. Default 0. */
  readonly injectMisses?: number;
  /** `lost` notices to inject; the events they announce are really dropped. Default 0. */
  readonly injectLoss?: number;
  /** Fraction of uring_lock acquisitions that wait (contention_begin/end). Default 0.05. */
  readonly contentionRate?: number;
  /**
   * Stretches every time the model emits by this integer factor (default 1). The model's own pace
   * (~30M events per simulated second) is far above a real traced host; 30 gives about 1M
   * events/s, the order of a busy host under probes. `missEveryNs` is in stretched time.
   */
  readonly timeScale?: number;
}

export type ResolvedOptions = Required<LinkedNopOptions>;

export const DEFAULT_MISS_EVERY_NS = 100_000_000;
export const DEFAULT_CONTENTION_RATE = 0.05;

/** Problems with `o`, as sentences; empty when the options are usable. */
export function checkLinkedNopOptions(o: LinkedNopOptions): string[] {
  const problems: string[] = [];
  const whole = (name: string, v: number, min: number): void => {
    if (!Number.isSafeInteger(v) || v < min) {
      problems.push(`${name} must be an integer of at least ${min} (got ${v})`);
    }
  };
  // Options may come from untyped input (a command line, JSON): check the unions at run time too.
  const kernel: string = o.kernel;
  const grain: string = o.grain;
  if (!(KERNEL_FAMILIES as readonly string[]).includes(kernel)) {
    problems.push(`kernel must be 'patched' or 'unpatched' (got ${kernel})`);
  }
  if (grain !== 'raw' && grain !== 'summary') {
    problems.push(`grain must be 'raw' or 'summary' (got ${grain})`);
  }
  whole('chains', o.chains, 0);
  whole('chainLength', o.chainLength, 1);
  whole('rings', o.rings, 1);
  whole('workers', o.workers, 1);
  whole('cpus', o.cpus, 1);
  if (!Number.isFinite(o.seed)) {
    problems.push(`seed must be a finite number (got ${o.seed})`);
  }
  whole('missEveryNs', o.missEveryNs ?? DEFAULT_MISS_EVERY_NS, 10_000);
  whole('injectMisses', o.injectMisses ?? 0, 0);
  whole('injectLoss', o.injectLoss ?? 0, 0);
  whole('timeScale', o.timeScale ?? 1, 1);
  if (Math.round((o.missEveryNs ?? DEFAULT_MISS_EVERY_NS) / (o.timeScale ?? 1)) < 10_000) {
    problems.push('missEveryNs / timeScale must be at least 10000 ns');
  }
  const rate = o.contentionRate ?? DEFAULT_CONTENTION_RATE;
  if (!(rate >= 0 && rate <= 1)) {
    problems.push(`contentionRate must lie in [0, 1] (got ${rate})`);
  }
  if (o.rings > 4096 || o.workers > 4096 || o.cpus > 4096) {
    problems.push('rings, workers and cpus are limited to 4096 each');
  }
  return problems;
}

/** The options with defaults filled in; throws RangeError on options `checkLinkedNopOptions` refuses. */
export function resolveOptions(o: LinkedNopOptions): ResolvedOptions {
  const problems = checkLinkedNopOptions(o);
  if (problems.length > 0) {
    throw new RangeError(`linked-NOP model: ${problems.join('; ')}`);
  }
  return {
    ...o,
    missEveryNs: o.missEveryNs ?? DEFAULT_MISS_EVERY_NS,
    injectMisses: o.injectMisses ?? 0,
    injectLoss: o.injectLoss ?? 0,
    contentionRate: o.contentionRate ?? DEFAULT_CONTENTION_RATE,
    timeScale: o.timeScale ?? 1,
  };
}
