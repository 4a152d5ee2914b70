/** A visible time range (ns) and the moves the timeline's buttons make on it. Pure. */

export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

/** The range moved by `fraction` of its width (negative: earlier), kept inside `bounds`. */
export function panRange(r: TimeRange, fraction: number, bounds: TimeRange): TimeRange {
  const width = r.to - r.from;
  let from = r.from + width * fraction;
  from = Math.max(bounds.from, Math.min(from, bounds.to - width));
  return { from, to: from + width };
}

/** The range scaled by `factor` around its middle (< 1 zooms in), kept inside `bounds`. */
export function zoomRange(r: TimeRange, factor: number, bounds: TimeRange): TimeRange {
  const mid = (r.from + r.to) / 2;
  const half = Math.max(((r.to - r.from) * factor) / 2, 1);
  return { from: Math.max(bounds.from, mid - half), to: Math.min(bounds.to, mid + half) };
}

/** A drag selection [a, b] in either order as a range of at least 1 ns. */
export function selectionRange(a: number, b: number): TimeRange {
  const from = Math.min(a, b);
  return { from, to: Math.max(Math.max(a, b), from + 1) };
}
