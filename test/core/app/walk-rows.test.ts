/** The verdicts table's rows: filters, pages, the per-filter index cache, and a real capture's counts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WalkQuery } from '../../../main/core/app/app-contract.js';
import { filterKey, matchingSlots, walkPage, WalkIndexCache } from '../../../main/core/app/walk-rows.js';
import type { UnknownReason, Verdict, VerdictName, WalkRecord } from '../../../main/core/analysis/verdict.js';
import type { Addr } from '../../../main/core/util/addr.js';
import { NULL_ADDR, parseAddr } from '../../../main/core/util/addr.js';
import type { RelNs } from '../../../main/core/util/time.js';
import { analyseCaptureFile } from './analyse-capture-file.js';

const RING_A = 0x1000 as Addr;
const RING_B = 0x2000 as Addr;
const fmt = (a: Addr): string => `0x${a.toString(16)}`;

function verdictOf(v: VerdictName, reason: UnknownReason = 'lost_events'): Verdict {
  switch (v) {
    case 'HELD':
    case 'NOT_HELD':
      return { verdict: v, proof: 'owner_at_walk', evidence: [] };
    case 'UNKNOWN':
      return { verdict: v, reason, detail: 'test', evidence: [] };
  }
}

function rec(index: number, v: VerdictName, o: { ctx?: Addr; tid?: number; start?: number; end?: number | undefined } = {}): WalkRecord {
  const start = o.start ?? index * 1000;
  return {
    index,
    rule: 'r',
    site: 'io_wq_free_work',
    start: start as RelNs,
    end: ('end' in o ? o.end : start + 10) as RelNs | undefined,
    cpu: index % 4,
    tid: o.tid ?? 100,
    task: 0x9000 as Addr,
    req: (0x5000 + index) as Addr,
    ctx: o.ctx ?? RING_A,
    lock: ((o.ctx ?? RING_A) + 0x40) as Addr,
    next: (0x5001 + index) as Addr,
    walkProof: undefined,
    verdict: verdictOf(v),
  };
}

function query(o: Partial<WalkQuery> = {}): WalkQuery {
  return { captureId: 'c1', verdict: 'ALL', ctx: undefined, tid: undefined, fromNs: undefined, toNs: undefined, offset: 0, limit: 1000, ...o };
}

// Walks 1..6 with a hole at 4 (a walk of another rule, or not yet decided).
const records: (WalkRecord | undefined)[] = [
  rec(1, 'HELD', { tid: 100 }),
  rec(2, 'NOT_HELD', { tid: 101, ctx: RING_B }),
  rec(3, 'UNKNOWN', { tid: 100, end: undefined }),
  undefined,
  rec(5, 'NOT_HELD', { tid: 100 }),
  rec(6, 'HELD', { tid: 101, ctx: RING_B }),
];

describe('walk rows', () => {
  it('filters by verdict, ring, task and time, skipping holes', () => {
    const idx = (q: WalkQuery, ctx?: Addr): number[] => walkPage(records, q, ctx, fmt).rows.map((r) => r.index);
    assert.deepEqual(idx(query()), [1, 2, 3, 5, 6]);
    assert.deepEqual(idx(query({ verdict: 'NOT_HELD' })), [2, 5]);
    assert.deepEqual(idx(query({ verdict: 'UNKNOWN' })), [3]);
    assert.deepEqual(idx(query(), RING_B), [2, 6]);
    assert.deepEqual(idx(query({ tid: 100 })), [1, 3, 5]);
    assert.deepEqual(idx(query({ tid: 100, verdict: 'HELD' })), [1]);
    // [fromNs, toNs): a walk starting exactly at toNs is out, at fromNs in.
    assert.deepEqual(idx(query({ fromNs: 2000, toNs: 5000 })), [2, 3]);
    assert.deepEqual(idx(query({ fromNs: 5000 })), [5, 6]);
    assert.deepEqual(idx(query({ toNs: 1000 })), []);
  });

  it('a ring no walk ran on, or a task with no walks, matches nothing (not everything)', () => {
    const none = walkPage(records, query(), 0xdead as Addr, fmt);
    assert.equal(none.total, 0);
    assert.deepEqual(none.rows, []);
    assert.equal(walkPage(records, query({ tid: 4242 }), undefined, fmt).total, 0);
  });

  it('pages: total counts every match; an offset past the end gives no rows and the true total', () => {
    const p = walkPage(records, query({ offset: 1, limit: 2 }), undefined, fmt);
    assert.equal(p.total, 5);
    assert.equal(p.offset, 1);
    assert.deepEqual(p.rows.map((r) => r.index), [2, 3]);
    const last = walkPage(records, query({ offset: 4, limit: 1000 }), undefined, fmt);
    assert.deepEqual(last.rows.map((r) => r.index), [6]);
    const past = walkPage(records, query({ offset: 50, limit: 10 }), undefined, fmt);
    assert.equal(past.total, 5);
    assert.equal(past.offset, 50);
    assert.deepEqual(past.rows, []);
    assert.equal(walkPage([], query(), undefined, fmt).total, 0);
  });

  it('rows carry what the table shows: UNKNOWN with its reason text, an open window with no end, addresses as hex', () => {
    const rows = walkPage(records, query(), undefined, fmt).rows;
    const unknown = rows.find((r) => r.verdict === 'UNKNOWN');
    const held = rows[0];
    assert.ok(unknown !== undefined && held !== undefined);
    assert.equal(unknown.reason, 'lost_events');
    assert.equal(unknown.reasonText, 'events were lost while the window was open');
    assert.equal(unknown.end, undefined);
    assert.equal(held.reason, undefined);
    assert.equal(held.reasonText, undefined);
    assert.equal(held.req, '0x5001');
    assert.equal(held.next, '0x5002');
    assert.equal(held.ctx, '0x1000');
  });

  it('matchingSlots are positions in the records, not walk indices', () => {
    assert.deepEqual([...matchingSlots(records, query({ verdict: 'NOT_HELD' }), undefined)], [1, 4]);
  });

  it('filter keys differ for every part of a filter', () => {
    const keys = new Set([
      filterKey('r', query(), undefined),
      filterKey('r2', query(), undefined),
      filterKey('r', query({ verdict: 'HELD' }), undefined),
      filterKey('r', query(), RING_A),
      filterKey('r', query({ tid: 100 }), undefined),
      filterKey('r', query({ fromNs: 100 }), undefined),
      filterKey('r', query({ toNs: 100 }), undefined),
    ]);
    assert.equal(keys.size, 7);
    // Paging is not part of the filter.
    assert.equal(filterKey('r', query({ offset: 5, limit: 3 }), undefined), filterKey('r', query(), undefined));
  });
});

describe('walk index cache', () => {
  it('pages from the cache equal pages from a full scan, for every filter and offset', () => {
    const cache = new WalkIndexCache();
    for (const verdict of ['ALL', 'HELD', 'NOT_HELD', 'UNKNOWN'] as const) {
      for (const ctx of [undefined, RING_A, RING_B]) {
        for (let offset = 0; offset < 7; offset++) {
          const q = query({ verdict, offset, limit: 2 });
          assert.deepEqual(cache.page('r', records, 1, q, ctx, fmt), walkPage(records, q, ctx, fmt));
        }
      }
    }
  });

  it('keeps the filter it has and forgets everything when the revision moves', () => {
    const live = [...records];
    const cache = new WalkIndexCache();
    const q = query({ verdict: 'UNKNOWN' });
    const first = cache.slots('r', live, 1, q, undefined);
    assert.equal(cache.slots('r', live, 1, q, undefined), first, 'same revision: the same index');
    // A late event withdraws walk 1 to UNKNOWN: a record replaced at the same index.
    live[0] = rec(1, 'UNKNOWN');
    assert.equal(cache.page('r', live, 1, q, undefined, fmt).total, 1, 'stale while the revision is unchanged (the caller must move it)');
    assert.equal(cache.page('r', live, 2, q, undefined, fmt).total, 2);
    // A walk appended.
    live.push(rec(7, 'UNKNOWN'));
    assert.deepEqual(cache.page('r', live, 3, q, undefined, fmt).rows.map((r) => r.index), [1, 3, 7]);
  });

  it('holds at most its capacity, dropping the least recently used filter', () => {
    const cache = new WalkIndexCache(2);
    const a = cache.slots('r', records, 1, query({ verdict: 'HELD' }), undefined);
    cache.slots('r', records, 1, query({ verdict: 'NOT_HELD' }), undefined);
    assert.equal(cache.slots('r', records, 1, query({ verdict: 'HELD' }), undefined), a);
    cache.slots('r', records, 1, query({ verdict: 'UNKNOWN' }), undefined);
    assert.equal(cache.size, 2);
    assert.equal(cache.slots('r', records, 1, query({ verdict: 'HELD' }), undefined), a, 'HELD was used last: kept');
    assert.notEqual(cache.slots('r', records, 1, query({ verdict: 'NOT_HELD' }), undefined).length, -1);
  });

  it('another records array under the same key is not served from the cache', () => {
    const cache = new WalkIndexCache();
    cache.slots('r', records, 1, query(), undefined);
    assert.equal(cache.page('r', [rec(1, 'HELD')], 1, query(), undefined, fmt).total, 1);
  });
});

describe('walk rows of a real capture', () => {
  const analyse = analyseCaptureFile;

  for (const file of ['test/fixtures/captures/sample-6.1-unpatched.lscap', 'assets/lab-6.1-unpatched.lscap', 'assets/lab-sid-7.2-patched.lscap']) {
    it(`${file}: the filtered totals equal the summary's counts, per verdict, ring and task`, () => {
      const analysis = analyse(file);
      const summary = analysis.summary();
      const rule = analysis.ruleIds()[0];
      const r0 = summary?.rules[0];
      assert.ok(summary !== undefined && rule !== undefined && r0 !== undefined);
      const recs = analysis.walks(rule);
      const cache = new WalkIndexCache();
      const total = (q: Partial<WalkQuery>, ctx?: Addr): number => cache.page(rule, recs, analysis.revision, query({ ...q, limit: 1 }), ctx, fmt).total;
      assert.equal(total({}), r0.walks);
      for (const v of ['HELD', 'NOT_HELD', 'UNKNOWN'] as const) {
        assert.equal(total({ verdict: v }), r0.verdicts[v], v);
      }
      for (const t of summary.tasks) {
        assert.equal(total({ tid: t.tid }), t.walks, `task ${t.tid}`);
      }
      // Rings by the address the summary lists; a walk whose ring was never seen (ctx NULL) is in no ring.
      const bias = analysis.header?.addrBias ?? 0n;
      let inRings = 0;
      for (const ring of summary.rings) {
        const ctx = parseAddr(ring.ctx, bias);
        assert.ok(ctx.ok);
        assert.equal(total({}, ctx.addr), ring.walks, `ring ${ring.ctx}`);
        assert.equal(total({ verdict: 'UNKNOWN' }, ctx.addr), ring.verdicts.UNKNOWN, `ring ${ring.ctx} UNKNOWN`);
        inRings += ring.walks;
      }
      assert.equal(total({}, NULL_ADDR), r0.walks - inRings, 'the walks outside every ring have no ring');
      // The last page ends at the last walk.
      const last = cache.page(rule, recs, analysis.revision, query({ offset: r0.walks - 1, limit: 1000 }), undefined, fmt);
      assert.equal(last.rows.length, 1);
      assert.equal(last.rows[0]?.index, r0.walks);
    });
  }
});
