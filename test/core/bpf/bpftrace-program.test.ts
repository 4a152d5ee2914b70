/**
 * The bpftrace program generator on the three captured machines' plans: the right probes for
 * each kernel, no offsetof for 0.17, validated parameters, and every printf a line the importer
 * accepts (each format string filled with sample values and imported). Where bpftrace is
 * installed and we are root, the 0.17 programs are compiled by bpftrace itself (--emit-elf, a
 * dry run), and the tracepoint-only plan of a kprobe-less host is attached for real.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { GeneratedProgram, ProgramOptions } from '../../../main/core/bpf/bpftrace-program.js';
import { describeProgramError, generateProgram } from '../../../main/core/bpf/bpftrace-program.js';
import { printfLiteral } from '../../../main/core/bpf/bpftrace-text.js';
import { importBpftrace } from '../../../main/core/import/bpftrace-importer.js';
import type { ProbePlan } from '../../../main/core/plan/probe-plan.js';
import { planProbes } from '../../../main/core/plan/plan-probes.js';
import type { BpftraceVersion } from '../../../main/core/target/bpftrace-version.js';
import { machineFacts, machineLayout } from '../../support/kernel-plans.js';
import type { Machine } from '../../support/preflight-fixtures.js';

interface Case {
  readonly plan: ProbePlan;
  readonly version: BpftraceVersion;
}

async function planFor(machine: Machine, o: { readonly lifecycle?: boolean } = {}): Promise<Case> {
  const facts = await machineFacts(machine);
  const version = facts.bpftrace?.version;
  assert.ok(version !== undefined);
  return { plan: planProbes(facts, machineLayout(machine), { host: `lab-${machine}`, lifecycle: o.lifecycle === true }), version };
}

function program(c: Case, o: ProgramOptions = {}): GeneratedProgram {
  const g = generateProgram(c.plan, c.version, o);
  assert.ok(g.ok, g.ok ? '' : describeProgramError(g.error));
  return g.value;
}

/** The format strings of every printf in the program, in program order. */
function printfFormats(text: string): string[] {
  return [...text.matchAll(/printf\("((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? '');
}

let clock = 5_000_000_000n;

/** A format string with sample values: a line as bpftrace would print it. */
function sample(format: string, nops = 1): string {
  let i = 0;
  return format
    .replace(/\\n$/, '')
    .replace(/\\"/g, '"')
    .replace(/\\\\/g, '\\')
    .replace(/%(llu|lld|llx|lx|d|x|s|%)/g, (_m, conv: string, at: number, whole: string) => {
      i++;
      const key = /(\w+)=(?:0x)?$/.exec(whole.slice(0, at))?.[1];
      if (conv === '%') {
        return '%';
      }
      if (i === 1) {
        // The first number of an event line is its time.
        return String((clock += 1000n));
      }
      switch (key) {
        case 'flags':
          return '14';
        case 'nops':
          return String(nops);
        case 'dur':
          // Long enough to hold its op line, timed at the next tick.
          return '5000';
        case 'overflow':
          return '0';
        case 'held':
          // The kernel's code: 2 not held.
          return '2';
        case 'op':
          return '1';
        case 'api':
          return '0';
        case 'shape':
          return '2';
        case 'counted':
        case 'first':
          return '0';
        case undefined:
          return conv === 's' ? 'op=acquired api=mutex_lock' : '1';
        default:
          return conv === 'lx' || conv === 'llx' ? 'ff1c982d960f2840' : '7';
      }
    });
}

/** Sample lines of every printf, each summary followed by one sample of the op line. */
function importSamples(text: string): ReturnType<typeof importBpftrace> {
  const formats = printfFormats(text);
  const op = formats.find((f) => f.startsWith('LS1 window_op'));
  const lines = formats.flatMap((f) => {
    if (f.startsWith('LS1 window_op')) {
      return [];
    }
    if (f.startsWith('LS1 window_summary') && op !== undefined) {
      return [sample(f, 1), sample(op)];
    }
    return [sample(f)];
  });
  return importBpftrace(lines);
}

describe('bpftrace programs for the lab kernels', async () => {
  const k61 = await planFor('debian-6.1');
  const sid = await planFor('debian-sid-7.2', { lifecycle: true });
  const host = await planFor('host-6.18');

  it('6.1 (0.17): io_wq_put_work entry and return, the mutex APIs it has, offsets as BTF constants (no offsetof)', () => {
    const p = program(k61);
    assert.deepEqual(p.attachPoints, [
      'kprobe:io_wq_put_work',
      'kprobe:mutex_lock', 'kretprobe:mutex_lock',
      'kprobe:mutex_lock_interruptible', 'kretprobe:mutex_lock_interruptible',
      'kprobe:mutex_lock_killable', 'kretprobe:mutex_lock_killable',
      'kprobe:mutex_trylock', 'kretprobe:mutex_trylock',
      'kprobe:mutex_lock_io', 'kretprobe:mutex_lock_io',
      'kprobe:mutex_unlock',
      'kretprobe:io_wq_put_work',
      'tracepoint:lock:contention_begin', 'tracepoint:lock:contention_end',
      'interval:ms:1000',
    ]);
    assert.ok(!p.text.includes('offsetof'));
    assert.ok(p.text.includes('$req = (uint64)arg0 - 200;'));
    assert.ok(p.text.includes('@ls_w[tid] = (nsecs, $req, $lock, $link, $held, (uint64)*(uint32 *)($req + 68), (uint64)0, (uint64)arg1);'), 'the linked pointer is saved at entry (the last field, .7); the owner word is not a field');
    assert.ok(p.text.includes('$nw = *(uint64 *)($w.7);'), 'and read through at return');
    // The owner word: its flag bits in the state's bits 23-25; another task's word in @ls_ow
    // (bit 26), written only then and deleted at return only then.
    assert.ok(p.text.includes('$held = $held | (($owner & 7) << 23);\n  if ($owner != 0 && ($held & 3) == 2) {\n    @ls_ow[tid] = $owner;\n    $held = $held | 0x4000000;\n  }'), 'another owner kept aside');
    assert.ok(p.text.includes('(($s >> 26) & 1) != 0 ? @ls_ow[tid] : (($s & 3) == 1 ? ((uint64)curtask | (($s >> 23) & 7)) : (uint64)0)'), 'owner= at return: the kept word, this task with its flag bits, or 0');
    assert.ok(p.text.includes('if ((($s >> 26) & 1) != 0) {\n      delete(@ls_ow[tid]);\n    }'), 'the kept word goes with the window');
    assert.ok(p.text.includes('clear(@ls_ow);'));
    assert.equal(p.text.match(/^ {2}@ls_w\[tid\] = \(nsecs/gm)?.length, 1, 'one update of the window state at entry');
    assert.ok(p.text.includes('@ls_o[tid, $i] = ($w.0 + $d, (uint64)0, (uint64)2, $link);'), 'an op off the routine as codes: acquire (0) through mutex_lock_interruptible (2)');
    assert.ok(p.text.includes('@ls_o[tid, $i] = ($w.0 + $d, (uint64)3, (uint64)0, $link);'), 'release (3)');
    // A lock operation in a window: one lookup of the state (the test and the work share it).
    // The routine one (acquire, acquired, release with req->link as the sequence says) is kept
    // in the state: one update. One off the routine also goes to @ls_o: two updates. The acquire
    // waiting for its return is a bit of the state.
    const lockProbe = (name: string): string => {
      const at = p.text.indexOf(`\n${name}\n{\n`);
      assert.ok(at >= 0, name);
      return p.text.slice(at, p.text.indexOf('\n}\n', at));
    };
    const updates = (text: string): string[] => text.match(/@ls_\w+\[[^\]]*\] = \(/g) ?? [];
    for (const name of ['kprobe:mutex_lock', 'kretprobe:mutex_lock', 'kprobe:mutex_unlock']) {
      const body = lockProbe(name);
      assert.equal(body.match(/= @ls_w\[tid\];/g)?.length, 1, `${name}: one lookup`);
      const split = body.indexOf('} else {');
      assert.ok(split > 0, `${name}: a routine branch and one off the routine`);
      assert.deepEqual(updates(body.slice(0, split)), ['@ls_w[tid] = ('], `${name}: the routine operation, one update (the state)`);
      assert.deepEqual(updates(body.slice(split)), ['@ls_o[tid, $i] = (', '@ls_w[tid] = ('], `${name}: one off the routine, two (the op, the state)`);
      assert.ok(!body.includes('delete('), `${name}: no delete`);
    }
    assert.ok(lockProbe('kprobe:mutex_lock').includes('$s + (uint64)200708 + ((uint64)0 << 19), $w.5, $d << 32, $w.7);'), 'the routine acquire keeps its API and time, sets the waiting bit');
    assert.ok(lockProbe('kprobe:mutex_lock').includes('| 65536, $w.5, $w.6, $w.7);'), 'one off the routine sets it too');
    assert.ok(lockProbe('kretprobe:mutex_lock').includes('if (($w.4 & 65536) != 0) {'), 'its return looks for it');
    assert.ok(lockProbe('kretprobe:mutex_lock').includes('(($s >> 19) & 15) == 0 &&'), 'a routine acquired returns from the routine acquire\'s API');
    assert.ok(!p.text.includes('@ls_acq'));
    const ops = printfFormats(p.text).filter((f) => f.startsWith('LS1 window_op'));
    assert.equal(ops.length, 2, 'one printf for the routine ops kept in the state, one for every kind of op in @ls_o');
    assert.equal(new Set(ops).size, 1, 'the same line');
    const ret = lockProbe('kretprobe:io_wq_put_work');
    assert.ok(/if \(\$i < \$p\) \{[^]*\} else \{[^]*delete\(@ls_o\[tid, \$i\]\);/.test(ret), 'the ops in @ls_o (and their deletes) come after the routine ones');
    assert.equal(printfFormats(p.text).filter((f) => f.startsWith('LS1 window_summary')).length, 1, 'one summary printf, held= as a code');
    assert.ok(p.text.includes('if ($cls != 0 && $k.5 != 0 && $w.0 + $dur - $k.5 < 1000000000) {'), 'a routine window recorded at most every second per kind, ring and CPU; the others counted');
    assert.equal(ret.match(/@ls_k\[[^\]]*\] = \(/g)?.length, 1, 'the counts and the last record time: one update');
    assert.equal(ret.match(/= @ls_k\[/g)?.length, 1, 'and one lookup');
    assert.ok(!p.text.includes('@ls_lr'));
    assert.equal(printfFormats(p.text).filter((f) => f.startsWith('LS1 counted')).length, 2, 'counted lines every second and at END');
    assert.ok(!printfFormats(p.text).some((f) => f.startsWith('LS1 totals')), "the totals are the reader's sums of the counted lines");
    assert.ok(!/@ls_\w+\[[^\]]*\] = "/.test(p.text), 'no string stored in a map');
    assert.ok(p.text.includes('*(uint32 *)($req + 68)'), '6.1 flags are 4 bytes');
    assert.ok(!/^k(?:ret)?probe:io_wq_free_work/m.test(p.text), 'the void io_wq_free_work is not a site');
    assert.ok(p.text.startsWith('/*\n * lockscope.bt'), 'opens with the header comment');
  });

  it('sid 7.2 (0.27): io_wq_free_work returning the next work, offsetof, args. fields, the 7.2 submit tracepoint', () => {
    const p = program(sid);
    assert.ok(p.attachPoints.includes('kprobe:io_wq_free_work'));
    assert.ok(p.attachPoints.includes('kretprobe:io_wq_free_work'));
    assert.ok(p.attachPoints.includes('tracepoint:io_uring:io_uring_submit_req'));
    assert.ok(p.text.includes('(uint64)offsetof(struct io_kiocb, work)'));
    assert.ok(p.text.includes('$ctx + 64;'), 'uring_lock (inside an anonymous struct) as the BTF constant');
    assert.ok(p.text.includes('$rv = (uint64)retval;\n    $nw = $rv;'), 'kretprobe: the return value as it is');
    assert.ok(p.text.includes('flags)), (uint64)0);\n}'), 'the state has no linked-out field where the window returns the next work');
    assert.ok(!p.text.includes('$w.7'));
    assert.ok(p.text.includes('(uint64)args.ctx'));
    assert.ok(!p.text.includes('args->'));
  });

  it('output buffer: 0.27 sizes its one ring buffer in a config block before any probe; 0.17 has none (the environment sizes it)', () => {
    const p = program(sid);
    const at = p.text.indexOf('\nconfig = {\n  perf_rb_pages = 16384\n}\n');
    assert.ok(at > 0, 'config block with the default 16384 pages');
    assert.ok(at < p.text.indexOf('\nBEGIN\n'), 'config goes before every probe');
    assert.match(p.text, /^config = \{$/m, 'the line the session script looks for (it then leaves BPFTRACE_PERF_RB_PAGES unset)');
    assert.match(p.text, / \* USAGE: bpftrace -f json /);
    assert.ok(program(sid, { outputPages: 65_536 }).text.includes('  perf_rb_pages = 65536\n'));
    const old = program(k61);
    assert.ok(!/config/.test(old.text), '0.17 has no config block');
    assert.match(old.text, / \* USAGE: BPFTRACE_PERF_RB_PAGES=1024 bpftrace -f json /);
    const bad = (o: ProgramOptions): string => {
      const g = generateProgram(sid.plan, sid.version, o);
      return g.ok ? 'ok' : describeProgramError(g.error);
    };
    assert.match(bad({ outputPages: 1000 }), /outputPages 1000: must be a power of two from 64 to 65536/);
    assert.match(bad({ outputPages: 32 }), /power of two/);
    assert.match(bad({ outputPages: 131_072 }), /power of two/);
    assert.equal(bad({ outputPages: 64 }), 'ok');
  });

  it('contention with walk windows: every wait counted per ring and CPU in the kernel, one begin/end pair printed per ring and CPU every evidence period', () => {
    for (const c of [k61, sid]) {
      const p = program(c);
      const body = (probe: string): string => {
        const at = p.text.indexOf(`\n${probe}\n`);
        assert.ok(at >= 0, probe);
        return p.text.slice(at, p.text.indexOf('\n}\n', at));
      };
      const begin = body('tracepoint:lock:contention_begin');
      assert.ok(!begin.includes('printf'), 'a begin prints nothing');
      assert.ok(begin.includes('if (@ls_cb[tid].1 != (uint64)'), 'a wait runs from its first begin (a mutex spins, then sleeps: two begins)');
      const end = body('tracepoint:lock:contention_end');
      assert.equal(printfFormats(end).length, 2, 'the sampled wait: its begin and end lines');
      assert.ok(end.includes('if ($p != 0 && ($k.5 == 0 || $now - $k.5 >= 1000000000)) {'), 'at most one wait per ring and CPU a second is printed');
      assert.ok(end.includes('@ls_ck[$lk, $c] = ('), 'every wait counted');
      assert.ok(end.includes('@ls_ra[$c, $x] = $lk;'), "a CPU that saw the ring's waits lists it for the totals");
      assert.equal(printfFormats(p.text).filter((f) => f.startsWith('LS1 contention_counted')).length, 2, 'contention totals every second and at END');
      assert.ok(program(c, { evidencePeriodMs: 0 }).text.includes('$now - $k.5 >= 0)) {'), '--evidence-period 0 prints every wait');
    }
    const raw = program(host).text;
    const at = raw.indexOf('\ntracepoint:lock:contention_begin\n');
    assert.ok(printfFormats(raw.slice(at, raw.indexOf('\n}\n', at))).length === 1, 'no windows, no ring lists to total by: every begin printed');
    assert.ok(!printfFormats(raw).some((f) => f.startsWith('LS1 contention_counted')));
    assert.ok(!raw.includes('@ls_ck'));
  });

  it('host (no kprobes): tracepoints only, contention filtered by uring_lock addresses learned at submit', () => {
    const p = program(host);
    assert.ok(p.attachPoints.every((a) => a.startsWith('tracepoint:')), p.attachPoints.join(' '));
    assert.ok(p.text.includes('@ls_locks[(uint64)args->ctx + 64] = 1;'));
    assert.ok(!/^k(?:ret)?probe:/m.test(p.text));
    assert.ok(p.text.includes('LS1 grain raw'));
  });

  for (const [name, c] of [['6.1', k61], ['sid', sid], ['host', host]] as const) {
    it(`${name}: every printf prints an LS1 line the importer accepts`, () => {
      const p = program(c);
      const formats = printfFormats(p.text);
      assert.ok(formats.length > 10);
      assert.ok(formats.every((f) => f.startsWith('LS1 ')));
      const { result, events } = importSamples(p.text);
      assert.deepEqual(result.errors, []);
      assert.equal(result.header.probes.length, c.plan.probes.length);
      assert.deepEqual(result.header.probes, c.plan.probes);
      assert.deepEqual(result.header.offsets, c.plan.offsets);
      if (c.plan.window.kind !== 'none') {
        const summaries = events.filter((e) => e.kind === 'window_summary');
        // One summary printf (held= as a code), with its op line.
        assert.equal(summaries.length, 1);
        assert.ok(events.some((e) => e.kind === 'counted'));
      }
    });
  }

  it('a plan reason with quotes, percent signs and backslashes stays one printf literal', () => {
    const weird: ProbePlan = { ...k61.plan, probes: k61.plan.probes.map((p, i) => (i === 0 ? { ...p, reason: 'a "quoted" 100% \\ reason\nnext' } : p)) };
    const p = program({ plan: weird, version: k61.version });
    assert.ok(p.text.includes('reason=a \\"quoted\\" 100%% \\\\ reason next\\n'));
    const { result } = importSamples(p.text);
    assert.equal(result.header.probes[0]?.reason, 'a "quoted" 100% \\ reason next');
    assert.equal(printfLiteral('é'), '?');
  });

  it('refuses options out of range, offsets that are not integers, header values with blanks, odd symbols', () => {
    const bad = (g: ReturnType<typeof generateProgram>): string => (g.ok ? 'ok' : g.error.code);
    assert.equal(bad(generateProgram(k61.plan, k61.version, { maxOps: 0 })), 'bad_option');
    assert.equal(bad(generateProgram(k61.plan, k61.version, { maxOps: 65 })), 'bad_option');
    assert.equal(bad(generateProgram(k61.plan, k61.version, { totalsMs: 1.5 })), 'bad_option');
    assert.equal(bad(generateProgram(k61.plan, k61.version, { maxCpus: 64 })), 'bad_option');
    assert.equal(bad(generateProgram(k61.plan, k61.version, { evidencePeriodMs: -1 })), 'bad_option');
    assert.equal(bad(generateProgram(k61.plan, k61.version, { evidencePeriodMs: 60_001 })), 'bad_option');
    assert.ok(program(k61, { evidencePeriodMs: 0 }).text.includes('$w.0 + $dur - $k.5 < 0)'), 'every window recorded: nothing is ever less than 0 ns after the last');
    const layout = k61.plan.layout;
    assert.ok(layout !== undefined);
    const nan: ProbePlan = { ...k61.plan, layout: { ...layout, offsets: { ...layout.offsets, 'io_kiocb.link': { member: 'io_kiocb.link', offset: 184.5, size: 8 } } } };
    assert.equal(bad(generateProgram(nan, k61.version)), 'bad_offset');
    const neg: ProbePlan = { ...k61.plan, offsets: [{ member: 'io_kiocb.work', offset: -1, size: 16 }] };
    assert.equal(bad(generateProgram(neg, k61.version)), 'bad_offset');
    const host2: ProbePlan = { ...k61.plan, target: { ...k61.plan.target, host: 'a b") ; system("x' } };
    assert.equal(bad(generateProgram(host2, k61.version)), 'bad_header_value');
    const sym: ProbePlan = { ...k61.plan, unlockSymbol: 'mutex_unlock { system("x") }' };
    assert.equal(bad(generateProgram(sym, k61.version)), 'bad_symbol');
  });

  it('fentry plans use kfunc/kretfunc and args-> on 0.17, fentry/fexit and args. from 0.20', async () => {
    const facts = await machineFacts('debian-sid-7.2');
    const bt = facts.bpftrace;
    assert.ok(bt !== undefined);
    const plan = planProbes({ ...facts, bpftrace: { ...bt, features: { ...bt.features, fentry: 'yes' } } }, machineLayout('debian-sid-7.2'), { mechanism: 'fentry' });
    const modern = program({ plan, version: bt.version });
    assert.ok(modern.attachPoints.includes('fentry:io_wq_free_work') && modern.attachPoints.includes('fexit:mutex_lock'));
    assert.ok(modern.text.includes('(uint64)args.work - (uint64)offsetof(struct io_kiocb, work)'));
    assert.ok(modern.text.includes('if ((uint64)args.lock == $w.2) {'));
    // fexit's retval is a typed pointer to the verifier: it goes through a map to become a number.
    assert.ok(modern.text.includes('@ls_rv[tid] = (uint64)retval;\n    $rv = @ls_rv[tid];\n    delete(@ls_rv[tid]);'));
    const old = program({ plan, version: { major: 0, minor: 17, patch: 0, text: 'v0.17.0' } });
    assert.ok(old.attachPoints.includes('kfunc:io_wq_free_work') && old.attachPoints.includes('kretfunc:mutex_lock'));
    assert.ok(old.text.includes('(uint64)args->work - 216'));
  });
});

/** bpftrace on this host, run as root (the tests compile and attach only then). */
function hostBpftrace(): { readonly version: string } | undefined {
  if (process.getuid?.() !== 0) {
    return undefined;
  }
  const r = spawnSync('bpftrace', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? { version: r.stdout.trim() } : undefined;
}

describe('bpftrace itself on the generated programs', async () => {
  const bt = hostBpftrace();
  const k61 = await planFor('debian-6.1');
  const host = await planFor('host-6.18', { lifecycle: true });
  const dir = mkdtempSync(join(tmpdir(), 'lockscope-bt-'));

  it('compiles the 6.1 and host programs (bpftrace --emit-elf: a dry run, nothing attached)', { skip: bt === undefined ? 'bpftrace not installed, or not root' : false }, () => {
    for (const [name, c] of [['6.1', k61], ['host', host]] as const) {
      const file = join(dir, `${name}.bt`);
      writeFileSync(file, program(c).text);
      const r = spawnSync('bpftrace', ['--emit-elf', join(dir, `${name}.elf`), file], { encoding: 'utf8', timeout: 120_000 });
      const errors = r.stderr.split('\n').filter((l) => l.includes('ERROR') && !l.includes('RLIMIT_MEMLOCK'));
      assert.deepEqual(errors, [], `${name}: ${r.stderr}`);
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    }
  });

  it('attaches the host plan (tracepoints only) for real and its output imports cleanly', { skip: bt === undefined || !bt.version.includes('v0.') ? 'bpftrace not installed, or not root' : false }, () => {
    const file = join(dir, 'host-run.bt');
    writeFileSync(file, program(host).text);
    const r = spawnSync('bpftrace', ['-f', 'json', '-c', '/bin/true', file], { encoding: 'utf8', timeout: 60_000 });
    if (r.stderr.includes('tracepoint not found') || r.stderr.includes('No such file')) {
      // tracefs not mounted here: nothing to attach to.
      return;
    }
    assert.equal(r.status, 0, r.stderr);
    const { result } = importBpftrace(r.stdout.split('\n').filter((l) => l !== ''));
    assert.deepEqual(result.errors, []);
    assert.ok((result.attachedProbes ?? 0) > 0);
    assert.equal(result.header.probes.length, host.plan.probes.length);
  });

  it('cleans up', () => {
    rmSync(dir, { recursive: true, force: true });
  });
});
