import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { preemptRtCheck, preemptRtFrom } from '../../../main/core/target/preempt-rt.js';
import { parseUname } from '../../../main/core/target/uname.js';
import { err, ok } from '../../../main/core/util/result.js';
import { fixture } from '../../support/preflight-fixtures.js';

const absent = err({ kind: 'absent' as const, detail: 'no /sys/kernel/realtime' });

describe('PREEMPT_RT', () => {
  it('the three machines are not PREEMPT_RT (PREEMPT_DYNAMIC)', () => {
    for (const m of ['host-6.18', 'debian-6.1', 'debian-sid-7.2'] as const) {
      const u = parseUname(fixture(m, 'uname-rvm.txt'));
      assert.ok(u.ok);
      const f = preemptRtFrom(u.value.version, absent);
      assert.equal(f.state, 'no', m);
      assert.match(f.evidence, /PREEMPT_DYNAMIC/);
      assert.equal(preemptRtCheck(f).status, 'ok');
    }
  });

  it('uname -v naming PREEMPT_RT (or the old "PREEMPT RT"), or /sys/kernel/realtime = 1, means yes: a warning', () => {
    assert.equal(preemptRtFrom('#1 SMP PREEMPT_RT Debian 6.1.192-2 (2026-11-16)', absent).state, 'yes');
    assert.equal(preemptRtFrom('#1 SMP PREEMPT RT Tue Jan 1 2019', absent).state, 'yes');
    assert.equal(preemptRtFrom('#1 SMP PREEMPT_DYNAMIC', ok('1\n')).state, 'yes');
    assert.equal(preemptRtFrom('#1 SMP PREEMPT_DYNAMIC', ok('0\n')).state, 'no');
    assert.equal(preemptRtCheck(preemptRtFrom('#1 SMP PREEMPT_RT', absent)).status, 'warn');
  });

  it('no uname -v: unknown', () => {
    assert.equal(preemptRtFrom(undefined, absent).state, 'unknown');
    assert.equal(preemptRtCheck(preemptRtFrom(undefined, absent)).status, 'warn');
  });
});
