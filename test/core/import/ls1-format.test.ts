import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CaptureEvent } from '../../../main/core/capture/events.js';
import { importBpftrace } from '../../../main/core/import/bpftrace-importer.js';
import { formatLs1, formatLs1Header } from '../../../main/core/import/ls1-format.js';
import { EVERY_KIND } from '../../support/capture-samples.js';
import { header } from '../../support/fixtures.js';

describe('LS1 formatting', () => {
  it('what formatLs1 prints, the importer reads back as the same events and header facts', () => {
    const h = header();
    const events = EVERY_KIND.filter((e) => e.kind !== 'lost' && e.ts < 2 ** 40 && (e.kind !== 'probe_misses' || e.probe < h.probes.length));
    const lines = [...formatLs1Header(h), ...events.flatMap((e) => formatLs1(e, h.baseNs, h.addrBias))];
    const { result, events: back } = importBpftrace(lines);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.header.probes, h.probes);
    assert.deepEqual(result.header.offsets, h.offsets);
    assert.equal(result.header.grain, h.grain);
    // The importer picks its own base (first event − 1 s): compare times relative to the first event.
    const rel = (list: readonly CaptureEvent[]): CaptureEvent[] => {
      const first = list[0]?.ts ?? 0;
      return list.map((e) =>
        e.kind === 'window_summary'
          ? { ...e, ts: (e.ts - first) as never, ops: e.ops.map((op) => ({ ...op, ts: (op.ts - first) as never })) }
          : e.kind === 'counted'
            ? { ...e, ts: (e.ts - first) as never, first: (e.first - first) as never, since: (e.since - first) as never }
            : { ...e, ts: (e.ts - first) as never },
      );
    };
    assert.deepEqual(rel(back), rel(events));
  });
});
