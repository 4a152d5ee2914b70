/** The engine's captures: what opens, what is refused with which message, and that nothing is lost. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { createEngine } from '../../../main/node/engine/engine.js';
import { loadRules } from '../../../main/node/commands/analysis-run.js';

const SAMPLE = 'test/fixtures/captures/sample-6.1-unpatched.lscap';

describe('engine: captures', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockscope-engine-'));
  const warnings: string[] = [];
  const engine = createEngine({
    rules: loadRules(undefined),
    initialCaptures: [SAMPLE, join(dir, 'missing.lscap')],
    stateDir: dir,
    sshConfig: undefined,
    capturesDir: join(dir, 'c'),
    warn: (t) => warnings.push(t),
  });
  after(async () => {
    await engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a capture given at start that cannot be read is a warning, and the others open', async () => {
    await engine.ready();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /missing\.lscap: no such file/);
    const list = await engine.listCaptures({});
    assert.ok(list.ok);
    assert.deepEqual(list.value.map((c) => [c.name, c.origin, c.complete]), [['sample-6.1-unpatched.lscap', 'bundled', true]]);
  });

  it('the summary equals lockscope analyze --json', async () => {
    const cli = spawnSync(process.execPath, ['bin/lockscope.js', 'analyze', SAMPLE, '--json'], { encoding: 'utf8' });
    const expected = JSON.parse(cli.stdout) as { rules: { verdicts: unknown; walks: number }[]; events: number };
    const s = await engine.getSummary({ captureId: 'c1' });
    assert.ok(s.ok);
    assert.deepEqual(s.value.summary.rules[0]?.verdicts, expected.rules[0]?.verdicts);
    assert.equal(s.value.summary.events, expected.events);
    assert.equal(s.value.exitCode, cli.status);
  });

  it('pages of walks add up to the verdict counts', async () => {
    const s = await engine.getSummary({ captureId: 'c1' });
    assert.ok(s.ok);
    const counts = s.value.summary.rules[0]?.verdicts;
    for (const verdict of ['HELD', 'NOT_HELD', 'UNKNOWN'] as const) {
      const page = await engine.queryWalks({ captureId: 'c1', verdict, ctx: undefined, tid: undefined, fromNs: undefined, toNs: undefined, offset: 0, limit: 5 });
      assert.ok(page.ok);
      assert.equal(page.value.total, counts?.[verdict], verdict);
      assert.ok(page.value.rows.every((r) => r.verdict === verdict));
    }
    const past = await engine.queryWalks({ captureId: 'c1', verdict: 'ALL', ctx: undefined, tid: undefined, fromNs: undefined, toNs: undefined, offset: 10 ** 9, limit: 5 });
    assert.ok(past.ok);
    assert.equal(past.value.rows.length, 0);
  });

  it('refuses a directory, a file that is not a capture, an empty file and a bad ring, each with what to do', async () => {
    writeFileSync(join(dir, 'text.lscap'), 'hello\n');
    writeFileSync(join(dir, 'empty.lscap'), '');
    const cases: [string, RegExp][] = [
      [dir, /is a directory/],
      [join(dir, 'text.lscap'), /not a Lockscope capture.*lockscope import/],
      [join(dir, 'empty.lscap'), /empty/i],
    ];
    for (const [path, message] of cases) {
      const r = await engine.openCaptureFile({ path });
      assert.ok(!r.ok, path);
      assert.equal(r.error.code, 'open_failed');
      assert.match(r.error.message, message);
    }
    const badRing = await engine.queryWalks({ captureId: 'c1', verdict: 'ALL', ctx: '0x1', tid: undefined, fromNs: undefined, toNs: undefined, offset: 0, limit: 5 });
    assert.ok(badRing.ok || badRing.error.code === 'bad_request');
    const gone = await engine.getSummary({ captureId: 'c99' });
    assert.ok(!gone.ok);
    assert.equal(gone.error.code, 'not_found');
  });

  it('a truncated capture opens with what it holds and says it was cut short', async () => {
    const bytes = readFileSync(SAMPLE);
    const cut = bytes.subarray(0, Math.floor(bytes.length * 0.6));
    const r = await engine.openCaptureBytes({ name: 'cut.lscap', base64: Buffer.from(cut).toString('base64') });
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.value.complete, false);
    assert.equal(r.value.origin, 'upload');
    assert.match(r.value.notes.join(' '), /cut short|no closing footer/);
    const s = await engine.getSummary({ captureId: r.value.id });
    assert.ok(s.ok);
    assert.ok(s.value.summary.events > 0);
    const closed = await engine.closeCapture({ captureId: r.value.id });
    assert.ok(closed.ok);
    assert.ok(!(await engine.closeCapture({ captureId: r.value.id })).ok);
  });
});
