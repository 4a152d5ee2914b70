/**
 * The rows of one filter of the verdicts table, fetched a page at a time as they come into view
 * and kept for a while (the least recently drawn pages are dropped past `capacity`). A new filter
 * gets a new WalkPages; answers for an old one are ignored by construction.
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

  constructor(
    private readonly fetchWalks: FetchWalks,
    /** Called when a page arrives (or fails); the table draws again. */
    private readonly changed: () => void,
    private readonly failed: (e: AppError) => void,
    private readonly pageRows = PAGE_ROWS,
    private readonly capacity = 40,
  ) {}

  /** Rows matching the filter, once the first answer came; undefined before. */
  get total(): number | undefined {
    return this.totalSeen;
  }

  /** The row at position `i` of the filtered list, if its page is here. */
  rowAt(i: number): WalkRow | undefined {
    const p = this.pages.get(Math.floor(i / this.pageRows));
    return p?.state === 'ready' ? p.rows[i % this.pageRows] : undefined;
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
