/**
 * The io_uring and lock tracepoints in tracefs' available_events ("system:event" per line). They
 * are cheap and need no kprobes: request life cycle (submit, link, async punt, completion, failed
 * link) and lock contention. Names differ by version: the submit tracepoint is
 * io_uring_submit_sqe on 6.1 and io_uring_submit_req on later kernels; 7.2 adds
 * lock:contended_release. lock:contention_* fire only on contended locks: they can show that a
 * lock was wanted, never that it was held.
 */
import type { PreflightCheck } from './preflight-check.js';
import { check } from './preflight-check.js';

export const TRACE_SYSTEMS = ['io_uring', 'lock'] as const;

/** Each entry: the names that serve, any one of them. */
export const WANTED_TRACEPOINTS: readonly (readonly string[])[] = [
  ['io_uring:io_uring_submit_req', 'io_uring:io_uring_submit_sqe'],
  ['io_uring:io_uring_link'],
  ['io_uring:io_uring_queue_async_work'],
  ['io_uring:io_uring_complete'],
  ['io_uring:io_uring_fail_link'],
  ['lock:contention_begin'],
  ['lock:contention_end'],
];

/** The io_uring:* and lock:* lines, sorted. */
export function parseAvailableEvents(text: string): readonly string[] {
  const out = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (TRACE_SYSTEMS.some((s) => line.startsWith(`${s}:`))) {
      out.add(line);
    }
  }
  return [...out].sort();
}

const TITLE = 'io_uring and lock tracepoints';

export function tracepointsCheck(events: readonly string[]): PreflightCheck {
  const have = new Set(events);
  const ioUring = events.filter((e) => e.startsWith('io_uring:'));
  const lock = events.filter((e) => e.startsWith('lock:'));
  const missing = WANTED_TRACEPOINTS.filter((names) => !names.some((n) => have.has(n))).map((names) => names.join(' or '));
  const submit = WANTED_TRACEPOINTS[0]?.find((n) => have.has(n));
  const found = `${ioUring.length} io_uring${submit === undefined ? '' : ` (submit: ${submit.slice('io_uring:'.length)})`}, ${lock.length} lock${lock.length === 0 ? '' : ` (${lock.map((l) => l.slice('lock:'.length)).join(', ')})`}`;
  if (ioUring.length === 0) {
    return check('tracepoints', TITLE, 'fail', `${found}: no io_uring tracepoints, so this kernel has no io_uring (or no io_uring trace events)`, 'trace a kernel built with CONFIG_IO_URING=y');
  }
  if (missing.length > 0) {
    const lockOnly = missing.every((m) => m.startsWith('lock:'));
    return check(
      'tracepoints',
      TITLE,
      'warn',
      `${found}; missing: ${missing.join(', ')}${lockOnly ? ' (lock contention tracepoints arrived in 5.19): contention is not recorded' : ': that part of the request life cycle is not recorded'}`,
    );
  }
  return check('tracepoints', TITLE, 'ok', found);
}
