import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kprobeFinding } from '../../../main/core/target/kprobe-support.js';
import { parseStat, statArgv } from '../../../main/core/target/path-stat.js';
import { btfCheck, VMLINUX_BTF } from '../../../main/core/target/vmlinux-btf-check.js';
import { fixture } from '../../support/preflight-fixtures.js';

describe('stat, kprobes and BTF', () => {
  it('parses stat lines; paths may hold "|" before the last two fields', () => {
    const s = parseStat('/sys/kernel/btf/vmlinux|4359789|regular file\n/odd|path|12|directory\nstat: cannot statx x\n');
    assert.deepEqual(s.get(VMLINUX_BTF), { path: VMLINUX_BTF, size: 4359789, type: 'regular file' });
    assert.deepEqual(s.get('/odd|path'), { path: '/odd|path', size: 12, type: 'directory' });
    assert.equal(s.size, 2);
    assert.deepEqual(statArgv(['/a']), ['stat', '-L', '-c', '%n|%s|%F', '--', '/a']);
  });

  it('the lab kernels have the kprobe PMU and kprobe_events; this host has neither: fail, with the kernel options to look for', () => {
    for (const m of ['debian-6.1', 'debian-sid-7.2'] as const) {
      const f = kprobeFinding(parseStat(fixture(m, 'stat.txt')), '/sys/kernel/tracing', true);
      assert.equal(f.support, 'yes', m);
      assert.equal(f.check.status, 'ok');
    }
    const host = kprobeFinding(parseStat(fixture('host-6.18', 'stat.txt')), '/sys/kernel/tracing', true);
    assert.equal(host.support, 'no');
    assert.equal(host.check.status, 'fail');
    assert.match(host.check.found, /every walk would be UNKNOWN/);
    assert.match(host.check.remediation ?? '', /CONFIG_KPROBES=y and CONFIG_KPROBE_EVENTS=y/);
    assert.equal(kprobeFinding(new Map(), undefined, false).support, 'unknown');
  });

  it('BTF: present on all three machines with its size; absent fails', () => {
    assert.match(btfCheck(parseStat(fixture('debian-6.1', 'stat.txt')).get(VMLINUX_BTF), true).found, /4,359,789 bytes/);
    assert.equal(btfCheck(parseStat(fixture('host-6.18', 'stat.txt')).get(VMLINUX_BTF), true).status, 'ok');
    const none = btfCheck(undefined, true);
    assert.equal(none.status, 'fail');
    assert.match(none.remediation ?? '', /CONFIG_DEBUG_INFO_BTF=y/);
  });
});
