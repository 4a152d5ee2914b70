import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProbeSite } from '../../../main/core/capture/header.js';
import type { MissSources } from '../../../main/core/session/miss-reader-lines.js';
import { isMissReaderLine, missCoverage, parseMissReaderLine, witnessArgs } from '../../../main/core/session/miss-reader-lines.js';

function site(role: ProbeSite['role'], target: string, mechanism: ProbeSite['mechanism'], counted = true, status: ProbeSite['status'] = 'attached'): ProbeSite {
  return { role, target, mechanism, status, reason: '', missesCounted: counted };
}

const KPROBE_SITES = [
  site('window_entry', 'io_wq_put_work', 'kprobe'),
  site('window_return', 'io_wq_put_work', 'kretprobe'),
  site('lock_acquire', 'mutex_lock', 'kprobe'),
  site('lock_acquired', 'mutex_lock', 'kretprobe'),
  site('lock_acquired', 'mutex_lock_nested', 'none', false, 'absent'),
  site('contention', 'lock:contention_begin', 'tracepoint', false),
];

const NONE: MissSources = { progs: 0, links: 0, kprobeMulti: 0, kprobeMultiMissed: 0, perfEvents: 0, perfKprobes: 0, witnesses: 0, perfLinksMissed: 0 };

describe('miss reader lines', () => {
  it('parses readings exactly, with times past 2^53', () => {
    assert.deepEqual(parseMissReaderLine('LSM reading 18446744073709551615 42'), { kind: 'reading', ns: 18446744073709551615n, total: 42 });
    assert.deepEqual(parseMissReaderLine('LSM unsettled 123'), { kind: 'unsettled', ns: 123n });
    assert.deepEqual(parseMissReaderLine('LSM error no such pid 12'), { kind: 'error', text: 'no such pid 12' });
  });

  it('parses a sources line, unknown extra keys allowed, missing ones refused', () => {
    const line = 'LSM sources progs=12 links=10 kprobe_multi=6 kprobe_multi_missed=6 perf_events=4 perf_kprobes=1 witnesses=13 perf_links_missed=1';
    const p = parseMissReaderLine(line);
    assert.equal(p.kind, 'sources');
    assert.deepEqual(p.sources, { progs: 12, links: 10, kprobeMulti: 6, kprobeMultiMissed: 6, perfEvents: 4, perfKprobes: 1, witnesses: 13, perfLinksMissed: 1 });
    assert.equal(parseMissReaderLine('LSM sources progs=1 links=0').kind, 'bad');
  });

  it('refuses malformed lines rather than guessing', () => {
    for (const bad of ['LSM reading 12', 'LSM reading x 1', 'LSM reading 1 -1', 'LSM reading 1 2 3', 'LSM what 1', 'LSM unsettled']) {
      assert.equal(parseMissReaderLine(bad).kind, 'bad', bad);
    }
    assert.equal(isMissReaderLine('LSM reading 1 2'), true);
    assert.equal(isMissReaderLine('ERROR: LSM'), false);
  });

  it('asks for one witness per attached kprobe site and mechanism', () => {
    assert.deepEqual(witnessArgs(KPROBE_SITES), ['p:io_wq_put_work', 'p:mutex_lock', 'r:io_wq_put_work', 'r:mutex_lock']);
  });
});

describe('miss coverage', () => {
  it('perf kprobes are covered only with every witness in place', () => {
    assert.equal(missCoverage(KPROBE_SITES, { ...NONE, progs: 4, perfEvents: 6, perfKprobes: 4, witnesses: 4 }, 4).kind, 'complete');
    const short = missCoverage(KPROBE_SITES, { ...NONE, progs: 4, perfEvents: 6, perfKprobes: 4, witnesses: 3 }, 4);
    assert.equal(short.kind, 'incomplete');
  });

  it('perf kprobe links that show their own missed count need no witness', () => {
    assert.equal(missCoverage(KPROBE_SITES, { ...NONE, progs: 4, perfKprobes: 1, perfLinksMissed: 1, kprobeMulti: 3, kprobeMultiMissed: 3 }, 4).kind, 'complete');
  });

  it('a kprobe_multi link without a missed count makes coverage incomplete', () => {
    const c = missCoverage(KPROBE_SITES, { ...NONE, progs: 4, links: 4, kprobeMulti: 4, kprobeMultiMissed: 3 }, 4);
    assert.equal(c.kind, 'incomplete');
    assert.match(c.reason, /1 of 4 kprobe_multi links/);
  });

  it('before anything is attached, readings prove nothing yet', () => {
    assert.equal(missCoverage(KPROBE_SITES, { ...NONE, witnesses: 4 }, 4).kind, 'attaching');
  });

  it('a plan without counted probes is trivially complete', () => {
    assert.equal(missCoverage([site('contention', 'lock:contention_begin', 'tracepoint', false)], NONE, 0).kind, 'complete');
  });
});
