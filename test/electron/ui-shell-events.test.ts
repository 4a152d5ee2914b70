/**
 * The renderer as the desktop app runs it: a stand-in for the preload's window.lockscope (its
 * verbs forwarded to the engine through lockscope serve's API; its events pushed by the test as
 * the shell's menu would send them). The frame must offer the shell's open dialog, and act on the
 * menu's events: switch view, close the current capture, show what the shell opened, show notices.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { ShellEvent } from '../../main/core/app/app-contract.js';
import { bundledCaptures } from '../../main/node/app-paths.js';
import type { UiSession } from '../ui/ui-harness.js';
import { openUi, screenshot } from '../ui/ui-harness.js';

/** window.lockscope as the preload exposes it, over the serve API; window.__shell(e) plays a shell event. */
function fakePreload(token: string, pickPath: string): string {
  return `(() => {
    const listeners = new Set();
    const call = (m, a) => fetch('/api/' + m, { method: 'POST', headers: { 'content-type': 'application/json', 'x-lockscope-token': ${JSON.stringify(token)} }, body: JSON.stringify(a ?? {}) }).then((r) => r.json());
    const api = new Proxy({}, { get: (_t, m) => (a) => call(String(m), a) });
    window.__picks = 0;
    window.lockscope = {
      api,
      onEvent: (l) => { listeners.add(l); return () => listeners.delete(l); },
      pickCaptureFiles: async () => {
        window.__picks++;
        const r = await call('openCaptureFile', { path: ${JSON.stringify(pickPath)} });
        return r.ok ? { ok: true, value: [r.value] } : r;
      },
      pathForFile: (f) => '/nowhere/' + f.name,
    };
    window.__shell = (payload) => { for (const l of listeners) l({ name: 'shell', payload }); };
    // The engine's own events, as ipc-main-core.ts broadcasts them.
    const source = new EventSource('/api/events?token=' + ${JSON.stringify(token)});
    for (const name of ['captures', 'session']) {
      source.addEventListener(name, (m) => { const payload = JSON.parse(m.data); for (const l of listeners) l({ name, payload }); });
    }
  })();`;
}

async function shellEvent(page: Page, e: ShellEvent): Promise<void> {
  await page.evaluate(`window.__shell(${JSON.stringify(e)})`);
}

describe('the renderer under the desktop shell (stand-in preload)', () => {
  let ui: UiSession;
  let page: Page;
  const sid = bundledCaptures().find((p) => p.includes('sid'));
  const dir = mkdtempSync(join(tmpdir(), 'lockscope-shell-ui-'));
  const picked = join(dir, 'picked.lscap');

  before(async () => {
    ui = await openUi();
    assert.ok(sid !== undefined, 'the bundled sid capture');
    copyFileSync(sid, picked);
    const context = await ui.browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: 'light' });
    page = await context.newPage();
    page.on('pageerror', (e) => ui.pageErrors.push(e.message));
    await page.addInitScript(fakePreload(ui.serving.token, picked));
    await page.goto(ui.serving.url);
    await page.locator('.capture-tab').nth(1).waitFor();
  });
  after(async () => {
    await ui.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('offers the shell open dialog instead of a file input, and shows what it opened', async () => {
    assert.equal(await page.locator('[data-testid=open-file]').count(), 0);
    await page.locator('.actions button', { hasText: 'Open capture…' }).click();
    // The engine's captures event may add the tab before the verb's answer selects it: wait for both.
    await page.locator('.capture-tab.active[data-capture="picked.lscap"]').waitFor();
    assert.equal(await page.evaluate('window.__picks'), 1);
    assert.equal(await page.locator('.capture-tab').count(), 3);
  });

  it('View menu: each view event switches the view', async () => {
    for (const view of ['stats', 'targets', 'timeline', 'live', 'verdicts'] as const) {
      await shellEvent(page, { kind: 'view', view });
      await page.locator(`main.view[data-view=${view}]`).waitFor();
    }
    await screenshot(page, 'electron-shell-frame');
  });

  it('File › Close Capture closes the capture shown, and only it', async () => {
    const before = await page.locator('.capture-tab').count();
    const shown = await page.locator('.capture-tab.active').getAttribute('data-capture');
    assert.ok(shown !== null);
    await shellEvent(page, { kind: 'closeCapture' });
    // A tab fewer (locators, not waitForFunction: a string predicate is eval, which the CSP refuses).
    await page.locator('.capture-tab').nth(before - 1).waitFor({ state: 'detached' });
    assert.equal(await page.locator('.capture-tab').count(), before - 1);
    const list = await ui.engine.listCaptures({});
    assert.ok(list.ok);
    assert.equal(list.value.length, before - 1);
    assert.ok(!list.value.some((c) => c.name === shown), `${shown} is closed`);
  });

  it('captures the shell opened become the current one; notices are shown', async () => {
    const first = await ui.engine.listCaptures({});
    assert.ok(first.ok && first.value[0] !== undefined);
    await shellEvent(page, { kind: 'opened', captures: [first.value[0]] });
    await page.locator(`.capture-tab.active[data-capture=${JSON.stringify(first.value[0].name)}]`).waitFor();
    await shellEvent(page, { kind: 'notice', error: { code: 'not_found', message: 'Open Recent: old.lscap is no longer at /data/old.lscap and was removed from the list' } });
    const notice = page.locator('.notice', { hasText: 'old.lscap' });
    await notice.waitFor();
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.locator('button.theme').click();
    await screenshot(page, 'electron-shell-notice-dark');
    assert.deepEqual(ui.pageErrors, []);
  });
});
