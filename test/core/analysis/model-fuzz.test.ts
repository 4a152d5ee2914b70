/**
 * Randomized runs of the linked-NOP model through the analyzer, with injected probe misses and
 * losses and reorder horizons small enough to make many events late: whatever happens, a patched
 * kernel never yields NOT_HELD, an unpatched one never HELD, no walk is lost or counted twice
 * without a loss to explain it, and the counts agree with the records. The same events without
 * evidence and fed in random batches give the same verdicts and summary.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LinkedNopOptions } from '../../../main/core/synthetic/linked-nop-model.js';
import { linkedNopEvents, linkedNopHeader } from '../../../main/core/synthetic/linked-nop-model.js';
import type { CaptureEvent } from '../../../main/core/capture/events.js';
import type { WalkRecord } from '../../../main/core/analysis/verdict.js';
import { mulberry32 } from '../../support/prng.js';
import { analyze } from '../../support/scenario.js';

const RUNS = 24;
const HORIZONS = [50_000, 200_000, 1_000_000, 20_000_000];

describe('model fuzz: verdicts are never wrong, whatever the order, losses and misses', () => {
  for (let seed = 1; seed <= RUNS; seed++) {
    const r = mulberry32(seed * 7919);
    const kernel = r.chance(0.5) ? 'patched' : 'unpatched';
    const injectLoss = r.int(0, 2);
    const o: LinkedNopOptions = {
      kernel, grain: r.chance(0.7) ? 'raw' : 'summary', chains: r.int(60, 160), chainLength: r.int(2, 5), rings: r.int(1, 3),
      workers: r.int(1, 6), cpus: r.int(1, 4), seed, missEveryNs: 100_000, injectMisses: r.int(0, 3), injectLoss,
    };
    const horizon = HORIZONS[r.int(0, HORIZONS.length - 1)] ?? 1_000_000;
    it(`seed ${seed}: ${o.kernel} ${o.grain}, ${o.chains} chains of ${o.chainLength}, ${o.injectMisses ?? 0} misses, ${injectLoss} losses, horizon ${horizon} ns`, () => {
      const events: CaptureEvent[] = [];
      for (const chunk of linkedNopEvents(o)) {
        events.push(...chunk);
      }
      const a = analyze(events, linkedNopHeader(o, 'fuzz'), horizon);
      const rule = a.summary.rules[0];
      assert.ok(rule !== undefined);
      if (kernel === 'patched') {
        assert.equal(rule.verdicts.NOT_HELD, 0, 'a patched kernel gave NOT_HELD');
      } else {
        assert.equal(rule.verdicts.HELD, 0, 'an unpatched kernel gave HELD');
      }
      // The counts agree with the records the sink ended with.
      const fromRecords = { HELD: 0, NOT_HELD: 0, UNKNOWN: 0 };
      for (const w of a.walks) {
        fromRecords[w.verdict.verdict]++;
      }
      assert.deepEqual(rule.verdicts, fromRecords);
      assert.equal(rule.walks, a.walks.length);
      // Without evidence, and fed in random batches, the analysis decides exactly the same.
      const bare = analyze(events, linkedNopHeader(o, 'fuzz'), horizon, undefined, {
        evidence: false,
        batchSizes: Array.from({ length: 7 }, () => r.int(1, 3000)),
      });
      assert.deepEqual(bare.summary, a.summary);
      const strip = (w: WalkRecord): unknown => ({ ...w, verdict: { ...w.verdict, evidence: [] } });
      assert.deepEqual(bare.walks.map(strip), a.walks.map(strip));
      assert.ok(bare.walks.every((w) => w.verdict.evidence.length === 0));
      const expected = o.chains * (o.chainLength - 1);
      if (injectLoss === 0) {
        assert.equal(a.walks.length, expected, 'walks lost or counted twice');
      } else {
        assert.ok(a.walks.length <= expected, `${a.walks.length} walks for ${expected} in the model`);
      }
    });
  }
});
