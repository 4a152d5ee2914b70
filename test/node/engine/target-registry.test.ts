/**
 * The engine's targets: local always, ssh_config hosts offered, saved ones added, edited and
 * deleted in STATE_DIR/targets.json (atomically; a damaged file is reported and left alone), and
 * preflight against a scripted 6.1 machine with every check, readiness and the plan.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { AppResult } from '../../../main/core/app/app-contract.js';
import { DEFAULT_RULES_JSON } from '../../../main/core/rules/default-rules.js';
import { parseRules } from '../../../main/core/rules/rule.js';
import { TargetRegistry } from '../../../main/node/engine/target-registry.js';
import { fakeMachine } from '../../support/fake-machines.js';

const parsedRules = parseRules(DEFAULT_RULES_JSON);
const RULES = parsedRules.ok ? parsedRules.value : [];

function value<T>(r: AppResult<T>): T {
  if (!r.ok) {
    throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  }
  return r.value;
}

function errorOf<T>(r: AppResult<T>): { code: string; message: string } {
  if (r.ok) {
    throw new Error('expected an error');
  }
  return r.error;
}

describe('TargetRegistry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockscope-targets-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function registry(name: string, sshConfig?: string): { reg: TargetRegistry; state: string } {
    const state = join(dir, name);
    return { reg: new TargetRegistry(state, sshConfig, { rules: RULES }), state };
  }

  it('always offers local, and ssh_config hosts without wildcards', async () => {
    const config = join(dir, 'ssh_config');
    writeFileSync(config, 'Host lab-61 lab-sid\n  User root\nHost *\n  ServerAliveInterval 10\n');
    const { reg } = registry('list', config);
    const list = value(await reg.list());
    assert.deepEqual(
      list.map((t) => [t.id, t.address, t.fromSshConfig]),
      [['local', 'local', false], ['ssh-config:lab-61', 'lab-61', true], ['ssh-config:lab-sid', 'lab-sid', true]],
    );
    // A missing ssh_config is no hosts, not an error.
    assert.equal(value(await registry('list2', join(dir, 'nope')).reg.list()).length, 1);
  });

  it('adds, edits and deletes saved targets, kept in targets.json', async () => {
    const { reg, state } = registry('crud');
    const added = value(await reg.save({ id: undefined, address: ' ssh://root@db2:2222 ', label: 'staging' }));
    assert.deepEqual(added, { id: 'root_db2_2222', address: 'ssh://root@db2:2222', label: 'staging', fromSshConfig: false });
    const second = value(await reg.save({ id: undefined, address: 'db3', label: '' }));
    assert.equal(second.label, 'db3');
    const edited = value(await reg.save({ id: added.id, address: 'ssh://root@db2:2200', label: 'staging 2' }));
    assert.equal(edited.id, added.id);
    const onDisk = JSON.parse(readFileSync(join(state, 'targets.json'), 'utf8')) as { targets: { id: string; address: string }[] };
    assert.deepEqual(onDisk.targets.map((t) => t.address), ['ssh://root@db2:2200', 'db3']);
    // A fresh registry over the same directory sees them.
    assert.deepEqual(value(await new TargetRegistry(state, undefined).list()).map((t) => t.id), ['local', 'root_db2_2222', 'db3']);
    value(await reg.remove('db3'));
    assert.deepEqual(value(await reg.list()).map((t) => t.id), ['local', 'root_db2_2222']);
    // Written through a temporary file and a rename: nothing else is left in the directory.
    assert.deepEqual(readdirSync(state), ['targets.json']);
  });

  it('refuses bad addresses, duplicates and changes to local or ssh_config hosts, saying why', async () => {
    const config = join(dir, 'ssh_config2');
    writeFileSync(config, 'Host lab\n');
    const { reg } = registry('refuse', config);
    value(await reg.save({ id: undefined, address: 'ssh://db1', label: 'one' }));
    const cases: readonly [AppResult<unknown>, string, RegExp][] = [
      [await reg.save({ id: undefined, address: 'ssh://db 1', label: '' }), 'bad_request', /the address "ssh:\/\/db 1"/],
      [await reg.save({ id: undefined, address: 'ssh://db1', label: '' }), 'bad_request', /already saved as "one"/],
      [await reg.save({ id: undefined, address: 'local', label: '' }), 'bad_request', /already a target \(local\)/],
      [await reg.save({ id: 'local', address: 'ssh://x', label: '' }), 'bad_request', /built in/],
      [await reg.save({ id: 'gone', address: 'ssh://x', label: '' }), 'not_found', /no saved target gone/],
      [await reg.remove('local'), 'bad_request', /cannot be deleted/],
      [await reg.remove('ssh-config:lab'), 'bad_request', /comes from .*ssh_config2; remove its Host entry there/],
      [await reg.remove('gone'), 'not_found', /no saved target gone/],
      [await reg.preflight('gone'), 'not_found', /no target gone/],
    ];
    for (const [r, code, message] of cases) {
      const e = errorOf(r);
      assert.equal(e.code, code, e.message);
      assert.match(e.message, message);
    }
    // Editing an ssh_config host saves a copy, which then replaces it in the list.
    const copy = value(await reg.save({ id: 'ssh-config:lab', address: 'lab', label: 'the lab' }));
    assert.equal(copy.fromSshConfig, false);
    assert.deepEqual(value(await reg.list()).map((t) => `${t.id}:${t.label}`), ['local:This machine', 'db1:one', 'lab:the lab']);
  });

  it('a damaged targets.json is reported with its path and never overwritten', async () => {
    const { reg, state } = registry('damaged');
    value(await reg.save({ id: undefined, address: 'ssh://db1', label: '' }));
    const file = join(state, 'targets.json');
    const damaged = '{"version": 1, "targets": [ {"id": "db1", "addr';
    writeFileSync(file, damaged);
    const e = errorOf(await reg.list());
    assert.equal(e.code, 'target_failed');
    assert.ok(e.message.startsWith(`${file}: not JSON`), e.message);
    assert.match(e.message, /nothing is written to it until it is fixed or removed/);
    assert.match(errorOf(await reg.save({ id: undefined, address: 'ssh://db2', label: '' })).message, /not JSON/);
    assert.match(errorOf(await reg.remove('db1')).message, /not JSON/);
    assert.equal(readFileSync(file, 'utf8'), damaged);
    // local still works.
    assert.equal(value(reg.entry('local')).address, 'local');
  });
});

describe('TargetRegistry preflight (scripted machines)', () => {
  const bin = mkdtempSync(join(tmpdir(), 'lockscope-bin-'));
  writeFileSync(join(bin, 'lockscope-misses'), 'stand-in');
  writeFileSync(join(bin, 'linkstorm'), 'stand-in');
  const btf = new Uint8Array(gunzipSync(readFileSync('test/fixtures/btf/debian-6.1.0-56-amd64.btf.gz')));
  after(() => {
    rmSync(bin, { recursive: true, force: true });
  });

  it('a 6.1 machine: every check, ready, and a plan that can prove both verdicts', async () => {
    const state = mkdtempSync(join(tmpdir(), 'lockscope-state-'));
    const reg = new TargetRegistry(state, undefined, { rules: RULES, binDir: bin, targetFor: (address) => fakeMachine('debian-6.1', { name: address, files: { '/sys/kernel/btf/vmlinux': btf } }) });
    const report = value(await reg.preflight('local'));
    assert.equal(report.targetId, 'local');
    assert.equal(report.checks.length, 12);
    assert.equal(report.ready, true, JSON.stringify(report.checks.filter((c) => c.status === 'fail')));
    assert.ok(report.checks.filter((c) => c.status === 'warn').every((c) => c.remediation !== undefined));
    assert.match(report.planText ?? '', /^probe plan for local: kernel 6\.1\.0-56-amd64/);
    assert.match(report.planText ?? '', /rule io-wq-link-walk-uring-lock:\n {2}HELD +yes/);
    assert.match(report.planText ?? '', /\n {2}NOT_HELD yes/);
    rmSync(state, { recursive: true, force: true });
  });

  it('without the helper binaries the plan says misses go uncounted and walks will be UNKNOWN', async () => {
    const state = mkdtempSync(join(tmpdir(), 'lockscope-state-'));
    const reg = new TargetRegistry(state, undefined, { rules: RULES, binDir: join(bin, 'none'), targetFor: (address) => fakeMachine('debian-6.1', { name: address, files: { '/sys/kernel/btf/vmlinux': btf } }) });
    const report = value(await reg.preflight('local'));
    assert.match(report.planText ?? '', /note: no helper binaries in .*none\/ \(run: npm run build:workload\); probe misses will not be counted and walks will be UNKNOWN/);
    assert.doesNotMatch(report.planText ?? '', /HELD +yes/);
    rmSync(state, { recursive: true, force: true });
  });

  it('a machine without root is not ready, and says what to do', async () => {
    const state = mkdtempSync(join(tmpdir(), 'lockscope-state-'));
    const reg = new TargetRegistry(state, undefined, { rules: RULES, binDir: bin, targetFor: (address) => fakeMachine('debian-6.1', { name: address, root: 'no_sudo', files: { '/sys/kernel/btf/vmlinux': btf } }) });
    const report = value(await reg.preflight('local'));
    assert.equal(report.ready, false);
    const priv = report.checks.find((c) => c.id === 'privileges');
    assert.equal(priv?.status, 'fail');
    assert.ok(priv.remediation !== undefined && priv.remediation.length > 0);
    rmSync(state, { recursive: true, force: true });
  });

  it('an unreachable target is one error, not a list of failed checks', async () => {
    const state = mkdtempSync(join(tmpdir(), 'lockscope-state-'));
    const reg = new TargetRegistry(state, undefined, {
      rules: RULES,
      targetFor: (address) => fakeMachine('debian-6.1', { name: address, exec: { true: { error: { kind: 'unreachable', target: address, detail: 'Connection refused' } } } }),
    });
    const e = errorOf(await reg.preflight('local'));
    assert.equal(e.code, 'target_failed');
    assert.match(e.message, /cannot connect \(Connection refused\)/);
    rmSync(state, { recursive: true, force: true });
  });
});
