/**
 * The probe-miss reader (bpf/workload/lsmiss.c -> build/bpf/lockscope-misses) for real: built
 * with bpf/workload/build.sh when gcc is here (else a prebuilt binary is used, else the suite is
 * skipped). Options are checked everywhere; the readings against a live bpftrace and the witness
 * behaviour need root and bpftrace (skipped otherwise). On a host without kprobes (this one) a
 * witness must fail cleanly: exit 3, an `LSM error` line, kprobe_events unchanged.
 */
import assert from 'node:assert/strict';
import type { ChildProcessByStdio, SpawnSyncReturns } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';

const root = fileURLToPath(new URL('../../../../', import.meta.url)); // build/test/node/workload/ -> repo
const bin = join(root, 'build/bpf/lockscope-misses');
const script = join(root, 'bpf/workload/build.sh');
const haveGcc = spawnSync('sh', ['-c', 'command -v gcc'], { encoding: 'utf8' }).status === 0;
const skip = haveGcc || existsSync(bin) ? false : 'no gcc to build build/bpf/lockscope-misses (apt-get install gcc libc6-dev) and no prebuilt binary';
const isRoot = process.getuid?.() === 0;
const haveBpftrace = spawnSync('bpftrace', ['--version'], { encoding: 'utf8' }).status === 0;
const liveSkip = !isRoot ? 'needs root' : !haveBpftrace ? 'bpftrace not installed' : false;
const SOURCES = /^LSM sources progs=(\d+) links=(\d+) kprobe_multi=(\d+) kprobe_multi_missed=(\d+) perf_events=(\d+) perf_kprobes=(\d+) witnesses=(\d+) perf_links_missed=(\d+)$/;

function run(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(bin, args, { encoding: 'utf8', timeout: 30_000 });
}

/** A running child with its stdout collected, and a promise of its exit status. */
function start(cmd: string, args: string[]): { child: ChildProcessByStdio<null, Readable, Readable>; out: () => string; exit: Promise<number | null> } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    text += d;
  });
  child.stderr.resume();
  const exit = new Promise<number | null>((res) => {
    child.on('exit', (code) => {
      res(code);
    });
  });
  return { child, out: () => text, exit };
}

async function until(what: string, ms: number, ok: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) {
      throw new Error(`timed out after ${String(ms)} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** kprobe_events as it is now (undefined when the file does not exist: no kprobes). */
function kprobeEvents(): string | undefined {
  for (const dir of ['/sys/kernel/tracing', '/sys/kernel/debug/tracing']) {
    const f = join(dir, 'kprobe_events');
    if (existsSync(f)) {
      return readFileSync(f, 'utf8');
    }
  }
  return undefined;
}

describe('lockscope-misses', { skip }, () => {
  before(() => {
    if (haveGcc) {
      const b = spawnSync('bash', [script], { cwd: root, encoding: 'utf8', timeout: 300_000 });
      assert.equal(b.status, 0, `bpf/workload/build.sh failed:\n${b.stdout}${b.stderr}`);
    }
    assert.ok(existsSync(bin), `${bin} missing after the build`);
  });

  it('bad options: an error and the usage on stderr, nothing on stdout, exit 2', () => {
    const cases: [string[], RegExp][] = [
      [[], /^lockscope-misses: error: --pid is required\nUsage: lockscope-misses --pid PID/],
      [['--pid'], /^lockscope-misses: error: option '--pid' needs a value/],
      [['--pid', '12x'], /^lockscope-misses: error: --pid must be a process id, not '12x'/],
      [['--pid', '0'], /^lockscope-misses: error: --pid must be a process id/],
      [['--pid', '1', '--interval-ms', '9'], /^lockscope-misses: error: --interval-ms must be a whole number from 10 to 10000, not '9'/],
      [['--pid', '1', '--interval-ms', '10001'], /^lockscope-misses: error: --interval-ms must be/],
      [['--pid', '1', '--witness', 'p:bad;sym'], /^lockscope-misses: error: --witness must be p:SYMBOL or r:SYMBOL, SYMBOL of \[A-Za-z0-9_.\], not 'p:bad;sym'/],
      [['--pid', '1', '--witness', 'x:mutex_lock'], /^lockscope-misses: error: --witness must be/],
      [['--pid', '1', '--witness', 'p:'], /^lockscope-misses: error: --witness must be/],
      [['--pid', '1', '--group', 'a/b'], /^lockscope-misses: error: --group must be 1 to 40 of \[A-Za-z0-9_\], not 'a\/b'/],
      [['--pid', '1', '--bogus'], /^lockscope-misses: error: unknown option '--bogus'/],
      [['--pid', '1', 'stray'], /^lockscope-misses: error: unexpected argument 'stray'/],
    ];
    for (const [args, err] of cases) {
      const r = run(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: exit ${String(r.status)}`);
      assert.equal(r.stdout, '', args.join(' '));
      assert.match(r.stderr, err, args.join(' '));
      assert.match(r.stderr, /\nUsage: lockscope-misses --pid PID/, args.join(' '));
    }
  });

  it('--help: usage on stdout, exit 0', () => {
    const r = run('--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: lockscope-misses --pid PID/);
  });

  it('a pid that does not exist: one LSM error line, exit 1, at once (no witness made)', () => {
    const t0 = Date.now();
    const before = kprobeEvents();
    const r = run('--pid', '2147483647', '--witness', 'p:mutex_lock');
    assert.equal(r.status, 1);
    assert.equal(r.stdout, 'LSM error no process 2147483647\n');
    assert.ok(Date.now() - t0 < 5_000);
    assert.equal(kprobeEvents(), before);
  });

  it('readings against a live bpftrace: sources, exact readings in time order, exit 0 when bpftrace ends', { skip: liveSkip }, async (t) => {
    if (!existsSync('/sys/kernel/tracing/events')) {
      spawnSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing']);
    }
    const bt = start('bpftrace', ['-e', 'tracepoint:io_uring:io_uring_submit_req { @n = count(); }']);
    try {
      const lsm = start(bin, ['--pid', String(bt.child.pid), '--interval-ms', '20']);
      // bpftrace loads its program within seconds; a bpftrace that cannot attach here exits.
      const attached = await Promise.race([
        until('a reading with progs>=1', 60_000, () => /^LSM sources progs=[1-9]/m.test(lsm.out())).then(() => true),
        bt.exit.then(() => false),
      ]);
      if (!attached) {
        t.skip(`bpftrace exited without attaching the io_uring tracepoint here`);
        await lsm.exit;
        return;
      }
      const count = (): number => lsm.out().split('\n').filter((l) => l.startsWith('LSM reading ')).length;
      const atAttach = count();
      await until('3 more readings', 10_000, () => count() >= atAttach + 3);
      bt.child.kill('SIGINT');
      const t0 = Date.now();
      // bpftrace 0.17 on a loaded machine has been seen to ignore SIGINT; never hang the suite on it.
      let timer: NodeJS.Timeout | undefined;
      const status = await Promise.race([
        lsm.exit,
        new Promise<'hung'>((res) => {
          timer = setTimeout(() => {
            res('hung');
          }, 30_000);
        }),
      ]);
      clearTimeout(timer);
      if (status === 'hung') {
        bt.child.kill('SIGKILL');
        lsm.child.kill('SIGKILL');
        assert.fail(`bpftrace did not end within 30 s of SIGINT (bpftrace exited: ${String(bt.child.exitCode)}); lockscope-misses output so far:\n${lsm.out().slice(-2000)}`);
      }
      assert.equal(status, 0, lsm.out());
      assert.ok(Date.now() - t0 < 15_000, `exited ${String(Date.now() - t0)} ms after bpftrace was told to stop`);

      const lines = lsm.out().trimEnd().split('\n');
      // `unsettled` lines may come first (bpftrace still opening fds while both reads ran);
      // the contract is that a `sources` line comes before the first `reading`.
      const firstReading = lines.findIndex((l) => l.startsWith('LSM reading '));
      const firstSources = lines.findIndex((l) => SOURCES.test(l));
      assert.ok(firstSources >= 0 && firstSources < firstReading, `a sources line precedes the first reading:\n${lines.slice(0, 5).join('\n')}`);
      let last = 0n;
      let sources = 0;
      for (const line of lines) {
        if (SOURCES.test(line)) {
          sources++;
          continue;
        }
        const m = /^LSM (?:reading (\d+) (\d+)|unsettled (\d+))$/.exec(line);
        assert.ok(m, `unexpected line ${JSON.stringify(line)}`);
        const time = BigInt(m[1] ?? m[3] ?? '0');
        assert.ok(time > last, `times increase: ${line} after ${String(last)}`);
        last = time;
        if (m[2] !== undefined) {
          assert.equal(m[2], '0', 'a quiet tracepoint program misses nothing');
        }
      }
      const attachedLine = lines.find((l) => /^LSM sources progs=[1-9]/.test(l)) ?? '';
      const [, progs, , , , , , witnesses] = SOURCES.exec(attachedLine) ?? [];
      assert.ok(Number(progs) >= 1, attachedLine);
      assert.equal(witnesses, '0');
      assert.ok(sources >= 1);
    } finally {
      bt.child.kill('SIGKILL');
    }
  });

  it('--witness p:mutex_lock: an LSM error naming it and exit 3 where kprobes cannot be made, else a witness that is removed on SIGTERM', { skip: isRoot ? false : 'needs root' }, async () => {
    const before = kprobeEvents();
    if (before === undefined) {
      const r = run('--pid', String(process.pid), '--witness', 'p:mutex_lock', '--interval-ms', '10');
      assert.equal(r.status, 3, r.stdout + r.stderr);
      assert.match(r.stdout, /^LSM error witness p:mutex_lock \(lockscope_\d+\/lockscope_\d+_w0\) not created: cannot open \/sys\/kernel(\/debug)?\/tracing\/kprobe_events: No such file or directory\n$/);
      assert.equal(kprobeEvents(), undefined, 'kprobe_events unchanged (still absent)');
      return;
    }
    // A kernel with kprobes: the witness exists while the helper runs and is gone after SIGTERM.
    const lsm = start(bin, ['--pid', String(process.pid), '--witness', 'p:mutex_lock', '--interval-ms', '10']);
    await until('a reading', 20_000, () => /^LSM reading /m.test(lsm.out()));
    assert.match(kprobeEvents() ?? '', new RegExp(`^p:lockscope_${String(lsm.child.pid)}/lockscope_${String(lsm.child.pid)}_w0 mutex_lock`, 'm'));
    assert.match(lsm.out(), /^LSM sources .* witnesses=1 perf_links_missed=\d+$/m);
    lsm.child.kill('SIGTERM');
    assert.equal(await lsm.exit, 0);
    assert.equal(kprobeEvents(), before, 'kprobe_events as before');
  });
});
