import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { CHECK_IDS } from '../../../main/core/target/preflight-check.js';
import { preflightCommand } from '../../../main/node/commands/preflight-command.js';
import { fakeMachine } from '../../support/fake-machines.js';

function lockscope(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/lockscope.js', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function run(machine: Parameters<typeof fakeMachine>[0], json: boolean): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await preflightCommand(fakeMachine(machine), json, { out: (t) => lines.push(t) });
  return { code, lines };
}

describe('lockscope preflight', () => {
  it('prints each check as it comes, its remediation under it, then the verdict; exit 0 when nothing failed', async () => {
    const { code, lines } = await run('debian-6.1', false);
    assert.equal(code, 0);
    assert.equal(lines[0], 'Preflight of debian-6.1:');
    assert.equal(lines.length, 1 + CHECK_IDS.length + 1);
    assert.match(lines[4] ?? '', /^ {2}WARN {2}bpftrace {23}bpftrace v0\.17\.0; .*\n {8}→ install bpftrace ≥ 0\.18 for offsetof/);
    assert.equal(lines.at(-1), '12 checks: 11 ok, 1 warning, 0 failed, 0 skipped\nReady, with the warnings above.');
  });

  it('exit 1 when a check failed (this host, captured: no kprobes)', async () => {
    const { code, lines } = await run('host-6.18', false);
    assert.equal(code, 1);
    assert.ok(lines.some((l) => /^ {2}FAIL {2}kprobes/.test(l)));
    assert.match(lines.at(-1) ?? '', /Not ready: fix what failed \(kprobes\)/);
  });

  it('--json: the checks and the facts', async () => {
    const { code, lines } = await run('debian-sid-7.2', true);
    assert.equal(code, 0);
    assert.equal(lines.length, 1);
    const doc = JSON.parse(lines[0] ?? '') as { target: string; ready: boolean; checks: { id: string }[]; facts: { kernel: { release: string }; symbols: { found: { name: string }[] } } };
    assert.equal(doc.target, 'debian-sid-7.2');
    assert.equal(doc.ready, true);
    assert.deepEqual(
      doc.checks.map((c) => c.id),
      [...CHECK_IDS],
    );
    assert.equal(doc.facts.kernel.release, '7.2.13+deb14-amd64');
    assert.ok(doc.facts.symbols.found.some((s) => s.name === 'io_wq_free_work.cold'));
  });

  it('on this host, through the command line: exit 0 or 1 by what failed, every check printed', () => {
    const r = lockscope('preflight', '--target', 'local');
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    assert.equal(r.status === 1, /^ {2}FAIL/m.test(r.stdout));
    assert.match(r.stdout, /^Preflight of local:\n/);
    assert.match(r.stdout, /\n12 checks: /);
    const j = lockscope('preflight', '--target', 'local', '--json');
    assert.equal(j.status, r.status);
    const doc = JSON.parse(j.stdout) as { checks: unknown[] };
    assert.equal(doc.checks.length, CHECK_IDS.length);
  });

  it('exit 2 on bad options', () => {
    const none = lockscope('preflight');
    assert.equal(none.status, 2);
    assert.match(none.stderr, /preflight needs --target local, --target ssh:/);
    const bad = lockscope('preflight', '--target=-oProxyCommand=x');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--target "-oProxyCommand=x": .* not a host name or an ssh alias/);
    // An unreachable target is one error line, not a failed check per line.
    const away = lockscope('preflight', '--target', 'ssh://root@127.0.0.1:1');
    assert.equal(away.status, 2);
    assert.match(away.stderr, /cannot connect .*Connection refused/);
    assert.equal(away.stdout, '');
    assert.equal(lockscope('preflight', '--target', 'local', 'extra').status, 2);
  });
});
