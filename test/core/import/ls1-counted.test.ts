import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importBpftrace } from '../../../main/core/import/bpftrace-importer.js';
import { formatImportError } from '../../../main/core/import/import-error.js';
import { formatLs1Header } from '../../../main/core/import/ls1-format.js';
import { header } from '../../support/fixtures.js';

const H = formatLs1Header(header({ grain: 'summary' }));
const T0 = 5_000_000_000_000n;
const at = (dt: number): string => (T0 + BigInt(dt)).toString();

function run(lines: readonly string[]): ReturnType<typeof importBpftrace> {
  return importBpftrace([...H, ...lines]);
}

describe("LS1 lines as the kernel program prints them: codes and counted lines", () => {
  it('held=, op= and api= as codes read as the names (their places in HELD_AT_ENTRY, WINDOW_OPS, LOCK_APIS)', () => {
    const { result, events } = run([
      `LS1 window_summary ${at(0)} 0 7 site=io_wq_put_work dur=500 task=0xffff888000900000 req=0xffff888000400100 ctx=0xffff888000100000 lock=0xffff888000100040 flags=0x14 link=0xffff888000400200 owner=0x0 held=2 next=0xffff888000400200 nops=3 overflow=0`,
      `LS1 window_op ${at(100)} 0 7 op=0 api=2 link=0xffff888000400200`,
      `LS1 window_op ${at(200)} 0 7 op=1 api=2 link=0xffff888000400200`,
      `LS1 window_op ${at(300)} 0 7 op=3 api=0 link=0x0`,
    ]);
    assert.deepEqual(result.errors, []);
    const s = events.find((e) => e.kind === 'window_summary');
    assert.ok(s?.kind === 'window_summary');
    assert.equal(s.heldAtEntry, 'not_held');
    assert.deepEqual(
      s.ops.map((o) => `${o.op}/${o.api}`),
      ['acquire/mutex_lock_interruptible', 'acquired/mutex_lock_interruptible', 'release/mutex_lock'],
    );
  });

  it('a code past the list is an error naming the list, not a guess', () => {
    const { result } = run([
      `LS1 window_summary ${at(0)} 0 7 site=io_wq_put_work dur=500 task=0xffff888000900000 req=0xffff888000400100 ctx=0xffff888000100000 lock=0xffff888000100040 flags=0x14 link=0x0 owner=0x0 held=7 next=0x0 nops=0 overflow=0`,
    ]);
    assert.equal(result.errors.length, 1);
    assert.match(formatImportError(result.errors[0] ?? ({} as never)), /held.*not a code from 0 to 2/);
  });

  it('a counted line: counts by class and the counted span, times like the line’s own', () => {
    const { result, events } = run([
      `LS1 marker ${at(0)} -1 0 marker=note text=start`,
      `LS1 counted ${at(1_000_000)} -1 0 site=io_wq_free_work ctx=0xffff888000100000 oncpu=1 shape=2 windows=8200 counted=8100 locked=8200 maxdur=5000 since=${at(999_000)} first=${at(10)}`,
    ]);
    assert.deepEqual(result.errors, []);
    const c = events.find((e) => e.kind === 'counted');
    assert.ok(c?.kind === 'counted');
    assert.equal(c.shape, 'inside');
    assert.equal(c.onCpu, 1);
    assert.equal(c.counted, 8100);
    assert.equal(c.lockedInside, 8200);
    assert.equal(c.since - c.first, 999_000 - 10);
    assert.equal(c.ts - c.since, 1_000);
    assert.equal(c.maxDuration, 5000);
  });

  it('nothing counted yet: the kernel prints first=0, read as the line’s time', () => {
    const { result, events } = run([`LS1 counted ${at(5)} -1 0 site=io_wq_free_work ctx=0xffff888000100000 oncpu=0 shape=1 windows=4 counted=0 locked=0 maxdur=0 since=${at(4)} first=0`]);
    assert.deepEqual(result.errors, []);
    const c = events.find((e) => e.kind === 'counted');
    assert.ok(c?.kind === 'counted');
    assert.equal(c.first, c.ts);
    assert.equal(c.ts - c.since, 1);
  });

  it('a time after the line’s own, a missing maxdur=, more counted than windows, an unknown shape: refused', () => {
    const line = (rest: string): string => formatImportError(run([`LS1 counted ${at(50)} -1 0 site=io_wq_free_work ctx=0xffff888000100000 oncpu=0 ${rest}`]).result.errors[0] ?? ({} as never));
    assert.match(line(`shape=3 windows=2 counted=1 locked=0 maxdur=3 since=${at(4)} first=${at(90)}`), /first.*after the line's own time/);
    assert.match(line(`shape=3 windows=2 counted=1 locked=0 since=${at(4)} first=${at(1)}`), /maxdur/);
    assert.match(line(`shape=3 windows=2 counted=3 locked=0 maxdur=1 since=${at(4)} first=${at(1)}`), /counted.*more than windows=2/);
    assert.match(line(`shape=6 windows=2 counted=1 locked=0 maxdur=1 since=${at(4)} first=${at(1)}`), /shape.*not a code from 0 to 5/);
  });

  it('a contention_counted line: waits counted and recorded, their sum and longest, ends with no begin', () => {
    const { result, events } = run([
      `LS1 contention_counted ${at(1_000_000)} -1 0 ctx=0xffff888000100000 lock=0xffff888000100040 oncpu=3 waits=9000 counted=8990 total=45000000 maxwait=90000 unpaired=1`,
    ]);
    assert.deepEqual(result.errors, []);
    const c = events.find((e) => e.kind === 'contention_counted');
    assert.ok(c?.kind === 'contention_counted');
    assert.deepEqual([c.onCpu, c.waits, c.counted, c.totalWait, c.maxWait, c.unpaired], [3, 9000, 8990, 45_000_000, 90_000, 1]);
    assert.equal(c.lock - c.ctx, 0x40);
  });

  it('a contention_counted line with more counted than waits, a longest wait past the sum, or no lock=: refused', () => {
    const line = (rest: string): string =>
      formatImportError(run([`LS1 contention_counted ${at(50)} -1 0 ctx=0xffff888000100000 oncpu=0 ${rest}`]).result.errors[0] ?? ({} as never));
    assert.match(line('lock=0xffff888000100040 waits=2 counted=3 total=10 maxwait=5 unpaired=0'), /counted.*more than waits=2/);
    assert.match(line('lock=0xffff888000100040 waits=2 counted=1 total=10 maxwait=11 unpaired=0'), /maxwait.*more than total=10/);
    assert.match(line('waits=2 counted=1 total=10 maxwait=5 unpaired=0'), /lock/);
  });
});
