/**
 * A live session on this host's own kernel: no kprobes here (tracepoints only), so the plan
 * attaches the io_uring lifecycle and lock contention tracepoints, the capture holds what they
 * showed, and the summary says plainly why no walk can be judged. Needs root, bpftrace and the
 * built helpers (npm run build:workload); skipped otherwise.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { DEFAULT_RULES_JSON } from '../../../main/core/rules/default-rules.js';
import { parseRules } from '../../../main/core/rules/rule.js';
import { runAnalysis } from '../../../main/node/commands/analysis-run.js';
import { runTrace } from '../../../main/node/session/trace-session.js';
import { LocalTarget } from '../../../main/node/targets/local-target.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const binDir = join(root, 'build/bpf');
const kprobesHere = existsSync('/sys/bus/event_source/devices/kprobe');
const skip =
  process.getuid?.() !== 0
    ? 'needs root'
    : spawnSync('bpftrace', ['--version']).status !== 0
      ? 'bpftrace not installed'
      : !existsSync(join(binDir, 'linkstorm')) || !existsSync(join(binDir, 'lockscope-misses'))
        ? 'helpers not built (npm run build:workload)'
        : kprobesHere
          ? 'this host has kprobes: the tracepoint-only case is the lab kernels’ business'
          : false;

describe('lockscope trace on this host (tracepoints only)', { skip }, () => {
  it('captures life cycle events and says why walks cannot be judged', async () => {
    if (!existsSync('/sys/kernel/tracing/events')) {
      spawnSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing']);
    }
    const rules = parseRules(DEFAULT_RULES_JSON);
    assert.ok(rules.ok);
    const file = join(mkdtempSync(join(tmpdir(), 'lockscope-local-')), 'host.lsc');
    const errs: string[] = [];
    const { code } = await runTrace(
      new LocalTarget(),
      { durationMs: 3000, output: file, workload: { kind: 'linkstorm', args: ['--chain', '4', '--inflight', '2'] }, workloadCommand: undefined, rules: rules.value, maxRate: 2_000_000, missIntervalMs: 100, binDir, lifecycle: false },
      { out: () => undefined, err: (t) => errs.push(t), progress: undefined, onInterrupt: () => () => undefined },
    );
    const log = errs.join('\n');
    assert.equal(code, 3, log);
    assert.match(log, /probes attached after/);
    assert.match(log, /workload ended \(exit 0\): linkstorm chains=/);
    const kinds = new Map<string, number>();
    const run = runAnalysis(file, { rulesFile: undefined, reorderHorizon: undefined, evidence: false }, () => undefined, (events) => {
      for (const e of events) {
        kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
      }
    });
    assert.ok(run.end.complete, 'the capture has its footer');
    assert.ok((kinds.get('io_submit') ?? 0) > 0 && (kinds.get('io_link') ?? 0) > 0, JSON.stringify([...kinds]));
    assert.equal(kinds.get('window_summary') ?? 0, 0);
    assert.equal(run.summary.coverage.complete, false);
    assert.match(run.summary.coverage.detail, /this kernel has no kprobes/);
    assert.equal(run.summary.rules[0]?.walks, 0);
    assert.ok(readFileSync(file).length > 100);
  });
});
