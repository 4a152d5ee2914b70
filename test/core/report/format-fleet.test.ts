import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnalysisSummary } from '../../../main/core/analysis/analysis-summary.js';
import type { FleetRow } from '../../../main/core/report/format-fleet.js';
import { captureNameFor, fleetExitCode, formatFleet } from '../../../main/core/report/format-fleet.js';

function summary(held: number, notHeld: number, unknown: number): AnalysisSummary {
  const s = {
    target: { host: 'h', kernelRelease: '6.1.0-56-amd64', arch: 'x86_64', bpftraceVersion: '0.17.0' },
    rules: [{ walks: held + notHeld + unknown, verdicts: { HELD: held, NOT_HELD: notHeld, UNKNOWN: unknown } }],
  };
  return s as unknown as AnalysisSummary;
}

const done = (target: string, code: number, s: AnalysisSummary): FleetRow => ({ kind: 'done', target, capture: `out/${target}.lscap`, code, summary: s, calibrationFailure: undefined });

describe('fleet summary', () => {
  it('exits with the worst target: error over violation over unproven over all held', () => {
    const held = done('a', 0, summary(5, 0, 0));
    const violation = done('b', 1, summary(0, 5, 0));
    const unproven = done('c', 3, summary(0, 0, 5));
    const failed: FleetRow = { kind: 'failed', target: 'd', capture: 'out/d.lscap', error: 'unreachable' };
    assert.equal(fleetExitCode([held]), 0);
    assert.equal(fleetExitCode([held, unproven]), 3);
    assert.equal(fleetExitCode([unproven, violation, held]), 1);
    assert.equal(fleetExitCode([held, violation, failed]), 2);
  });

  it('gives one line per target with its verdicts and capture', () => {
    const text = formatFleet([done('lab-6.1', 1, summary(0, 12_519, 697)), { kind: 'failed', target: 'db7', capture: 'out/db7.lscap', error: 'db7: host key unknown' }]);
    assert.equal(
      text,
      [
        'Fleet: 2 targets',
        '  lab-6.1  NOT_HELD  Linux 6.1.0-56-amd64: 13,216 walks, HELD 0, NOT_HELD 12,519, UNKNOWN 697  (out/lab-6.1.lscap)',
        '  db7      ERROR     db7: host key unknown',
      ].join('\n'),
    );
  });

  it('names capture files safely after their targets', () => {
    assert.equal(captureNameFor('ssh://root@db7.example:2222'), 'root_db7.example_2222.lscap');
    assert.equal(captureNameFor('lab-sid'), 'lab-sid.lscap');
    assert.equal(captureNameFor('../x'), '_.._x.lscap');
  });
});
