/**
 * One request address across a capture, for the request timeline: the walks whose req or next it
 * is, how many events mention it, and its lifecycle (submit, link, queue, complete, fail, free)
 * with the lines `lockscope inspect --req ADDR` prints. Pure: one pass over the event columns and
 * one over the walk records.
 */
import type { EventColumns } from '../capture/event-columns.js';
import { eventAt, K } from '../capture/event-columns.js';
import { requestEventText } from '../report/format-request.js';
import { mentionsAt } from '../report/request-mentions.js';
import type { Addr } from '../util/addr.js';
import { parseAddr } from '../util/addr.js';
import type { AppResult, RequestEvent, RequestLookup, WalkRow } from './app-contract.js';
import type { CaptureAnalysis } from './capture-analysis.js';
import { walkRow } from './walk-rows.js';

export const MAX_REQUEST_WALKS = 1000;
export const MAX_REQUEST_EVENTS = 2000;

/** The lifecycle kind of an event code, or undefined for the other kinds. */
function lifecycleKind(code: number): RequestEvent['kind'] | undefined {
  switch (code) {
    case K.io_submit:
      return 'submit';
    case K.io_link:
      return 'link';
    case K.io_queue_async:
      return 'queue_async';
    case K.io_complete:
      return 'complete';
    case K.io_fail_link:
      return 'fail_link';
    case K.req_free:
      return 'free';
    default:
      return undefined;
  }
}

/** Events mentioning `a` in all, and its first lifecycle events. */
function scanEvents(batches: readonly EventColumns[], a: Addr, fmt: (a: Addr) => string): { events: number; lifecycle: RequestEvent[]; lifecycleTotal: number } {
  let events = 0;
  let lifecycleTotal = 0;
  const lifecycle: RequestEvent[] = [];
  for (const c of batches) {
    for (let i = 0; i < c.count; i++) {
      if (!mentionsAt(c, i, a)) {
        continue;
      }
      events++;
      const kind = lifecycleKind(c.kind[i] ?? 0);
      if (kind === undefined) {
        continue;
      }
      lifecycleTotal++;
      if (lifecycle.length < MAX_REQUEST_EVENTS) {
        const e = eventAt(c, i);
        lifecycle.push({ ts: e.ts, kind, text: requestEventText(e, a, fmt) });
      }
    }
  }
  // Batches follow the per-CPU buffers, not the clock: show the life in time order.
  lifecycle.sort((x, y) => x.ts - y.ts);
  return { events, lifecycle, lifecycleTotal };
}

/**
 * The request at `addrText` (hex, 0x…) in an analysed capture. not_found when the address lies
 * outside the capture's address window or no event mentions it.
 */
export function findRequest(analysis: CaptureAnalysis, addrText: string, fmt: (a: Addr) => string, captureName: string): AppResult<RequestLookup> {
  const header = analysis.header;
  const text = addrText.trim().toLowerCase();
  if (header === undefined) {
    return { ok: false, error: { code: 'not_found', message: `${captureName} has no events yet: no request ${text} to show` } };
  }
  const parsed = parseAddr(text, header.addrBias);
  if (!parsed.ok) {
    return { ok: false, error: { code: 'not_found', message: `Request ${text}: ${parsed.reason}, so no event of ${captureName} mentions it. Copy a request address from a walk's req or next.` } };
  }
  const a = parsed.addr;
  const scan = scanEvents(analysis.batches, a, fmt);
  if (scan.events === 0) {
    return { ok: false, error: { code: 'not_found', message: `No event of ${captureName} mentions request ${fmt(a)}. Check the address (copy it from a walk's req or next), or give a walk number.` } };
  }
  const walks: WalkRow[] = [];
  let walkTotal = 0;
  const rule = analysis.ruleIds()[0];
  if (rule !== undefined) {
    for (const w of analysis.walks(rule)) {
      if (w !== undefined && (w.req === a || w.next === a)) {
        walkTotal++;
        if (walks.length < MAX_REQUEST_WALKS) {
          walks.push(walkRow(w, fmt));
        }
      }
    }
  }
  return { ok: true, value: { addr: fmt(a), walks, walkTotal, events: scan.events, lifecycle: scan.lifecycle, lifecycleTotal: scan.lifecycleTotal } };
}
