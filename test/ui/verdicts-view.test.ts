/**
 * The Verdicts view in a browser: the numbers on screen are `lockscope analyze --json`'s on the
 * same files (run as a separate process, so the test does not share the view's code path), the
 * conclusion is there, filters change the rows, a deep scroll shows the right walks, the keyboard
 * moves the selection and Enter opens the walk; UNKNOWN walks show their reasons.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { UiSession } from './ui-harness.js';
import { openUi, screenshot } from './ui-harness.js';

const SIX_ONE = 'assets/lab-6.1-unpatched.lscap';
const SID = 'assets/lab-sid-7.2-patched.lscap';
const SAMPLE = 'test/fixtures/captures/sample-6.1-unpatched.lscap';

type Verdict = 'HELD' | 'NOT_HELD' | 'UNKNOWN';
interface Analyzed {
  readonly rules: readonly { readonly walks: number; readonly verdicts: Record<Verdict, number>; readonly conclusion: string; readonly unknownReasons: Record<string, number> }[];
  readonly tasks: readonly { readonly tid: number; readonly walks: number }[];
  readonly rings: readonly { readonly ctx: string; readonly walks: number }[];
  readonly spanNs: number;
}

/** `lockscope analyze FILE --json` (exit 1 = a violation, 3 = unproven: still an answer). */
function analyze(file: string): Analyzed {
  let out: string;
  try {
    out = execFileSync(process.execPath, ['bin/lockscope.js', 'analyze', file, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (e) {
    const stdout = (e as { stdout?: unknown }).stdout;
    if (typeof stdout !== 'string' || stdout === '') {
      throw e;
    }
    out = stdout;
  }
  return JSON.parse(out) as Analyzed;
}

function ruleOf(a: Analyzed): Analyzed['rules'][number] {
  const r = a.rules[0];
  assert.ok(r !== undefined, 'analyze found walks');
  return r;
}

async function countOnScreen(page: Page, v: Verdict | 'ALL'): Promise<number> {
  return Number(await page.locator(`.verdicts [data-verdict-count=${v}]`).getAttribute('data-n'));
}

async function totalShown(page: Page): Promise<number> {
  const el = page.locator('[data-testid=walk-total]:not([data-total=""])');
  await el.waitFor();
  return Number(await el.getAttribute('data-total'));
}

/** Waits until the total shown is `n` (the filter's first page answered). */
async function waitTotal(page: Page, n: number): Promise<void> {
  await page.locator(`[data-testid=walk-total][data-total="${n}"]`).waitFor();
}

/** The walk numbers of the rows drawn and loaded, top to bottom. */
async function walksDrawn(page: Page): Promise<number[]> {
  const rows = page.locator('.walk-row[data-walk]');
  const got: { top: number; walk: number }[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const style = (await rows.nth(i).getAttribute('style')) ?? '';
    got.push({ top: parseFloat(/top:\s*(-?[0-9.]+)px/.exec(style)?.[1] ?? 'NaN'), walk: Number(await rows.nth(i).getAttribute('data-walk')) });
  }
  return got.sort((a, b) => a.top - b.top).map((r) => r.walk);
}

/** Scrolls the table's body to `px` (a string expression: the tests compile without the DOM's types). */
async function scrollBodyTo(page: Page, px: number | 'end'): Promise<void> {
  const to = px === 'end' ? 'b.scrollHeight' : String(px);
  await page.evaluate(`(() => { const b = document.querySelector('.walk-body'); b.scrollTop = ${to}; })()`);
}

async function selectedWalk(page: Page): Promise<number> {
  const sel = page.locator('.walk-row[aria-selected=true][data-walk]');
  await sel.waitFor();
  return Number(await sel.getAttribute('data-walk'));
}

async function showCapture(page: Page, name: string): Promise<void> {
  await page.locator(`.capture-tab[data-capture="${name}"] button[role=tab]`).click();
  await page.locator(`.verdicts[data-capture="${name}"] .verdict-summary`).waitFor();
}

describe('Verdicts view (browser)', () => {
  const expected61 = analyze(SIX_ONE);
  const expectedSid = analyze(SID);
  let ui: UiSession;
  before(async () => {
    ui = await openUi();
  });
  after(async () => {
    await ui.close();
  });

  it('opens on the 6.1 capture: counts equal analyze --json, and the conclusion says so', async () => {
    const page = ui.page;
    await page.locator('.verdicts[data-capture="lab-6.1-unpatched.lscap"] .verdict-summary').waitFor();
    const r = ruleOf(expected61);
    for (const v of ['HELD', 'NOT_HELD', 'UNKNOWN'] as const) {
      assert.equal(await countOnScreen(page, v), r.verdicts[v], v);
    }
    assert.equal(await countOnScreen(page, 'ALL'), r.walks);
    // The big numbers read with separators.
    assert.equal((await page.locator('[data-verdict-count=NOT_HELD] .n').innerText()).trim(), r.verdicts.NOT_HELD.toLocaleString('en-US'));
    assert.equal((await page.locator('.verdicts .conclusion').innerText()).trim(), r.conclusion);
    assert.equal(await page.locator('.outcome').getAttribute('data-outcome'), r.verdicts.NOT_HELD > 0 ? 'violation' : 'all_held');
    assert.match(await page.locator('.facts').innerText(), /6\.1\.0-56-amd64/);
    assert.match(await page.locator('.facts').innerText(), /bpftrace 0\.17/);
    assert.equal(await totalShown(page), r.walks);
    assert.equal(await page.locator('[role=grid]').getAttribute('aria-rowcount'), String(r.walks + 1));
    assert.deepEqual((await walksDrawn(page)).slice(0, 3), [1, 2, 3]);
    // Virtualized: a screenful of rows, not 25 thousand.
    assert.ok((await page.locator('.walk-row').count()) < 80);
    await screenshot(page, 'verdicts-6.1');
    assert.deepEqual(ui.pageErrors, []);
  });

  it('the verdict chips filter the rows (totals follow analyze --json), and clearing restores them', async () => {
    const page = ui.page;
    const r = ruleOf(expected61);
    await page.locator('[data-chip=HELD]').click();
    await waitTotal(page, r.verdicts.HELD);
    await page.locator('[data-chip=NOT_HELD]').click();
    await waitTotal(page, r.verdicts.NOT_HELD);
    await page.locator('[data-chip=ALL]').click();
    await waitTotal(page, r.walks);
  });

  it('filters by ring, task and time range', async () => {
    const page = ui.page;
    for (const ring of expected61.rings) {
      await page.locator('[data-testid=ring-filter]').selectOption(ring.ctx);
      await waitTotal(page, ring.walks);
    }
    await page.locator('[data-testid=ring-filter]').selectOption('');
    await waitTotal(page, ruleOf(expected61).walks);
    const task = expected61.tasks[0];
    assert.ok(task !== undefined);
    await page.locator('[data-testid=task-filter]').selectOption(String(task.tid));
    await waitTotal(page, task.walks);
    const drawn = await page.locator('.walk-row[data-walk] .cell-task').allTextContents();
    assert.ok(drawn.length > 0 && drawn.every((t) => t === String(task.tid)), 'only that task');
    await page.locator('[data-testid=task-filter]').selectOption('');
    await waitTotal(page, ruleOf(expected61).walks);
    // A time range: the walks starting in [from, to) are fewer than all and more than none.
    const from = page.locator('.time-input input').first();
    await from.fill('5s');
    await from.press('Enter');
    const to = page.locator('.time-input input').nth(1);
    await to.fill('10s');
    await to.press('Enter');
    await page.locator(`[data-testid=walk-total]:not([data-total="${ruleOf(expected61).walks}"])`).waitFor();
    const inRange = await totalShown(page);
    assert.ok(inRange > 0 && inRange < ruleOf(expected61).walks, `${inRange} walks in [5 s, 10 s)`);
    const starts = (await page.locator('.walk-row[data-walk] .cell-start').allTextContents()).map((t) => parseFloat(t));
    assert.ok(starts.length > 0 && starts.every((s) => s >= 5 && s < 10), `starts in [5 s, 10 s): ${starts.join(', ')}`);
    // A time that is not one is marked, not applied.
    await from.fill('soon');
    await from.press('Enter');
    assert.equal(await from.getAttribute('aria-invalid'), 'true');
    await page.locator('.walk-filters .clear').click();
    await waitTotal(page, ruleOf(expected61).walks);
  });

  it('scrolled deep, the right walk numbers; filtered to NOT_HELD, the last row is reachable', async () => {
    const page = ui.page;
    const r = ruleOf(expected61);
    // One rule, every walk in the table: row position i shows walk i + 1.
    const target = Math.floor(r.walks * 0.8);
    await scrollBodyTo(page, target * 26);
    await page.locator(`.walk-row[data-walk="${target + 1}"]`).waitFor();
    const drawn = await walksDrawn(page);
    for (let k = 1; k < drawn.length; k++) {
      assert.equal(drawn[k], (drawn[k - 1] ?? 0) + 1, 'consecutive walks');
    }
    await scrollBodyTo(page, 'end');
    await page.locator(`.walk-row[data-walk="${r.walks}"]`).waitFor();
    // Filtered: the last row drawn is row total (aria-rowindex counts the header as row 1).
    await page.locator('[data-chip=NOT_HELD]').click();
    await waitTotal(page, r.verdicts.NOT_HELD);
    await scrollBodyTo(page, 'end');
    await page.locator(`.walk-row[aria-rowindex="${r.verdicts.NOT_HELD + 1}"][data-walk]`).waitFor();
    const verdicts = await page.locator('.walk-row[data-walk] .pill').allTextContents();
    assert.ok(verdicts.length > 0 && verdicts.every((v) => v === 'NOT_HELD'));
    await screenshot(page, 'verdicts-filtered');
    await page.locator('[data-chip=ALL]').click();
    await waitTotal(page, r.walks);
  });

  it('keyboard: Down/PageDown/End/Home move the selection and keep it in view; Enter opens the walk in the timeline', async () => {
    const page = ui.page;
    const r = ruleOf(expected61);
    const grid = page.locator('[role=grid]');
    await grid.focus();
    assert.equal(await selectedWalk(page), 1);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await selectedWalk(page), 3);
    await page.keyboard.press('ArrowUp');
    assert.equal(await selectedWalk(page), 2);
    await page.keyboard.press('PageDown');
    const afterPage = await selectedWalk(page);
    assert.ok(afterPage > 10, `PageDown moved a screenful (to ${afterPage})`);
    await page.keyboard.press('End');
    assert.equal(await selectedWalk(page), r.walks);
    assert.ok(await isInView(page, r.walks), 'the last walk scrolled into view');
    await page.keyboard.press('Home');
    assert.equal(await selectedWalk(page), 1);
    assert.ok(await isInView(page, 1));
    for (let k = 0; k < 60; k++) {
      await page.keyboard.press('ArrowDown');
    }
    assert.equal(await selectedWalk(page), 61);
    assert.ok(await isInView(page, 61), 'the selection stays in view');
    assert.equal(await grid.getAttribute('aria-activedescendant'), 'walk-pos-60');
    await page.keyboard.press('Enter');
    await page.locator('main.view[data-view=timeline]').waitFor();
    // Back to the verdicts: the table is where it was left.
    await page.locator('button[data-view=verdicts]').click();
    assert.equal(await selectedWalk(page), 61);
  });

  it('the second capture tab shows its own counts, in the dark theme', async () => {
    const page = ui.page;
    await showCapture(page, 'lab-sid-7.2-patched.lscap');
    const r = ruleOf(expectedSid);
    for (const v of ['HELD', 'NOT_HELD', 'UNKNOWN'] as const) {
      assert.equal(await countOnScreen(page, v), r.verdicts[v], v);
    }
    assert.equal((await page.locator('.verdicts .conclusion').innerText()).trim(), r.conclusion);
    await waitTotal(page, r.walks);
    await page.locator('button.theme').click();
    await page.locator('html[data-theme=dark]').waitFor({ state: 'attached' });
    await screenshot(page, 'verdicts-sid');
    await page.locator('button.theme').click();
    await showCapture(page, 'lab-6.1-unpatched.lscap');
    assert.equal(await countOnScreen(page, 'NOT_HELD'), ruleOf(expected61).verdicts.NOT_HELD);
    assert.deepEqual(ui.pageErrors, []);
  });
});

async function isInView(page: Page, walk: number): Promise<boolean> {
  const row = await page.locator(`.walk-row[data-walk="${walk}"]`).boundingBox();
  const body = await page.locator('.walk-body').boundingBox();
  if (row === null || body === null) {
    return false;
  }
  return row.y >= body.y - 1 && row.y + row.height <= body.y + body.height + 1;
}

describe('Verdicts view: a capture with UNKNOWN walks (browser)', () => {
  const expected = analyze(SAMPLE);
  let ui: UiSession;
  before(async () => {
    ui = await openUi({ captures: [SAMPLE], theme: 'dark' });
  });
  after(async () => {
    await ui.close();
  });

  it('shows every UNKNOWN with its reason and count, and the UNKNOWN rows with their reason', async () => {
    const page = ui.page;
    await page.locator('.verdicts .verdict-summary').waitFor();
    const r = ruleOf(expected);
    assert.ok(r.verdicts.UNKNOWN > 0, 'the sample has UNKNOWN walks');
    assert.equal(await countOnScreen(page, 'UNKNOWN'), r.verdicts.UNKNOWN);
    assert.equal(await page.locator('.outcome').getAttribute('data-outcome'), 'violation');
    for (const [reason, n] of Object.entries(r.unknownReasons)) {
      const li = page.locator(`.unknown-reasons li[data-reason=${reason}]`);
      assert.match(await li.innerText(), new RegExp(`^${n.toLocaleString('en-US')} ${reason}: \\w`));
    }
    // Clicking the UNKNOWN count filters to them; every row says why.
    await page.locator('[data-verdict-count=UNKNOWN]').click();
    await waitTotal(page, r.verdicts.UNKNOWN);
    const reasons = await page.locator('.walk-row[data-walk] .cell-reason code').allTextContents();
    assert.ok(reasons.length > 0);
    assert.ok(reasons.every((x) => x in r.unknownReasons), reasons.join(', '));
    await screenshot(page, 'verdicts-unknown');
    // The walks whose ring was never seen are offered as a ring of their own, and counted.
    await page.locator('[data-chip=ALL]').click();
    const inRings = expected.rings.reduce((a, x) => a + x.walks, 0);
    if (inRings < r.walks) {
      await page.locator('[data-testid=ring-filter]').selectOption('0x0');
      await waitTotal(page, r.walks - inRings);
      assert.deepEqual(await page.locator('.walk-row[data-walk] .cell-ring').allTextContents(), Array<string>(r.walks - inRings).fill('not seen'));
    }
    assert.deepEqual(ui.pageErrors, []);
  });
});
