/**
 * Request memory for one ring in the linked-NOP model, recycled like the kernel's per-ring
 * request cache over a slab: a freed io_kiocb address goes back on a stack and the next
 * allocation takes the most recently freed one. An address is never handed out while the
 * request that had it is still live (submitted and not yet freed), so the same address is many
 * requests over a run but only one at a time.
 */
import type { Addr } from '../util/addr.js';

/** io_kiocb lives in a 256-byte slab object, 16 to a 4 KiB page. */
const OBJECT_SIZE = 256;
const PER_PAGE = 16;
const PAGE = 4096;

interface Freed {
  readonly addr: Addr;
  readonly freeAt: number;
}

export class ReqPool {
  private readonly freed: Freed[] = [];
  private made = 0;

  /**
   * @param base first byte of this ring's slab region (Addr, a multiple of 4096 from the bias)
   * @param pageStride distance between the region's pages (spreads them like a slab does)
   */
  constructor(
    private readonly base: number,
    private readonly pageStride: number,
  ) {}

  /** Distinct addresses this pool has handed out. */
  get size(): number {
    return this.made;
  }

  /** An address for a request submitted at `ts`. */
  alloc(ts: number): Addr {
    for (let i = this.freed.length - 1; i >= 0; i--) {
      const f = this.freed[i];
      if (f !== undefined && f.freeAt < ts) {
        this.freed.splice(i, 1);
        return f.addr;
      }
    }
    const n = this.made++;
    return (this.base + Math.floor(n / PER_PAGE) * PAGE * this.pageStride + (n % PER_PAGE) * OBJECT_SIZE) as Addr;
  }

  /** The request at `addr` was freed at `ts`: its address is reusable after that. */
  release(addr: Addr, ts: number): void {
    this.freed.push({ addr, freeAt: ts });
  }
}
