/**
 * The engine's sessions against a scripted 6.1 machine (real preflight answers and BTF, the real
 * planner and generator, a canned bpftrace run): state moves preflight → attaching → recording →
 * … → finished with counters, the capture is written and opened in the app, one session per
 * target at a time, Stop ends a running session through the CLI's Ctrl-C path.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { AppResult, SessionInfo } from '../../../main/core/app/app-contract.js';
import type { CaptureEvent } from '../../../main/core/capture/events.js';
import { makeHeader } from '../../../main/core/capture/header.js';
import { formatLs1, formatLs1Header } from '../../../main/core/import/ls1-format.js';
import { planProbes } from '../../../main/core/plan/plan-probes.js';
import { DEFAULT_RULES_JSON } from '../../../main/core/rules/default-rules.js';
import { parseRules } from '../../../main/core/rules/rule.js';
import type { Addr } from '../../../main/core/util/addr.js';
import type { DurationNs, RelNs } from '../../../main/core/util/time.js';
import { CaptureRegistry } from '../../../main/node/engine/capture-registry.js';
import { SessionRegistry } from '../../../main/node/engine/session-registry.js';
import { TargetRegistry } from '../../../main/node/engine/target-registry.js';
import type { FakeProcess } from '../../../main/node/targets/fake-target.js';
import { ANY } from '../../../main/node/targets/fake-target.js';
import { fakeMachine } from '../../support/fake-machines.js';
import { machineFacts, machineLayout } from '../../support/kernel-plans.js';

const parsedRules = parseRules(DEFAULT_RULES_JSON);
const RULES = parsedRules.ok ? parsedRules.value : [];
const BASE = 5_000_000_000_000n;
const K = (v: bigint): Addr => Number(v - (1n << 64n)) as Addr;
const SOURCES_61 = 'LSM sources progs=13 links=0 kprobe_multi=0 kprobe_multi_missed=0 perf_events=15 perf_kprobes=13 witnesses=13';
const reading = (relNs: number, total: number): string => `LSM reading ${(BASE + BigInt(relNs)).toString()} ${total}`;

/** bpftrace's -f json output for `windows` walk windows without the lock (as the 6.1 kernel does). */
async function bpftraceOutput(windows: number): Promise<string> {
  const facts = await machineFacts('debian-6.1');
  const plan = planProbes(facts, machineLayout('debian-6.1'), { rules: RULES, host: 'debian-6.1', missesCounted: true });
  const header = makeHeader({ target: plan.target, clock: 'CLOCK_MONOTONIC', baseNs: BASE, startWallTime: '', addrBias: 0n, probes: plan.probes, offsets: plan.offsets, grain: 'summary', source: 'test', notes: [] });
  const lines = formatLs1Header(header);
  for (let i = 0; i < windows; i++) {
    const link = K(0xffff888010000000n + BigInt(i) * 256n);
    const e: CaptureEvent = {
      kind: 'window_summary', ts: (10_000_000 + i * 100_000) as RelNs, cpu: i % 2, tid: 300 + (i % 2), site: 'io_wq_put_work', duration: 20_000 as DurationNs,
      task: K(0xffff888020000000n + BigInt(i % 2) * 0x1000n), req: K(0xffff888030000000n + BigInt(i) * 256n), ctx: K(0xffff88800a000000n), lock: K(0xffff88800a000040n),
      flags: 0, link, owner: 0 as Addr, heldAtEntry: 'not_held', next: link, ops: [], opsOverflow: false,
    };
    lines.push(...formatLs1(e, BASE, 0n));
  }
  const records = ['{"type": "attached_probes", "data": {"probes": 18}}', ...lines.map((l) => JSON.stringify({ type: 'printf', data: `${l}\n` }))];
  return `${records.join('\n')}\n`;
}

function value<T>(r: AppResult<T>): T {
  if (!r.ok) {
    throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  }
  return r.value;
}

describe('SessionRegistry (scripted 6.1 target)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockscope-sessions-'));
  const btf = new Uint8Array(gunzipSync(readFileSync('test/fixtures/btf/debian-6.1.0-56-amd64.btf.gz')));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function build(tracer: FakeProcess): { sessions: SessionRegistry; captures: CaptureRegistry; events: SessionInfo[]; written: string[] } {
    // What the session wrote to the target (the program among it).
    const written: string[] = [];
    const state = mkdtempSync(join(dir, 'state-'));
    const helpers = mkdtempSync(join(dir, 'bin-'));
    writeFileSync(join(helpers, 'lockscope-misses'), 'stand-in');
    writeFileSync(join(helpers, 'linkstorm'), 'stand-in');
    const targets = new TargetRegistry(state, undefined, {
      rules: RULES,
      binDir: helpers,
      targetFor: (address) =>
        fakeMachine('debian-6.1', {
          name: address,
          files: { '/sys/kernel/btf/vmlinux': btf },
          exec: {
            'getconf _NPROCESSORS_CONF': { stdout: '2\n' },
            'mktemp -d /tmp/lockscope.XXXXXXXX': { stdout: '/tmp/lockscope.AbCd1234\n' },
            [ANY]: (_argv, o) => {
              if (o.input !== undefined) {
                written.push(new TextDecoder().decode(o.input));
              }
              return { stdout: '' };
            },
          },
          spawn: { [ANY]: tracer },
        }),
    });
    const captures = new CaptureRegistry(RULES, () => undefined);
    const events: SessionInfo[] = [];
    const sessions = new SessionRegistry({ targets, captures, rules: RULES, capturesDir: join(state, 'captures'), emit: (s) => events.push(s) });
    return { sessions, captures, events, written };
  }

  async function ended(events: SessionInfo[], id: string): Promise<SessionInfo> {
    for (;;) {
      const last = events.filter((e) => e.id === id).at(-1);
      if (last !== undefined && (last.state === 'finished' || last.state === 'failed')) {
        return last;
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  it('runs to the end: states in order, counters, the capture written and opened', async () => {
    const stdout = await bpftraceOutput(100);
    const stderr = ['LSPID 777', 'LSATTACHED', SOURCES_61, reading(500_000, 0), reading(1_000_000, 0), reading(40_000_000, 0)].join('\n');
    const { sessions, captures, events } = build({ stdout, stderr: `${stderr}\n`, code: 0 });
    const started = value(await sessions.start({ targetId: 'local', durationS: 5, workload: 'linkstorm:chain=4,inflight=2' }));
    assert.equal(started.state, 'preflight');
    assert.match(basename(started.capturePath), /^local-\d{8}-\d{6}\.lscap$/);
    const last = await ended(events, started.id);
    assert.equal(last.state, 'finished', `${last.failure ?? ''}\n${last.log.join('\n')}`);
    // The states the UI saw, in order, each once.
    const states = events.map((e) => e.state).filter((x, i, all) => x !== all[i - 1]);
    assert.deepEqual(states.slice(0, 2), ['preflight', 'attaching']);
    assert.ok(states.includes('recording'), states.join(' '));
    assert.equal(states.at(-1), 'finished');
    for (let i = 1; i < states.length; i++) {
      const order = ['preflight', 'attaching', 'recording', 'stopping', 'finished'];
      assert.ok(order.indexOf(states[i] ?? '') > order.indexOf(states[i - 1] ?? ''), states.join(' → '));
    }
    // 100 walks without the lock, with readings bracketing them: NOT_HELD, exit 1.
    assert.equal(last.exitCode, 1, last.log.join('\n'));
    assert.ok(last.counters !== undefined && last.counters.events > 100);
    assert.equal(last.counters.notHeld, 100);
    assert.ok(existsSync(last.capturePath));
    assert.ok(last.captureId !== undefined);
    const summary = value(captures.summary(last.captureId));
    assert.equal(summary.capture.origin, 'session');
    assert.equal(summary.summary.rules[0]?.verdicts.NOT_HELD, 100);
    assert.ok(last.log.some((l) => l.startsWith('probe plan for local:')), last.log.join('\n'));
    assert.ok(last.log.some((l) => l.startsWith('session ended (')), last.log.join('\n'));
    assert.deepEqual(sessions.list().map((x) => x.id), [started.id]);
  });

  it('refuses a second session on a busy target, bad workloads and unknown targets; Stop ends it', async () => {
    const stderr = ['LSPID 777', 'LSATTACHED', SOURCES_61].join('\n');
    const { sessions, events } = build({ stdout: await bpftraceOutput(10), stderr: `${stderr}\n`, untilStopped: true });
    const bad = await sessions.start({ targetId: 'local', durationS: 5, workload: 'linkstorm:chain=x' });
    assert.ok(!bad.ok && bad.error.code === 'bad_request' && /chain=x is not a valid value/.test(bad.error.message));
    const none = await sessions.start({ targetId: 'nope', durationS: 5, workload: undefined });
    assert.ok(!none.ok && none.error.code === 'not_found');

    const s = value(await sessions.start({ targetId: 'local', durationS: 600, workload: undefined }));
    const busy = await sessions.start({ targetId: 'local', durationS: 5, workload: undefined });
    assert.ok(!busy.ok && busy.error.code === 'busy', JSON.stringify(busy));
    // Wait until it is recording, then stop it (twice: the second does not wait for END, as a second Ctrl-C).
    for (;;) {
      if (events.some((e) => e.id === s.id && e.state === 'recording')) {
        break;
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    assert.equal(value(await sessions.stop(s.id)).state, 'stopping');
    value(await sessions.stop(s.id));
    const last = await ended(events, s.id);
    assert.equal(last.state, 'finished', `${last.failure ?? ''}\n${last.log.join('\n')}`);
    assert.ok(last.log.some((l) => /session ended \(stopped by the user\)/.test(l)), last.log.join('\n'));
    assert.ok(last.captureId !== undefined);
    // The target is free again.
    const again = await sessions.start({ targetId: 'local', durationS: 1, workload: undefined });
    assert.ok(again.ok);
    await sessions.stopAll();
    assert.ok(sessions.list().every((x) => x.state === 'finished' || x.state === 'failed'));
  });

  it('the evidence period asked for goes into the program: 250 ms, or the default 1 s when none is given', async () => {
    const stderr = ['LSPID 777', 'LSATTACHED', SOURCES_61, reading(500_000, 0), reading(40_000_000, 0)].join('\n');
    const program = async (evidencePeriodMs: number | undefined): Promise<string> => {
      const { sessions, events, written } = build({ stdout: await bpftraceOutput(10), stderr: `${stderr}\n`, code: 0 });
      const s = value(await sessions.start({ targetId: 'local', durationS: 5, workload: undefined, ...(evidencePeriodMs === undefined ? {} : { evidencePeriodMs }) }));
      await ended(events, s.id);
      const text = written.find((w) => w.includes('kprobe:io_wq_put_work'));
      assert.ok(text !== undefined, 'the program was written to the target');
      return text;
    };
    assert.match(await program(250), /\$dur - \$k\.5 < 250000000\)/);
    assert.match(await program(undefined), /\$dur - \$k\.5 < 1000000000\)/);
  });

  it('a session whose bpftrace never attaches fails with what it said', async () => {
    const { sessions, events } = build({ stdout: '', stderr: 'LSPID 777\nERROR: Could not resolve symbol: io_wq_put_work\n', code: 1 });
    const s = value(await sessions.start({ targetId: 'local', durationS: 5, workload: undefined }));
    const last = await ended(events, s.id);
    assert.equal(last.state, 'failed');
    assert.match(last.failure ?? '', /never attached its probes[\s\S]*Could not resolve symbol/);
  });

  it('pushes at most about four times a second', async () => {
    const stderr = ['LSPID 777', 'LSATTACHED', SOURCES_61].join('\n');
    const { sessions, events } = build({ stdout: await bpftraceOutput(10), stderr: `${stderr}\n`, untilStopped: true });
    const s = value(await sessions.start({ targetId: 'local', durationS: 600, workload: undefined }));
    for (;;) {
      if (events.some((e) => e.id === s.id && e.state === 'recording')) {
        break;
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const from = events.length;
    const t0 = Date.now();
    await new Promise<void>((resolve) => setTimeout(resolve, 1500));
    const pushes = events.length - from;
    const seconds = (Date.now() - t0) / 1000;
    assert.ok(pushes >= 2 && pushes <= Math.ceil(seconds * 4) + 1, `${pushes} pushes in ${seconds} s`);
    assert.ok(events.at(-1)?.counters !== undefined);
    // Stop twice: the fake bpftrace ignores SIGINT, and a second stop does not wait for END.
    value(await sessions.stop(s.id));
    value(await sessions.stop(s.id));
    await ended(events, s.id);
  });
});
