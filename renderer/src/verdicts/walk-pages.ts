/**
 * The rows of one filter of the verdicts table, fetched a page at a time as they come into view
 * and kept for a while (the least recently drawn pages are dropped past `capacity`). A new filter
 * gets a new WalkPages; answers for an old one are ignored by construction.
 *
 * When a live capture grows, the same filter gets a new WalkPages too, which shows the old one's
 * rows and total (`carryFrom`) until its own arrive, so the table does not blank at every update.
 */
import type { AppError, AppResult, WalkPage, WalkRow } from '../../../main/core/app/app-contract.js';

export type FetchWalks = (offset: number, limit: number) => Promise<AppResult<WalkPage>>;

/** Rows per request: the contract allows 1000; 500 arrive sooner and a viewport needs 40. */
export const PAGE_ROWS = 500;

type PageState = { readonly state: 'loading' } | { readonly state: 'failed' } | { readonly state: 'ready'; readonly rows: readonly WalkRow[] };

export class WalkPages {
  /** Most recently used last. */
  private readonly pages = new Map<number, PageState>();
  private totalSeen: number | undefined;
  private disposed = false;
  /** The previous pages of the same filter, shown until this one's arrive (one level: never a chain). */
  private carried: { readonly pages: ReadonlyMap<number, PageState>; readonly total: number | undefined } | undefined;

  constructor(
    private readonly fetchWalks: FetchWalks,
    /** Called when a page arrives (or fails); the table draws again. */
    private readonly changed: () => void,
    private readonly failed: (e: AppError) => void,
    private readonly pageRows = PAGE_ROWS,
    private readonly capacity = 40,
  ) {}

  /** Rows matching the filter, once the first answer came (or the carried count); undefined before. */
  get total(): number | undefined {
    return this.totalSeen ?? this.carried?.total;
  }

  /** Shows `older`'s rows and total (the same filter, before the capture grew) until this one's own arrive. */
  carryFrom(older: WalkPages): void {
    // What `older` carried, then its own pages over it (those are newer), at most `capacity` of them.
    const ready = new Map<number, PageState>(older.carried?.pages);
    for (const [n, p] of older.pages) {
      if (p.state === 'ready') {
        ready.delete(n);
        ready.set(n, p);
      }
    }
    for (const n of ready.keys()) {
      if (ready.size <= this.capacity) {
        break;
      }
      ready.delete(n);
    }
    this.carried = { pages: ready, total: older.totalSeen ?? older.carried?.total };
  }

  /** The row at position `i` of the filtered list, if its page is here. */
  rowAt(i: number): WalkRow | undefined {
    const n = Math.floor(i / this.pageRows);
    const p = this.pages.get(n);
    if (p?.state === 'ready') {
      return p.rows[i % this.pageRows];
    }
    const old = this.carried?.pages.get(n);
    return old?.state === 'ready' ? old.rows[i % this.pageRows] : undefined;
  }

  /** True when the page holding row `i` could not be fetched. */
  failedAt(i: number): boolean {
    return this.pages.get(Math.floor(i / this.pageRows))?.state === 'failed';
  }

  /** Asks for the pages rows [first, first + count) fall in that are not here or on their way. */
  want(first: number, count: number): void {
    const from = Math.floor(Math.max(0, first) / this.pageRows);
    const to = Math.floor(Math.max(0, first + Math.max(count, 1) - 1) / this.pageRows);
    for (let n = from; n <= to; n++) {
      const p = this.pages.get(n);
      if (p !== undefined) {
        this.pages.delete(n);
        this.pages.set(n, p);
        continue;
      }
      if (this.totalSeen !== undefined && n * this.pageRows >= this.totalSeen && n > 0) {
        continue;
      }
      this.fetch(n);
    }
    this.trim();
  }

  /** No more callbacks: the filter changed or the table went away. */
  dispose(): void {
    this.disposed = true;
  }

  private fetch(n: number): void {
    this.pages.set(n, { state: 'loading' });
    void this.fetchWalks(n * this.pageRows, this.pageRows).then((r) => {
      if (this.disposed || this.pages.get(n)?.state !== 'loading') {
        return;
      }
      if (r.ok) {
        this.totalSeen = r.value.total;
        this.pages.set(n, { state: 'ready', rows: r.value.rows });
      } else {
        this.pages.set(n, { state: 'failed' });
        this.failed(r.error);
      }
      this.changed();
    });
  }

  private trim(): void {
    for (const n of this.pages.keys()) {
      if (this.pages.size <= this.capacity) {
        break;
      }
      this.pages.delete(n);
    }
  }
}
