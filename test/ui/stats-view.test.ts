/**
 * The Statistics view in a browser: its numbers equal `lockscope analyze --json`'s timing for the
 * real 6.1 and sid captures (read from data attributes holding raw ns and counts), empty metrics
 * say why instead of drawing, charts draw, the per-task table sorts, switching capture tabs
 * updates the numbers, and comparing 6.1 with sid shows both with the ratio.
 * Screenshots: stats-6.1 (light), stats-6.1-window, stats-compare, stats-compare-window, stats-sid (dark).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import type { SummaryStats } from '../../main/core/stats/summary-stats.js';
import type { UiSession } from './ui-harness.js';
import { openUi, screenshot } from './ui-harness.js';

const A61 = 'lab-6.1-unpatched.lscap';
const SID = 'lab-sid-7.2-patched.lscap';

type Timing = Record<string, { readonly all: SummaryStats; readonly byTask: Record<string, SummaryStats> }>;

/** The CLI's own numbers: `node bin/lockscope.js analyze FILE --json` (exit 1 for a violation is expected). */
function cliTiming(file: string): Timing {
  const r = spawnSync(process.execPath, ['bin/lockscope.js', 'analyze', `assets/${file}`, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.ok(r.status === 0 || r.status === 1, `analyze exited ${String(r.status)}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { timing: Timing }).timing;
}

function card(page: Page, metric: string): Locator {
  return page.locator(`.stats-card[data-metric=${metric}]`);
}

async function num(l: Locator, attr: 'data-ns' | 'data-count'): Promise<number | undefined> {
  const v = await l.getAttribute(attr);
  return v === null ? undefined : Number(v);
}

/** The view shows `expected` for `metric` on side `side`: count, p50, p99 (and min, max) as raw values. */
async function assertNumbers(page: Page, metric: string, side: 'a' | 'b', expected: SummaryStats): Promise<void> {
  const c = card(page, metric);
  assert.equal(await num(c.locator(`.stats-count[data-side=${side}]`), 'data-count'), expected.count, `${metric} ${side}: count`);
  if (expected.count === 0) {
    assert.equal(await c.locator(`td[data-side=${side}][data-ns]`).count(), 0, `${metric} ${side}: no numbers without samples`);
    return;
  }
  assert.equal(await num(c.locator(`td[data-side=${side}][data-stat=count]`), 'data-count'), expected.count, `${metric} ${side}: count in the table`);
  for (const stat of ['p50', 'p99', 'min', 'max'] as const) {
    assert.equal(await num(c.locator(`td[data-side=${side}][data-stat=${stat}]`), 'data-ns'), expected[stat], `${metric} ${side}: ${stat}`);
  }
}

/** Scrolls the view so that `l` is at the top of the window (for a screenshot). */
async function scrollToTop(l: Locator): Promise<void> {
  await l.evaluate((el: { scrollIntoView(o: { block: 'start' }): void }) => {
    el.scrollIntoView({ block: 'start' });
  });
}

async function openStats(page: Page, capture: string): Promise<void> {
  await page.locator(`.capture-tab[data-capture="${capture}"] button[role=tab]`).click();
  await page.locator('button[data-view=stats]').click();
  await page.locator(`.stats-view[data-capture="${capture}"][data-state=ready]`).waitFor();
}

describe('statistics view (browser, lockscope serve)', () => {
  let ui: UiSession;
  const t61 = cliTiming(A61);
  const tSid = cliTiming(SID);
  before(async () => {
    ui = await openUi();
    await ui.page.locator('.capture-tab').nth(1).waitFor();
  });
  after(async () => {
    await ui.close();
  });

  it('6.1: the numbers are analyze --json\'s; no hold inside any window is explained, not drawn; charts draw', async () => {
    const page = ui.page;
    await openStats(page, A61);
    const hold = t61.lock_hold?.all;
    const win = t61.window_duration?.all;
    assert.ok(hold !== undefined && win !== undefined);
    assert.equal(hold.count, 0, 'the 6.1 capture has no hold inside a window (its walks run without the lock)');
    assert.ok(win.count > 1000);
    await assertNumbers(page, 'window_duration', 'a', win);
    await assertNumbers(page, 'lock_hold', 'a', hold);
    // The empty metric says why, and draws no chart.
    const empty = card(page, 'lock_hold').locator('.stats-empty[data-side=a]');
    assert.match(await empty.innerText(), /No samples.*33,660 walk windows/s);
    assert.equal(await card(page, 'lock_hold').locator('canvas').count(), 0);
    assert.match(await card(page, 'chain_latency').locator('.stats-empty').innerText(), /lifecycle tracepoints were not attached/);
    // The window card: both charts drawn, its source names the probed function, the count shown with separators.
    const w = card(page, 'window_duration');
    await w.locator('[data-testid=hist-window_duration] canvas').waitFor();
    await w.locator('[data-testid=cdf-window_duration] canvas').waitFor();
    assert.match(await w.locator('.stats-source').innerText(), /io_wq_put_work/);
    assert.match(await w.locator('.stats-count').innerText(), new RegExp(win.count.toLocaleString('en-US')));
    await screenshot(page, 'stats-6.1');
    // Hovering the CDF shows a duration and its percentile in the legend.
    await w.scrollIntoViewIfNeeded();
    const over = w.locator('[data-testid=cdf-window_duration] .u-over');
    await over.hover({ position: { x: 200, y: 60 } });
    const legend = w.locator('[data-testid=cdf-window_duration] .u-legend .u-value');
    await legend.nth(1).filter({ hasText: /^p\d/ }).waitFor();
    assert.match(await legend.nth(0).innerText(), /\d+(\.\d+)? (ns|µs|ms|s)$/);
    await card(page, 'window_duration').locator('[data-testid=hist-window_duration] .u-over').hover({ position: { x: 120, y: 60 } });
    await w.locator('[data-testid=hist-window_duration] .u-legend .u-value').nth(1).filter({ hasText: /samples \(/ }).waitFor();
    await scrollToTop(w.locator('.stats-card-head'));
    await screenshot(page, 'stats-6.1-window');
    assert.deepEqual(ui.pageErrors, []);
  });

  it('the per-task table matches analyze --json per task and sorts by count or p99', async () => {
    const table = card(ui.page, 'window_duration').locator('[data-testid=tasks-window_duration-a]');
    for (const key of ['count', 'p99'] as const) {
      await table.locator(`button[data-sort=${key}]`).click();
      await ui.page.locator(`[data-testid=tasks-window_duration-a][data-sorted-by=${key}]`).waitFor();
      const rows = table.locator('tbody tr');
      const values: number[] = [];
      for (let i = 0; i < (await rows.count()); i++) {
        const row = rows.nth(i);
        const group = (await row.getAttribute('data-group')) ?? '';
        const cell = key === 'count' ? row.locator('td[data-count]') : row.locator('td[data-ns]');
        const v = (await num(cell, key === 'count' ? 'data-count' : 'data-ns')) ?? NaN;
        values.push(v);
        const cli = t61.window_duration?.byTask[group.replace('task:', '')];
        assert.equal(v, key === 'count' ? cli?.count : cli?.p99, `${group} ${key}`);
      }
      assert.equal(values.length, Object.keys(t61.window_duration?.byTask ?? {}).length);
      assert.deepEqual(values, [...values].sort((a, b) => b - a), `sorted by ${key}`);
    }
    // A task picked in the table is drawn over the capture's distribution, and dropped on a second click.
    const row = table.locator('tbody tr').first();
    const group = (await row.getAttribute('data-group')) ?? '';
    await row.click();
    const labels = card(ui.page, 'window_duration').locator('[data-testid=cdf-window_duration] .u-legend .u-label');
    await labels.filter({ hasText: `tid ${group.replace('task:', '')}` }).waitFor();
    assert.equal(await labels.count(), 3, 'duration, the capture, the task');
    await screenshot(ui.page, 'stats-6.1-task');
    await row.click();
    await ui.page.locator('[data-testid=tasks-window_duration-a] tr.picked').waitFor({ state: 'detached' });
    assert.equal(await labels.count(), 2);
  });

  it('comparing 6.1 (A) with sid (B) shows both, overlaid, with the ratio', async () => {
    const page = ui.page;
    await page.locator('[data-testid=stats-compare]').selectOption({ label: SID });
    await page.locator(`.stats-view[data-compare="${SID}"][data-state=ready]`).waitFor();
    const holdSid = tSid.lock_hold?.all;
    const win61 = t61.window_duration?.all;
    const winSid = tSid.window_duration?.all;
    assert.ok(holdSid !== undefined && win61 !== undefined && winSid !== undefined && win61.p99 !== undefined && winSid.p99 !== undefined);
    await assertNumbers(page, 'window_duration', 'a', win61);
    await assertNumbers(page, 'window_duration', 'b', winSid);
    await assertNumbers(page, 'lock_hold', 'b', holdSid);
    // A has no hold inside a window: it says so, and B's distribution is drawn alone.
    const hold = card(page, 'lock_hold');
    await hold.locator('.stats-empty[data-side=a]').waitFor();
    await hold.locator('[data-testid=cdf-lock_hold] canvas').waitFor();
    const ratio = await card(page, 'window_duration').locator('td.ratio[data-stat=p99]').innerText();
    assert.equal(Number(ratio.replace('×', '')).toFixed(1), (winSid.p99 / win61.p99).toFixed(1));
    // The report table at the top has every metric, with the same ratio.
    const report = page.locator('[data-testid=stats-compare-summary]');
    assert.equal(await report.locator('tbody tr').count(), 5);
    assert.equal(await report.locator('tr[data-metric=window_duration] td.ratio[data-stat=p99]').innerText(), ratio);
    // Both captures are in the window charts' legends, labelled A and B.
    const labels = await card(page, 'window_duration').locator('[data-testid=cdf-window_duration] .u-legend .u-label').allInnerTexts();
    assert.ok(labels.some((l) => l.startsWith(`A ${A61}`)) && labels.some((l) => l.startsWith(`B ${SID}`)), labels.join(' | '));
    // Both sources are given: the kernels probe different functions.
    assert.equal(await card(page, 'window_duration').locator('.stats-source').count(), 2);
    await scrollToTop(page.locator('.stats-head'));
    await screenshot(page, 'stats-compare');
    await scrollToTop(card(page, 'window_duration').locator('.stats-card-head'));
    await screenshot(page, 'stats-compare-window');
    assert.deepEqual(ui.pageErrors, []);
  });

  it('switching the capture tab to sid updates the numbers (dark theme)', async () => {
    const page = ui.page;
    await page.locator('button.theme').click();
    await page.locator('html[data-theme=dark]').waitFor();
    await openStats(page, SID);
    for (const metric of ['lock_hold', 'lock_wait', 'window_duration', 'contention']) {
      const all = tSid[metric]?.all;
      assert.ok(all !== undefined && all.count > 0, metric);
      await assertNumbers(page, metric, 'a', all);
    }
    await card(page, 'lock_hold').locator('[data-testid=hist-lock_hold] canvas').waitFor();
    await page.locator('.stats-head').scrollIntoViewIfNeeded();
    await screenshot(page, 'stats-sid');
    assert.deepEqual(ui.pageErrors, []);
  });
});
