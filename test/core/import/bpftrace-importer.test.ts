import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CaptureDecoder } from '../../../main/core/capture/capture-decoder.js';
import { CaptureEncoder } from '../../../main/core/capture/capture-encoder.js';
import { eventsOf } from '../../../main/core/capture/event-columns.js';
import type { CaptureEvent, LostEvent } from '../../../main/core/capture/events.js';
import type { ImportResult } from '../../../main/core/import/bpftrace-importer.js';
import {
  BpftraceImporter,
  MAX_PARTIAL_CHARS,
  MAX_STORED_ERRORS,
  NO_PROBE_PLAN_NOTE,
  SOURCE_JSON,
  SOURCE_TEXT,
  importBpftrace,
} from '../../../main/core/import/bpftrace-importer.js';
import type { ImportError } from '../../../main/core/import/import-error.js';
import { formatImportError } from '../../../main/core/import/import-error.js';
import type { Addr } from '../../../main/core/util/addr.js';
import { NULL_ADDR, formatAddr } from '../../../main/core/util/addr.js';
import type { DurationNs } from '../../../main/core/util/time.js';
import { kaddr, t } from '../../support/fixtures.js';

/** nsecs of the first event line in most inputs here: the capture base is 1 s before it. */
const ABS0 = 7_000_000_000_000n;

/** An address as a bpftrace program prints it. */
function hex(a: Addr): string {
  return a === 0 ? '0' : formatAddr(a, 0n);
}

/** An event line `dt` ns after ABS0 (so at relative time 1e9 + dt). */
function ev(kind: string, dt: number, cpu: number, tid: number, rest: string): string {
  return `LS1 ${kind} ${ABS0 + BigInt(dt)} ${cpu} ${tid} ${rest}`;
}

const S = 1_000_000_000;

const ctx = kaddr(0x10000);
const lock = kaddr(0x10040);
const reqA = kaddr(0x20000);
const reqB = kaddr(0x20100);
const reqC = kaddr(0x20200);
const task = kaddr(0x90000);
const owner = kaddr(0x90001);

const HEADER_LINES = [
  'LS1 target host=lab-6.1 release=6.1.0-13-amd64 arch=x86_64 bpftrace=v0.17.0 rt=0',
  'LS1 probe role=window_entry target=io_wq_free_work mechanism=kprobe attached=1 counted=1 reason=symbol present',
  'LS1 probe role=lock_acquire target=mutex_lock mechanism=fentry attached=0 counted=0 reason=no BTF: fentry unavailable',
  'LS1 probe role=lock_release target=mutex_unlock mechanism=none status=absent counted=0 reason=not in kallsyms',
  'LS1 offset member=io_kiocb.link offset=184 size=8',
  'LS1 grain raw',
];

/** One line of every kind, and the events they must give (ops of the summary in time order). */
const EVERY_KIND_LINES = [
  ev('marker', 0, 0, 0, 'marker=session_start text=lockscope 0.1.0  two spaces'),
  ev('io_submit', 10, 1, 4242, `ctx=${hex(ctx)} req=${hex(reqA)} opcode=0 flags=0x4`),
  ev('io_link', 11, 1, 4242, `ctx=${hex(ctx)} req=${hex(reqB)} target=${hex(reqA)}`),
  ev('io_queue_async', 12, 1, 4242, `ctx=${hex(ctx)} req=${hex(reqA)} opcode=0`),
  ev(
    'window_enter', 100, 0, 4250,
    `site=io_wq_free_work task=${hex(task)} req=${hex(reqA)} ctx=${hex(ctx)} lock=${hex(lock)} flags=${2 ** 40 + 4} link=${hex(reqB)} owner=${hex(owner)}`,
  ),
  ev('lock_acquire', 110, 0, 4250, `api=mutex_lock lock=${hex(lock)} link=${hex(reqB)}`),
  ev('contention_begin', 111, 0, 4250, `lock=${hex(lock)} flags=32`),
  ev('contention_end', 115, 0, 4250, `lock=${hex(lock)} ret=-4`),
  ev('lock_acquired', 120, 0, 4250, `api=mutex_lock lock=${hex(lock)} ok=1 link=${hex(reqB)}`),
  ev('lock_acquired', 121, 0, 4250, `api=mutex_trylock lock=${hex(lock)} ok=0`),
  ev('lock_release', 130, 0, 4250, `lock=${hex(lock)}`),
  ev('lock_release', 131, 0, 4250, `lock=${hex(lock)} link=0`),
  ev('window_exit', 140, 0, 4250, `site=io_wq_free_work req=${hex(reqA)} next=${hex(reqB)}`),
  ev('io_complete', 90, 1, 4242, `ctx=${hex(ctx)} req=${hex(reqA)} res=-125`),
  ev('io_fail_link', 91, 1, 4242, `ctx=${hex(ctx)} req=${hex(reqA)} link=${hex(reqB)}`),
  ev('req_free', 141, 0, 4250, `req=${hex(reqA)}`),
  ev(
    'window_summary', 200, 3, 4251,
    `site=io_wq_put_work dur=5000 task=${hex(task)} req=${hex(reqB)} ctx=${hex(ctx)} lock=${hex(lock)} flags=0 link=${hex(reqC)} owner=0 held=not_held next=${hex(reqC)} overflow=0 nops=3`,
  ),
  ev('window_op', 210, 3, 4251, `op=acquire api=mutex_lock link=${hex(reqC)}`),
  ev('window_op', 240, 3, 4251, `op=release api=mutex_lock link=0`),
  ev('window_op', 220, 3, 4251, `op=acquired api=mutex_lock link=${hex(reqC)}`),
  ev(
    'window_summary', 300, 2, 4252,
    `site=io_req_find_next dur=0 task=${hex(task)} req=${hex(reqC)} ctx=${hex(ctx)} lock=${hex(lock)} flags=0x10 link=0 owner=0 held=held next=0 overflow=1 nops=0`,
  ),
  ev('totals', 400, 0, 0, `ctx=${hex(ctx)} windows=4 walks=3 locked=3 tails=1`),
  ev('probe_misses', 401, 0, 0, 'probe=2 missed=17'),
  ev('marker', 402, 0, 0, 'marker=note text=ünïcode ✓ text=not a key'),
];

const EVERY_KIND_EVENTS: readonly CaptureEvent[] = [
  { kind: 'marker', ts: t(S), cpu: 0, tid: 0, marker: 'session_start', text: 'lockscope 0.1.0  two spaces' },
  { kind: 'io_submit', ts: t(S + 10), cpu: 1, tid: 4242, ctx, req: reqA, opcode: 0, flags: 4 },
  { kind: 'io_link', ts: t(S + 11), cpu: 1, tid: 4242, ctx, req: reqB, target: reqA },
  { kind: 'io_queue_async', ts: t(S + 12), cpu: 1, tid: 4242, ctx, req: reqA, opcode: 0 },
  { kind: 'window_enter', ts: t(S + 100), cpu: 0, tid: 4250, site: 'io_wq_free_work', task, req: reqA, ctx, lock, flags: 2 ** 40 + 4, link: reqB, owner },
  { kind: 'lock_acquire', ts: t(S + 110), cpu: 0, tid: 4250, api: 'mutex_lock', lock, snapshot: { seen: true, link: reqB } },
  { kind: 'contention_begin', ts: t(S + 111), cpu: 0, tid: 4250, lock, flags: 32 },
  { kind: 'contention_end', ts: t(S + 115), cpu: 0, tid: 4250, lock, ret: -4 },
  { kind: 'lock_acquired', ts: t(S + 120), cpu: 0, tid: 4250, api: 'mutex_lock', lock, ok: true, snapshot: { seen: true, link: reqB } },
  { kind: 'lock_acquired', ts: t(S + 121), cpu: 0, tid: 4250, api: 'mutex_trylock', lock, ok: false, snapshot: { seen: false } },
  { kind: 'lock_release', ts: t(S + 130), cpu: 0, tid: 4250, lock, snapshot: { seen: false } },
  { kind: 'lock_release', ts: t(S + 131), cpu: 0, tid: 4250, lock, snapshot: { seen: true, link: NULL_ADDR } },
  { kind: 'window_exit', ts: t(S + 140), cpu: 0, tid: 4250, site: 'io_wq_free_work', req: reqA, next: reqB },
  { kind: 'io_complete', ts: t(S + 90), cpu: 1, tid: 4242, ctx, req: reqA, res: -125 },
  { kind: 'io_fail_link', ts: t(S + 91), cpu: 1, tid: 4242, ctx, req: reqA, link: reqB },
  { kind: 'req_free', ts: t(S + 141), cpu: 0, tid: 4250, req: reqA },
  {
    kind: 'window_summary', ts: t(S + 200), cpu: 3, tid: 4251, site: 'io_wq_put_work', duration: 5000 as DurationNs,
    task, req: reqB, ctx, lock, flags: 0, link: reqC, owner: NULL_ADDR, heldAtEntry: 'not_held', next: reqC,
    ops: [
      { op: 'acquire', ts: t(S + 210), api: 'mutex_lock', link: reqC },
      { op: 'acquired', ts: t(S + 220), api: 'mutex_lock', link: reqC },
      { op: 'release', ts: t(S + 240), api: 'mutex_lock', link: NULL_ADDR },
    ],
    opsOverflow: false,
  },
  {
    kind: 'window_summary', ts: t(S + 300), cpu: 2, tid: 4252, site: 'io_req_find_next', duration: 0 as DurationNs,
    task, req: reqC, ctx, lock, flags: 16, link: NULL_ADDR, owner: NULL_ADDR, heldAtEntry: 'held',
    next: NULL_ADDR, ops: [], opsOverflow: true,
  },
  { kind: 'totals', ts: t(S + 400), cpu: 0, tid: 0, ctx, windows: 4, walks: 3, walksLockedInside: 3, chainTails: 1 },
  { kind: 'probe_misses', ts: t(S + 401), cpu: 0, tid: 0, probe: 2, missed: 17 },
  { kind: 'marker', ts: t(S + 402), cpu: 0, tid: 0, marker: 'note', text: 'ünïcode ✓ text=not a key' },
];

/** The same LS1 text as bpftrace -f json prints it: one printf record per line. */
function asJsonRecords(lines: readonly string[]): string[] {
  return lines.map((l) => JSON.stringify({ type: 'printf', data: `${l}\n` }));
}

/** The same LS1 text cut into printf records of `size` characters, lines split anywhere. */
function asJsonChunks(lines: readonly string[], size: number): string[] {
  const text = lines.map((l) => `${l}\n`).join('');
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) {
    out.push(JSON.stringify({ type: 'printf', data: text.slice(i, i + size) }));
  }
  return out;
}

function codes(r: ImportResult): string[] {
  return r.errors.map((e) => `${e.line}:${e.code}`);
}

function lostEvents(events: readonly CaptureEvent[]): LostEvent[] {
  return events.filter((e): e is LostEvent => e.kind === 'lost');
}

describe('bpftrace importer: events', () => {
  it('parses every kind to the right event (0 is NULL)', () => {
    const { result, events } = importBpftrace([...HEADER_LINES, ...EVERY_KIND_LINES]);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(events, EVERY_KIND_EVENTS);
    assert.equal(result.counts.events, EVERY_KIND_EVENTS.length);
    assert.equal(result.counts.ignoredLines, 0);
    assert.equal(result.counts.lines, HEADER_LINES.length + EVERY_KIND_LINES.length);
  });

  it('builds the header from the header lines', () => {
    const { result } = importBpftrace([...HEADER_LINES, ...EVERY_KIND_LINES]);
    const h = result.header;
    assert.deepEqual(h.target, {
      host: 'lab-6.1', kernelRelease: '6.1.0-13-amd64', arch: 'x86_64', bpftraceVersion: 'v0.17.0', preemptRt: 'no',
    });
    assert.deepEqual(h.probes, [
      { role: 'window_entry', target: 'io_wq_free_work', mechanism: 'kprobe', status: 'attached', missesCounted: true, reason: 'symbol present' },
      { role: 'lock_acquire', target: 'mutex_lock', mechanism: 'fentry', status: 'unavailable', missesCounted: false, reason: 'no BTF: fentry unavailable' },
      { role: 'lock_release', target: 'mutex_unlock', mechanism: 'none', status: 'absent', missesCounted: false, reason: 'not in kallsyms' },
    ]);
    assert.deepEqual(h.offsets, [{ member: 'io_kiocb.link', offset: 184, size: 8 }]);
    assert.equal(h.grain, 'raw');
    assert.equal(h.source, SOURCE_TEXT);
    assert.equal(h.clock, 'CLOCK_MONOTONIC');
    assert.equal(h.baseNs, ABS0 - 1_000_000_000n);
    assert.equal(h.startWallTime, '');
    assert.equal(h.addrBias, 0n);
    assert.ok(!h.notes.includes(NO_PROBE_PLAN_NOTE));
  });

  it('gives events the capture format stores exactly (encode, decode, compare)', () => {
    const { result, events } = importBpftrace([...HEADER_LINES, ...EVERY_KIND_LINES, 'Lost 5 events', EVERY_KIND_LINES[1] ?? '']);
    const enc = new CaptureEncoder(4);
    const parts = [enc.start(result.header), ...enc.append(events), ...enc.close('test')];
    const dec = new CaptureDecoder();
    const back: CaptureEvent[] = [];
    for (const p of parts) {
      for (const item of dec.push(p)) {
        if (item.type === 'header') {
          assert.deepEqual(item.header, result.header);
        } else if (item.type === 'events') {
          back.push(...eventsOf(item.columns));
        }
      }
    }
    assert.deepEqual(back, events);
  });

  it('without a header: defaults, grain raw, and the no-probe-plan note', () => {
    const { result, events } = importBpftrace([ev('req_free', 0, 0, 1, `req=${hex(reqA)}`)]);
    assert.equal(events.length, 1);
    assert.deepEqual(result.header.target, {
      host: 'unknown', kernelRelease: 'unknown', arch: 'unknown', bpftraceVersion: 'unknown', preemptRt: 'unknown',
    });
    assert.deepEqual(result.header.probes, []);
    assert.equal(result.header.grain, 'raw');
    assert.ok(result.header.notes.includes(NO_PROBE_PLAN_NOTE));
  });

  it('reads grain summary, rt=1 and partial target lines', () => {
    const { result } = importBpftrace(['LS1 target host=box rt=1', 'LS1 grain summary']);
    assert.deepEqual(result.header.target, {
      host: 'box', kernelRelease: 'unknown', arch: 'unknown', bpftraceVersion: 'unknown', preemptRt: 'yes',
    });
    assert.equal(result.header.grain, 'summary');
    assert.equal(result.header.baseNs, 0n);
  });

  it('keeps abs_ns beyond 2^53 (200 days of uptime) exact', () => {
    const abs = 200n * 86_400n * 1_000_000_000n + 123_456_789n; // 17_280_000_123_456_789 > 2^53
    assert.ok(abs > 2n ** 53n);
    const { result, events } = importBpftrace([
      `LS1 req_free ${abs} 0 1 req=${hex(reqA)}`,
      `LS1 req_free ${abs + 1n} 0 1 req=${hex(reqA)}`,
      `LS1 req_free ${abs - 7n} 0 1 req=${hex(reqA)}`,
      `LS1 req_free ${abs + 3_600_000_000_001n} 0 1 req=${hex(reqA)}`,
    ]);
    assert.deepEqual(result.errors, []);
    assert.equal(result.header.baseNs, abs - 1_000_000_000n);
    assert.deepEqual(events.map((e) => e.ts), [S, S + 1, S - 7, S + 3_600_000_000_001]);
  });

  it('accepts CRLF line ends and extra blanks between fields', () => {
    const { result, events } = importBpftrace([`LS1  req_free  ${ABS0}  0  1   req=${hex(reqA)}  \r`]);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(events, [{ kind: 'req_free', ts: t(S), cpu: 0, tid: 1, req: reqA }]);
  });
});

describe('bpftrace importer: JSON', () => {
  const text = importBpftrace([...HEADER_LINES, ...EVERY_KIND_LINES]);

  it('gives the same events and header as the text form (one record per line)', () => {
    const json = importBpftrace(asJsonRecords([...HEADER_LINES, ...EVERY_KIND_LINES]));
    assert.deepEqual(json.result.errors, []);
    assert.deepEqual(json.events, text.events);
    assert.equal(json.result.header.source, SOURCE_JSON);
    assert.deepEqual({ ...json.result.header, source: SOURCE_TEXT }, text.result.header);
  });

  it('joins lines split across printf records and splits records holding several lines', () => {
    for (const size of [1, 7, 37, 200, 100_000]) {
      const json = importBpftrace(asJsonChunks([...HEADER_LINES, ...EVERY_KIND_LINES], size));
      assert.deepEqual(json.result.errors, [], `chunk size ${size}`);
      assert.deepEqual(json.events, text.events, `chunk size ${size}`);
    }
  });

  it('reports error lines at the record where the LS1 line ended', () => {
    const records = [
      JSON.stringify({ type: 'attached_probes', data: { probes: 12 } }),
      JSON.stringify({ type: 'printf', data: `LS1 req_free ${ABS0} 0 1 req=${hex(reqA)}\nLS1 req_free ${ABS0} 0 1 req=` }),
      JSON.stringify({ type: 'time', data: '12:00:00\n' }),
      JSON.stringify({ type: 'printf', data: `0xzz\nLS1 req_free ${ABS0 + 5n} 0 1 req=${hex(reqB)}\n` }),
    ];
    const { result, events } = importBpftrace(records);
    assert.deepEqual(codes(result), ['4:bad_value']);
    assert.equal(formatImportError(result.errors[0] ?? fail()), 'line 4: req_free: req=0xzz is not an address');
    assert.deepEqual(events.map((e) => e.ts), [S, S + 5]);
    assert.equal(result.attachedProbes, 12);
    assert.equal(result.counts.jsonRecordsIgnored, 1);
  });

  it('counts and ignores unknown record types; reads lost_events', () => {
    const { result, events } = importBpftrace([
      JSON.stringify({ type: 'printf', data: `${ev('req_free', 0, 0, 1, `req=${hex(reqA)}`)}\n` }),
      JSON.stringify({ type: 'map', data: { '@x': 1 } }),
      JSON.stringify({ type: 'hist', data: {} }),
      JSON.stringify({ type: 'lost_events', data: { events: 9 } }),
      JSON.stringify({ type: 'printf', data: `${ev('req_free', 50, 0, 1, `req=${hex(reqA)}`)}\n` }),
    ]);
    assert.deepEqual(result.errors, []);
    assert.equal(result.counts.jsonRecordsIgnored, 2);
    assert.equal(result.counts.lostNotices, 1);
    assert.equal(result.counts.lostEvents, 9);
    assert.deepEqual(lostEvents(events), [{ kind: 'lost', ts: t(S), cpu: -1, tid: 0, count: 9, span: 50 as DurationNs }]);
    assert.ok(result.header.notes.some((n) => n.includes('2 bpftrace JSON records')));
  });

  it('bad JSON records of known types are errors; JSON-looking noise is ignored', () => {
    const { result } = importBpftrace([
      JSON.stringify({ type: 'printf', data: 5 }),
      JSON.stringify({ type: 'lost_events', data: { events: -1 } }),
      JSON.stringify({ type: 'attached_probes', data: 'x' }),
      '{"not bpftrace": true}',
      '{ broken json',
    ]);
    assert.deepEqual(codes(result), ['1:bad_json_record', '2:bad_json_record', '3:bad_json_record']);
    assert.equal(result.counts.ignoredLines, 2);
  });

  it('a printf line cut by the end of the input is an error, not a shorter address', () => {
    const { result, events } = importBpftrace([
      JSON.stringify({ type: 'printf', data: `${ev('req_free', 0, 0, 1, `req=${hex(reqA)}`)}\nLS1 req_free ${ABS0} 0 1 req=0xffff88` }),
    ]);
    assert.equal(events.length, 1);
    assert.deepEqual(codes(result), ['1:truncated_line']);
    assert.equal(
      formatImportError(result.errors[0] ?? fail()),
      `line 1: input ended inside an LS1 line (no final newline): "LS1 req_free ${ABS0} 0 1 req=0xffff88"; ignored`,
    );
  });

  it('gives up a printf line that never ends, keeping memory bounded, and resumes after its newline', () => {
    const chunk = 'x'.repeat(10_000);
    const records = [JSON.stringify({ type: 'printf', data: `LS1 req_free ${ABS0} 0 1 req=` })];
    for (let i = 0; i < 10; i++) {
      records.push(JSON.stringify({ type: 'printf', data: chunk }));
    }
    records.push(JSON.stringify({ type: 'printf', data: `${chunk}\n${ev('req_free', 5, 0, 1, `req=${hex(reqA)}`)}\n` }));
    records.push(JSON.stringify({ type: 'printf', data: 'y'.repeat(MAX_PARTIAL_CHARS + 1) }));
    records.push(JSON.stringify({ type: 'printf', data: `\n${ev('req_free', 6, 0, 1, `req=${hex(reqA)}`)}\n` }));
    const { result, events } = importBpftrace(records);
    assert.deepEqual(codes(result), ['1:truncated_line']);
    assert.equal(result.errors[0]?.code === 'truncated_line' ? result.errors[0].cause : undefined, 'too_long');
    assert.deepEqual(events.map((e) => e.ts), [S, S + 1]);
    assert.equal(result.counts.ignoredLines, 1);
  });
});

describe('bpftrace importer: losses', () => {
  const rq = `req=${hex(reqA)}`;

  it('spans from the earliest event since the previous notice to the latest after the next event', () => {
    const lines = [
      ev('req_free', 0, 0, 1, rq), //          ts S
      ev('req_free', 500, 1, 2, rq), //        ts S+500
      ev('req_free', 200, 2, 3, rq), //        ts S+200
      'Lost 7 events', //                      lo = min(S, S+500, S+200) = S
      ev('req_free', 100, 3, 4, rq), //        closes: max = S+500 → span 500
      ev('req_free', 2000, 0, 1, rq),
      ev('req_free', 1500, 1, 2, rq),
      'Lost 3 events', //                      lo = min(S+100, S+2000, S+1500) = S+100
      ev('req_free', 3000, 2, 3, rq), //       closes: max = S+3000 → span 2900
      'Lost 2 events', //                      lo = S+3000; input ends: max S+3000 → span 0
    ];
    const { result, events } = importBpftrace(lines);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(lostEvents(events), [
      { kind: 'lost', ts: t(S), cpu: -1, tid: 0, count: 7, span: 500 as DurationNs },
      { kind: 'lost', ts: t(S + 100), cpu: -1, tid: 0, count: 3, span: 2900 as DurationNs },
      { kind: 'lost', ts: t(S + 3000), cpu: -1, tid: 0, count: 2, span: 0 as DurationNs },
    ]);
    // Each lost event comes just before the event that closed its interval.
    assert.deepEqual(events.map((e) => e.kind === 'lost' ? `lost${e.count}` : String(e.ts - S)), [
      '0', '500', '200', 'lost7', '100', '2000', '1500', 'lost3', '3000', 'lost2',
    ]);
    assert.equal(result.counts.lostNotices, 3);
    assert.equal(result.counts.lostEvents, 12);
    assert.equal(result.counts.events, 10);
  });

  it('at the end of the input the span reaches the latest time seen', () => {
    const { events } = importBpftrace([
      ev('req_free', 0, 0, 1, rq),
      ev('req_free', 900, 0, 1, rq),
      ev('req_free', 400, 0, 1, rq),
      'Lost 1 events',
    ]);
    assert.deepEqual(lostEvents(events), [{ kind: 'lost', ts: t(S), cpu: -1, tid: 0, count: 1, span: 900 as DurationNs }]);
  });

  it('notices with no event between them share the earlier lower bound', () => {
    const { events } = importBpftrace([
      ev('req_free', 0, 0, 1, rq),
      'Lost 1 events',
      ev('req_free', 10, 0, 1, rq),
      'Lost 4 events',
      'Lost 6 events',
      ev('req_free', 60, 0, 1, rq),
    ]);
    assert.deepEqual(lostEvents(events), [
      { kind: 'lost', ts: t(S), cpu: -1, tid: 0, count: 1, span: 10 as DurationNs },
      { kind: 'lost', ts: t(S + 10), cpu: -1, tid: 0, count: 4, span: 50 as DurationNs },
      { kind: 'lost', ts: t(S + 10), cpu: -1, tid: 0, count: 6, span: 50 as DurationNs },
    ]);
  });

  it('a notice before any event starts at the first event after it', () => {
    const { events, result } = importBpftrace(['Attaching 9 probes...', 'Lost 3 events', ev('req_free', 0, 0, 1, rq), ev('req_free', 40, 0, 1, rq)]);
    assert.deepEqual(events[0], { kind: 'lost', ts: t(S), cpu: -1, tid: 0, count: 3, span: 0 as DurationNs });
    assert.equal(events.length, 3);
    assert.equal(result.attachedProbes, 9);
    assert.equal(result.counts.ignoredLines, 0);
  });

  it('a window summary counts with its end time (it is printed when the window returns)', () => {
    const sum = (dt: number, dur: number): string =>
      ev('window_summary', dt, 0, 1, `site=io_wq_free_work dur=${dur} task=${hex(task)} req=${hex(reqA)} ctx=${hex(ctx)} lock=${hex(lock)} flags=0 link=0 owner=0 held=unknown next=0 overflow=0 nops=0`);
    const { events } = importBpftrace([sum(0, 100), 'Lost 1 events', sum(50, 1000)]);
    assert.deepEqual(lostEvents(events), [{ kind: 'lost', ts: t(S), cpu: -1, tid: 0, count: 1, span: 1050 as DurationNs }]);
  });

  it('an input with notices and no events at all still records them', () => {
    const { events, result } = importBpftrace(['Lost 5 events']);
    assert.deepEqual(events, [{ kind: 'lost', ts: t(0), cpu: -1, tid: 0, count: 5, span: 0 as DurationNs }]);
    assert.equal(result.counts.lostEvents, 5);
  });
});

describe('bpftrace importer: bad lines', () => {
  const good = ev('req_free', 0, 0, 1, `req=${hex(reqA)}`);

  function run(lines: readonly string[]): { result: ImportResult; events: CaptureEvent[]; messages: string[] } {
    const { result, events } = importBpftrace(lines);
    return { result, events, messages: result.errors.map((e) => formatImportError(e)) };
  }

  it('makes every bad line an error item with its line number and goes on', () => {
    const lines = [
      /* 1 */ 'LS1 probe role=window_entry target=io_wq_free_work mechanism=kprobe attached=1 counted=1 reason=ok',
      /* 2 */ good,
      /* 3 */ ev('frobnicate', 0, 0, 1, 'a=b'),
      /* 4 */ ev('io_link', 1, 0, 1, `ctx=${hex(ctx)} req=${hex(reqA)}`),
      /* 5 */ ev('window_enter', 2, 0, 1, `site=io_wq_free_work task=${hex(task)} req=0xzz ctx=${hex(ctx)} lock=${hex(lock)} flags=0 link=0 owner=0`),
      /* 6 */ ev('req_free', 3, 0, 1, 'req=0x0020000000000000'),
      /* 7 */ ev('window_exit', 4, 0, 1, `site=io_wq_submit_work req=${hex(reqA)} next=0`),
      /* 8 */ ev('lock_acquire', 5, 0, 1, `api=spin_lock lock=${hex(lock)}`),
      /* 9 */ ev('lock_acquired', 6, 0, 1, `api=mutex_lock lock=${hex(lock)} ok=2`),
      /* 10 */ ev('io_submit', 7, 0, 1, `ctx=${hex(ctx)} req=${hex(reqA)} opcode=1 flags=0x4 extra=1`),
      /* 11 */ ev('io_complete', 8, 0, 1, `ctx=${hex(ctx)} req=${hex(reqA)} res=1 res=2`),
      /* 12 */ ev('contention_end', 9, 0, 1, `lock=${hex(lock)} ret=1.5`),
      /* 13 */ ev('io_submit', 10, 0, 1, `ctx=${hex(ctx)} req=${hex(reqA)} opcode=1 flags=9007199254740992`),
      /* 14 */ `LS1 req_free 12x 0 1 req=${hex(reqA)}`,
      /* 15 */ 'LS1 req_free 5',
      /* 16 */ ev('io_link', 11, 0, 1, `ctx=${hex(ctx)} req=${hex(reqA)} target`),
      /* 17 */ ev('probe_misses', 12, 0, 0, 'probe=1 missed=3'),
      /* 18 */ ev('marker', 13, 0, 0, 'marker=party text=x'),
      /* 19 */ `LS1 req_free ${ABS0 + 2n ** 52n + 1n} 0 1 req=${hex(reqA)}`,
      /* 20 */ 'LS1 grain raw',
      /* 21 */ ev('req_free', 20, 0, 1, `req=${hex(reqB)}`),
    ];
    const { result, events, messages } = run(lines);
    assert.deepEqual(codes(result), [
      '3:unknown_kind', '4:missing_key', '5:bad_value', '6:address_out_of_window', '7:bad_value', '8:bad_value',
      '9:bad_value', '10:unexpected_key', '11:duplicate_key', '12:bad_value', '13:bad_value', '14:bad_value',
      '15:malformed_line', '16:malformed_line', '17:bad_value', '18:bad_value', '19:time_out_of_range', '20:late_header',
    ]);
    assert.deepEqual(messages, [
      'line 3: unknown record kind "frobnicate"',
      'line 4: io_link: missing target=',
      'line 5: window_enter: req=0xzz is not an address',
      'line 6: req_free: req=0x0020000000000000 is outside the address window (±2^52 around the capture address bias, taken from the first event line): it cannot be stored exactly',
      'line 7: window_exit: site=io_wq_submit_work is not one of io_wq_free_work, io_wq_put_work, io_req_find_next',
      'line 8: lock_acquire: api=spin_lock is not one of mutex_lock, mutex_lock_nested, mutex_lock_interruptible, mutex_lock_killable, mutex_trylock, mutex_lock_interruptible_nested, mutex_lock_killable_nested, mutex_lock_io, mutex_lock_io_nested',
      'line 9: lock_acquired: ok=2 is not 0 or 1',
      'line 10: io_submit: unexpected key extra=',
      'line 11: io_complete: res= given twice',
      'line 12: contention_end: ret=1.5 is not a signed decimal number',
      'line 13: io_submit: flags=9007199254740992 is larger than 2^53 - 1',
      'line 14: req_free: abs_ns=12x is not a 64-bit nanosecond count',
      'line 15: req_free: expected "<abs_ns> <cpu> <tid>" after the kind',
      'line 16: io_link: "target" is not key=value',
      "line 17: probe_misses: probe=1 is not an index into the input's 1 probe lines",
      'line 18: marker: marker=party is not one of session_start, session_stop, workload_start, workload_stop, note',
      `line 19: req_free: time ${ABS0 + 2n ** 52n + 1n} ns is more than 2^52 ns (52 days) away from the capture base ${ABS0 - 1_000_000_000n} ns`,
      'line 20: grain: header line after the first event line (header lines must come first); ignored',
    ]);
    assert.deepEqual(events.map((e) => e.kind === 'req_free' ? e.req : 'other'), [reqA, reqB]);
    assert.equal(result.counts.errors, 18);
    assert.equal(result.header.grain, 'raw');
    assert.ok(result.header.notes.some((n) => n.includes('18 bad LS1 lines')));
  });

  it('rejects bad header lines and a second target line', () => {
    const { result } = run([
      'LS1 target host=a',
      'LS1 target host=b',
      'LS1 grain medium',
      'LS1 grain',
      'LS1 probe role=window_entry target=x mechanism=uprobe attached=1 counted=1',
      'LS1 probe role=window_entry target=x mechanism=kprobe counted=1',
      'LS1 probe role=window_entry target=x mechanism=kprobe status=attached attached=1 counted=1',
      'LS1 offset member=io_kiocb.link offset=-4 size=8',
      good,
    ]);
    assert.deepEqual(codes(result), [
      '2:duplicate_header', '3:bad_value', '4:malformed_line', '5:bad_value', '6:missing_key', '7:bad_value', '8:bad_value',
    ]);
    assert.equal(result.header.target.host, 'a');
    assert.deepEqual(result.header.probes, []);
    assert.ok(result.header.notes.includes(NO_PROBE_PLAN_NOTE));
  });

  it('keeps the first MAX_STORED_ERRORS errors and counts all', () => {
    const lines = Array.from({ length: 250 }, () => 'LS1 nope');
    const { result } = run([...lines, good]);
    assert.equal(result.errors.length, MAX_STORED_ERRORS);
    assert.equal(result.counts.errors, 250);
    assert.equal(result.errors[99]?.line, 100);
    assert.equal(result.counts.events, 1);
  });
});

describe('bpftrace importer: window summaries', () => {
  const summary = (dt: number, tid: number, nops: number): string =>
    ev('window_summary', dt, 0, tid, `site=io_wq_free_work dur=100 task=${hex(task)} req=${hex(reqA)} ctx=${hex(ctx)} lock=${hex(lock)} flags=0 link=${hex(reqB)} owner=0 held=not_held next=${hex(reqB)} overflow=0 nops=${nops}`);
  const op = (dt: number, tid: number, kind = 'acquire'): string => ev('window_op', dt, 0, tid, `op=${kind} api=mutex_lock link=${hex(reqB)}`);

  it('drops a summary whose op lines are interrupted, and keeps what follows', () => {
    const { result, events } = importBpftrace([
      /* 1 */ summary(0, 7, 2),
      /* 2 */ op(10, 7),
      /* 3 */ 'workload says hello', // noise does not interrupt
      /* 4 */ 'Attaching 18 probes...', // nor does bpftrace's own chatter
      /* 5 */ op(20, 7, 'acquired'),
      /* 6 */ summary(200, 7, 2),
      /* 7 */ op(210, 7),
      /* 8 */ ev('req_free', 220, 0, 9, `req=${hex(reqA)}`), // another event of that CPU (a nested probe's) does not interrupt either
      /* 9 */ op(230, 7),
      /* 10 */ summary(300, 7, 1),
      /* 11 */ op(310, 8), // another task's op line interrupts it
      /* 12 */ summary(400, 7, 3),
      /* 13 */ op(410, 7, 'grab'), // a bad op line drops the summary too
      /* 14 */ summary(500, 7, 65),
      /* 15 */ summary(600, 7, 2),
      /* 16 */ op(610, 7),
      /* 17 */ summary(700, 7, 1), // the next window of that CPU: the one before will not complete
    ]);
    assert.deepEqual(codes(result), ['10:summary_incomplete', '11:orphan_window_op', '13:bad_value', '12:summary_incomplete', '14:bad_value', '15:summary_incomplete', '17:summary_incomplete']);
    const messages = result.errors.map((e) => formatImportError(e));
    assert.equal(messages[0], 'line 10: window_summary: expected 1 window_op lines, got 0 before line 11; the window is dropped');
    assert.equal(messages[5], 'line 15: window_summary: expected 2 window_op lines, got 1 before line 17; the window is dropped');
    assert.equal(messages[6], 'line 17: window_summary: expected 1 window_op lines, got 0 before the input ended; the window is dropped');
    // Each dropped window is a loss where it was: nothing it overlaps may rest on its absence.
    assert.deepEqual(events.map((e) => e.kind), ['window_summary', 'req_free', 'window_summary', 'lost', 'lost', 'lost', 'lost']);
    assert.deepEqual(
      events.flatMap((e) => (e.kind === 'lost' ? [[e.ts - S, e.tid, e.count]] : [])),
      [[300, 7, 1], [400, 7, 1], [600, 7, 1], [700, 7, 1]],
    );
    const first = events[0];
    assert.ok(first?.kind === 'window_summary');
    assert.deepEqual(first.ops.map((o) => [o.op, o.ts - S]), [['acquire', 10], ['acquired', 20]]);
    const second = events[2];
    assert.ok(second?.kind === 'window_summary');
    assert.deepEqual(second.ops.map((o) => o.ts - S), [210, 230]);
  });

  it('drops a summary still waiting for op lines at a loss notice: the next window of the same task could complete it', () => {
    const { result, events } = importBpftrace([
      /* 1 */ summary(0, 7, 2),
      /* 2 */ op(10, 7),
      /* 3 */ 'Lost 2 events', // the summary's last op and the next window's summary, say
      /* 4 */ op(30, 7), // the next window's op line, same CPU, same task
    ]);
    assert.deepEqual(codes(result), ['1:summary_incomplete', '4:orphan_window_op']);
    assert.deepEqual(events.map((e) => e.kind), ['lost', 'lost']);
  });

  it('drops a summary met by an op line timed outside its window (an unreported loss spliced two windows)', () => {
    const { result, events } = importBpftrace([
      /* 1 */ summary(0, 7, 2),
      /* 2 */ op(10, 7),
      /* 3 */ op(5_000_000, 7), // far past the window's end: the next window's op
    ]);
    assert.deepEqual(codes(result), ['3:op_outside_window', '1:summary_incomplete']);
    assert.deepEqual(events.map((e) => e.kind), ['lost']);
  });

  it('reports the summary at its own line when a header line interrupts, or when the input ends', () => {
    // A line of unknown kind names no CPU: it interrupts nothing; the summary is reported at the end.
    const { result } = importBpftrace([summary(0, 7, 1), 'LS1 offset member=a offset=1 size=1', summary(10, 7, 1), 'LS1 whatever']);
    assert.deepEqual(codes(result), ['1:summary_incomplete', '2:late_header', '4:unknown_kind', '3:summary_incomplete']);
  });

  it("keeps a summary whose op lines come after other CPUs' lines (bpftrace drains the CPUs' buffers in turn)", () => {
    const other = (dt: number, tid: number, nops: number): string => summary(dt, tid, nops).replace(` ${ABS0 + BigInt(dt)} 0 `, ` ${ABS0 + BigInt(dt)} 1 `);
    const otherOp = (dt: number, tid: number): string => op(dt, tid).replace(` ${ABS0 + BigInt(dt)} 0 `, ` ${ABS0 + BigInt(dt)} 1 `);
    const { result, events } = importBpftrace([
      summary(0, 7, 2),
      op(10, 7),
      other(5, 8, 1), // CPU 1's window, its op and another line, between CPU 0's summary and its last op
      otherOp(6, 8),
      ev('req_free', 15, 1, 8, `req=${hex(reqA)}`),
      op(20, 7, 'acquired'),
    ]);
    assert.deepEqual(codes(result), []);
    const windows = events.filter((e) => e.kind === 'window_summary');
    // Each is emitted when its last op arrives: CPU 1's first.
    assert.deepEqual(windows.map((w) => [w.tid, w.cpu, w.ops.length]), [[8, 1, 1], [7, 0, 2]]);
  });
});

describe('bpftrace importer: streaming and noise', () => {
  it('has no header and no events before the first event line, then drains in chunks', () => {
    const imp = new BpftraceImporter();
    for (const l of HEADER_LINES) {
      imp.line(l);
    }
    imp.line('Attaching 7 probes...');
    assert.equal(imp.header, undefined);
    assert.deepEqual(imp.drain(), []);
    const got: CaptureEvent[] = [];
    for (const l of EVERY_KIND_LINES) {
      imp.line(l);
      assert.notEqual(imp.header, undefined);
      got.push(...imp.drain());
    }
    const sealed = imp.header;
    const result = imp.finish();
    got.push(...imp.drain());
    assert.deepEqual(got, EVERY_KIND_EVENTS);
    assert.deepEqual(result.header, sealed);
    assert.throws(() => {
      imp.line('x');
    });
  });

  it('ignores and counts workload output and blank lines, in text and inside printf data', () => {
    const { result, events } = importBpftrace([
      'Attaching 12 probes...',
      '',
      'fio-3.33: starting 4 processes',
      'LS1', // no space: not an LS1 line
      'LS1x req_free 1 2 3',
      ev('req_free', 0, 0, 1, `req=${hex(reqA)}`),
      '   ',
      JSON.stringify({ type: 'printf', data: `done\n\n${ev('req_free', 5, 0, 1, `req=${hex(reqA)}`)}\n` }),
      'Lost events: many', // not bpftrace's notice
    ]);
    assert.deepEqual(result.errors, []);
    assert.equal(events.length, 2);
    assert.equal(result.counts.ignoredLines, 8);
    assert.equal(result.counts.lines, 9);
    assert.equal(result.attachedProbes, 12);
    assert.ok(result.header.notes.some((n) => n.startsWith('8 input lines were not bpftrace output')));
  });
});

function fail(): ImportError {
  throw new Error('expected an error item');
}
