/** Parses "30s", "500ms", "250us", "100ns", "2m", "1.5s" into nanoseconds. */
const UNITS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

export function parseDurationNs(text: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)$/.exec(text.trim());
  if (m === null) {
    return undefined;
  }
  const unit = UNITS[m[2] ?? ''];
  const v = Number(m[1]);
  if (unit === undefined || !Number.isFinite(v)) {
    return undefined;
  }
  return Math.round(v * unit);
}
