/**
 * Targets and Live session in a browser, against THIS host: the targets list, a real preflight
 * (each check with its remediation, the probe plan), then a real 6 s live session with the
 * linkstorm workload — its counters must move on screen, it must finish, and its capture must
 * open in the Verdicts view. Needs root, bpftrace and the helpers (`npm run build:workload`);
 * without the helpers it fails saying so. Waits on what the page shows, never on sleeps.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { UiSession } from './ui-harness.js';
import { openUi, screenshot } from './ui-harness.js';

const HELPERS = ['build/bpf/linkstorm', 'build/bpf/lockscope-misses'];

async function eventsShown(page: Page): Promise<number> {
  const text = await page.locator('[data-testid=events]').innerText();
  return Number(text.replace(/,/g, ''));
}

/** Runs in the page (this file is compiled without the DOM's types): the events counter shows more than n. */
function eventsAbove(n: number): boolean {
  const doc = (globalThis as unknown as { readonly document: { querySelector(sel: string): { readonly textContent: string | null } | null } }).document;
  return Number((doc.querySelector('[data-testid=events]')?.textContent ?? '0').replace(/,/g, '')) > n;
}

describe('Targets and Live session (browser, this host)', () => {
  let ui: UiSession;
  before(async () => {
    ui = await openUi({ captures: [] });
  });
  after(async () => {
    await ui.close();
  });

  it('lists this machine as a target', async () => {
    await ui.page.locator('button[data-view=targets]').click();
    await ui.page.locator('[data-target=local]').waitFor();
    assert.match(await ui.page.locator('[data-target=local]').innerText(), /This machine/);
    await screenshot(ui.page, 'targets');
  });

  it('preflight of local shows every check, remediations, and the probe plan', async () => {
    await ui.page.locator('[data-testid=run-preflight]').click();
    await ui.page.locator('[data-testid=preflight]').waitFor({ timeout: 180_000 });
    const rows = ui.page.locator('tr.check');
    assert.equal(await rows.count(), 12, 'the twelve preflight checks');
    // Every check that is not fine and has a step to take shows it.
    const statuses: string[] = [];
    for (let i = 0; i < (await rows.count()); i++) {
      const row = rows.nth(i);
      const status = (await row.getAttribute('data-status')) ?? '';
      statuses.push(`${(await row.getAttribute('data-check')) ?? ''}=${status}`);
    }
    assert.ok(statuses.some((s) => s.endsWith('=warn') || s.endsWith('=fail')) ? (await ui.page.locator('[data-testid=remediation]').count()) > 0 : true, statuses.join(' '));
    await ui.page.locator('.plan-details summary').click();
    const plan = await ui.page.locator('[data-testid=plan]').innerText();
    const proves = await ui.page.locator('[data-testid=proves]').innerText();
    assert.ok(plan.includes(proves.split('\n')[0] ?? '-'), proves);
    assert.match(plan, /^probe plan for local: kernel /m);
    assert.match(plan, /rule io-wq-link-walk-uring-lock:\n {2}HELD +(yes|no )/);
    if (statuses.includes('kprobes=fail')) {
      // No kprobes: the plan must say the walks cannot be decided, and why.
      assert.match(proves, /walks will be UNKNOWN: .*no kprobes/);
      assert.match(await ui.page.locator('tr[data-check=kprobes] [data-testid=remediation]').innerText(), /CONFIG_KPROBES/);
    }
    await screenshot(ui.page, 'preflight');
    await ui.page.locator('[data-testid=proves]').scrollIntoViewIfNeeded();
    await screenshot(ui.page, 'preflight-plan');
    const blocked = ui.page.locator('[data-testid=session-blocked]');
    assert.equal(await blocked.count(), 0, `the session form is blocked: ${(await blocked.count()) > 0 ? await blocked.innerText() : ''}`);
    // The evidence period: 1000 ms unless changed; whole milliseconds from 0 to 60,000.
    const evidence = ui.page.locator('input[name=evidence]');
    assert.equal(await evidence.inputValue(), '1000');
    for (const bad of ['60001', '1.5', 'x', '']) {
      await evidence.fill(bad);
      assert.match(await blocked.innerText(), /evidence period in whole milliseconds, from 0 \(every window recorded\) to 60,000/, bad);
      assert.ok(await ui.page.locator('[data-testid=start-session]').isDisabled(), bad);
    }
    await evidence.fill('250');
    assert.equal(await blocked.count(), 0);
    await ui.page.locator('[data-testid=session-form]').scrollIntoViewIfNeeded();
    await screenshot(ui.page, 'session-form');
  });

  it('a live session on local: counters move, it finishes, its capture opens', async () => {
    const missing = HELPERS.filter((f) => !existsSync(f));
    assert.deepEqual(missing, [], `${missing.join(', ')} missing: run npm run build:workload (the session needs the linkstorm workload and the miss reader)`);
    const page = ui.page;
    await page.locator('input[name=duration]').fill('6');
    await page.locator('select[name=workload]').selectOption('linkstorm');
    await page.locator('input[name=chain]').fill('4');
    await page.locator('input[name=inflight]').fill('2');
    await page.locator('[data-testid=start-session]').click();
    await page.locator('main.view[data-view=live] [data-testid=session]').waitFor();

    // The counters move: two readings on screen, the second larger.
    await page.waitForFunction(eventsAbove, 0, { timeout: 120_000 });
    const first = await eventsShown(page);
    await page.waitForFunction(eventsAbove, first, { timeout: 30_000 });
    const second = await eventsShown(page);
    assert.ok(second > first, `events ${first} then ${second}`);
    assert.match(await page.locator('[data-testid=capture-path]').innerText(), /\/captures\/local-\d{8}-\d{6}\.lscap$/);
    // The chart of the last seconds, while it still records (it starts after two seconds of six).
    await page.locator('[data-testid=session][data-state=recording] [data-testid=live-chart]').waitFor({ timeout: 30_000 });
    await screenshot(page, 'live');

    await page.locator('[data-testid=session][data-state=finished]').waitFor({ timeout: 300_000 });
    const outcome = await page.locator('[data-testid=outcome]').innerText();
    assert.match(outcome, /^Exit [0-3]: /);
    const log = await page.locator('[data-testid=session-log]').innerText();
    assert.match(log, /session ended \(duration 6s reached\)/);
    assert.match(log, /workload ended \(exit 0\): linkstorm chains=/);
    // The verdicts shown match what the engine's capture says.
    const held = await page.locator('[data-testid=held]').innerText();
    await screenshot(page, 'live-finished');

    await page.locator('[data-testid=open-verdicts]').click();
    await page.locator('main.view[data-view=verdicts]').waitFor();
    const tab = page.locator('.capture-tab.active');
    assert.match((await tab.getAttribute('data-capture')) ?? '', /^local-\d{8}-\d{6}\.lscap$/);
    const sessions = await ui.engine.listSessions({});
    assert.ok(sessions.ok);
    const s = sessions.value[0];
    assert.ok(s !== undefined && s.captureId !== undefined && s.state === 'finished');
    const summary = await ui.engine.getSummary({ captureId: s.captureId });
    assert.ok(summary.ok);
    assert.equal(Number(held.replace(/,/g, '')), summary.value.summary.rules[0]?.verdicts.HELD ?? 0);
    assert.equal(summary.value.exitCode === s.exitCode || s.exitCode === 2, true, `session exit ${String(s.exitCode)}, capture ${summary.value.exitCode}`);
    await screenshot(page, 'session-verdicts');
  });

  it('Stop ends a running session as Ctrl-C does, and its capture is kept', async () => {
    const page = ui.page;
    await page.locator('button[data-view=targets]').click();
    await page.locator('input[name=duration]').fill('120');
    await page.locator('select[name=workload]').selectOption('none');
    await page.locator('[data-testid=start-session]').click();
    const session = page.locator('main.view[data-view=live] [data-testid=session]');
    await page.locator('[data-testid=session][data-state=recording]').waitFor({ timeout: 120_000 });
    await page.locator('[data-testid=stop-session]').click();
    await page.locator('[data-testid=session][data-state=finished]').waitFor({ timeout: 120_000 });
    assert.match(await session.locator('[data-testid=session-log]').innerText(), /session ended \(stopped by the user\)/);
    assert.equal(await page.locator('[data-testid=open-verdicts]').count(), 1);
    // Both sessions are listed, the newest first.
    assert.equal(await page.locator('.session-item').count(), 2);
  });

  it('adding a target: a bad address is refused with why, a good one is listed', async () => {
    const page = ui.page;
    await page.locator('button[data-view=targets]').click();
    await page.locator('[data-testid=add-target]').click();
    await page.locator('input[name=address]').fill('ssh://root@db9:99999');
    await page.locator('[data-testid=target-form] button[type=submit]').click();
    assert.match(await page.locator('[data-testid=target-form-problem]').innerText(), /port 99999 is out of range/);
    await page.locator('input[name=address]').fill('ssh://root@db9:2222');
    await page.locator('input[name=label]').fill('staging db');
    await page.locator('[data-testid=target-form] button[type=submit]').click();
    await page.locator('[data-target=root_db9_2222]').waitFor();
    assert.equal(await page.locator('[data-testid=target-title]').innerText(), 'staging db');
    await screenshot(page, 'targets-added');
  });

  it('after a page reload the Live view still shows the finished session', async () => {
    await ui.page.reload();
    await ui.page.locator('button[data-view=live]').click();
    await ui.page.locator('[data-testid=session][data-state=finished]').waitFor();
    assert.equal(await ui.page.locator('.session-item').count(), 2);
    await ui.page.locator('.session-item').last().click();
    await ui.page.locator('[data-testid=session][data-state=finished] [data-testid=live-chart]').waitFor();
    await ui.page.locator('button.theme').click();
    await ui.page.locator('html[data-theme=dark]').waitFor();
    await screenshot(ui.page, 'live-finished-dark');
    await ui.page.locator('button[data-view=targets]').click();
    await ui.page.locator('[data-target=local]').waitFor();
    await screenshot(ui.page, 'targets-dark');
    assert.deepEqual(ui.pageErrors, []);
  });

  it('a damaged targets.json is shown as a notice, left alone, and local still works', async () => {
    const file = join(ui.stateDir, 'targets.json');
    writeFileSync(file, '{"version": 1, "targets": [');
    await ui.page.reload();
    await ui.page.locator('button[data-view=targets]').click();
    await ui.page.locator('[data-testid=targets-error]').waitFor();
    assert.match(await ui.page.locator('[data-testid=targets-error]').innerText(), /targets\.json: not JSON/);
    assert.match(await ui.page.locator('.notice').first().innerText(), /targets\.json/);
    await ui.page.locator('[data-target=local]').waitFor();
    assert.equal(readFileSync(file, 'utf8'), '{"version": 1, "targets": [');
    await screenshot(ui.page, 'targets-damaged');
  });
});
