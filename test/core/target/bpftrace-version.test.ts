import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { observedParse } from '../../../main/core/target/preflight-check.js';
import { bpftraceCheck, parseBpftraceVersion, versionAtLeast, versionFeatures } from '../../../main/core/target/bpftrace-version.js';
import type { BpftraceVersion } from '../../../main/core/target/bpftrace-version.js';
import { err } from '../../../main/core/util/result.js';
import { fixture } from '../../support/preflight-fixtures.js';

function v(text: string): BpftraceVersion {
  const r = parseBpftraceVersion(text);
  assert.ok(r.ok, text);
  return r.value;
}

describe('bpftrace --version', () => {
  it('reads the real outputs: 0.17.0 (bookworm, this host) and 0.27.1 (sid)', () => {
    assert.deepEqual(v(fixture('host-6.18', 'bpftrace-version.txt')), { major: 0, minor: 17, patch: 0, text: 'v0.17.0' });
    assert.deepEqual(v(fixture('debian-6.1', 'bpftrace-version.txt')), { major: 0, minor: 17, patch: 0, text: 'v0.17.0' });
    assert.deepEqual(v(fixture('debian-sid-7.2', 'bpftrace-version.txt')), { major: 0, minor: 27, patch: 1, text: 'v0.27.1' });
  });

  it('reads git builds, distribution suffixes and versions without "v" or patch', () => {
    assert.deepEqual(v('bpftrace v0.24.0-3f1a2b9\n'), { major: 0, minor: 24, patch: 0, text: 'v0.24.0-3f1a2b9' });
    assert.deepEqual(v('bpftrace v0.19.1-12-gdeadbee'), { major: 0, minor: 19, patch: 1, text: 'v0.19.1-12-gdeadbee' });
    assert.deepEqual(v('bpftrace v0.20.2-1ubuntu1'), { major: 0, minor: 20, patch: 2, text: 'v0.20.2-1ubuntu1' });
    assert.deepEqual(v('bpftrace 0.9.4'), { major: 0, minor: 9, patch: 4, text: '0.9.4' });
    assert.deepEqual(v('bpftrace v1.0'), { major: 1, minor: 0, patch: 0, text: 'v1.0' });
    assert.equal(parseBpftraceVersion('bash: bpftrace: command not found').ok, false);
    assert.equal(parseBpftraceVersion('').ok, false);
  });

  it('features by version: offsetof and ringbuf from 0.18, the fentry name from 0.20, probe_inline from 0.22', () => {
    assert.deepEqual(versionFeatures(v('bpftrace v0.17.0')), { offsetof: false, ringbuf: false, fentryName: 'kfunc', probeInline: false });
    assert.deepEqual(versionFeatures(v('bpftrace v0.18.0')), { offsetof: true, ringbuf: true, fentryName: 'kfunc', probeInline: false });
    assert.deepEqual(versionFeatures(v('bpftrace v0.20.0')), { offsetof: true, ringbuf: true, fentryName: 'fentry', probeInline: false });
    assert.deepEqual(versionFeatures(v('bpftrace v0.22.1')), { offsetof: true, ringbuf: true, fentryName: 'fentry', probeInline: true });
    assert.deepEqual(versionFeatures(v('bpftrace v0.27.1')), { offsetof: true, ringbuf: true, fentryName: 'fentry', probeInline: true });
    assert.ok(versionAtLeast(v('bpftrace v1.0.0'), 0, 22));
    assert.ok(!versionAtLeast(v('bpftrace v0.21.9'), 0, 22));
  });

  it('check: 0.17 warns with how to get offsetof; 0.27 is fine; none installed fails with how to install', () => {
    const old = bpftraceCheck(observedParse(parseBpftraceVersion(fixture('host-6.18', 'bpftrace-version.txt'))));
    assert.equal(old.status, 'warn');
    assert.match(old.remediation ?? '', /bpftrace ≥ 0\.18 for offsetof/);
    assert.equal(bpftraceCheck(observedParse(parseBpftraceVersion(fixture('debian-sid-7.2', 'bpftrace-version.txt')))).status, 'ok');
    const none = bpftraceCheck(err({ kind: 'absent', detail: 'bpftrace not found' }));
    assert.equal(none.status, 'fail');
    assert.match(none.remediation ?? '', /apt-get install bpftrace/);
    assert.equal(bpftraceCheck(observedParse(parseBpftraceVersion('bpftrace v0.12.0'))).status, 'warn');
  });
});
