import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { observedParse } from '../../../main/core/target/preflight-check.js';
import { kernelCheck, parseUname, releaseMajorMinor } from '../../../main/core/target/uname.js';
import { ok } from '../../../main/core/util/result.js';
import { fixture } from '../../support/preflight-fixtures.js';

describe('uname -r -v -m', () => {
  it('splits release, version (with spaces) and machine on real outputs', () => {
    assert.deepEqual(parseUname(fixture('debian-6.1', 'uname-rvm.txt')), ok({ release: '6.1.0-56-amd64', version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)', machine: 'x86_64' }));
    assert.deepEqual(parseUname(fixture('debian-sid-7.2', 'uname-rvm.txt')), ok({ release: '7.2.13+deb14-amd64', version: '#1 SMP PREEMPT_DYNAMIC Debian 7.2.13-1 (2026-10-28)', machine: 'x86_64' }));
    assert.deepEqual(parseUname(fixture('host-6.18', 'uname-rvm.txt')), ok({ release: '6.18.44-fc-v782', version: '#1 SMP PREEMPT_DYNAMIC @0', machine: 'x86_64' }));
  });

  it('agrees with the same fields of uname -a', () => {
    for (const m of ['host-6.18', 'debian-6.1', 'debian-sid-7.2'] as const) {
      const u = parseUname(fixture(m, 'uname-rvm.txt'));
      assert.ok(u.ok);
      assert.ok(fixture(m, 'uname-a.txt').includes(` ${u.value.release} ${u.value.version} ${u.value.machine} `), m);
    }
  });

  it('refuses what is not one line of three fields', () => {
    assert.equal(parseUname('6.1.0\n').ok, false);
    assert.equal(parseUname('a b\nc d e').ok, false);
    assert.equal(parseUname('').ok, false);
  });

  it('reads major and minor from releases', () => {
    assert.deepEqual(releaseMajorMinor('6.1.0-56-amd64'), [6, 1]);
    assert.deepEqual(releaseMajorMinor('7.2.13+deb14-amd64'), [7, 2]);
    assert.equal(releaseMajorMinor('custom'), undefined);
  });

  it('kernel check: ok on x86_64, a warning elsewhere or on kernels older than 5.15, a failure when uname fails', () => {
    assert.equal(kernelCheck(observedParse(parseUname(fixture('debian-6.1', 'uname-rvm.txt')))).status, 'ok');
    assert.equal(kernelCheck(ok({ release: '6.6.0', version: '#1 SMP', machine: 'aarch64' })).status, 'warn');
    assert.equal(kernelCheck(ok({ release: '5.10.0-30-amd64', version: '#1 SMP', machine: 'x86_64' })).status, 'warn');
    const failed = kernelCheck({ ok: false, error: { kind: 'absent', detail: 'no uname' } });
    assert.equal(failed.status, 'fail');
    assert.ok(failed.remediation !== undefined);
  });
});
