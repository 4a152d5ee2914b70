/**
 * Kernel time. The capture header holds the clock's base value as a bigint (exact at any
 * uptime); every event time is nanoseconds relative to that base, an integer that is exact as a
 * double for 104 days of capture. Float seconds appear only at the chart edge.
 */
export type RelNs = number & { readonly __brand: 'RelNs' };
export type DurationNs = number & { readonly __brand: 'DurationNs' };

/** Human text for a duration: "812 ns", "3.41 µs", "12.0 ms", "4.20 s". */
export function formatDuration(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1_000) {
    return `${Math.round(ns)} ns`;
  }
  if (a < 1_000_000) {
    return `${(ns / 1_000).toPrecision(3)} µs`;
  }
  if (a < 1_000_000_000) {
    return `${(ns / 1_000_000).toPrecision(3)} ms`;
  }
  return `${(ns / 1_000_000_000).toPrecision(3)} s`;
}

/** Seconds since capture base with 9 decimals, as bpftrace users read them: "12.000041187". */
export function formatRelSeconds(t: RelNs): string {
  const s = Math.floor(t / 1e9);
  const frac = t - s * 1e9;
  return `${s}.${String(frac).padStart(9, '0')}`;
}
