/**
 * Calibration: before a session's verdicts are trusted, its first windows are checked for what
 * wrong BTF offsets or a wrong window would break (a script given a wrong offset still "counts"
 * windows, silently). Pure.
 *
 * - The next request the window produced (its return value, or *linked) must be the request
 *   `req->link` named at entry: that ties the work offset (request from work), the link offset
 *   and the window's prototype together. A few windows may legitimately differ (a linked timeout
 *   is unlinked on the way), so the check is a ratio: with a wrong offset almost none agree.
 * - The ring (`req->ctx`) must be a kernel address, 8-byte aligned; the uring_lock owner word,
 *   when it names an owner, must be a kernel address too (a task). Wrong ctx or lock offsets read
 *   arbitrary memory instead.
 * Lock addresses need no separate check: the mutex probes are filtered in the kernel to the lock
 * address the window derived, so the operations in a window are on that address by construction;
 * what the ctx and owner checks above guard is that the derived address is the ring's mutex.
 */
import type { WindowSummaryEvent } from '../capture/events.js';
import type { Addr } from '../util/addr.js';
import { addrValue, ownerTask } from '../util/addr.js';

/** Walks (next == link) needed before the session counts as calibrated. */
export const CALIBRATION_WALKS = 32;
/** Windows whose next request is not req->link that fail calibration when they outnumber a tenth of the walks. */
export const CALIBRATION_MISMATCHES = 8;

export type CalibrationState =
  | { readonly kind: 'pending'; readonly walks: number; readonly mismatches: number }
  | { readonly kind: 'passed'; readonly walks: number; readonly mismatches: number; readonly windows: number }
  | { readonly kind: 'failed'; readonly reason: string };

const KERNEL_HALF = 1n << 63n;

function fmt(a: Addr, bias: bigint): string {
  return `0x${addrValue(a, bias).toString(16)}`;
}

function isKernelPointer(a: Addr, bias: bigint): boolean {
  const v = addrValue(a, bias);
  return v >= KERNEL_HALF && v % 8n === 0n;
}

export class Calibration {
  private walks = 0;
  private mismatches = 0;
  private windows = 0;
  private firstMismatch: string | undefined;
  private result: CalibrationState = { kind: 'pending', walks: 0, mismatches: 0 };

  constructor(private readonly bias: bigint) {}

  get state(): CalibrationState {
    return this.result;
  }

  /** Looks at one window; after the state is passed or failed, windows are no longer looked at. */
  window(w: WindowSummaryEvent): CalibrationState {
    if (this.result.kind !== 'pending') {
      return this.result;
    }
    this.windows++;
    const b = this.bias;
    if (!isKernelPointer(w.ctx, b)) {
      return this.fail(`window at +${w.ts} ns: its ring req->ctx = ${fmt(w.ctx, b)} is not a kernel address; the io_kiocb.ctx offset (or the request derived from the work) does not match this kernel`);
    }
    // The owner word's low three bits are flags (waiters, handoff, pickup): the task is the rest.
    if (w.owner !== 0 && !isKernelPointer(ownerTask(w.owner), b)) {
      return this.fail(`window at +${w.ts} ns: the uring_lock owner word reads ${fmt(w.owner, b)}, not a task address; the io_ring_ctx.uring_lock or mutex.owner offset does not match this kernel`);
    }
    if (w.next !== 0) {
      if (w.next === w.link) {
        this.walks++;
      } else {
        this.mismatches++;
        this.firstMismatch ??= `window at +${w.ts} ns produced next request ${fmt(w.next, b)} but req->link at entry was ${fmt(w.link, b)}`;
      }
    }
    if (this.mismatches >= CALIBRATION_MISMATCHES && this.mismatches * 10 > this.walks) {
      return this.fail(
        `${this.mismatches} windows produced a next request other than req->link at entry (${this.walks} agreed); first: ${this.firstMismatch ?? '?'}. The io_kiocb.work or io_kiocb.link offset, or the window's prototype, does not match this kernel`,
      );
    }
    if (this.walks >= CALIBRATION_WALKS && this.mismatches * 10 <= this.walks) {
      this.result = { kind: 'passed', walks: this.walks, mismatches: this.mismatches, windows: this.windows };
      return this.result;
    }
    this.result = { kind: 'pending', walks: this.walks, mismatches: this.mismatches };
    return this.result;
  }

  private fail(reason: string): CalibrationState {
    this.result = { kind: 'failed', reason: `calibration failed: ${reason}` };
    return this.result;
  }
}
