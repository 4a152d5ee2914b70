/**
 * Which rows of a long list to draw, and where, for a scroll position. Pure.
 *
 * Only the rows in view are drawn; a spacer gives the scroll bar its length. A browser caps how
 * tall an element may be (Chromium near 33 million px, others less), so past `maxPx` the spacer
 * stays at `maxPx` and the scroll position maps proportionally onto the whole list: a million rows
 * of 26 px scroll the same as 25 thousand, with the last row reachable at the bottom.
 */

export interface VirtualGeometry {
  /** Rows in the list. */
  readonly total: number;
  /** Height of one row (px). */
  readonly rowPx: number;
  /** Height of the scrolled viewport (px). */
  readonly viewportPx: number;
  /** The tallest spacer to make (px). */
  readonly maxPx: number;
}

export interface VirtualWindow {
  /** First row to draw. */
  readonly first: number;
  /** Rows to draw from `first`. */
  readonly count: number;
  /** Where the first drawn row's top goes, in the spacer's coordinates (px). */
  readonly topPx: number;
  /** The spacer's height (px). */
  readonly spacerPx: number;
}

/** A safe spacer height for every engine Electron and browsers ship. */
export const MAX_SPACER_PX = 8_000_000;

function spacerOf(g: VirtualGeometry): number {
  return Math.min(g.total * g.rowPx, g.maxPx);
}

/** How far the scroll bar can move, and how far the list itself moves over that (px). */
function ranges(g: VirtualGeometry): { readonly scroll: number; readonly list: number } {
  return { scroll: Math.max(0, spacerOf(g) - g.viewportPx), list: Math.max(0, g.total * g.rowPx - g.viewportPx) };
}

/** The list's own position (px from its top) at a scroll position. */
export function listPosAt(g: VirtualGeometry, scrollTop: number): number {
  const r = ranges(g);
  if (r.scroll <= 0 || r.scroll === r.list) {
    return Math.min(Math.max(0, scrollTop), r.list);
  }
  return (Math.min(Math.max(0, scrollTop), r.scroll) / r.scroll) * r.list;
}

/** The scroll position that shows the list from `pos` (px from its top). */
export function scrollTopFor(g: VirtualGeometry, pos: number): number {
  const r = ranges(g);
  const p = Math.min(Math.max(0, pos), r.list);
  if (r.list <= 0 || r.scroll === r.list) {
    return p;
  }
  return (p / r.list) * r.scroll;
}

/** The rows to draw at a scroll position, with `overscan` more either side. */
export function virtualWindow(g: VirtualGeometry, scrollTop: number, overscan = 4): VirtualWindow {
  const spacerPx = spacerOf(g);
  if (g.total <= 0 || g.rowPx <= 0) {
    return { first: 0, count: 0, topPx: 0, spacerPx: 0 };
  }
  const st = Math.min(Math.max(0, scrollTop), Math.max(0, spacerPx - g.viewportPx));
  const pos = listPosAt(g, st);
  const top = Math.floor(pos / g.rowPx);
  const first = Math.max(0, top - overscan);
  const last = Math.min(g.total, Math.ceil((pos + g.viewportPx) / g.rowPx) + overscan);
  // The row at `top` is drawn where the list position puts it relative to the viewport's top.
  const topPx = st - (pos - first * g.rowPx);
  return { first, count: Math.max(0, last - first), topPx, spacerPx };
}

/**
 * The scroll position that brings row `i` fully into view with the least movement (the same
 * position, within the scroll range, when it is already in view).
 */
export function scrollTopToShow(g: VirtualGeometry, scrollTop: number, i: number): number {
  const st = Math.min(Math.max(0, scrollTop), ranges(g).scroll);
  const pos = listPosAt(g, st);
  const rowTop = i * g.rowPx;
  if (rowTop < pos) {
    return scrollTopFor(g, rowTop);
  }
  if (rowTop + g.rowPx > pos + g.viewportPx) {
    return scrollTopFor(g, rowTop + g.rowPx - g.viewportPx);
  }
  return st;
}

/** Rows a PageUp / PageDown moves: what fits in the viewport, less one for context. */
export function rowsPerPage(g: VirtualGeometry): number {
  return Math.max(1, Math.floor(g.viewportPx / g.rowPx) - 1);
}
