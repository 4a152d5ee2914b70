import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mountPointsOf, parseMounts } from '../../../main/core/target/proc-mounts.js';
import { MOUNT_TRACEFS, tracefsCandidates, tracefsCheck } from '../../../main/core/target/tracefs.js';
import { fixture } from '../../support/preflight-fixtures.js';

describe('/proc/mounts and tracefs', () => {
  it('finds tracefs at its home and under debugfs on every machine; securityfs nowhere', () => {
    for (const m of ['host-6.18', 'debian-6.1', 'debian-sid-7.2'] as const) {
      const mounts = parseMounts(fixture(m, 'proc-mounts.txt'));
      assert.deepEqual(mountPointsOf(mounts, 'tracefs'), ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'], m);
      assert.deepEqual(mountPointsOf(mounts, 'debugfs'), ['/sys/kernel/debug'], m);
      assert.deepEqual(mountPointsOf(mounts, 'securityfs'), [], m);
      assert.deepEqual(tracefsCandidates(mounts), ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'], m);
      assert.equal(tracefsCheck(mounts, '/sys/kernel/tracing', undefined).status, 'ok');
    }
  });

  it('decodes octal escapes in mount points', () => {
    const [m] = parseMounts('tracefs /mnt/my\\040trace tracefs rw 0 0\n');
    assert.equal(m?.mountPoint, '/mnt/my trace');
  });

  it('not mounted: fails and says how to mount it (Lockscope does not)', () => {
    const c = tracefsCheck(parseMounts('proc /proc proc rw 0 0\nsysfs /sys sysfs rw 0 0\n'), undefined, { kind: 'absent', detail: 'no such file' });
    assert.equal(c.status, 'fail');
    assert.equal(c.remediation, `mount tracefs: ${MOUNT_TRACEFS}`);
    assert.equal(MOUNT_TRACEFS, 'mount -t tracefs nodev /sys/kernel/tracing');
  });

  it('debugfs alone: tracefs is tried where debugfs mounts it on demand', () => {
    const mounts = parseMounts('debugfs /sys/kernel/debug debugfs rw 0 0\n');
    assert.deepEqual(tracefsCandidates(mounts), ['/sys/kernel/tracing', '/sys/kernel/debug/tracing']);
    const c = tracefsCheck(mounts, '/sys/kernel/debug/tracing', undefined);
    assert.equal(c.status, 'ok');
    assert.match(c.found, /on demand under debugfs/);
  });

  it('mounted but unreadable without root: fails with what to do', () => {
    const mounts = parseMounts(fixture('debian-6.1', 'proc-mounts.txt'));
    const c = tracefsCheck(mounts, undefined, { kind: 'denied', detail: 'permission denied reading /sys/kernel/tracing/available_events' });
    assert.equal(c.status, 'fail');
    assert.match(c.remediation ?? '', /root/);
  });

  it('does not claim "not mounted" when /proc/mounts could not be read', () => {
    const c = tracefsCheck([], undefined, { kind: 'absent', detail: 'no such file' }, 'permission denied');
    assert.equal(c.status, 'warn');
    assert.match(c.found, /not known: \/proc\/mounts could not be read \(permission denied\)/);
  });
});
