/**
 * Probe-miss readings: a check reused from the previous clean one (same bracketing readings) must
 * answer exactly as a check from scratch, whatever the readings, windows and trims.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MissReadings } from '../../../main/core/analysis/miss-readings.js';
import type { RelNs } from '../../../main/core/util/time.js';
import { mulberry32 } from '../../support/prng.js';

interface Op {
  readonly probe: number;
  readonly ts: number;
  readonly missed: number;
}

function fresh(probes: readonly number[], ops: readonly Op[]): MissReadings {
  const m = new MissReadings(probes);
  for (const o of ops) {
    m.add(o.probe, o.ts as RelNs, o.missed);
  }
  return m;
}

describe('miss readings', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`seed ${seed}: consecutive checks answer as checks from scratch`, () => {
      const r = mulberry32(seed * 104_729);
      const probes = Array.from({ length: r.int(1, 4) }, (_, i) => i);
      const ops: Op[] = [];
      const m = new MissReadings(probes);
      const counters = probes.map(() => 0);
      let now = 0;
      for (let step = 0; step < 400; step++) {
        if (r.chance(0.3)) {
          // A reading of every probe (sometimes one late, sometimes at the same ns, sometimes a miss or a reset).
          now += r.int(0, 3) * 100;
          for (const p of probes) {
            if (r.chance(0.05)) {
              counters[p] = r.chance(0.5) ? (counters[p] ?? 0) + 1 : 0;
            }
            const ts = r.chance(0.1) ? Math.max(0, now - r.int(1, 300)) : now;
            const o = { probe: p, ts, missed: counters[p] ?? 0 };
            ops.push(o);
            m.add(o.probe, o.ts as RelNs, o.missed);
          }
        } else {
          // A walk near the present, often several between the same readings.
          const start = Math.max(0, now - r.int(0, 500));
          const end = start + r.int(0, 250);
          assert.deepEqual(m.check(start, end), fresh(probes, ops).check(start, end), `window [${start}, ${end}]`);
        }
      }
    });
  }

  it('a clean answer is not reused once a reading lands between the bracketing ones', () => {
    const m = new MissReadings([0]);
    m.add(0, 0 as RelNs, 0);
    m.add(0, 1000 as RelNs, 0);
    assert.equal(m.check(100, 200).kind, 'clean');
    m.add(0, 500 as RelNs, 3);
    assert.equal(m.check(100, 200).kind, 'missed');
  });
});
