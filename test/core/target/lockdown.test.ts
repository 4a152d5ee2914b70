import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lockdownFinding, parseLockdown } from '../../../main/core/target/lockdown.js';
import { err, ok } from '../../../main/core/util/result.js';

const absent = err({ kind: 'absent' as const, detail: 'no such file' });
const noEvidence = { tracefsOpened: false, probeReadKernel: 'unknown' as const };

describe('lockdown', () => {
  it('reads the bracketed mode', () => {
    assert.deepEqual(parseLockdown('[none] integrity confidentiality\n'), ok('none'));
    assert.deepEqual(parseLockdown('none [integrity] confidentiality\n'), ok('integrity'));
    assert.deepEqual(parseLockdown('none integrity [confidentiality]\n'), ok('confidentiality'));
    assert.equal(parseLockdown('none integrity confidentiality').ok, false);
  });

  it('none and integrity allow tracing; confidentiality fails with how to lift it', () => {
    assert.equal(lockdownFinding(ok('[none] integrity confidentiality\n'), true, noEvidence).check.status, 'ok');
    assert.equal(lockdownFinding(ok('none [integrity] confidentiality\n'), true, noEvidence).check.status, 'ok');
    const c = lockdownFinding(ok('none integrity [confidentiality]\n'), true, noEvidence);
    assert.equal(c.mode, 'confidentiality');
    assert.equal(c.check.status, 'fail');
    assert.match(c.check.remediation ?? '', /lockdown=none/);
  });

  it('securityfs mounted without a lockdown file: no lockdown LSM', () => {
    const f = lockdownFinding(absent, true, noEvidence);
    assert.equal(f.mode, 'none');
    assert.equal(f.check.status, 'ok');
  });

  it('securityfs not mounted (all three machines): ruled out by tracefs or bpftrace --info when they answered, else a warning', () => {
    const host = lockdownFinding(absent, false, { tracefsOpened: true, probeReadKernel: 'yes' });
    assert.equal(host.mode, 'unknown');
    assert.equal(host.check.status, 'ok');
    assert.match(host.check.found, /not confidentiality: tracefs files open and bpftrace --info shows bpf_probe_read_kernel/);
    const unknown = lockdownFinding(absent, false, noEvidence);
    assert.equal(unknown.check.status, 'warn');
    assert.equal(unknown.check.remediation, 'mount securityfs so it can be read: mount -t securityfs securityfs /sys/kernel/security');
  });
});
