/**
 * The request timeline in a browser: reached through its view tab (a default walk) and the walk
 * picker; the verdict shown is the one `lockscope inspect --walk N` prints; the lanes chart draws;
 * drag-zoom on the overview narrows the range; the chain buttons navigate.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { UiSession } from './ui-harness.js';
import { openUi, screenshot } from './ui-harness.js';

const CAPTURE_61 = 'assets/lab-6.1-unpatched.lscap';
const CAPTURE_SID = 'assets/lab-sid-7.2-patched.lscap';

/** The verdict `lockscope inspect FILE --walk N` prints. */
function inspectVerdict(file: string, walk: number): string {
  const out = execFileSync(process.execPath, ['bin/lockscope.js', 'inspect', file, '--walk', String(walk)], { encoding: 'utf8' });
  const m = /^Walk #(\d+) under rule \S+: (HELD|NOT_HELD|UNKNOWN)/m.exec(out);
  assert.ok(m !== null, out);
  assert.equal(m[1], String(walk));
  return m[2] ?? '';
}

async function openTimeline(page: Page, capture: string): Promise<void> {
  await page.locator(`.capture-tab[data-capture="${capture}"] button`).first().click();
  await page.locator('button[data-view=timeline]').click();
  await page.locator('[data-testid=walk-panel]').waitFor();
}

async function showWalk(page: Page, n: number): Promise<void> {
  await page.locator('[data-testid=walk-input]').fill(String(n));
  await page.locator('[data-testid=walk-go]').click();
  await page.locator(`[data-testid=walk-panel][data-walk="${n}"]`).waitFor();
}

/**
 * Pixels of a chart's first canvas that are drawn (alpha > 0), or, with a CSS colour variable,
 * drawn in about that colour. Runs in the page (the tests' TypeScript has no DOM types: a string).
 */
async function pixels(page: Page, testId: string, cssVar: string | undefined): Promise<number> {
  const script = `(() => {
    const c = document.querySelector('[data-testid=${testId}] canvas');
    const ctx = c === null ? null : c.getContext('2d');
    if (ctx === null) { return -1; }
    let rgb = null;
    const v = ${JSON.stringify(cssVar ?? null)};
    if (v !== null) {
      const probe = document.createElement('div');
      probe.style.color = 'var(' + v + ')';
      document.body.append(probe);
      rgb = /(\\d+), (\\d+), (\\d+)/.exec(getComputedStyle(probe).color).slice(1).map(Number);
      probe.remove();
    }
    const px = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (rgb === null ? px[i + 3] > 0 : px[i + 3] > 200 && Math.abs(px[i] - rgb[0]) < 8 && Math.abs(px[i + 1] - rgb[1]) < 8 && Math.abs(px[i + 2] - rgb[2]) < 8) { n++; }
    }
    return n;
  })()`;
  return page.evaluate<number>(script);
}

/** Waits until `script` (an expression run in the page) is true; polls what the page shows (the CSP forbids waitForFunction's eval). */
async function waitUntil(page: Page, script: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await page.evaluate<boolean>(script))) {
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${script}`);
    }
    await page.waitForTimeout(50);
  }
}

/** The overview's range width (ns) as the page shows it. */
const RANGE_WIDTH = `(() => { const el = document.querySelector('[data-testid=overview-range]'); return el === null ? NaN : Number(el.getAttribute('data-to')) - Number(el.getAttribute('data-from')); })()`;

describe('request timeline view (browser): 6.1, light', () => {
  let ui: UiSession;
  before(async () => {
    ui = await openUi({ theme: 'light', viewport: { width: 1500, height: 1000 } });
  });
  after(async () => {
    await ui.close();
  });

  it('the view tab shows a default walk (the first NOT_HELD) and says so, with the verdict inspect prints', async () => {
    await openTimeline(ui.page, 'lab-6.1-unpatched.lscap');
    const note = await ui.page.locator('[data-testid=default-walk-note]').innerText();
    assert.match(note, /first NOT_HELD walk, #\d+/);
    const n = Number(await ui.page.locator('[data-testid=walk-panel]').getAttribute('data-walk'));
    assert.equal(await ui.page.locator('[data-testid=walk-verdict]').innerText(), inspectVerdict(CAPTURE_61, n));
  });

  it('walk #1 by the picker: NOT_HELD as inspect says, evidence listed, lanes drawn with no held span', async () => {
    await showWalk(ui.page, 2);
    await showWalk(ui.page, 1);
    const verdict = await ui.page.locator('[data-testid=walk-verdict]').innerText();
    assert.equal(verdict, inspectVerdict(CAPTURE_61, 1));
    assert.equal(verdict, 'NOT_HELD');
    const evidence = await ui.page.locator('[data-testid=evidence] li').allInnerTexts();
    assert.ok(evidence.length >= 3, evidence.join('\n'));
    assert.match(evidence.join('\n'), /enter io_wq_put_work/);
    assert.match(evidence.join('\n'), /1\.000000000 s/);
    assert.match(await ui.page.locator('[data-testid=inspect-command]').innerText(), /lockscope inspect .*lab-6\.1-unpatched\.lscap --walk 1$/);
    await ui.page.locator('[data-testid=lanes] canvas').waitFor();
    assert.ok((await pixels(ui.page, 'lanes', undefined)) > 1000, 'the lanes chart drew');
    assert.equal(await pixels(ui.page, 'lanes', '--held'), 0, 'no held span on a NOT_HELD walk with no lock operations');
    assert.deepEqual(ui.pageErrors, []);
    await screenshot(ui.page, 'timeline-6.1');
  });

  it('drag-zoom on the overview narrows the range shown; reset brings the whole capture back', async () => {
    const range = ui.page.locator('[data-testid=overview-range]');
    const width = async (): Promise<number> => Number(await range.getAttribute('data-to')) - Number(await range.getAttribute('data-from'));
    const before = await width();
    const over = ui.page.locator('[data-testid=overview] .u-over');
    const box = await over.boundingBox();
    assert.ok(box !== null);
    await ui.page.mouse.move(box.x + box.width * 0.05, box.y + box.height / 2);
    await ui.page.mouse.down();
    await ui.page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2, { steps: 8 });
    await ui.page.mouse.up();
    await waitUntil(ui.page, `${RANGE_WIDTH} < ${before * 0.5}`);
    const zoomed = await width();
    assert.ok(zoomed < before * 0.25, `${zoomed} vs ${before}`);
    await screenshot(ui.page, 'timeline-zoomed');
    const from = Number(await range.getAttribute('data-from'));
    await ui.page.locator('[data-testid=overview-right]').click();
    await waitUntil(ui.page, `Number(document.querySelector('[data-testid=overview-range]').getAttribute('data-from')) > ${from}`);
    await ui.page.locator('[data-testid=overview-reset]').click();
    await waitUntil(ui.page, `${RANGE_WIDTH} === ${before}`);
  });

  it('next and previous in the chain navigate', async () => {
    await showWalk(ui.page, 1);
    const next = ui.page.locator('[data-testid=chain-next]');
    assert.match(await next.innerText(), /#2/);
    await next.click();
    await ui.page.locator('[data-testid=walk-panel][data-walk="2"]').waitFor();
    await ui.page.locator('[data-testid=chain-previous]').click();
    await ui.page.locator('[data-testid=walk-panel][data-walk="1"]').waitFor();
    assert.equal(await ui.page.locator('[data-testid=chain-previous]').isDisabled(), true, 'walk #1 has no previous walk in this capture');
  });

  it('a request address in the picker lists its walks as inspect --req does and its lifecycle; a click opens a walk; an absent one says so', async () => {
    const captures = await ui.engine.listCaptures({});
    assert.ok(captures.ok);
    const id = captures.value.find((c) => c.name === 'lab-6.1-unpatched.lscap')?.id ?? '';
    const w1 = await ui.engine.getWalk({ captureId: id, index: 1 });
    assert.ok(w1.ok);
    const addr = w1.value.row.req;
    const cli = execFileSync(process.execPath, ['bin/lockscope.js', 'inspect', CAPTURE_61, '--req', addr], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const cliWalks = [...new Set([...cli.matchAll(/^ {2}#(\d+) /gm)].map((m) => Number(m[1])))].sort((a, b) => a - b);
    assert.ok(cliWalks.includes(1), cli.slice(0, 400));
    await showWalk(ui.page, 2);
    await ui.page.locator('[data-testid=walk-input]').fill(addr);
    await ui.page.locator('[data-testid=walk-go]').click();
    const panel = ui.page.locator(`[data-testid=request-panel][data-addr="${addr}"]`);
    await panel.waitFor();
    const buttons = await ui.page.locator('[data-testid=request-walks] button').all();
    const listed = (await Promise.all(buttons.map(async (b) => Number(await b.getAttribute('data-walk'))))).sort((a, b) => a - b);
    assert.deepEqual(listed, cliWalks.slice(0, 1000));
    // This capture (summary grain) recorded no lifecycle tracepoints: the panel says so (the sample case below lists them).
    assert.equal(cli.split('\n').filter((l) => /  (submit|link|queued|complete|freed)/.test(l)).length, 0);
    assert.equal(await ui.page.locator('[data-testid=request-lifecycle]').count(), 0);
    assert.match(await panel.innerText(), /No submit, link, queue, completion or free of this address was recorded/);
    await ui.page.locator('[data-testid=request-walks] button[data-walk="1"]').click();
    await ui.page.locator('[data-testid=walk-panel][data-walk="1"]').waitFor();
    await ui.page.locator('[data-testid=request-walks] button[data-walk="1"].current').waitFor();
    assert.deepEqual(ui.pageErrors, []);
    await ui.page.locator('[data-testid=request-panel]').scrollIntoViewIfNeeded();
    await screenshot(ui.page, 'timeline-request');
    // An address no event mentions: a notice, and the walk stays.
    const absent = `0x${(BigInt(addr) + 8n).toString(16)}`;
    await ui.page.locator('[data-testid=walk-input]').fill(absent);
    await ui.page.locator('[data-testid=walk-go]').click();
    const missing = ui.page.locator('[data-testid=request-missing]');
    await missing.waitFor();
    assert.match(await missing.innerText(), new RegExp(`No event of lab-6\\.1-unpatched\\.lscap mentions request ${absent}`));
    assert.equal(await panel.count(), 0);
    await ui.page.locator('[data-testid=walk-panel][data-walk="1"]').waitFor();
    await screenshot(ui.page, 'timeline-request-missing');
  });

  it('a click on a bar of the overview opens a walk of that bucket', async () => {
    const range = ui.page.locator('[data-testid=overview-range]');
    const from = Number(await range.getAttribute('data-from'));
    const to = Number(await range.getAttribute('data-to'));
    const over = ui.page.locator('[data-testid=overview] .u-over');
    const box = await over.boundingBox();
    assert.ok(box !== null);
    // A quarter of the way in: walks run from 1 s to about 20 s of this 35 s capture.
    const f = 0.25;
    await over.click({ position: { x: box.width * f, y: box.height * 0.8 } });
    await waitUntil(ui.page, `document.querySelector('[data-testid=walk-panel]').getAttribute('data-walk') !== '1'`);
    const panel = ui.page.locator('[data-testid=walk-panel]');
    const start = Number(await panel.getAttribute('data-start'));
    const clicked = from + (to - from) * f;
    const bucket = (to - from) / 100; // generous: the chart has more than 100 buckets
    assert.ok(Math.abs(start - clicked) < bucket, `walk at ${start} ns, clicked at ${clicked} ns`);
    const n = Number(await panel.getAttribute('data-walk'));
    assert.equal(await ui.page.locator('[data-testid=walk-verdict]').innerText(), inspectVerdict(CAPTURE_61, n));
  });
});

describe('request timeline view (browser): sid, dark', () => {
  let ui: UiSession;
  before(async () => {
    ui = await openUi({ theme: 'dark', viewport: { width: 1500, height: 1000 } });
  });
  after(async () => {
    await ui.close();
  });

  it('walk #1 of the patched kernel: HELD as inspect says, with a held span drawn', async () => {
    await ui.page.evaluate(`localStorage.setItem('lockscope.theme', 'dark')`);
    await ui.page.reload();
    await openTimeline(ui.page, 'lab-sid-7.2-patched.lscap');
    await showWalk(ui.page, 1);
    const verdict = await ui.page.locator('[data-testid=walk-verdict]').innerText();
    assert.equal(verdict, inspectVerdict(CAPTURE_SID, 1));
    assert.equal(verdict, 'HELD');
    const evidence = (await ui.page.locator('[data-testid=evidence] li').allInnerTexts()).join('\n');
    assert.match(evidence, /acquired mutex_lock/);
    assert.ok((await pixels(ui.page, 'lanes', '--held')) > 50, 'a held span is drawn');
    assert.deepEqual(ui.pageErrors, []);
    await screenshot(ui.page, 'timeline-sid');
  });

  it('a walk while other tasks held and waited for the same uring_lock: a lane each, as the engine computes them', async () => {
    // Walk #2,906 of the sid capture: four more io-wq workers and the submitter around it.
    const n = 2906;
    await showWalk(ui.page, n);
    const captures = await ui.engine.listCaptures({});
    assert.ok(captures.ok);
    const id = captures.value.find((c) => c.name === 'lab-sid-7.2-patched.lscap')?.id ?? '';
    const d = await ui.engine.getWalk({ captureId: id, index: n });
    assert.ok(d.ok);
    assert.ok(d.value.lanes.length >= 2, `walk #${n} has ${d.value.lanes.length} lanes`);
    assert.equal(Number(await ui.page.locator('[data-testid=lanes-panel]').getAttribute('data-lanes')), d.value.lanes.length);
    assert.equal(await ui.page.locator('[data-testid=walk-verdict]').innerText(), inspectVerdict(CAPTURE_SID, n));
    assert.ok((await pixels(ui.page, 'lanes', '--held')) > 50);
    await ui.page.locator('[data-testid=lanes-panel]').scrollIntoViewIfNeeded();
    await screenshot(ui.page, 'timeline-sid-lanes');
  });
});

describe('request timeline view (browser): a request\'s lifecycle, sample capture, dark', () => {
  const SAMPLE = 'test/fixtures/captures/sample-6.1-unpatched.lscap';
  let ui: UiSession;
  before(async () => {
    ui = await openUi({ theme: 'dark', captures: [SAMPLE], viewport: { width: 1500, height: 1000 } });
  });
  after(async () => {
    await ui.close();
  });

  it('walk #1\'s req: its walks as inspect --req lists them, and its lifecycle with times in time order', async () => {
    await ui.page.evaluate(`localStorage.setItem('lockscope.theme', 'dark')`);
    await ui.page.reload();
    await openTimeline(ui.page, 'sample-6.1-unpatched.lscap');
    const captures = await ui.engine.listCaptures({});
    assert.ok(captures.ok);
    const w1 = await ui.engine.getWalk({ captureId: captures.value[0]?.id ?? '', index: 1 });
    assert.ok(w1.ok);
    const addr = w1.value.row.req;
    const cli = execFileSync(process.execPath, ['bin/lockscope.js', 'inspect', SAMPLE, '--req', addr], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const cliWalks = [...new Set([...cli.matchAll(/^ {2}#(\d+) /gm)].map((m) => Number(m[1])))].sort((a, b) => a - b);
    const cliLife = cli.split('\n').filter((l) => /^\d.*  (submit|link|queued|complete|freed)/.test(l));
    assert.ok(cliLife.length > 0, 'the sample records lifecycle events');
    await ui.page.locator('[data-testid=walk-input]').fill(addr.toUpperCase().replace('0X', '0x'));
    await ui.page.locator('[data-testid=walk-go]').click();
    await ui.page.locator(`[data-testid=request-panel][data-addr="${addr}"]`).waitFor();
    const buttons = await ui.page.locator('[data-testid=request-walks] button').all();
    const listed = (await Promise.all(buttons.map(async (b) => Number(await b.getAttribute('data-walk'))))).sort((a, b) => a - b);
    assert.deepEqual(listed, cliWalks.slice(0, 1000));
    const life = await ui.page.locator('[data-testid=request-lifecycle] li').allInnerTexts();
    assert.equal(life.length, Math.min(2000, cliLife.length));
    const times = life.map((l) => Number(/^(\d+\.\d{9}) s/.exec(l)?.[1] ?? 'NaN'));
    assert.ok(times.every((t, i) => Number.isFinite(t) && (i === 0 || t >= (times[i - 1] ?? 0))), life.slice(0, 5).join('\n'));
    assert.ok(life.some((l) => /submit/.test(l)), life.join('\n'));
    assert.deepEqual(ui.pageErrors, []);
    await ui.page.locator('[data-testid=request-panel]').scrollIntoViewIfNeeded();
    await screenshot(ui.page, 'timeline-request-dark');
  });
});
