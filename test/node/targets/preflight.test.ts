import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { describe, it } from 'node:test';
import type { CheckId, CheckStatus, PreflightCheck } from '../../../main/core/target/preflight-check.js';
import { CHECK_IDS } from '../../../main/core/target/preflight-check.js';
import { LocalTarget } from '../../../main/node/targets/local-target.js';
import { collectPreflight, preflight } from '../../../main/node/targets/preflight.js';
import { fakeMachine } from '../../support/fake-machines.js';

function statuses(checks: readonly PreflightCheck[]): Partial<Record<CheckId, CheckStatus>> {
  return Object.fromEntries(checks.map((c) => [c.id, c.status]));
}

function byId(checks: readonly PreflightCheck[], id: CheckId): PreflightCheck {
  const c = checks.find((x) => x.id === id);
  assert.ok(c !== undefined, `no ${id} check`);
  return c;
}

const ALL_OK: Record<CheckId, CheckStatus> = Object.fromEntries(CHECK_IDS.map((id) => [id, 'ok'])) as Record<CheckId, CheckStatus>;

describe('preflight on fake targets that answer as the captured machines did', () => {
  it('Debian 6.1 (lab): ready, bpftrace 0.17 warned about; facts for the planner', async () => {
    const t = fakeMachine('debian-6.1');
    const { checks, facts } = await collectPreflight(t);
    assert.deepEqual(
      checks.map((c) => c.id),
      [...CHECK_IDS],
    );
    assert.deepEqual(statuses(checks), { ...ALL_OK, bpftrace: 'warn' });
    assert.equal(facts.target, 'debian-6.1');
    assert.deepEqual(facts.kernel, { release: '6.1.0-56-amd64', version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)', arch: 'x86_64' });
    assert.equal(facts.preemptRt, 'no');
    assert.deepEqual(facts.privileges, { uid: 0, user: 'root', root: 'root' });
    assert.deepEqual(facts.bpftrace?.features, {
      offsetof: false,
      ringbuf: false,
      fentryName: 'kfunc',
      probeInline: false,
      fentry: 'yes',
      kprobeMulti: 'no',
      btf: 'yes',
      kernelDwarf: 'unknown',
      dwarfSupport: 'yes',
      probeReadKernel: 'yes',
    });
    assert.equal(facts.kprobes, 'yes');
    assert.equal(facts.lockdown, 'unknown');
    assert.equal(facts.tracefs, '/sys/kernel/tracing');
    assert.ok(facts.tracepoints.includes('io_uring:io_uring_submit_sqe'));
    assert.equal(facts.ioUringDisabled, undefined);
    assert.deepEqual(
      facts.symbols?.found.map((s) => s.name),
      ['io_wq_put_work', 'io_wq_free_work', 'mutex_unlock', 'mutex_trylock', 'mutex_lock_killable', 'mutex_lock_interruptible', 'mutex_lock', 'mutex_lock_io'],
    );
    assert.deepEqual(facts.btf, { path: '/sys/kernel/btf/vmlinux', bytes: 4359789 });
    // Only reads: nothing mounted, written or started.
    assert.deepEqual(t.commands, [
      'id',
      'uname -r -v -m',
      'bpftrace --version',
      'bpftrace --info',
      'stat -L -c %n|%s|%F -- /sys/kernel/btf/vmlinux /sys/bus/event_source/devices/kprobe /sys/kernel/tracing/kprobe_events',
    ]);
    assert.deepEqual(
      t.calls.filter((c) => c.type === 'readFile').map((c) => c.path),
      ['/sys/kernel/realtime', '/proc/mounts', '/sys/kernel/tracing/available_events', '/sys/kernel/security/lockdown', '/proc/sys/kernel/io_uring_disabled', '/proc/kallsyms'],
    );
  });

  it('Debian sid 7.2 (lab): ready; bpftrace 0.27 does not report fentry in --info, but lists fentry:vmlinux:mutex_lock', async () => {
    const { checks, facts } = await collectPreflight(fakeMachine('debian-sid-7.2'));
    assert.deepEqual(statuses(checks), ALL_OK);
    const bt = facts.bpftrace;
    assert.ok(bt !== undefined);
    assert.equal(bt.version.text, 'v0.27.1');
    assert.equal(bt.features.fentry, 'yes');
    assert.equal(bt.features.probeInline, true);
    assert.ok(facts.tracepoints.includes('lock:contended_release'));
    assert.equal(facts.ioUringDisabled, 0);
    assert.match(byId(checks, 'lockdown').found, /not confidentiality: tracefs files open/);
  });

  it('this host (captured): no kprobes, so not ready, and the check says what would be UNKNOWN and which kernel options fix it', async () => {
    const { checks, facts } = await collectPreflight(fakeMachine('host-6.18'));
    assert.deepEqual(statuses(checks), { ...ALL_OK, bpftrace: 'warn', kprobes: 'fail' });
    assert.equal(facts.kprobes, 'no');
    assert.equal(facts.bpftrace?.features.fentry, 'no');
    assert.match(byId(checks, 'kprobes').remediation ?? '', /CONFIG_KPROBES=y/);
  });

  it('checks arrive one at a time, before the facts', async () => {
    const kinds: string[] = [];
    for await (const item of preflight(fakeMachine('debian-6.1'))) {
      kinds.push(item.kind === 'check' ? item.check.id : 'facts');
    }
    assert.deepEqual(kinds, [...CHECK_IDS, 'facts']);
  });

  it('a user whose sudo wants a password: privileges fail, root-only reads are skipped or refused, never a hang', async () => {
    const { checks, facts } = await collectPreflight(fakeMachine('debian-6.1', { root: 'sudo_needs_password' }));
    const s = statuses(checks);
    assert.equal(s.privileges, 'fail');
    assert.match(byId(checks, 'privileges').remediation ?? '', /NOPASSWD/);
    assert.equal(s.bpftrace, 'warn', 'bpftrace --version needs no root');
    assert.equal(s.bpftrace_features, 'skipped');
    assert.equal(s.tracefs, 'fail');
    assert.match(byId(checks, 'tracefs').found, /cannot be read/);
    assert.equal(s.tracepoints, 'skipped');
    assert.equal(s.symbols, 'ok', 'names are readable without root');
    assert.deepEqual(facts.privileges, { uid: 1000, user: 'tester', root: 'sudo_needs_password' });
  });

  it('a user with passwordless sudo: ready as root would be', async () => {
    const { checks, facts } = await collectPreflight(fakeMachine('debian-sid-7.2', { root: 'sudo' }));
    assert.deepEqual(statuses(checks), ALL_OK);
    assert.equal(facts.privileges.root, 'sudo');
  });

  it('tracefs not mounted: says how to mount it, and skips the tracepoints', async () => {
    const mounts = readFileSync('test/fixtures/preflight/debian-6.1/proc-mounts.txt', 'utf8')
      .split('\n')
      .filter((l) => !l.includes('tracefs') && !l.includes('debugfs'))
      .join('\n');
    const notFound = { error: { kind: 'not_found' as const, target: 'debian-6.1', what: 'available_events' } };
    const t = fakeMachine('debian-6.1', {
      files: { '/proc/mounts': mounts, '/sys/kernel/tracing/available_events': notFound, '/sys/kernel/debug/tracing/available_events': notFound },
    });
    const { checks, facts } = await collectPreflight(t);
    const tracefs = byId(checks, 'tracefs');
    assert.equal(tracefs.status, 'fail');
    assert.equal(tracefs.remediation, 'mount tracefs: mount -t tracefs nodev /sys/kernel/tracing');
    assert.equal(byId(checks, 'tracepoints').status, 'skipped');
    assert.equal(byId(checks, 'kprobes').status, 'ok', 'the kprobe PMU needs no tracefs');
    assert.equal(facts.tracefs, undefined);
    assert.ok(!t.commands.some((c) => c.startsWith('mount')));
  });

  it('no bpftrace: fails with how to install it; its features are skipped', async () => {
    const t = fakeMachine('debian-6.1', { exec: { 'bpftrace --version': { error: { kind: 'not_found', target: 'x', what: 'the program bpftrace' } } } });
    const { checks, facts } = await collectPreflight(t);
    assert.equal(byId(checks, 'bpftrace').status, 'fail');
    assert.match(byId(checks, 'bpftrace').remediation ?? '', /install bpftrace/);
    assert.equal(byId(checks, 'bpftrace_features').status, 'skipped');
    assert.equal(facts.bpftrace, undefined);
    assert.ok(!t.commands.includes('bpftrace --info'));
  });
});

describe('preflight on this host, for real (LocalTarget)', () => {
  it('runs every check, agrees with what the host shows, and changes nothing', async () => {
    const mountsBefore = readFileSync('/proc/mounts', 'utf8');
    const { checks, facts } = await collectPreflight(new LocalTarget());
    assert.deepEqual(
      checks.map((c) => c.id),
      [...CHECK_IDS],
    );
    assert.equal(readFileSync('/proc/mounts', 'utf8'), mountsBefore, 'preflight must not mount anything');
    assert.equal(facts.kernel?.release, release());
    assert.equal(facts.btf !== undefined, existsSync('/sys/kernel/btf/vmlinux'));
    const kprobeDevice = existsSync('/sys/bus/event_source/devices/kprobe');
    if (kprobeDevice) {
      assert.equal(facts.kprobes, 'yes');
    }
    if (process.getuid?.() === 0) {
      assert.equal(facts.privileges.root, 'root');
      const tracefs = byId(checks, 'tracefs');
      if (existsSync('/sys/kernel/tracing/available_events')) {
        assert.equal(tracefs.status, 'ok');
      } else {
        assert.equal(tracefs.status, 'fail');
        assert.match(tracefs.remediation ?? '', /mount -t tracefs nodev \/sys\/kernel\/tracing/);
      }
      if (!kprobeDevice && !existsSync(`${facts.tracefs ?? '/sys/kernel/tracing'}/kprobe_events`)) {
        assert.equal(facts.kprobes, 'no');
        assert.equal(byId(checks, 'kprobes').status, 'fail');
      }
    }
    const bt = spawnSync('bpftrace', ['--version'], { encoding: 'utf8' });
    if (bt.status === 0) {
      assert.ok(bt.stdout.includes(facts.bpftrace?.version.text ?? '(none)'));
    } else {
      assert.equal(byId(checks, 'bpftrace').status, 'fail');
    }
    assert.ok(facts.symbols?.found.some((s) => s.name === 'mutex_unlock'));
    for (const c of checks) {
      if (c.status === 'fail' || c.status === 'warn') {
        assert.ok(c.found.length > 0);
      }
    }
  });
});
