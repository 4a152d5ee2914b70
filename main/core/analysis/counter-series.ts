/**
 * Series of cumulative counter lines: the kernel prints running totals (per ring, CPU and what
 * it counts) every interval and at the end, so the latest line of a series holds all of them and
 * the earlier ones only say how the count grew.
 */

/** The latest line of each series (by time; of two at the same time, the later in the input). */
export function latestOfEachSeries<E extends { readonly ts: number }>(events: readonly E[], key: (e: E) => string): E[] {
  const latest = new Map<string, E>();
  for (const e of events) {
    const k = key(e);
    const prev = latest.get(k);
    if (prev === undefined || e.ts >= prev.ts) {
      latest.set(k, e);
    }
  }
  return [...latest.values()];
}
