/**
 * Does an event mention a request address? The test behind `lockscope inspect --req` and the
 * app's request lookup, on event objects and on event columns (the same answer either way). Pure.
 */
import type { EventColumns } from '../capture/event-columns.js';
import { K, RARE_KIND_FROM } from '../capture/event-columns.js';
import type { CaptureEvent } from '../capture/events.js';
import type { Addr } from '../util/addr.js';

export function mentions(e: CaptureEvent, a: Addr): boolean {
  switch (e.kind) {
    case 'window_enter':
      return e.req === a || e.link === a;
    case 'window_exit':
      return e.req === a || e.next === a;
    case 'window_summary':
      return e.req === a || e.link === a || e.next === a;
    case 'io_submit':
    case 'io_queue_async':
    case 'io_complete':
    case 'req_free':
      return e.req === a;
    case 'io_link':
      return e.req === a || e.target === a;
    case 'io_fail_link':
      return e.req === a || e.link === a;
    case 'lock_acquire':
    case 'lock_acquired':
    case 'lock_release':
    case 'contention_begin':
    case 'contention_end':
    case 'totals':
    case 'counted':
    case 'contention_counted':
    case 'lost':
    case 'probe_misses':
    case 'marker':
      return false;
  }
}

/**
 * `mentions` for the event at index `i` of a batch, read from its columns (see event-columns.ts:
 * window_exit keeps next, io_link its target and io_fail_link its link in the `link` column).
 */
export function mentionsAt(c: EventColumns, i: number, a: Addr): boolean {
  const kind = c.kind[i] ?? 0;
  if (kind >= RARE_KIND_FROM) {
    const e = c.rare[c.num[i] ?? -1];
    return e !== undefined && mentions(e, a);
  }
  switch (kind) {
    case K.window_enter:
    case K.window_exit:
    case K.io_link:
    case K.io_fail_link:
      return c.req[i] === a || c.link[i] === a;
    case K.io_submit:
    case K.io_queue_async:
    case K.io_complete:
    case K.req_free:
      return c.req[i] === a;
    default:
      return false;
  }
}
