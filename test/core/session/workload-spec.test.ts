import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseWorkloadSpec } from '../../../main/core/session/workload-spec.js';
import { RateMeter, formatProgress } from '../../../main/core/session/session-progress.js';
import { parsePidLine, sessionArgv, SESSION_SCRIPT } from '../../../main/core/session/session-script.js';

describe('workload spec', () => {
  it('maps options to linkstorm flags', () => {
    const w = parseWorkloadSpec('linkstorm:chain=8,inflight=64,hard-links,no-async,op=read');
    assert.deepEqual(w.ok ? w.value.args : undefined, ['--chain', '8', '--inflight', '64', '--hard-links', '--no-async', '--op', 'read']);
    const plain = parseWorkloadSpec('linkstorm');
    assert.deepEqual(plain.ok ? plain.value.args : undefined, []);
  });

  it('names every bad input', () => {
    for (const [text, pattern] of [
      ['fio', /unknown workload 'fio'/],
      ['linkstorm:depth=3', /no option 'depth'/],
      ['linkstorm:chain=x', /chain=x is not a valid value/],
      ['linkstorm:chain=1;rm -rf /', /not a valid value/],
      ['linkstorm:hard-links=1', /takes no value/],
    ] as const) {
      const w = parseWorkloadSpec(text);
      assert.equal(w.ok, false, text);
      assert.match(w.error, pattern);
    }
  });
});

describe('session script and progress', () => {
  it('passes everything variable as positional arguments', () => {
    const argv = sessionArgv('/tmp/lockscope.AbCd1234', ['--witness', 'p:mutex_lock']);
    assert.deepEqual(argv.slice(0, 3), ['sh', '-c', SESSION_SCRIPT]);
    assert.deepEqual(argv.slice(4), ['/tmp/lockscope.AbCd1234', '1024', '--witness', 'p:mutex_lock']);
    assert.doesNotMatch(SESSION_SCRIPT, /AbCd1234/);
  });

  it('sets BPFTRACE_PERF_RB_PAGES only for a program without a config block (the variable overrides the block)', () => {
    const run = (program: string): string => {
      const dir = mkdtempSync(join(tmpdir(), 'ls-session-'));
      try {
        writeFileSync(join(dir, 'lockscope.bt'), program);
        const line = SESSION_SCRIPT.split('\n').find((l) => l.includes('BPFTRACE_PERF_RB_PAGES'));
        assert.ok(line !== undefined);
        const r = spawnSync('sh', ['-c', `d=$1; pages=$2; unset BPFTRACE_PERF_RB_PAGES; ${line}; echo "[\${BPFTRACE_PERF_RB_PAGES-unset}]"`, 'x', dir, '1024'], { encoding: 'utf8' });
        return r.stdout.trim();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    assert.equal(run('/* 0.17 */\nBEGIN { }\n'), '[1024]');
    assert.equal(run('/* 0.27 */\n\nconfig = {\n  perf_rb_pages = 16384\n}\n\nBEGIN { }\n'), '[unset]');
  });

  it('reads the pid line only when whole', () => {
    assert.equal(parsePidLine('LSPID 4242'), 4242);
    assert.equal(parsePidLine('LSPID 42x'), undefined);
    assert.equal(parsePidLine('ERROR LSPID 1'), undefined);
  });

  it('measures a rate over the last second', () => {
    const m = new RateMeter();
    assert.equal(m.add(0, 0), 0);
    assert.equal(m.add(500, 5000), 10_000);
    m.add(1000, 10_000);
    assert.equal(Math.round(m.add(2000, 30_000)), 20_000);
  });

  it('formats a progress line with units', () => {
    const line = formatProgress({ elapsedMs: 12_300, durationMs: 30_000, events: 123_456, rate: 10_200, lostEvents: 0, misses: 0, held: 0, notHeld: 812, unknown: 3, calibration: 'calibrated' });
    assert.equal(line, '12s/30s 41%  events 123.5k (10.2k/s)  lost 0  misses 0  walks held 0 not_held 812 unknown 3  calibrated');
    const counted = formatProgress({ elapsedMs: 12_300, durationMs: 30_000, events: 1_000, rate: 80, lostEvents: 0, misses: 0, held: 0, notHeld: 12, unknown: 0, countedWalks: 262_855, calibration: 'calibrated' });
    assert.match(counted, /walks held 0 not_held 12 unknown 0 \+262\.9k counted \(judged at the end\)  calibrated$/);
  });
});
