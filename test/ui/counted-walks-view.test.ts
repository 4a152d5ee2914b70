/**
 * A live capture of the default plan (the 6.1 lab, 20 s of linkstorm): most walks were counted in
 * the kernel by shape, a few recorded in full. The Verdicts view's numbers include the counted
 * walks (as analyze --json's do), the table lists the recorded ones, and a block above it says
 * how many walks stand behind each shape and with what verdict.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { UiSession } from './ui-harness.js';
import { openUi, screenshot } from './ui-harness.js';

const CAPTURE = 'test/fixtures/captures/lab-6.1-counted.lscap';

interface Counted {
  readonly class: string;
  readonly walks: number;
  readonly verdict: string;
}
interface Analyzed {
  readonly rules: readonly { readonly walks: number; readonly verdicts: Record<string, number>; readonly counted: readonly Counted[] }[];
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
