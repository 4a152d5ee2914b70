/** Numbers as people read them: durations with units, counts with separators. */

/** A duration in ns as "850 ns", "12.3 µs", "4.56 ms", "1.20 s". */
export function formatNs(ns: number | null | undefined): string {
  if (ns === null || ns === undefined || !Number.isFinite(ns)) {
    return '–';
  }
  const a = Math.abs(ns);
  if (a < 1e3) {
    return `${Math.round(ns)} ns`;
  }
  if (a < 1e6) {
    return `${(ns / 1e3).toPrecision(3)} µs`;
  }
  if (a < 1e9) {
    return `${(ns / 1e6).toPrecision(3)} ms`;
  }
  return `${(ns / 1e9).toFixed(a < 1e11 ? 3 : 1)} s`;
}

/** A count with thousands separators. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A time since the capture's start (ns) as seconds with µs resolution: "12.345678 s". */
export function formatOffset(ns: number): string {
  return `${(ns / 1e9).toFixed(6)} s`;
}

/** Parses "1.5s", "250ms", "40us", "900ns" or a bare number of seconds into ns; undefined if not a duration. */
export function parseDurationText(text: string): number | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(ns|us|µs|ms|s)?\s*$/.exec(text);
  if (m === null) {
    return undefined;
  }
  const v = Number(m[1]);
  const unit = m[2] ?? 's';
  const scale = unit === 'ns' ? 1 : unit === 'us' || unit === 'µs' ? 1e3 : unit === 'ms' ? 1e6 : 1e9;
  return v * scale;
}
