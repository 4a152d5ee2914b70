/**
 * A live capture of the default plan (the 6.1 lab, 20 s of linkstorm): most walks were counted in
 * the kernel by shape, a few recorded in full. The Verdicts view's numbers include the counted
 * walks (as analyze --json's do), the table lists the recorded ones, and a block above it says
 * how many walks stand behind each shape and with what verdict. And one of the sid lab (the
 * patched kernel: the walker takes the lock, so workers contend): the kernel counted every
 * contended wait and printed a sample; the Statistics view's contention card says which numbers
 * are the kernel's exact ones and which the sample's, as analyze --json has them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { UiSession } from './ui-harness.js';
import { openUi, screenshot } from './ui-harness.js';

const CAPTURE = 'test/fixtures/captures/lab-6.1-counted.lscap';
const SID = 'test/fixtures/captures/lab-sid-counted.lscap';

interface Counted {
  readonly class: string;
  readonly walks: number;
  readonly verdict: string;
}
interface Analyzed {
  readonly rules: readonly { readonly walks: number; readonly verdicts: Record<string, number>; readonly counted: readonly Counted[] }[];
  readonly contentionCounted?: { readonly all: { readonly waits: number; readonly recorded: number; readonly maxNs: number } };
  readonly timing: { readonly contention: { readonly all: { readonly count: number } } };
}

function analyze(file: string): Analyzed {
  try {
    return JSON.parse(execFileSync(process.execPath, ['bin/lockscope.js', 'analyze', file, '--json'], { encoding: 'utf8' })) as Analyzed;
  } catch (e) {
    // Exit 1: a violation, still an answer.
    return JSON.parse(String((e as { stdout?: unknown }).stdout)) as Analyzed;
  }
}

describe('Verdicts view: walks counted in the kernel (browser)', () => {
  const expected = analyze(CAPTURE);
  const rule = expected.rules[0];
  let ui: UiSession;
  before(async () => {
    ui = await openUi({ captures: [CAPTURE] });
  });
  after(async () => {
    await ui.close();
  });

  it('counts include the counted walks; the table lists the recorded ones; the block gives each shape its verdict', async () => {
    assert.ok(rule !== undefined && rule.counted.length > 0, 'the fixture has counted walks');
    const page = ui.page;
    await page.locator('.verdicts .verdict-summary').waitFor();
    assert.equal(Number(await page.locator('.verdicts [data-verdict-count=NOT_HELD]').getAttribute('data-n')), rule.verdicts.NOT_HELD);
    assert.equal(Number(await page.locator('.verdicts [data-verdict-count=ALL]').getAttribute('data-n')), rule.walks);
    const counted = rule.counted.reduce((n, c) => n + c.walks, 0);
    await page.locator(`[data-testid=walk-total][data-total="${rule.walks - counted}"]`).waitFor();
    const block = page.locator('.counted-walks');
    assert.match(await block.locator('h3').innerText(), new RegExp(`${counted.toLocaleString('en-US')} of these walks were counted in the kernel`));
    for (const c of rule.counted) {
      const li = block.locator(`li[data-counted-class="${c.class}"][data-verdict="${c.verdict}"]`);
      assert.equal((await li.locator('.n').innerText()).trim(), c.walks.toLocaleString('en-US'));
    }
    await screenshot(page, 'verdicts-counted-6.1');
    assert.deepEqual(ui.pageErrors, []);
  });
});

describe('Statistics view: contended waits counted in the kernel (browser)', () => {
  const expected = analyze(SID);
  let ui: UiSession;
  before(async () => {
    ui = await openUi({ captures: [SID] });
  });
  after(async () => {
    await ui.close();
  });

  it("the contention card's sample holds the recorded waits; its note gives the kernel's exact count", async () => {
    const c = expected.contentionCounted?.all;
    assert.ok(c !== undefined && c.waits > c.recorded && c.recorded > 0, 'the fixture has waits counted and a few recorded');
    const page = ui.page;
    await page.locator('button[data-view=stats]').click();
    const card = page.locator('.stats-card[data-metric=contention]');
    await card.waitFor();
    assert.equal(Number(await card.locator('.stats-count[data-side=a]').getAttribute('data-count')), expected.timing.contention.all.count);
    const note = card.locator('.stats-caveat', { hasText: 'the kernel counted every wait' });
    assert.match(await note.innerText(), new RegExp(`${c.waits.toLocaleString('en-US')} in all.*${c.recorded.toLocaleString('en-US')} were recorded in full`));
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'stats-sid-contention-counted');
    assert.deepEqual(ui.pageErrors, []);
  });
});
