/**
 * `lockscope trace` end to end against a scripted 6.1 machine: real preflight answers and BTF,
 * the real planner and generator, and a canned bpftrace session (LS1 lines as -f json records)
 * with the probe-miss reader's lines on standard error. The verdicts depend on what the reader
 * said, which is the point: the runner must turn its readings into the capture's miss counters.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { CaptureEvent } from '../../../main/core/capture/events.js';
import { makeHeader } from '../../../main/core/capture/header.js';
import { formatLs1, formatLs1Header } from '../../../main/core/import/ls1-format.js';
import { planProbes } from '../../../main/core/plan/plan-probes.js';
import { DEFAULT_RULES_JSON } from '../../../main/core/rules/default-rules.js';
import { parseRules } from '../../../main/core/rules/rule.js';
import type { Rule } from '../../../main/core/rules/rule.js';
import { CliError } from '../../../main/node/cli-error.js';
import { runAnalysis } from '../../../main/node/commands/analysis-run.js';
import { runTrace } from '../../../main/node/session/trace-session.js';
import { traceCommand } from '../../../main/node/commands/trace-command.js';
import { ANY } from '../../../main/node/targets/fake-target.js';
import type { Addr } from '../../../main/core/util/addr.js';
import type { DurationNs, RelNs } from '../../../main/core/util/time.js';
import { fakeMachine } from '../../support/fake-machines.js';
import { machineFacts, machineLayout } from '../../support/kernel-plans.js';

const parsedRules = parseRules(DEFAULT_RULES_JSON);
const RULES: readonly Rule[] = parsedRules.ok ? parsedRules.value : [];
const BASE = 5_000_000_000_000n;
const K = (v: bigint): Addr => Number(v - (1n << 64n)) as Addr;
const DIR = '/tmp/lockscope.AbCd1234';

async function bpftraceOutput(windows: number, o: { readonly wrongNext?: boolean } = {}): Promise<string> {
  const facts = await machineFacts('debian-6.1');
  const plan = planProbes(facts, machineLayout('debian-6.1'), { rules: RULES, host: 'debian-6.1', missesCounted: true });
  const header = makeHeader({
    target: plan.target, clock: 'CLOCK_MONOTONIC', baseNs: BASE, startWallTime: '', addrBias: 0n,
    probes: plan.probes, offsets: plan.offsets, grain: 'summary', source: 'test', notes: [],
  });
  const lines = formatLs1Header(header);
  for (let i = 0; i < windows; i++) {
    const link = K(0xffff888010000000n + BigInt(i) * 256n);
    const e: CaptureEvent = {
      kind: 'window_summary', ts: (10_000_000 + i * 100_000) as RelNs, cpu: i % 2, tid: 300 + (i % 2), site: 'io_wq_put_work', duration: 20_000 as DurationNs,
      task: K(0xffff888020000000n + BigInt(i % 2) * 0x1000n), req: K(0xffff888030000000n + BigInt(i) * 256n), ctx: K(0xffff88800a000000n), lock: K(0xffff88800a000040n),
      flags: 0, link, owner: 0 as Addr, heldAtEntry: 'not_held', next: o.wrongNext === true ? K(0xffff888040000000n + BigInt(i) * 8n) : link, ops: [], opsOverflow: false,
    };
    lines.push(...formatLs1(e, BASE, 0n));
  }
  const records = ['{"type": "attached_probes", "data": {"probes": 18}}', ...lines.map((l) => JSON.stringify({ type: 'printf', data: `${l}\n` }))];
  return `${records.join('\n')}\n`;
}

function reading(relNs: number, total: number): string {
  return `LSM reading ${(BASE + BigInt(relNs)).toString()} ${total}`;
}

const ATTACHED = 'LSATTACHED';
// The first reading after the attach line may predate it: the runner skips it.
const FIRST = reading(500_000, 0);
const SOURCES_61 = 'LSM sources progs=13 links=0 kprobe_multi=0 kprobe_multi_missed=0 perf_events=15 perf_kprobes=13 witnesses=13';

function scriptedTarget(stdout: string, stderr: string, name?: string, code = 0): ReturnType<typeof fakeMachine> {
  const btf = new Uint8Array(gunzipSync(readFileSync('test/fixtures/btf/debian-6.1.0-56-amd64.btf.gz')));
  return fakeMachine('debian-6.1', {
    ...(name === undefined ? {} : { name }),
    files: { '/sys/kernel/btf/vmlinux': btf },
    exec: {
      'getconf _NPROCESSORS_CONF': { stdout: '2\n' },
      'mktemp -d /tmp/lockscope.XXXXXXXX': { stdout: `${DIR}\n` },
      [ANY]: { stdout: '' },
    },
    spawn: { [ANY]: { stdout, stderr: `LSPID 777\n${stderr}`, code } },
  });
}

async function trace(stdout: string, stderr: string, exit = 0): Promise<{ code: number | CliError; file: string; errText: string; calls: readonly string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'lockscope-trace-'));
  writeFileSync(join(dir, 'lockscope-misses'), 'stand-in');
  writeFileSync(join(dir, 'linkstorm'), 'stand-in');
  const file = join(dir, 'out.lsc');
  const target = scriptedTarget(stdout, stderr, undefined, exit);
  const errs: string[] = [];
  let code: number | CliError;
  try {
    code = (await runTrace(
      target,
      { durationMs: 30_000, output: file, workload: undefined, workloadCommand: undefined, rules: RULES, maxRate: 1_000_000, missIntervalMs: 100, binDir: dir, lifecycle: false },
      { out: () => undefined, err: (t) => errs.push(t), progress: undefined, onInterrupt: () => () => undefined },
    )).code;
  } catch (e) {
    if (!(e instanceof CliError)) {
      throw e;
    }
    code = e;
  }
  const calls = target.commands;
  return { code, file, errText: errs.join('\n'), calls };
}

function verdicts(file: string): Record<string, number> {
  const run = runAnalysis(file, { rulesFile: undefined, reorderHorizon: undefined, evidence: false }, () => undefined);
  const v = run.summary.rules[0]?.verdicts;
  return { HELD: v?.HELD ?? -1, NOT_HELD: v?.NOT_HELD ?? -1, UNKNOWN: v?.UNKNOWN ?? -1 };
}

describe('lockscope trace of a fleet (scripted targets)', () => {
  it('gives each target its own capture and verdicts, then one line each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockscope-fleet-'));
    const stdout = await bpftraceOutput(50);
    const stderr = [ATTACHED, SOURCES_61, FIRST, reading(1_000_000, 0), reading(40_000_000, 0)].join('\n');
    const out: string[] = [];
    const errs: string[] = [];
    const code = await traceCommand(
      { targets: ['db1', 'ssh://root@db2:2222'], output: join(dir, 'fleet'), duration: '30s', workload: undefined, workloadCommand: undefined, rules: undefined, maxRate: undefined, lifecycle: false, mechanism: undefined },
      { out: (t) => out.push(t), err: (t) => errs.push(t), progress: undefined, onInterrupt: () => () => undefined },
      (name) => scriptedTarget(stdout, stderr, name),
    );
    const table = out.join('\n');
    assert.match(table, /Fleet: 2 targets/);
    const lines = table.split('\n').filter((l) => /^ {2}(db1|ssh:\/\/root@db2:2222) /.test(l));
    assert.equal(lines.length, 2, table);
    assert.ok(existsSync(join(dir, 'fleet', 'db1.lscap')) && existsSync(join(dir, 'fleet', 'root_db2_2222.lscap')));
    // Both saw the same: the same verdict on each line, and the fleet's code is theirs.
    const words = lines.map((l) => /\s(NOT_HELD|UNPROVEN)\s/.exec(l)?.[1]);
    assert.equal(words[0], words[1]);
    assert.equal(code, words[0] === 'NOT_HELD' ? 1 : 3, errs.join('\n'));
    assert.ok(errs.some((e) => e.startsWith('lockscope: [db1] ')));
  });

  it('refuses an evidence period it cannot give the kernel program, before touching a target', async () => {
    for (const bad of ['-1s', '2m', '1.5ms', 'often']) {
      await assert.rejects(
        traceCommand(
          { targets: ['db1'], output: 'x', duration: undefined, workload: undefined, workloadCommand: undefined, rules: undefined, maxRate: undefined, lifecycle: false, mechanism: undefined, evidencePeriod: bad },
          { out: () => undefined, err: () => undefined, progress: undefined, onInterrupt: () => () => undefined },
          () => {
            throw new Error('no target may be opened');
          },
        ),
        /--evidence-period .*: give 0 \(record every window/,
        bad,
      );
    }
  });

  it('refuses a target given twice', async () => {
    await assert.rejects(
      traceCommand(
        { targets: ['db1', 'db1'], output: 'x', duration: undefined, workload: undefined, workloadCommand: undefined, rules: undefined, maxRate: undefined, lifecycle: false, mechanism: undefined },
        { out: () => undefined, err: () => undefined, progress: undefined, onInterrupt: () => () => undefined },
        (name) => scriptedTarget('', '', name),
      ),
      /--target db1 is given twice/,
    );
  });
});

describe('lockscope trace (scripted 6.1 target)', () => {
  it('with miss readings bracketing the windows, walks without the lock are NOT_HELD (exit 1)', async () => {
    const r = await trace(await bpftraceOutput(100), [ATTACHED, SOURCES_61, FIRST, reading(1_000_000, 0), reading(40_000_000, 0)].join('\n'));
    assert.equal(r.code, 1, r.errText);
    assert.deepEqual(verdicts(r.file), { HELD: 0, NOT_HELD: 100, UNKNOWN: 0 });
    assert.match(r.errText, /calibrated: 32 of the first 32 windows/);
    assert.match(r.errText, /probe misses counted: 13 programs, 0 kprobe_multi links, 13 perf kprobes with 13 witness kprobes/);
    // The witnesses asked for, the directory cleaned up.
    assert.ok(r.calls.some((c) => c.startsWith('sh -c') && c.includes('--witness p:mutex_lock') && c.includes('--witness r:io_wq_put_work')));
    assert.ok(r.calls.includes(`rm -rf -- ${DIR}`));
    rmSync(r.file, { force: true });
  });

  it('a miss between the readings makes the walks UNKNOWN, never NOT_HELD', async () => {
    const r = await trace(await bpftraceOutput(100), [ATTACHED, SOURCES_61, FIRST, reading(1_000_000, 0), reading(40_000_000, 3)].join('\n'));
    assert.equal(r.code, 3, r.errText);
    assert.deepEqual(verdicts(r.file), { HELD: 0, NOT_HELD: 0, UNKNOWN: 100 });
  });

  it('without readings nothing is proven', async () => {
    const r = await trace(await bpftraceOutput(100), ATTACHED);
    assert.equal(r.code, 3, r.errText);
    assert.deepEqual(verdicts(r.file), { HELD: 0, NOT_HELD: 0, UNKNOWN: 100 });
  });

  it('readings taken while coverage is incomplete are not used', async () => {
    const missingWitness = SOURCES_61.replace('witnesses=13', 'witnesses=12');
    const r = await trace(await bpftraceOutput(100), [ATTACHED, missingWitness, FIRST, reading(1_000_000, 0), reading(40_000_000, 0)].join('\n'));
    assert.equal(r.code, 3, r.errText);
    assert.match(r.errText, /12 of 13 exist/);
    assert.deepEqual(verdicts(r.file), { HELD: 0, NOT_HELD: 0, UNKNOWN: 100 });
  });

  it('a reading taken before the probes were attached proves nothing', async () => {
    const r = await trace(await bpftraceOutput(100), [SOURCES_61, reading(1_000_000, 0), ATTACHED, reading(40_000_000, 0)].join('\n'));
    assert.equal(r.code, 3, r.errText);
    assert.deepEqual(verdicts(r.file), { HELD: 0, NOT_HELD: 0, UNKNOWN: 100 });
  });

  it('readings after the reader\'s sources change are not compared with earlier ones', async () => {
    const detached = SOURCES_61.replace('progs=13', 'progs=12');
    const r = await trace(await bpftraceOutput(100), [ATTACHED, SOURCES_61, FIRST, reading(1_000_000, 0), reading(5_000_000, 0), detached, reading(40_000_000, 0)].join('\n'));
    assert.equal(r.code, 3, r.errText);
    // Windows from 10 ms on have no usable reading after them.
    assert.deepEqual(verdicts(r.file), { HELD: 0, NOT_HELD: 0, UNKNOWN: 100 });
  });

  it('a bpftrace that dies (SIGABRT: exit 134) fails the session, whatever the verdicts so far', async () => {
    const r = await trace(await bpftraceOutput(100), [ATTACHED, SOURCES_61, FIRST, reading(1_000_000, 0), reading(40_000_000, 0)].join('\n'), 134);
    assert.equal(r.code, 2, r.errText);
    assert.match(r.errText, /bpftrace ended abnormally \(exit 134\); the session failed/);
    assert.deepEqual(verdicts(r.file), { HELD: 0, NOT_HELD: 100, UNKNOWN: 0 });
  });

  it('a failed calibration stops with exit 2 and keeps the capture', async () => {
    const r = await trace(await bpftraceOutput(40, { wrongNext: true }), [ATTACHED, SOURCES_61, FIRST, reading(1_000_000, 0), reading(40_000_000, 0)].join('\n'));
    assert.equal(r.code, 2, r.errText);
    assert.match(r.errText, /calibration failed: 8 windows produced a next request other than req->link/);
    assert.match(r.errText, /must not be trusted/);
    assert.ok(readFileSync(r.file).length > 0);
  });

  it('a tracer that never attaches is an error naming what it said', async () => {
    const r = await trace('', 'ERROR: Could not resolve symbol: io_wq_put_work\n');
    assert.ok(r.code instanceof CliError);
    assert.match(r.code instanceof CliError ? r.code.message : '', /never attached its probes[\s\S]*Could not resolve symbol/);
  });
});
