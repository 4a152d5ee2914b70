import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ioUringCheck, ioUringDisabledOf } from '../../../main/core/target/io-uring-sysctl.js';
import { err, ok } from '../../../main/core/util/result.js';

describe('kernel.io_uring_disabled', () => {
  it('0 and no sysctl (6.1) are fine; 1 warns; 2 fails with the sysctl to set', () => {
    assert.equal(ioUringCheck(ok('0\n')).status, 'ok');
    assert.equal(ioUringCheck(err({ kind: 'absent', detail: 'no such file' })).status, 'ok');
    assert.equal(ioUringCheck(ok('1\n')).status, 'warn');
    const off = ioUringCheck(ok('2\n'));
    assert.equal(off.status, 'fail');
    assert.match(off.remediation ?? '', /sysctl -w kernel\.io_uring_disabled=0/);
    assert.equal(ioUringDisabledOf(ok('2\n')), 2);
    assert.equal(ioUringDisabledOf(err({ kind: 'absent', detail: '' })), undefined);
  });
});
