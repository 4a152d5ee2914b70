import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseId, privilegesCheck } from '../../../main/core/target/privileges.js';
import { ok } from '../../../main/core/util/result.js';
import { fixture } from '../../support/preflight-fixtures.js';

describe('privileges', () => {
  it('reads uid and name from id', () => {
    assert.deepEqual(parseId(fixture('host-6.18', 'id.txt')), ok({ uid: 0, user: 'root' }));
    assert.deepEqual(parseId('uid=1000(alice) gid=1000(alice) groups=1000(alice),27(sudo)\n'), ok({ uid: 1000, user: 'alice' }));
    assert.deepEqual(parseId('uid=4242 gid=4242 groups=4242\n'), ok({ uid: 4242, user: undefined }));
    assert.equal(parseId('id: command not found').ok, false);
  });

  it('root and passwordless sudo are fine; a sudo that wants a password or no sudo fails with what to do', () => {
    const alice = ok({ uid: 1000, user: 'alice' });
    assert.equal(privilegesCheck(ok({ uid: 0, user: 'root' }), 'root').status, 'ok');
    assert.equal(privilegesCheck(alice, 'sudo').status, 'ok');
    const pw = privilegesCheck(alice, 'sudo_needs_password');
    assert.equal(pw.status, 'fail');
    assert.match(pw.found, /alice \(uid 1000\).*password/);
    assert.match(pw.remediation ?? '', /NOPASSWD/);
    assert.equal(privilegesCheck(alice, 'no_sudo').status, 'fail');
    assert.equal(privilegesCheck(alice, 'unknown', 'ssh dropped').status, 'fail');
  });
});
