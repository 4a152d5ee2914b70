import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAvailableEvents, tracepointsCheck } from '../../../main/core/target/available-events.js';
import { fixture } from '../../support/preflight-fixtures.js';

describe('available_events', () => {
  it('6.1 submits through io_uring_submit_sqe, 7.2 and this host through io_uring_submit_req; 7.2 adds lock:contended_release', () => {
    const e61 = parseAvailableEvents(fixture('debian-6.1', 'available-events-io_uring-lock.txt'));
    const e72 = parseAvailableEvents(fixture('debian-sid-7.2', 'available-events-io_uring-lock.txt'));
    const host = parseAvailableEvents(fixture('host-6.18', 'available-events-io_uring-lock.txt'));
    assert.ok(e61.includes('io_uring:io_uring_submit_sqe') && !e61.includes('io_uring:io_uring_submit_req'));
    assert.ok(e72.includes('io_uring:io_uring_submit_req') && !e72.includes('io_uring:io_uring_submit_sqe'));
    assert.ok(host.includes('io_uring:io_uring_submit_req'));
    assert.deepEqual(
      e72.filter((e) => e.startsWith('lock:')),
      ['lock:contended_release', 'lock:contention_begin', 'lock:contention_end'],
    );
    assert.equal(e61.length, 19);
    for (const events of [e61, e72, host]) {
      assert.equal(tracepointsCheck(events).status, 'ok');
    }
    assert.match(tracepointsCheck(e61).found, /submit: io_uring_submit_sqe/);
  });

  it('keeps only io_uring: and lock: lines, sorted, without repeats', () => {
    assert.deepEqual(parseAvailableEvents('sched:sched_switch\nlock:contention_end\nio_uring:io_uring_link\nlock:contention_end\n\n'), ['io_uring:io_uring_link', 'lock:contention_end']);
  });

  it('no io_uring at all fails; missing lock contention tracepoints (before 5.19) warn', () => {
    const none = tracepointsCheck(['lock:contention_begin', 'lock:contention_end']);
    assert.equal(none.status, 'fail');
    assert.match(none.remediation ?? '', /CONFIG_IO_URING/);
    const e61 = parseAvailableEvents(fixture('debian-6.1', 'available-events-io_uring-lock.txt'));
    const old = tracepointsCheck(e61.filter((e) => !e.startsWith('lock:')));
    assert.equal(old.status, 'warn');
    assert.match(old.found, /5\.19/);
  });
});
