/** --target: local, ssh:// URLs and ssh aliases; nothing ssh could take for an option gets through. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTargetSpec } from '../../../main/core/target/target-spec.js';

describe('target spec', () => {
  it('reads local, URLs and aliases', () => {
    assert.deepEqual(parseTargetSpec('local'), { ok: true, value: { kind: 'local' } });
    assert.deepEqual(parseTargetSpec('ssh://root@db1.example.com:2222'), {
      ok: true,
      value: { kind: 'ssh', host: 'db1.example.com', user: 'root', port: 2222, text: 'ssh://root@db1.example.com:2222' },
    });
    assert.deepEqual(parseTargetSpec('ssh://10.0.0.7/'), { ok: true, value: { kind: 'ssh', host: '10.0.0.7', user: undefined, port: undefined, text: 'ssh://10.0.0.7/' } });
    assert.deepEqual(parseTargetSpec('ssh://[fe80::1]:22'), { ok: true, value: { kind: 'ssh', host: 'fe80::1', user: undefined, port: 22, text: 'ssh://[fe80::1]:22' } });
    assert.deepEqual(parseTargetSpec('ops@lab-sid'), { ok: true, value: { kind: 'ssh', host: 'lab-sid', user: 'ops', port: undefined, text: 'ops@lab-sid' } });
  });

  it('refuses what could become an option or a second word', () => {
    for (const bad of ['-oProxyCommand=x', 'ssh://-oProxyCommand=x', 'host name', 'host\nx', 'ssh://h:0', 'ssh://h:70000', 'ssh://h:x', 'http://h',
      '-l@h', 'us er@h', '', 'ssh://', 'ssh://[zz]:1', 'h;rm', '$(id)']) {
      const r = parseTargetSpec(bad);
      assert.ok(!r.ok, JSON.stringify(bad));
      assert.ok(r.error.includes('--target'), JSON.stringify(bad));
    }
  });
});
