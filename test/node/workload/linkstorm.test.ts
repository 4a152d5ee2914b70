/**
 * The linkstorm workload (bpf/workload/linkstorm.c) for real: built with bpf/workload/build.sh
 * when gcc is here (else a prebuilt build/bpf/linkstorm is used, else the suite is skipped), then
 * run on this host's io_uring: exact totals for a chain count, --help, and bad options.
 */
import assert from 'node:assert/strict';
import type { SpawnSyncReturns } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';

const root = fileURLToPath(new URL('../../../../', import.meta.url)); // build/test/node/workload/ -> repo
const bin = join(root, 'build/bpf/linkstorm');
const script = join(root, 'bpf/workload/build.sh');
const haveGcc = spawnSync('sh', ['-c', 'command -v gcc'], { encoding: 'utf8' }).status === 0;
const skip = haveGcc || existsSync(bin) ? false : 'no gcc to build build/bpf/linkstorm (apt-get install gcc libc6-dev) and no prebuilt binary';

function run(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(bin, args, { encoding: 'utf8', timeout: 30_000 });
}

/** The final totals line as numbers: `linkstorm chains=... requests=... ...`. */
function totals(stdout: string): Record<string, number> {
  const lines = stdout.trimEnd().split('\n');
  assert.equal(lines.length, 2, `a start line and a totals line, got ${JSON.stringify(stdout)}`);
  assert.match(lines[0] ?? '', /^linkstorm start pid=\d+ kernel=\S+ op=(nop|read) chain=\d+ /);
  const last = lines[1] ?? '';
  assert.match(last, /^linkstorm chains=\d+ requests=\d+ completions=\d+ errors=\d+ canceled=\d+ failed_chains=\d+ seconds=[\d.]+ chains_per_s=[\d.]+ requests_per_s=[\d.]+$/);
  return Object.fromEntries(
    last
      .split(' ')
      .slice(1)
      .map((kv) => {
        const [k = '', v = ''] = kv.split('=');
        return [k, Number(v)];
      }),
  );
}

describe('linkstorm workload', { skip }, () => {
  before(() => {
    if (haveGcc) {
      const b = spawnSync('bash', [script], { cwd: root, encoding: 'utf8', timeout: 300_000 });
      assert.equal(b.status, 0, `bpf/workload/build.sh failed:\n${b.stdout}${b.stderr}`);
    }
    assert.ok(existsSync(bin), `${bin} missing after the build`);
  });

  it('--chains 200: exactly 200 chains of 4, every CQE checked, no errors', (t) => {
    const r = run('--chains', '200');
    if (r.status === 3) {
      t.skip(`io_uring is not usable here: ${r.stderr.trim()}`);
      return;
    }
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^linkstorm start .* op=nop chain=4 inflight=32 rings=1 threads=1 link=soft async=1 duration=10 chains=200\n/);
    const s = totals(r.stdout);
    assert.equal(s.chains, 200);
    assert.equal(s.requests, 800);
    assert.equal(s.completions, 800);
    assert.equal(s.errors, 0);
    assert.equal(s.canceled, 0);
    assert.equal(s.failed_chains, 0);
  });

  it('reads, hard links, no IOSQE_ASYNC, several rings on one thread: totals still exact', (t) => {
    const r = run('--chains', '60', '--chain', '3', '--inflight', '4', '--op', 'read', '--read-size', '512', '--hard-links', '--no-async', '--rings', '3', '--threads', '1');
    if (r.status === 3) {
      t.skip(`io_uring is not usable here: ${r.stderr.trim()}`);
      return;
    }
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, / op=read chain=3 inflight=4 rings=3 threads=1 link=hard async=0 duration=10 chains=60 read_size=512\n/);
    const s = totals(r.stdout);
    assert.deepEqual([s.chains, s.requests, s.completions, s.errors], [60, 180, 180, 0]);
  });

  it('--duration bounds a run without --chains', (t) => {
    const t0 = Date.now();
    const r = run('--duration', '0.3', '--rings', '2');
    if (r.status === 3) {
      t.skip(`io_uring is not usable here: ${r.stderr.trim()}`);
      return;
    }
    assert.equal(r.status, 0, r.stderr);
    const s = totals(r.stdout);
    assert.ok((s.chains ?? 0) > 0);
    assert.equal(s.requests, (s.chains ?? 0) * 4);
    assert.equal(s.completions, s.requests);
    assert.ok((s.seconds ?? 0) >= 0.3 && Date.now() - t0 < 10_000, `seconds=${String(s.seconds)}`);
  });

  it('--help: usage on stdout, exit 0, every option named', () => {
    const r = run('--help');
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^Usage: linkstorm \[OPTIONS\]/);
    for (const o of ['--chain N', '--inflight', '--rings', '--threads', '--duration', '--chains', '--op nop|read', '--read-size', '--hard-links', '--async', '--no-async', '--help']) {
      assert.ok(r.stdout.includes(o), `--help names ${o}`);
    }
  });

  it('bad options: one error line on stderr, nothing on stdout, exit 2', () => {
    const cases: [string[], RegExp][] = [
      [['--bogus'], /^linkstorm: error: unknown option '--bogus' \(see --help\)\n$/],
      [['--chain'], /^linkstorm: error: option '--chain' needs a value/],
      [['--chain', '0'], /^linkstorm: error: --chain must be a whole number from 1 to 4096, not '0'/],
      [['--chain', '4x'], /^linkstorm: error: --chain must be a whole number/],
      [['--op', 'write'], /^linkstorm: error: --op must be nop or read, not 'write'/],
      [['--duration', '-1'], /^linkstorm: error: --duration must be a positive number of seconds/],
      [['--rings', '2', '--threads', '3'], /^linkstorm: error: --threads 3 is more than --rings/],
      [['--chain', '64', '--inflight', '1024'], /^linkstorm: error: --chain x --inflight is 65536 requests per ring/],
      [['stray'], /^linkstorm: error: unexpected argument 'stray'/],
    ];
    for (const [args, err] of cases) {
      const r = run(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: exit ${String(r.status)}`);
      assert.equal(r.stdout, '', args.join(' '));
      assert.match(r.stderr, err, args.join(' '));
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, args.join(' '));
    }
  });
});
