/**
 * Verdicts kept for withdrawal: whatever the cap (the ring growing and wrapping), a withdrawal
 * replaces exactly the kept definite records whose windows overlap it (of its task, when given),
 * and says the order is beyond repair exactly when it may touch a walk no longer kept.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GivenVerdicts } from '../../../main/core/analysis/given-verdicts.js';
import type { WalkRecord } from '../../../main/core/analysis/verdict.js';
import type { Addr } from '../../../main/core/util/addr.js';
import type { RelNs } from '../../../main/core/util/time.js';
import { mulberry32 } from '../../support/prng.js';

interface Kept {
  readonly start: number;
  readonly end: number;
  readonly closedAt: number;
  readonly tid: number;
  readonly index: number;
}

function record(index: number, tid: number): WalkRecord {
  const a = 0 as Addr;
  return {
    index, rule: 'r', site: 'io_wq_free_work', start: 0 as RelNs, end: 0 as RelNs, cpu: 0, tid, task: a, req: a, ctx: a, lock: a, next: a,
    walkProof: 'return_matches_link', verdict: { verdict: 'HELD', proof: 'span_between_snapshots', evidence: [] },
  };
}

describe('given verdicts', () => {
  for (const cap of [0, 1, 3, 1000, 1024, 1500, 5000]) {
    it(`cap ${cap}: withdrawals match a plain list`, () => {
      const r = mulberry32(cap + 17);
      const given = new GivenVerdicts(cap);
      const kept: Kept[] = [];
      const withdrawn = new Set<number>();
      let forgottenUntil = -Infinity;
      let now = 0;
      for (let index = 1; index <= 4000; index++) {
        const start = now + r.int(0, 50);
        const end = start + r.int(0, 80);
        now = end;
        const tid = r.int(1, 4);
        given.add(start, end, end, tid, [record(index, tid)]);
        kept.push({ start, end, closedAt: end, tid, index });
        while (kept.length > cap) {
          const old = kept.shift();
          forgottenUntil = Math.max(forgottenUntil, old?.end ?? -Infinity);
        }
        if (r.chance(0.05)) {
          const from = Math.max(0, now - r.int(0, 3000));
          const to = from + r.int(0, 40);
          const only = r.chance(0.5) ? r.int(1, 4) : undefined;
          const got = new Set<number>();
          const repairable = given.withdraw(from, to, only, { reason: 'late_events', detail: 'test' }, (old, next) => {
            assert.equal(old.index, next.index);
            assert.equal(next.verdict.verdict, 'UNKNOWN');
            got.add(old.index);
          });
          const expected = kept
            .filter((k) => !withdrawn.has(k.index) && k.end >= from && k.start <= to && (only === undefined || k.tid === only))
            .map((k) => k.index);
          assert.deepEqual([...got].sort((a, b) => a - b), expected, `withdraw [${from}, ${to}] tid ${only ?? 'any'}`);
          for (const i of expected) {
            withdrawn.add(i);
          }
          assert.equal(repairable, from > forgottenUntil);
        }
      }
    });
  }
});
