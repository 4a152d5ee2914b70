import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WindowSummaryEvent } from '../../../main/core/capture/events.js';
import { CALIBRATION_MISMATCHES, CALIBRATION_WALKS, Calibration } from '../../../main/core/session/calibration.js';
import type { Addr } from '../../../main/core/util/addr.js';
import type { DurationNs, RelNs } from '../../../main/core/util/time.js';

// Kernel addresses read as negative numbers with bias 0 (see util/addr.ts).
const K = (v: bigint): Addr => Number(v - (1n << 64n)) as Addr;
const CTX = K(0xffff88800a000000n);

function win(i: number, over: Partial<WindowSummaryEvent> = {}): WindowSummaryEvent {
  const link = K(0xffff888010000000n + BigInt(i) * 256n);
  return {
    kind: 'window_summary', ts: (i * 1000) as RelNs, cpu: 0, tid: 100, site: 'io_wq_free_work', duration: 500 as DurationNs,
    task: K(0xffff888020000000n), req: K(0xffff888030000000n), ctx: CTX, lock: K(0xffff88800a000040n), flags: 0,
    link, owner: 0 as Addr, heldAtEntry: 'not_held', next: link, ops: [], opsOverflow: false, ...over,
  };
}

describe('calibration', () => {
  it('passes once enough windows walked to req->link', () => {
    const c = new Calibration(0n);
    for (let i = 0; i < CALIBRATION_WALKS - 1; i++) {
      assert.equal(c.window(win(i)).kind, 'pending');
    }
    // Chain tails (next 0) neither help nor hurt.
    assert.equal(c.window(win(99, { next: 0 as Addr, link: 0 as Addr })).kind, 'pending');
    assert.equal(c.window(win(100)).kind, 'passed');
  });

  it('fails when the next request is not req->link (a wrong work or link offset)', () => {
    const c = new Calibration(0n);
    let st = c.state;
    for (let i = 0; i < CALIBRATION_MISMATCHES; i++) {
      st = c.window(win(i, { next: K(0xffff888040000000n + BigInt(i) * 8n) }));
    }
    assert.equal(st.kind, 'failed');
    assert.match(st.reason, /io_kiocb\.work or io_kiocb\.link offset/);
  });

  it('tolerates a few legitimate mismatches (a linked timeout unlinked on the way)', () => {
    const c = new Calibration(0n);
    let st = c.state;
    for (let i = 0; i < 200 && st.kind === 'pending'; i++) {
      st = c.window(i % 20 === 0 ? win(i, { next: K(0xffff888050000000n) }) : win(i));
    }
    assert.equal(st.kind, 'passed');
  });

  it('fails at once on a ring that is not a kernel address', () => {
    const c = new Calibration(0n);
    const st = c.window(win(1, { ctx: 0x1234 as Addr }));
    assert.equal(st.kind, 'failed');
    assert.match(st.reason, /req->ctx = 0x1234/);
  });

  it('fails at once on an owner word that names no task', () => {
    const c = new Calibration(0n);
    assert.equal(c.window(win(1, { owner: 0x41 as Addr })).kind, 'failed');
  });

  it('reads the owner word without its flag bits (a waiter set bit 0)', () => {
    const c = new Calibration(0n);
    assert.equal(c.window(win(1, { owner: K(0xff29431af80cc601n) })).kind, 'pending');
  });

  it('stops looking once decided', () => {
    const c = new Calibration(0n);
    c.window(win(1, { ctx: 0x10 as Addr }));
    assert.equal(c.window(win(2)).kind, 'failed');
  });
});
