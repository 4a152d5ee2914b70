/**
 * What the verdicts table is filtered by, and where the user was in it. The place is remembered
 * per capture for as long as the window lives, so opening a walk in the request timeline and
 * coming back finds the table as it was left.
 */
import type { VerdictFilter, WalkQuery } from '../../../main/core/app/app-contract.js';

export interface TableFilter {
  readonly verdict: VerdictFilter;
  /** A ring's ctx address (hex) or undefined for all. */
  readonly ctx: string | undefined;
  readonly tid: number | undefined;
  /** Walks that started in [fromNs, toNs) since the capture's base; undefined bounds are open. */
  readonly fromNs: number | undefined;
  readonly toNs: number | undefined;
}

export const NO_FILTER: TableFilter = { verdict: 'ALL', ctx: undefined, tid: undefined, fromNs: undefined, toNs: undefined };

/** The walks of a ring whose ctx was never seen (a window entered while events were lost) carry NULL. */
export const RING_NOT_SEEN = '0x0';

export function filterKey(f: TableFilter): string {
  return [f.verdict, f.ctx ?? '*', f.tid ?? '*', f.fromNs ?? '*', f.toNs ?? '*'].join('|');
}

export function isFiltered(f: TableFilter): boolean {
  return filterKey(f) !== filterKey(NO_FILTER);
}

export function walkQuery(captureId: string, f: TableFilter, offset: number, limit: number): WalkQuery {
  return { captureId, verdict: f.verdict, ctx: f.ctx, tid: f.tid, fromNs: f.fromNs, toNs: f.toNs, offset, limit };
}

export interface TablePlace {
  readonly filter: TableFilter;
  /** The selected row's position in the filtered list. */
  readonly selected: number;
  readonly scrollTop: number;
}

const places = new Map<string, TablePlace>();

export function placeOf(captureId: string): TablePlace {
  return places.get(captureId) ?? { filter: NO_FILTER, selected: 0, scrollTop: 0 };
}

export function rememberPlace(captureId: string, p: TablePlace): void {
  places.set(captureId, p);
}
