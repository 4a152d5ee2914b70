import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeTarget } from '../../../main/node/targets/fake-target.js';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('FakeTarget', () => {
  it('answers scripted commands and files, and records every call with its root flag', async () => {
    const t = new FakeTarget({
      exec: { 'uname -r': { stdout: '6.1.0\n' }, 'false': { code: 1, stderr: 'no' }, 'dyn a': (argv, o) => ({ stdout: `${argv.join(',')} ${String(o.timeoutMs)}` }) },
      files: { '/proc/x': 'content', '/proc/denied': { error: { kind: 'permission', target: 'fake', what: '/proc/denied' } } },
    });
    const u = await t.exec(['uname', '-r'], { timeoutMs: 10 });
    assert.ok(u.ok);
    assert.equal(text(u.value.stdout), '6.1.0\n');
    const f = await t.exec(['false'], { timeoutMs: 10, root: true });
    assert.ok(f.ok);
    assert.deepEqual([f.value.code, f.value.stderr], [1, 'no']);
    const d = await t.exec(['dyn', 'a'], { timeoutMs: 7 });
    assert.ok(d.ok);
    assert.equal(text(d.value.stdout), 'dyn,a 7');
    const x = await t.readFile('/proc/x', { maxBytes: 100, timeoutMs: 10 });
    assert.ok(x.ok);
    assert.equal(text(x.value), 'content');
    const denied = await t.readFile('/proc/denied', { maxBytes: 100, timeoutMs: 10 });
    assert.ok(!denied.ok);
    assert.equal(denied.error.kind, 'permission');
    assert.deepEqual(t.calls, [
      { type: 'exec', argv: ['uname', '-r'], root: false },
      { type: 'exec', argv: ['false'], root: true },
      { type: 'exec', argv: ['dyn', 'a'], root: false },
      { type: 'readFile', path: '/proc/x', root: false },
      { type: 'readFile', path: '/proc/denied', root: false },
    ]);
    assert.deepEqual(t.commands, ['uname -r', 'false', 'dyn a']);
  });

  it('unscripted: not_found (a bare machine), or a thrown error when strict', async () => {
    const loose = new FakeTarget();
    const r = await loose.exec(['bpftrace', '--version'], { timeoutMs: 10 });
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'not_found');
    const f = await loose.readFile('/nope', { maxBytes: 1, timeoutMs: 1 });
    assert.ok(!f.ok);
    assert.equal(f.error.kind, 'not_found');
    const strict = new FakeTarget({ strict: true });
    assert.throws(() => strict.exec(['x'], { timeoutMs: 1 }), /nothing scripted for exec x/);
  });

  it('caps output like a real target', async () => {
    const t = new FakeTarget({ exec: { big: { stdout: 'x'.repeat(100) } }, files: { '/big': 'y'.repeat(100) } });
    const r = await t.exec(['big'], { timeoutMs: 1, maxOutputBytes: 10 });
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'output_too_large');
    const f = await t.readFile('/big', { maxBytes: 10, timeoutMs: 1 });
    assert.ok(!f.ok);
    assert.equal(f.error.kind, 'output_too_large');
  });

  it('root requests fail as a sudo wanting a password, or without sudo, would', async () => {
    const pw = new FakeTarget({ root: 'sudo_needs_password', exec: { id: { stdout: 'uid=1000(a)' } }, spawn: { bpftrace: {} } });
    const r = await pw.exec(['id'], { timeoutMs: 1, root: true });
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'sudo_needs_password');
    assert.ok((await pw.exec(['id'], { timeoutMs: 1 })).ok);
    const s = pw.spawn(['bpftrace'], { timeoutMs: 1, root: true });
    assert.ok(!s.ok);
    const none = await new FakeTarget({ root: 'no_sudo' }).exec(['id'], { timeoutMs: 1, root: true });
    assert.ok(!none.ok);
    assert.equal(none.error.kind, 'not_root');
  });

  it('spawned commands write their output and end, or run until stopped; input and stop are recorded', async () => {
    const t = new FakeTarget({ spawn: { 'bpftrace -e x': { stdout: 'Attaching 1 probe...\n', code: 0 }, 'bpftrace -f json': { stdout: '{}\n', untilStopped: true } } });
    const a = t.spawn(['bpftrace', '-e', 'x'], { timeoutMs: 1 });
    assert.ok(a.ok);
    let out = '';
    a.value.stdout.on('data', (b: Buffer) => (out += b.toString()));
    assert.deepEqual(await a.value.done, { code: 0, signal: null });
    assert.equal(out, 'Attaching 1 probe...\n');
    const b = t.spawn(['bpftrace', '-f', 'json'], { timeoutMs: 1 });
    assert.ok(b.ok);
    b.value.stdin.write('keepalive');
    b.value.stop();
    assert.deepEqual(await b.value.done, { code: null, signal: 'SIGTERM' });
    const [first, second] = t.spawned;
    assert.ok(first !== undefined && second !== undefined);
    assert.equal(second.stopped(), true);
    assert.equal(second.input(), 'keepalive');
    assert.equal(first.stopped(), false);
  });
});
