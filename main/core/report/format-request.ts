/** One event that mentions a request, as a line of `lockscope inspect --req`. Pure. */
import type { CaptureEvent } from '../capture/events.js';
import type { Addr } from '../util/addr.js';
import { formatRelSeconds } from '../util/time.js';

export function formatRequestEvent(e: CaptureEvent, req: Addr, fmt: (a: Addr) => string): string {
  return `${formatRelSeconds(e.ts)}s ${requestEventText(e, req, fmt)}`;
}

/** The line without its time: where (cpu, tid) and what happened to the request. */
export function requestEventText(e: CaptureEvent, req: Addr, fmt: (a: Addr) => string): string {
  const at = `cpu ${e.cpu} tid ${e.tid}`;
  const role = (a: Addr): string => (a === req ? 'this request' : fmt(a));
  switch (e.kind) {
    case 'io_submit':
      return `${at}  submit (opcode ${e.opcode}, flags 0x${e.flags.toString(16)}) — a new life of this address begins`;
    case 'io_link':
      return `${at}  link: ${role(e.req)} linked behind ${role(e.target)}`;
    case 'io_queue_async':
      return `${at}  queued to io-wq`;
    case 'io_complete':
      return `${at}  complete (res ${e.res})`;
    case 'io_fail_link':
      return `${at}  link failed: ${role(e.req)} → ${role(e.link)}`;
    case 'req_free':
      return `${at}  freed — this life of the address ends`;
    case 'window_enter':
      return `${at}  enter ${e.site}: req ${role(e.req)}, req->link ${role(e.link)}`;
    case 'window_exit':
      return `${at}  return from ${e.site}: req ${role(e.req)}, next ${role(e.next)}`;
    case 'window_summary':
      return `${at}  ${e.site} window (${e.duration} ns): req ${role(e.req)}, req->link ${role(e.link)}, next ${role(e.next)}, ${e.ops.length} lock ops`;
    default:
      return `${at}  ${e.kind}`;
  }
}
