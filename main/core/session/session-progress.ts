/** A live session's counters and their one-line form for a terminal. Pure. */

export interface SessionCounters {
  readonly elapsedMs: number;
  readonly durationMs: number;
  readonly events: number;
  /** Events per second over the last second. */
  readonly rate: number;
  readonly lostEvents: number;
  /** Probe misses read so far (undefined: not counted on this target). */
  readonly misses: number | undefined;
  readonly held: number;
  readonly notHeld: number;
  readonly unknown: number;
  /** Walks the kernel counted by shape so far; their verdicts come when the session ends. */
  readonly countedWalks?: number;
  readonly calibration: string;
}

function si(n: number): string {
  if (n >= 1e6) {
    return `${(n / 1e6).toFixed(1)}M`;
  }
  if (n >= 1e4) {
    return `${(n / 1e3).toFixed(1)}k`;
  }
  return String(Math.round(n));
}

export function formatProgress(c: SessionCounters): string {
  const secs = (ms: number): string => `${Math.floor(ms / 1000)}s`;
  const pct = c.durationMs > 0 ? Math.min(100, Math.floor((100 * c.elapsedMs) / c.durationMs)) : 0;
  return (
    `${secs(c.elapsedMs)}/${secs(c.durationMs)} ${pct}%  events ${si(c.events)} (${si(c.rate)}/s)  lost ${si(c.lostEvents)}` +
    `  misses ${c.misses === undefined ? 'n/a' : si(c.misses)}  walks held ${si(c.held)} not_held ${si(c.notHeld)} unknown ${si(c.unknown)}` +
    `${(c.countedWalks ?? 0) > 0 ? ` +${si(c.countedWalks ?? 0)} counted (judged at the end)` : ''}  ${c.calibration}`
  );
}

/** Events per second over a sliding second, from (time, cumulative count) samples. */
export class RateMeter {
  private readonly samples: { readonly ms: number; readonly count: number }[] = [];

  add(ms: number, count: number): number {
    this.samples.push({ ms, count });
    while (this.samples.length > 2 && (this.samples[1]?.ms ?? ms) <= ms - 1000) {
      this.samples.shift();
    }
    const first = this.samples[0];
    if (first === undefined || ms - first.ms < 250) {
      return 0;
    }
    return ((count - first.count) * 1000) / (ms - first.ms);
  }
}
