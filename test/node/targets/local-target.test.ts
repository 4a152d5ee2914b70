import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { LocalTarget, nodeCommand } from '../../../main/node/targets/local-target.js';
import type { Spawned } from '../../../main/node/targets/target.js';

const dir = mkdtempSync(join(tmpdir(), 'lockscope-local-'));
chmodSync(dir, 0o755);
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** A process is gone when /proc has no entry for it or it is a zombie waiting for its parent. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) {
      return true;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return cond();
}

/** The first line a spawned command writes (the tests make it print its pid). */
function firstLine(s: { readonly stdout: NodeJS.ReadableStream }): Promise<string> {
  return new Promise((res, rej) => {
    let buf = '';
    s.stdout.on('data', (b: Buffer) => {
      buf += b.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        res(buf.slice(0, nl));
      }
    });
    s.stdout.on('end', () => {
      rej(new Error(`no line; got ${JSON.stringify(buf)}`));
    });
  });
}

/** A stand-in for sudo: `-n true` answers as told; otherwise it runs the command after `-n --` (as the same user). */
function fakeSudo(name: string, answer: 'ok' | 'password' | 'not_sudoer'): string {
  const file = join(dir, name);
  const log = `${file}.log`;
  const refuse =
    answer === 'password' ? "echo 'sudo: a password is required' >&2; exit 1" : answer === 'not_sudoer' ? "echo 'tester is not in the sudoers file.' >&2; exit 1" : '';
  writeFileSync(
    file,
    [
      '#!/bin/sh',
      `echo "$*" >> '${log}'`,
      `[ "$1" = -n ] || { echo 'sudo: expected -n' >&2; exit 99; }`,
      'shift',
      refuse,
      '[ "$1" = -- ] && shift',
      'exec "$@"',
      '',
    ].join('\n'),
  );
  chmodSync(file, 0o755);
  return file;
}

const sudoLog = (file: string): string[] => (existsSync(`${file}.log`) ? readFileSync(`${file}.log`, 'utf8').trim().split('\n') : []);

describe('LocalTarget.exec', () => {
  const t = new LocalTarget();

  it('runs an argument vector without a shell', async () => {
    const r = await t.exec(['echo', '$HOME; ls `pwd` | cat'], { timeoutMs: 5000 });
    assert.ok(r.ok);
    assert.equal(text(r.value.stdout), '$HOME; ls `pwd` | cat\n');
    assert.equal(r.value.code, 0);
  });

  it('an exit code other than 0 is a result, with standard error', async () => {
    const r = await t.exec(['sh', '-c', 'echo oops >&2; exit 3'], { timeoutMs: 5000 });
    assert.ok(r.ok);
    assert.equal(r.value.code, 3);
    assert.equal(r.value.stderr, 'oops\n');
  });

  it('standard input is closed (a reader ends at once) unless input is given', async () => {
    const closed = await t.exec(['cat'], { timeoutMs: 5000 });
    assert.ok(closed.ok);
    assert.equal(text(closed.value.stdout), '');
    const fed = await t.exec(['cat'], { timeoutMs: 5000, input: new TextEncoder().encode('abc') });
    assert.ok(fed.ok);
    assert.equal(text(fed.value.stdout), 'abc');
  });

  it('a timeout stops the whole process group, children included', async () => {
    const pidFile = join(dir, 'timeout.pid');
    const t0 = Date.now();
    const r = await t.exec(['sh', '-c', `sleep 30 & echo $! > '${pidFile}'; wait`], { timeoutMs: 300 });
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'timeout');
    assert.ok(Date.now() - t0 < 3000);
    const child = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(await until(() => !alive(child), 3000), `sleep ${child} outlived the timeout`);
  });

  it('a command that ignores SIGTERM is killed after the grace period', async () => {
    const t0 = Date.now();
    const r = await t.exec(['sh', '-c', 'trap "" TERM; sleep 30'], { timeoutMs: 200 });
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'timeout');
    assert.ok(Date.now() - t0 < 5000);
  });

  it('output past the cap stops the command', async () => {
    const r = await t.exec(['head', '-c', '5000000', '/dev/zero'], { timeoutMs: 5000, maxOutputBytes: 1000 });
    assert.ok(!r.ok);
    assert.deepEqual(r.error, { kind: 'output_too_large', target: 'local', command: 'head -c 5000000 /dev/zero', limit: 1000 });
  });

  it('what it leaves running in the background neither holds the result up nor survives it', async () => {
    const pidFile = join(dir, 'leftover.pid');
    const t0 = Date.now();
    const r = await t.exec(['sh', '-c', `sleep 30 & echo $! > '${pidFile}'; echo done`], { timeoutMs: 10_000 });
    assert.ok(r.ok);
    assert.equal(text(r.value.stdout), 'done\n');
    assert.ok(Date.now() - t0 < 3000);
    const child = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(await until(() => !alive(child), 3000));
  });

  it('a missing program is not_found', async () => {
    const r = await t.exec(['lockscope-no-such-program'], { timeoutMs: 5000 });
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'not_found');
  });
});

describe('LocalTarget root through sudo -n (a stand-in sudo, acting as uid 1000)', () => {
  it('passwordless: runs the command after sudo -n --, and asks sudo -n true once', async () => {
    const sudo = fakeSudo('sudo-ok', 'ok');
    const t = new LocalTarget({ uid: 1000, sudo });
    for (let i = 0; i < 2; i++) {
      const r = await t.exec(['echo', 'as root'], { root: true, timeoutMs: 5000 });
      assert.ok(r.ok);
      assert.equal(text(r.value.stdout), 'as root\n');
    }
    assert.deepEqual(sudoLog(sudo), ['-n true', '-n -- echo as root', '-n -- echo as root']);
    const plain = await t.exec(['echo', 'plain'], { timeoutMs: 5000 });
    assert.ok(plain.ok);
    assert.equal(sudoLog(sudo).length, 3, 'no sudo without root: true');
  });

  it('a sudo that wants a password is sudo_needs_password at once, never a prompt', async () => {
    const t = new LocalTarget({ uid: 1000, sudo: fakeSudo('sudo-pw', 'password') });
    const t0 = Date.now();
    const r = await t.exec(['id'], { root: true, timeoutMs: 5000 });
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'sudo_needs_password');
    assert.ok(Date.now() - t0 < 3000);
    const s = t.spawn(['sleep', '1'], { root: true, timeoutMs: 5000 });
    assert.ok(!s.ok);
    assert.equal(s.error.kind, 'sudo_needs_password');
  });

  it('credentials that expire after the first sudo -n true: sudo_needs_password, not a failed command', async () => {
    const sudo = join(dir, 'sudo-expiring');
    // Lets `-n true` through once, then wants a password.
    writeFileSync(sudo, ['#!/bin/sh', `if [ "$2" = true ]; then exit 0; fi`, "echo 'sudo: a password is required' >&2", 'exit 1', ''].join('\n'));
    chmodSync(sudo, 0o755);
    const r = await new LocalTarget({ uid: 1000, sudo }).exec(['id'], { root: true, timeoutMs: 5000 });
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'sudo_needs_password');
  });

  it('no sudo, or a user sudo refuses: not_root', async () => {
    const none = await new LocalTarget({ uid: 1000, sudo: join(dir, 'no-sudo-here') }).exec(['id'], { root: true, timeoutMs: 5000 });
    assert.ok(!none.ok);
    assert.equal(none.error.kind, 'not_root');
    const refused = await new LocalTarget({ uid: 1000, sudo: fakeSudo('sudo-no', 'not_sudoer') }).exec(['id'], { root: true, timeoutMs: 5000 });
    assert.ok(!refused.ok);
    assert.equal(refused.error.kind, 'not_root');
  });
});

describe('LocalTarget.readFile', () => {
  const t = new LocalTarget();

  it('reads /proc and /sys files (they report a size of 0)', async () => {
    const r = await t.readFile('/proc/self/status', { maxBytes: 1 << 20, timeoutMs: 5000 });
    assert.ok(r.ok);
    assert.match(text(r.value), /^Name:/);
  });

  it('missing is not_found; past maxBytes is output_too_large', async () => {
    const missing = await t.readFile('/proc/lockscope-no-such-file', { maxBytes: 100, timeoutMs: 5000 });
    assert.ok(!missing.ok);
    assert.deepEqual(missing.error, { kind: 'not_found', target: 'local', what: '/proc/lockscope-no-such-file' });
    const big = await t.readFile('/proc/self/maps', { maxBytes: 10, timeoutMs: 5000 });
    assert.ok(!big.ok);
    assert.equal(big.error.kind, 'output_too_large');
  });

  const nobody = existsSync('/usr/bin/setpriv') && process.getuid?.() === 0;
  it('as a user who may not read it: through sudo -n cat when root is asked for, else a permission error', { skip: nobody ? false : 'needs root and setpriv' }, async () => {
    const secret = join(dir, 'secret');
    writeFileSync(secret, 'x');
    chmodSync(secret, 0o600);
    const sudo = fakeSudo('sudo-nobody', 'ok');
    chmodSync(dir, 0o777); // the stand-in logs its calls here
    const script = join(dir, 'read-as-nobody.mjs');
    const target = resolve('build/main/node/targets/local-target.js');
    writeFileSync(
      script,
      [
        `const { LocalTarget } = await import(${JSON.stringify(target)});`,
        `const t = new LocalTarget({ sudo: ${JSON.stringify(sudo)} });`,
        `const plain = await t.readFile(${JSON.stringify(secret)}, { maxBytes: 100, timeoutMs: 5000 });`,
        `const root = await t.readFile(${JSON.stringify(secret)}, { root: true, maxBytes: 100, timeoutMs: 5000 });`,
        'console.log(JSON.stringify({ plain: plain.ok ? "read" : plain.error.kind, root: root.ok ? "read" : root.error.kind }));',
      ].join('\n'),
    );
    const out = await new Promise<string>((res) => {
      const c = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let s = '';
      c.stdout.on('data', (b: Buffer) => (s += b.toString()));
      c.on('close', () => {
        res(s);
      });
    });
    // The stand-in sudo cannot make anyone root: its cat is refused too, and that is reported as such.
    assert.deepEqual(JSON.parse(out), { plain: 'permission', root: 'permission' });
    assert.deepEqual(sudoLog(sudo), ['-n true', `-n -- cat -- ${secret}`]);
  });
});

describe('LocalTarget.spawn: the command dies with Lockscope', () => {
  const t = new LocalTarget({ spawnGraceMs: 500 });

  function started(argv: readonly string[], timeoutMs = 30_000): Spawned {
    const s = t.spawn(argv, { timeoutMs });
    assert.ok(s.ok, s.ok ? '' : s.error.kind);
    return s.value;
  }

  it('streams the command output and reports how it ended', async () => {
    const s = started(['sh', '-c', 'echo hello; echo oops >&2; exit 4']);
    let out = '';
    let errText = '';
    s.stdout.on('data', (b: Buffer) => (out += b.toString()));
    s.stderr.on('data', (b: Buffer) => (errText += b.toString()));
    assert.deepEqual(await s.done, { code: 4, signal: null });
    assert.equal(out, 'hello\n');
    assert.equal(errText, 'oops\n');
  });

  it('stop() ends the command and what it started', async () => {
    const s = started(['sh', '-c', 'sleep 30 & echo $!; wait']);
    const pid = Number(await firstLine(s));
    assert.ok(alive(pid));
    s.stop();
    const end = await s.done;
    assert.ok(end.signal !== null || end.code !== 0, JSON.stringify(end));
    assert.ok(await until(() => !alive(pid), 3000));
  });

  it('a command that ignores SIGTERM is killed after the grace period', async () => {
    const s = started(['sh', '-c', 'trap "" TERM; echo $$; sleep 30']);
    const pid = Number(await firstLine(s));
    const t0 = Date.now();
    s.stop();
    await s.done;
    assert.ok(await until(() => !alive(pid), 5000));
    assert.ok(Date.now() - t0 < 5000);
  });

  it('the time bound ends it without stop()', async () => {
    const s = started(['sh', '-c', 'echo $$; exec sleep 30'], 400);
    const pid = Number(await firstLine(s));
    await s.done;
    assert.ok(await until(() => !alive(pid), 3000));
  });

  it('when the Lockscope process is killed (SIGKILL: no exit handler runs), the command dies too', async () => {
    const script = join(dir, 'spawner.mjs');
    const target = resolve('build/main/node/targets/local-target.js');
    writeFileSync(
      script,
      [
        `const { LocalTarget } = await import(${JSON.stringify(target)});`,
        'const s = new LocalTarget({ spawnGraceMs: 500 }).spawn(["sh", "-c", "echo $$; exec sleep 60"], { timeoutMs: 60000 });',
        'if (!s.ok) { console.log("error " + s.error.kind); process.exit(1); }',
        's.value.stdout.pipe(process.stdout);',
        'setInterval(() => {}, 1000);',
      ].join('\n'),
    );
    const parent = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = Number(await firstLine(parent));
    assert.ok(Number.isInteger(pid) && alive(pid), `no command pid: ${pid}`);
    parent.kill('SIGKILL');
    assert.ok(await until(() => !alive(pid), 5000), `the command (pid ${pid}) outlived the killed Lockscope process`);
  });

  it('a missing program is not_found before anything starts', () => {
    const s = t.spawn(['lockscope-no-such-program'], { timeoutMs: 1000 });
    assert.ok(!s.ok);
    assert.equal(s.error.kind, 'not_found');
  });

  it('root through a passwordless sudo works for spawn too', async () => {
    const sudo = fakeSudo('sudo-spawn', 'ok');
    const s = new LocalTarget({ uid: 1000, sudo, spawnGraceMs: 300 }).spawn(['echo', 'spawned'], { root: true, timeoutMs: 5000 });
    assert.ok(s.ok);
    let out = '';
    s.value.stdout.on('data', (b: Buffer) => (out += b.toString()));
    assert.deepEqual(await s.value.done, { code: 0, signal: null });
    assert.equal(out, 'spawned\n');
    assert.equal(sudoLog(sudo)[0], '-n true');
    assert.match(sudoLog(sudo)[1] ?? '', /^-n -- .*node.* .*child-watchdog\.js \d+ 5000 300 -- echo spawned$/);
  });
});

describe('nodeCommand: the watchdog runs as Node under Electron too', () => {
  it('plain Node runs its own binary', () => {
    assert.deepEqual(nodeCommand(), [process.execPath], 'this test runs in Node, not Electron');
    assert.deepEqual(nodeCommand(undefined, '/usr/bin/node'), ['/usr/bin/node']);
  });
  it('Electron runs its binary as Node, the variable on the command line (sudo drops the environment)', () => {
    assert.deepEqual(nodeCommand('45.0.0', '/opt/Lockscope/lockscope'), ['env', 'ELECTRON_RUN_AS_NODE=1', '/opt/Lockscope/lockscope']);
  });
});
