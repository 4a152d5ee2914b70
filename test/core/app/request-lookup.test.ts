/** findRequest: one request address's walks, events and lifecycle, against `lockscope inspect --req` on a real capture. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { checkArgs } from '../../../main/core/app/app-schemas.js';
import { findRequest } from '../../../main/core/app/request-lookup.js';
import { eventAt } from '../../../main/core/capture/event-columns.js';
import { mentions, mentionsAt } from '../../../main/core/report/request-mentions.js';
import type { Addr } from '../../../main/core/util/addr.js';
import { formatAddr, parseAddr } from '../../../main/core/util/addr.js';
import { formatRelSeconds } from '../../../main/core/util/time.js';
import { analyseCaptureFile } from './analyse-capture-file.js';

const analyse = analyseCaptureFile;

/** What `lockscope inspect FILE --req ADDR` prints: its event count, its event lines, and the walks it lists. */
function inspectReq(file: string, addr: string): { events: number; lines: string[]; walks: number[] } {
  const r = spawnSync(process.execPath, ['bin/lockscope.js', 'inspect', file, '--req', addr], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.split('\n');
  const events = Number((/^Request \S+: ([\d,]+) events/.exec(out[0] ?? '')?.[1] ?? 'NaN').replace(/,/g, ''));
  const walksAt = out.indexOf('Walks involving it:');
  const lines = out.slice(1, walksAt < 0 ? undefined : walksAt).filter((l) => /^\d/.test(l));
  const walks = walksAt < 0 ? [] : out.slice(walksAt + 1).flatMap((l) => { const m = /^ {2}#(\d+) /.exec(l); return m === null ? [] : [Number(m[1])]; });
  return { events, lines, walks };
}

for (const SAMPLE of ['test/fixtures/captures/sample-6.1-unpatched.lscap', 'assets/lab-6.1-unpatched.lscap']) {
  describe(`findRequest on a real capture: ${SAMPLE}`, () => {
    const analysis = analyse(SAMPLE);
    const bias = analysis.header?.addrBias ?? 0n;
    const fmt = (a: Addr): string => formatAddr(a, bias);
    const rule = analysis.ruleIds()[0] ?? '';
    const first = analysis.walk(rule, 1);

    it('the walks, event count and lifecycle of walk #1\'s req and next equal what inspect --req prints', () => {
      assert.ok(first !== undefined);
      for (const a of [first.req, first.next]) {
        const text = fmt(a);
        const cli = inspectReq(SAMPLE, text);
        const got = findRequest(analysis, text, fmt, 'sample.lscap');
        assert.ok(got.ok, got.ok ? '' : got.error.message);
        const r = got.value;
        assert.equal(r.addr, text);
        assert.equal(r.events, cli.events, `${text}: events`);
        assert.ok(r.events > 0);
        // inspect lists walks as they are decided (possibly twice, a verdict withdrawn); the lookup in walk order.
        const cliWalks = [...new Set(cli.walks)].sort((x, y) => x - y);
        assert.deepEqual(r.walks.map((w) => w.index), cliWalks.slice(0, 1000), `${text}: walks`);
        assert.equal(r.walkTotal, cliWalks.length);
        assert.ok(r.walks.every((w) => w.req === text || w.next === text));
        assert.ok(r.walks.some((w) => w.index === 1), `${text}: walk #1 is among its walks`);
        // The lifecycle lines are inspect's lines of those kinds (inspect prints them in capture order, the lookup in time order).
        const lifeLines = r.lifecycle.map((e) => `${formatRelSeconds(e.ts as Parameters<typeof formatRelSeconds>[0])}s ${e.text}`);
        const cliLife = cli.lines.filter((l) => /  (submit|link|queued|complete|freed)/.test(l));
        assert.equal(r.lifecycleTotal, cliLife.length);
        assert.deepEqual([...lifeLines].sort(), cliLife.slice(0, lifeLines.length).sort(), `${text}: lifecycle`);
        assert.ok(r.lifecycle.length <= r.events);
        // The sample records the lifecycle tracepoints; the lab captures (summary grain) do not.
        assert.equal(r.lifecycle.some((e) => e.kind === 'submit'), SAMPLE.includes('sample'), `${text}: a submit`);
        for (let i = 1; i < r.lifecycle.length; i++) {
          assert.ok((r.lifecycle[i]?.ts ?? 0) >= (r.lifecycle[i - 1]?.ts ?? 0), 'lifecycle in time order');
        }
      }
    });

    it('an address no event mentions is not_found, saying so and what to do', () => {
      assert.ok(first !== undefined);
      const absent = fmt((first.req + 8) as Addr);
      assert.match(inspectReq(SAMPLE, absent).lines.join(''), /^$/);
      const got = findRequest(analysis, absent, fmt, 'sample.lscap');
      assert.ok(!got.ok);
      assert.equal(got.error.code, 'not_found');
      assert.match(got.error.message, new RegExp(`No event of sample\\.lscap mentions request ${absent}.*walk's req or next`));
      const outside = findRequest(analysis, `0x${((bias + (1n << 53n)) % (1n << 64n)).toString(16)}`, fmt, 'sample.lscap');
      assert.ok(!outside.ok);
      assert.equal(outside.error.code, 'not_found');
      assert.match(outside.error.message, /outside the capture's address window/);
    });

    it('a malformed address is refused before the engine, naming the expected form', () => {
      for (const addr of ['ffff889801000100', '0x', '0xzz', '0x1ffff889801000100', '4204', '']) {
        const r = checkArgs('findRequest', { captureId: 'c1', addr });
        assert.ok(!r.ok, addr);
        assert.equal(r.error.code, 'bad_request');
        assert.match(r.error.message, /findRequest: refused arguments \(addr\): a request address is 0x followed by up to 16 hex digits, like 0xffff/);
      }
      assert.ok(checkArgs('findRequest', { captureId: 'c1', addr: '0xFFFF889801000100' }).ok);
    });

    it('mentionsAt on the columns agrees with mentions on the events', () => {
      assert.ok(first !== undefined);
      const addrs = [first.req, first.next, first.ctx, first.lock];
      let hits = 0;
      for (const c of analysis.batches) {
        for (let i = 0; i < c.count; i++) {
          const e = eventAt(c, i);
          for (const a of addrs) {
            const m = mentionsAt(c, i, a);
            assert.equal(m, mentions(e, a), `${e.kind} at ${i}`);
            hits += m ? 1 : 0;
          }
        }
      }
      assert.ok(hits > 0);
      assert.ok(parseAddr(fmt(first.req), bias).ok);
    });
  });
}
