/** The verdicts table's pages: fetched once as they come into view, kept a while, a failure told once. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppError, AppResult, WalkPage, WalkRow } from '../../main/core/app/app-contract.js';
import { WalkPages } from '../../renderer/src/verdicts/walk-pages.js';

function row(index: number): WalkRow {
  return {
    index, rule: 'r', verdict: 'HELD', reason: undefined, reasonText: undefined, start: index, end: index + 1, cpu: 0, tid: 1,
    task: '0x1', req: '0x2', next: '0x3', ctx: '0x4', lock: '0x5', site: 'io_wq_free_work',
  };
}

/** A fake engine of `total` walks that answers when told to. */
function fakeEngine(total: number, fail: (offset: number) => boolean = () => false) {
  const asked: number[] = [];
  const waiting: (() => void)[] = [];
  const fetch = (offset: number, limit: number): Promise<AppResult<WalkPage>> => {
    asked.push(offset);
    return new Promise((resolve) => {
      waiting.push(() => {
        if (fail(offset)) {
          resolve({ ok: false, error: { code: 'not_found', message: 'gone' } });
          return;
        }
        const rows: WalkRow[] = [];
        for (let i = offset; i < Math.min(total, offset + limit); i++) {
          rows.push(row(i + 1));
        }
        resolve({ ok: true, value: { total, offset, rows } });
      });
    });
  };
  const answer = async (): Promise<void> => {
    for (let w = waiting.shift(); w !== undefined; w = waiting.shift()) {
      w();
    }
    await new Promise((r) => setImmediate(r));
  };
  return { fetch, asked, answer };
}

describe('walk pages', () => {
  it('fetches the pages a window needs once, and serves rows by position', async () => {
    const e = fakeEngine(1000);
    let changes = 0;
    const pages = new WalkPages(e.fetch, () => changes++, () => assert.fail('no failure'), 100);
    assert.equal(pages.total, undefined);
    pages.want(150, 100); // rows 150..249: pages 1 and 2
    pages.want(150, 100); // on their way: not asked again
    assert.deepEqual(e.asked, [100, 200]);
    assert.equal(pages.rowAt(150), undefined);
    await e.answer();
    assert.equal(changes, 2);
    assert.equal(pages.total, 1000);
    assert.equal(pages.rowAt(150)?.index, 151);
    assert.equal(pages.rowAt(249)?.index, 250);
    assert.equal(pages.rowAt(299)?.index, 300);
    assert.equal(pages.rowAt(300), undefined, 'pages 1 and 2 only');
    pages.want(199, 1);
    assert.deepEqual(e.asked, [100, 200], 'here already');
  });

  it('asks for nothing past the end once the total is known', async () => {
    const e = fakeEngine(120);
    const pages = new WalkPages(e.fetch, () => undefined, () => undefined, 100);
    pages.want(0, 1);
    await e.answer();
    pages.want(110, 500);
    assert.deepEqual(e.asked, [0, 100]);
  });

  it('a failed page is told once, shown as failed, and not asked again in a loop', async () => {
    const e = fakeEngine(1000, (offset) => offset === 100);
    const errors: AppError[] = [];
    const pages = new WalkPages(e.fetch, () => undefined, (err) => errors.push(err), 100);
    pages.want(0, 200);
    await e.answer();
    assert.equal(errors.length, 1);
    assert.equal(pages.failedAt(150), true);
    assert.equal(pages.failedAt(50), false);
    pages.want(0, 200);
    assert.deepEqual(e.asked, [0, 100]);
  });

  it('answers after dispose are dropped (the filter changed)', async () => {
    const e = fakeEngine(1000);
    let changes = 0;
    const pages = new WalkPages(e.fetch, () => changes++, () => undefined, 100);
    pages.want(0, 10);
    pages.dispose();
    await e.answer();
    assert.equal(changes, 0);
    assert.equal(pages.rowAt(0), undefined);
  });

  it('keeps at most its capacity of pages, dropping the least recently wanted', async () => {
    const e = fakeEngine(10_000);
    const pages = new WalkPages(e.fetch, () => undefined, () => undefined, 100, 3);
    for (const first of [0, 100, 200]) {
      pages.want(first, 1);
    }
    await e.answer();
    pages.want(0, 1); // page 0 used again: page 1 is now the oldest
    pages.want(300, 1);
    await e.answer();
    assert.equal(pages.rowAt(100), undefined, 'page 1 dropped');
    assert.equal(pages.rowAt(0)?.index, 1);
    assert.equal(pages.rowAt(300)?.index, 301);
  });

  it('a grown capture: the new pages show the old rows and total until their own arrive, without chaining', async () => {
    const before = fakeEngine(300);
    const old = new WalkPages(before.fetch, () => undefined, () => undefined, 100);
    old.want(0, 200);
    await before.answer();
    const after = fakeEngine(400);
    const grown = new WalkPages(after.fetch, () => undefined, () => undefined, 100);
    grown.carryFrom(old);
    assert.equal(grown.total, 300, 'the old count meanwhile');
    assert.equal(grown.rowAt(150)?.index, 151, 'the old row meanwhile');
    grown.want(0, 200);
    await after.answer();
    assert.equal(grown.total, 400);
    // Growing again before anything arrived still shows rows, and carries no more than its capacity.
    const again = new WalkPages(fakeEngine(500).fetch, () => undefined, () => undefined, 100, 1);
    again.carryFrom(grown);
    assert.equal(again.total, 400);
    assert.equal(again.rowAt(150)?.index, 151);
    assert.equal(again.rowAt(50), undefined, 'capacity 1: only the most recent page carried');
  });
});
