/**
 * The last seconds of a live session, one sample a second, from the cumulative counters the
 * session reports several times a second: events and walks decided per second. A fixed ring, so
 * a long session costs no more than a short one. Pure.
 */
import type { SessionSample } from './app-contract.js';
import type { SessionCounters } from '../session/session-progress.js';

export const SAMPLES_KEPT = 60;

export class SessionSamples {
  private readonly ring: SessionSample[] = [];
  private last: SessionCounters | undefined;

  constructor(private readonly kept = SAMPLES_KEPT) {}

  /** Takes a reading; true when it closed a second (a new sample). */
  add(c: SessionCounters): boolean {
    const prev = this.last;
    if (prev === undefined || c.elapsedMs < prev.elapsedMs) {
      this.last = c;
      return false;
    }
    const dtMs = c.elapsedMs - prev.elapsedMs;
    if (dtMs < 1000) {
      return false;
    }
    const perS = (now: number, before: number): number => Math.max(0, ((now - before) * 1000) / dtMs);
    this.ring.push({
      elapsedS: c.elapsedMs / 1000,
      eventsPerS: perS(c.events, prev.events),
      heldPerS: perS(c.held, prev.held),
      notHeldPerS: perS(c.notHeld, prev.notHeld),
      unknownPerS: perS(c.unknown, prev.unknown),
    });
    if (this.ring.length > this.kept) {
      this.ring.shift();
    }
    this.last = c;
    return true;
  }

  samples(): readonly SessionSample[] {
    return [...this.ring];
  }
}
