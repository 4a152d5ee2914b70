/**
 * Injected probe misses for the linked-NOP model, kept consistent with the data.
 *
 * A kprobe that re-enters is not run and its `nmissed` grows. Each injected miss is armed at a
 * random moment (when a chosen chain is submitted). Half of them swallow the next hit of their
 * probe that the capture would have recorded — the event is dropped and the counter grows at
 * that hit's time; the other half hit something the capture would have filtered out anyway (a
 * mutex of another subsystem), so only the counter grows, at the armed time. Counter readings
 * are cumulative and include every miss at or before the reading's time.
 */
import type { Prng } from './prng.js';

interface Armed {
  readonly at: number;
  readonly probe: number;
}

interface Planned {
  readonly chain: number;
  readonly probe: number;
  readonly swallow: boolean;
}

export class MissInjector {
  private readonly plans: Planned[];
  private nextPlan = 0;
  /** Misses waiting for a hit of their probe to swallow. */
  private readonly waiting: Armed[] = [];
  /** Counter increments not yet folded into a reading. */
  private readonly increments: Armed[] = [];
  private readonly counts = new Map<number, number>();

  /**
   * @param count misses to inject
   * @param chains chains in the run (misses are armed at chains drawn from it)
   * @param candidates probe indices a miss may hit
   */
  constructor(count: number, chains: number, candidates: readonly number[], private readonly rng: Prng) {
    const plans: Planned[] = [];
    if (candidates.length > 0 && chains > 0) {
      for (let i = 0; i < count; i++) {
        const probe = candidates[rng.int(0, candidates.length - 1)];
        if (probe !== undefined) {
          plans.push({ chain: rng.int(0, Math.max(0, chains - 1)), probe, swallow: rng.chance(0.5) });
        }
      }
    }
    this.plans = plans.sort((a, b) => a.chain - b.chain);
  }

  /** Chain number `chain` (0-based over the run) was submitted at `t`: arm its misses. */
  chainSubmitted(chain: number, t: number): void {
    for (;;) {
      const p = this.plans[this.nextPlan];
      if (p === undefined || p.chain > chain) {
        return;
      }
      this.nextPlan++;
      const at = t + this.rng.int(0, 5_000);
      (p.swallow ? this.waiting : this.increments).push({ at, probe: p.probe });
    }
  }

  /** A hit of `probe` at `ts` the capture would record: true when a miss swallows it. */
  swallows(probe: number, ts: number): boolean {
    if (this.waiting.length === 0) {
      return false;
    }
    const i = this.waiting.findIndex((m) => m.probe === probe && m.at <= ts);
    if (i < 0) {
      return false;
    }
    this.waiting.splice(i, 1);
    this.increments.push({ at: ts, probe });
    return true;
  }

  /**
   * Cumulative miss count of `probe` at `t`. Call for non-decreasing `t`, once every hit at or
   * before `t` has been offered to `swallows`.
   */
  readAt(probe: number, t: number): number {
    this.settle(t);
    return this.counts.get(probe) ?? 0;
  }

  private settle(t: number): void {
    // A miss still waiting for a hit by now hit something unrecorded instead.
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const m = this.waiting[i];
      if (m !== undefined && m.at <= t) {
        this.waiting.splice(i, 1);
        this.increments.push(m);
      }
    }
    for (let i = this.increments.length - 1; i >= 0; i--) {
      const m = this.increments[i];
      if (m !== undefined && m.at <= t) {
        this.increments.splice(i, 1);
        this.counts.set(m.probe, (this.counts.get(m.probe) ?? 0) + 1);
      }
    }
  }

  /** Misses armed so far (swallowing or not). */
  get armed(): number {
    return this.nextPlan;
  }
}
