import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCheck, formatPreflightSummary } from '../../../main/core/report/format-preflight.js';
import type { PreflightCheck } from '../../../main/core/target/preflight-check.js';
import { check } from '../../../main/core/target/preflight-check.js';

describe('preflight text', () => {
  it('one line per check, and the remediation under it', () => {
    assert.equal(formatCheck(check('btf', 'Kernel BTF', 'ok', '/sys/kernel/btf/vmlinux')), '  ok    Kernel BTF                     /sys/kernel/btf/vmlinux');
    assert.equal(
      formatCheck(check('tracefs', 'tracefs', 'fail', 'not mounted', 'mount tracefs: mount -t tracefs nodev /sys/kernel/tracing')),
      '  FAIL  tracefs                        not mounted\n        → mount tracefs: mount -t tracefs nodev /sys/kernel/tracing',
    );
  });

  it('the summary names what failed', () => {
    const checks: PreflightCheck[] = [check('btf', 'Kernel BTF', 'ok', 'x'), check('kprobes', 'kprobes', 'fail', 'none'), check('bpftrace', 'bpftrace', 'warn', 'old')];
    assert.equal(formatPreflightSummary(checks), '3 checks: 1 ok, 1 warning, 1 failed, 0 skipped\nNot ready: fix what failed (kprobes) before tracing; each → line says how.');
    assert.match(formatPreflightSummary(checks.slice(0, 1)), /Ready to trace\.$/);
    assert.match(formatPreflightSummary([checks[0], checks[2]].filter((c) => c !== undefined)), /Ready, with the warnings above\.$/);
  });
});
