/**
 * The SSH target against a real OpenSSH server (a private sshd on 127.0.0.1): host keys are never
 * accepted silently, failures are named, arguments survive the remote shell byte for byte, time
 * bounds hold, and a long-running command dies with its connection.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { parseTargetSpec } from '../../../main/core/target/target-spec.js';
import { collectPreflight } from '../../../main/node/targets/preflight.js';
import { LocalTarget } from '../../../main/node/targets/local-target.js';
import { SshTarget } from '../../../main/node/targets/ssh-target.js';
import type { TargetError } from '../../../main/node/targets/target-error.js';
import { describeTargetError } from '../../../main/node/targets/target-error.js';
import type { LocalSshd } from '../../support/local-sshd.js';
import { otherKeyPub, sshdUnavailable, startSshd } from '../../support/local-sshd.js';

const skip = sshdUnavailable();

function target(d: LocalSshd, text = 'lockscope-test'): SshTarget {
  const spec = parseTargetSpec(text);
  assert.ok(spec.ok && spec.value.kind === 'ssh', text);
  return new SshTarget(spec.value, { configFile: d.configFile, connectTimeoutS: 5 });
}

function errorOf(r: { ok: boolean; error?: TargetError }): TargetError {
  assert.equal(r.ok, false, 'expected an error');
  assert.ok(r.error !== undefined);
  return r.error;
}

/** Processes whose command line contains `marker`. */
function running(marker: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', '-a', marker], { encoding: 'utf8' }).trim().split('\n').filter((l) => !l.includes('pgrep'));
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) {
      return false;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

describe('ssh target', { skip }, () => {
  let d: LocalSshd;
  before(async () => {
    d = await startSshd();
  });
  after(() => {
    d.stop();
  });

  it('an unknown host key fails and shows its fingerprint; nothing runs', async () => {
    d.trust('');
    const e = errorOf(await target(d).exec(['true'], { timeoutMs: 10_000 }));
    assert.ok(e.kind === 'host_key_unknown', e.kind);
    const fp = d.hostKeyFingerprint.split(' ')[1] ?? 'missing';
    assert.ok(e.fingerprints.some((f) => f.includes(fp)), `${fp} not in ${e.fingerprints.join(' | ')}`);
    assert.match(describeTargetError(e), /not known.*SHA256:/);
  });

  it('a changed host key fails', async () => {
    d.trust(`[127.0.0.1]:${d.port} ${otherKeyPub(d)}`);
    assert.equal(errorOf(await target(d).exec(['true'], { timeoutMs: 10_000 })).kind, 'host_key_changed');
  });

  it('arguments reach the remote command byte for byte', async () => {
    d.trust();
    const args = ["it's", 'a $HOME `id` $(id)', '"quoted"', 'semi;colon && pipe|', 'new\nline', '*', '', '-n', 'ünï'];
    const r = await target(d).exec(['printf', '%s\\0', ...args], { timeoutMs: 10_000 });
    assert.ok(r.ok, r.ok ? '' : describeTargetError(r.error));
    assert.equal(r.value.code, 0);
    assert.deepEqual(new TextDecoder().decode(r.value.stdout).split('\0').slice(0, -1), args);
  });

  it('an exit status is a result; a missing file is not_found', async () => {
    d.trust();
    const t = target(d);
    const r = await t.exec(['sh', '-c', 'echo oops >&2; exit 3'], { timeoutMs: 10_000 });
    assert.ok(r.ok);
    assert.equal(r.value.code, 3);
    assert.match(r.value.stderr, /oops/);
    assert.equal(errorOf(await t.readFile('/nonexistent/lockscope', { maxBytes: 1000, timeoutMs: 10_000 })).kind, 'not_found');
    const f = await t.readFile('/proc/version', { maxBytes: 100_000, timeoutMs: 10_000, root: true });
    assert.ok(f.ok);
    assert.match(new TextDecoder().decode(f.value), /^Linux version/);
  });

  it('a command past its time bound is stopped', async () => {
    d.trust();
    const e = errorOf(await target(d).exec(['sleep', '37'], { timeoutMs: 1500 }));
    assert.equal(e.kind, 'timeout');
    // The remote side is bounded too: no sleep 30 is left behind.
    assert.ok(await until(() => running('sleep 37').length === 0, 10_000), running('sleep 37').join('\n'));
  });

  it('output past the cap is refused', async () => {
    d.trust();
    const e = errorOf(await target(d).exec(['head', '-c', '200000', '/dev/zero'], { timeoutMs: 10_000, maxOutputBytes: 1000 }));
    assert.equal(e.kind, 'output_too_large');
  });

  it('a key the server does not accept is auth_failed', async () => {
    d.trust();
    const spec = parseTargetSpec(`ssh://nobody-lockscope@127.0.0.1:${d.port}`);
    assert.ok(spec.ok && spec.value.kind === 'ssh');
    const t = new SshTarget(spec.value, { configFile: d.configFile, connectTimeoutS: 5 });
    // Only the `lockscope-test` alias offers the accepted key; here ssh offers one sshd refuses.
    const e = errorOf(await t.exec(['true'], { timeoutMs: 10_000 }));
    assert.equal(e.kind, 'auth_failed');
    assert.match(describeTargetError(e), /Permission denied/);
  });

  it('preflight runs over SSH and sees what a local preflight sees', async () => {
    d.trust();
    const remote = await collectPreflight(target(d));
    const local = await collectPreflight(new LocalTarget());
    assert.equal(remote.facts.kernel?.release, execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim());
    assert.deepEqual(
      remote.checks.map((c) => [c.id, c.status]),
      local.checks.map((c) => [c.id, c.status]),
    );
  });

  it('a closed port is unreachable', async () => {
    const spec = parseTargetSpec('ssh://root@127.0.0.1:1');
    assert.ok(spec.ok && spec.value.kind === 'ssh');
    const e = errorOf(await new SshTarget(spec.value, { connectTimeoutS: 5 }).exec(['true'], { timeoutMs: 10_000 }));
    assert.equal(e.kind, 'unreachable');
    assert.match(describeTargetError(e), /Connection refused/);
  });

  it('a long-running command dies when it is stopped, and when its connection drops', async () => {
    d.trust();
    const t = target(d);
    assert.ok((await t.exec(['true'], { timeoutMs: 10_000, root: true })).ok);
    for (const how of ['stop', 'drop', 'finish'] as const) {
      // A shell that stays (no exec) with a child: the whole tree must go.
      const sleep = `sleep ${how === 'stop' ? 311 : how === 'drop' ? 312 : 1}`;
      const marker = `lockscope-guard-${how}`;
      const s = t.spawn(['sh', '-c', `echo started; ${sleep}; echo ended; : ${marker}`], { timeoutMs: 60_000, root: true });
      assert.ok(s.ok);
      const first = await new Promise<string>((resolve) => s.value.stdout.once('data', (b: Buffer) => { resolve(b.toString()); }));
      assert.match(first, /started/);
      if (how === 'finish') {
        // A command that ends by itself ends its session without being stopped.
        const end = await Promise.race([s.value.done, new Promise<'hung'>((r) => setTimeout(() => { r('hung'); }, 10_000))]);
        assert.notEqual(end, 'hung', 'the session stayed open after its command ended');
        continue;
      }
      assert.ok(running(marker).length > 0 && running(sleep).length > 0, 'the remote command is running');
      if (how === 'stop') {
        s.value.stop();
      } else {
        // The connection goes away without a word: the local ssh is killed.
        execFileSync('pkill', ['-KILL', '-f', `^ssh .*${marker}`]);
      }
      await s.value.done;
      const gone = (): boolean => running(marker).length === 0 && running(sleep).length === 0;
      assert.ok(await until(gone, 15_000), `still running after ${how}: ${[...running(marker), ...running(sleep)].join('\n')}`);
    }
  });
});
