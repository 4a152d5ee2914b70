import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { rmSync } from 'node:fs';
import { CaptureEncoder } from '../../main/core/capture/capture-encoder.js';
import type { CaptureEvent } from '../../main/core/capture/events.js';
import { formatLs1, formatLs1Header } from '../../main/core/import/ls1-format.js';
import type { Addr } from '../../main/core/util/addr.js';
import { header } from '../support/fixtures.js';
import { missReadings, rawWindow, req } from '../support/scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'lockscope-cli-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const NULL = 0 as Addr;
const patched = (at: number, n: number): CaptureEvent[] =>
  rawWindow({ at, req: req(n), link: req(n + 1), next: req(n + 1), ops: [[100, 'acquire', req(n + 1)], [200, 'acquired', req(n + 1)], [300, 'release', NULL]] });
const unpatched = (at: number, n: number): CaptureEvent[] => rawWindow({ at, req: req(n), link: req(n + 1), next: req(n + 1) });

function capture(name: string, events: readonly CaptureEvent[], opts: { close?: boolean } = {}): string {
  const enc = new CaptureEncoder(4);
  const parts = [enc.start(header()), ...enc.append(events), ...(opts.close === false ? enc.flush() : enc.close('test'))];
  const file = join(dir, name);
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

function lockscope(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/lockscope.js', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const bracket = (events: CaptureEvent[]): CaptureEvent[] => [...missReadings(0), ...events, ...missReadings(1_000_000)];

describe('lockscope analyze: exit codes are a gate', () => {
  it('every walk HELD: exit 0', () => {
    const r = lockscope('analyze', capture('held.lscap', bracket([...patched(1000, 1), ...patched(5000, 3)])));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /2 link walks in .*; all held the required lock/);
  });

  it('any walk NOT_HELD: exit 1', () => {
    const r = lockscope('analyze', capture('mixed.lscap', bracket([...patched(1000, 1), ...unpatched(5000, 3)])));
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /1 did not hold the required lock, 1 did/);
  });

  it('only UNKNOWN: exit 3; no walks at all: exit 3', () => {
    assert.equal(lockscope('analyze', capture('unknown.lscap', unpatched(1000, 1))).status, 3);
    assert.equal(lockscope('analyze', capture('none.lscap', missReadings(0))).status, 3);
  });

  it('--json prints the summary as JSON with the same counts', () => {
    const r = lockscope('analyze', capture('json.lscap', bracket([...patched(1000, 1), ...unpatched(5000, 3)])), '--json');
    assert.equal(r.status, 1);
    const parsed = JSON.parse(r.stdout) as { rules: { verdicts: { HELD: number; NOT_HELD: number; UNKNOWN: number } }[]; capture: { complete: boolean } };
    assert.deepEqual(parsed.rules[0]?.verdicts, { HELD: 1, NOT_HELD: 1, UNKNOWN: 0 });
    assert.equal(parsed.capture.complete, true);
  });
});

describe('lockscope analyze: bad input is one line on stderr and exit 2', () => {
  const cases: [string, () => string, RegExp][] = [
    ['a missing file', () => join(dir, 'nope.lscap'), /nope\.lscap: no such file/],
    ['an empty file', () => { const f = join(dir, 'empty.lscap'); writeFileSync(f, ''); return f; }, /the file is empty/],
    ['a directory', () => dir, /is a directory/],
    ['garbage', () => { const f = join(dir, 'garbage.lscap'); writeFileSync(f, 'hello, world\n'); return f; }, /not a Lockscope capture/],
    ['a newer format', () => { const f = join(dir, 'newer.lscap'); writeFileSync(f, Buffer.from('LSCAP\x00\x09\nrest')); return f; }, /capture format 9 is newer/],
    ['a file cut in its header', () => { const f = join(dir, 'cut-header.lscap'); writeFileSync(f, readFileSync(capture('h.lscap', [])).subarray(0, 20)); return f; }, /no header/],
  ];
  for (const [name, make, message] of cases) {
    it(name, () => {
      const r = lockscope('analyze', make());
      assert.equal(r.status, 2);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }

  it('bad options', () => {
    assert.equal(lockscope('analyze').status, 2);
    assert.match(lockscope('analyze', 'a', 'b').stderr, /takes one CAPTURE/);
    assert.match(lockscope('frobnicate').stderr, /unknown command "frobnicate"/);
    const f = capture('opts.lscap', []);
    assert.match(lockscope('analyze', f, '--reorder-horizon', 'soon').stderr, /not a duration/);
    const rules = join(dir, 'rules.json');
    writeFileSync(rules, '{"rules":[{"id":"x","title":"t","source":"s","sites":["io_wq_free_work"],"action":"walk","requires":{"held":"big_lock"}}]}');
    const r = lockscope('analyze', f, '--rules', rules);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /rules\[0\]\.requires\.held: unknown lock "big_lock"/);
  });
});

describe('lockscope analyze: damaged captures keep what they hold', () => {
  it('a capture cut inside a batch is analyzed up to its last whole batch, with a warning', () => {
    const whole = readFileSync(capture('whole.lscap', bracket([...patched(1000, 1), ...unpatched(5000, 3), ...unpatched(9000, 5)])));
    const cut = join(dir, 'cut.lscap');
    writeFileSync(cut, whole.subarray(0, whole.length - 30));
    const r = lockscope('analyze', cut);
    assert.match(r.stderr, /warning: .*cut short/);
    assert.ok(r.status === 1 || r.status === 3, `status ${String(r.status)}`);
  });

  it('a corrupt capture reports the byte offset, shows the verdicts before it, and exits 2', () => {
    const bytes = Buffer.from(readFileSync(capture('good.lscap', bracket([...patched(1000, 1), ...unpatched(5000, 3)]))));
    const at = bytes.length - 40;
    bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    const bad = join(dir, 'corrupt.lscap');
    writeFileSync(bad, bytes);
    const r = lockscope('analyze', bad);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /corrupt at byte \d+/);
    assert.match(r.stdout, /Rule io-wq-link-walk-uring-lock/);
  });
});

describe('lockscope inspect', () => {
  it('--walk N shows the evidence of that walk', () => {
    const f = capture('inspect.lscap', bracket([...patched(1000, 1), ...unpatched(5000, 3)]));
    const held = lockscope('inspect', f, '--walk', '1');
    assert.equal(held.status, 0, held.stderr);
    assert.match(held.stdout, /Walk #1 .*: HELD/);
    assert.match(held.stdout, /acquired mutex_lock/);
    assert.match(held.stdout, /the walk happened here; the events show the lock held throughout/);
    const not = lockscope('inspect', f, '--walk', '2');
    assert.match(not.stdout, /Walk #2 .*: NOT_HELD/);
    assert.match(not.stdout, /miss counters of \d+ probes unchanged/);
    const missing = lockscope('inspect', f, '--walk', '9');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no walk #9/);
  });

  it('--req ADDR lists the events of that request address', () => {
    const f = capture('inspect-req.lscap', bracket(patched(1000, 1)));
    const r = lockscope('inspect', f, '--req', '0xffff888800400100');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /enter io_wq_free_work: req this request/);
    assert.match(lockscope('inspect', f, '--req', 'zz').stderr, /not an address/);
  });
});

describe('lockscope import', () => {
  it('bpftrace text and -f json become captures with the same verdicts', () => {
    const h = header();
    const events = bracket([...patched(1000, 1), ...unpatched(5000, 3)]);
    const lines = [...formatLs1Header(h), 'Attaching 9 probes...', ...events.flatMap((e) => formatLs1(e, h.baseNs, h.addrBias)), 'workload: 2 chains'];
    const text = join(dir, 'probe.txt');
    writeFileSync(text, `${lines.join('\n')}\n`);
    const json = join(dir, 'probe.ndjson');
    writeFileSync(json, lines.map((l) => JSON.stringify(l.startsWith('LS1') ? { type: 'printf', data: `${l}\n` } : { type: 'attached_probes', data: { probes: 9 } })).join('\n'));
    for (const [input, out] of [[text, 'from-text.lscap'], [json, 'from-json.lscap']] as const) {
      const target = join(dir, out);
      const imp = lockscope('import', input, '-o', target);
      assert.equal(imp.status, 0, imp.stderr);
      const r = lockscope('analyze', target, '--json');
      const parsed = JSON.parse(r.stdout) as { rules: { verdicts: object }[] };
      assert.deepEqual(parsed.rules[0]?.verdicts, { HELD: 1, NOT_HELD: 1, UNKNOWN: 0 });
    }
    assert.match(lockscope('import', text, '-o', join(dir, 'from-text.lscap')).stderr, /already exists/);
    const noise = join(dir, 'noise.txt');
    writeFileSync(noise, 'just some output\n');
    const r = lockscope('import', noise, '-o', join(dir, 'noise.lscap'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no Lockscope probe output found/);
  });
});

describe('lockscope and pipes', () => {
  it('a reader that stops early (| head) ends the output quietly', () => {
    const r = spawnSync('bash', ['-c', 'node bin/lockscope.js inspect test/fixtures/captures/sample-6.1-unpatched.lscap --req 0xffff889801000100 | head -1; echo "status=${PIPESTATUS[0]}"'], { encoding: 'utf8' });
    assert.match(r.stdout, /status=0/);
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled/);
  });
});
