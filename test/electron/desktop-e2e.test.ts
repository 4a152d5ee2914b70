/**
 * The desktop app end to end, without Electron: chromium shows the renderer as served by the
 * lockscope:// handler (app-protocol.ts, through a route), the real preload bundle runs in the page
 * with a stand-in electron whose ipcRenderer goes to ipc-main-core.ts (sender check, schema check)
 * and on to the real engine; the engine's events come back through the window registry. What the
 * UI shows must be what the engine says.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { APP_ENTRY_URL } from '../../main/electron/app-origin.js';
import { serveAppRequest } from '../../main/electron/app-protocol.js';
import type { IpcBinding } from '../../main/electron/ipc-main-core.js';
import { registerIpc } from '../../main/electron/ipc-main-core.js';
import type { SenderEventLike } from '../../main/electron/sender-policy.js';
import { WindowRegistry } from '../../main/electron/window-registry.js';
import { APP_ROOT, RENDERER_DIR } from '../../main/node/app-paths.js';
import type { UiSession } from '../ui/ui-harness.js';
import { openUi, screenshot } from '../ui/ui-harness.js';
import { FakeIpcMain, frame } from './fakes.js';

const HOST = 'http://app.lockscope.test';
const BUNDLE = readFileSync(join(APP_ROOT, 'build', 'main', 'electron', 'preload-bundle.cjs'), 'utf8');

/** Runs the preload bundle in the page with a stand-in electron (as Electron runs it before the page's scripts). */
function preloadInPage(): string {
  return `(() => {
    const listeners = new Map();
    const electron = {
      contextBridge: { exposeInMainWorld: (k, v) => { window[k] = Object.freeze(v); } },
      ipcRenderer: {
        invoke: (channel, ...args) => window.__lsInvoke(channel, args),
        on: (ch, l) => { if (!listeners.has(ch)) listeners.set(ch, new Set()); listeners.get(ch).add(l); },
        removeListener: (ch, l) => { listeners.get(ch)?.delete(l); },
      },
      webUtils: { getPathForFile: (f) => '/dropped/' + f.name },
    };
    window.__lsEmit = (ch, payload) => { for (const l of listeners.get(ch) ?? []) l({ sender: 'not for the page' }, payload); };
    const module = { exports: {} };
    (function (require, module, exports) {
${BUNDLE}
    })((id) => { if (id !== 'electron') throw new Error('preload required ' + id); return electron; }, module, module.exports);
  })();`;
}

describe('desktop app end to end (renderer + real preload + ipc-main-core + engine, no Electron)', () => {
  let ui: UiSession;
  let page: Page;
  let binding: IpcBinding;
  const invoked: string[] = [];

  before(async () => {
    ui = await openUi();
    const context = await ui.browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: 'light' });
    page = await context.newPage();
    page.on('pageerror', (e) => ui.pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') {
        ui.pageErrors.push(m.text());
      }
    });
    const ipc = new FakeIpcMain();
    const windows = new WindowRegistry();
    windows.add({
      id: 1,
      send: (channel, ...args) => {
        void page.evaluate(`window.__lsEmit(${JSON.stringify(channel)}, ${JSON.stringify(args[0])})`);
      },
      isDestroyed: () => page.isClosed(),
      getURL: () => APP_ENTRY_URL,
    });
    binding = registerIpc({ ipc, engine: ui.engine, windows, shell: { pickCaptureFiles: () => Promise.resolve({ ok: true, value: [] }) }, onOpenedFile: () => undefined });
    const main = frame(APP_ENTRY_URL);
    const sender: SenderEventLike = { sender: { id: 1, mainFrame: main }, senderFrame: main };
    await page.exposeFunction('__lsInvoke', (channel: string, args: unknown[]) => {
      invoked.push(channel);
      return ipc.invoke(channel, sender, ...args);
    });
    await context.route(`${HOST}/**`, async (route) => {
      const u = new URL(route.request().url());
      const r = await serveAppRequest(RENDERER_DIR, { url: `lockscope://app${u.pathname}`, method: route.request().method() });
      await route.fulfill({ status: r.status, headers: Object.fromEntries(r.headers), body: Buffer.from(await r.arrayBuffer()) });
    });
    await page.addInitScript(preloadInPage());
    await page.goto(`${HOST}/`);
  });
  after(async () => {
    binding.dispose();
    await ui.close();
  });

  it('the page runs under the CSP with the real preload: window.lockscope is the only bridge', async () => {
    await page.locator('.capture-tab').first().waitFor();
    assert.equal(await page.evaluate('typeof window.lockscope.api.getSummary'), 'function');
    assert.equal(await page.evaluate('typeof window.require + typeof window.ipcRenderer + typeof window.process'), 'undefinedundefinedundefined');
    // The frame knows it runs in the desktop shell: no file input, the shell's dialog instead.
    assert.equal(await page.locator('[data-testid=open-file]').count(), 0);
    assert.deepEqual(ui.pageErrors, []);
  });

  it('the captures and verdicts shown are the engine’s, reached through IPC', async () => {
    const list = await ui.engine.listCaptures({});
    assert.ok(list.ok);
    const tabs = page.locator('.capture-tab');
    await tabs.nth(list.value.length - 1).waitFor();
    const names: (string | null)[] = [];
    for (let i = 0; i < (await tabs.count()); i++) {
      names.push(await tabs.nth(i).getAttribute('data-capture'));
    }
    assert.deepEqual(names, list.value.map((c) => c.name));
    const first = list.value[0];
    assert.ok(first !== undefined);
    const summary = await ui.engine.getSummary({ captureId: first.id });
    assert.ok(summary.ok);
    const walks = summary.value.summary.rules[0]?.walks;
    assert.ok(walks !== undefined && walks > 0);
    await page.locator('main.view[data-view=verdicts]').getByText(walks.toLocaleString('en-US')).first().waitFor();
    assert.ok(invoked.includes('lockscope:listCaptures') && invoked.includes('lockscope:getSummary'));
    await screenshot(page, 'electron-e2e-verdicts');
  });

  it('closing a capture goes to the engine, whose event comes back through the window registry', async () => {
    const before = (await page.locator('.capture-tab').count());
    await page.locator('.capture-tab').last().locator('button.close').click();
    // A tab fewer (locators, not waitForFunction: a string predicate is eval, which the CSP refuses).
    await page.locator('.capture-tab').nth(before - 1).waitFor({ state: 'detached' });
    assert.equal(await page.locator('.capture-tab').count(), before - 1);
    const list = await ui.engine.listCaptures({});
    assert.ok(list.ok);
    assert.equal(list.value.length, before - 1);
    assert.ok(invoked.includes('lockscope:closeCapture'));
    assert.deepEqual(ui.pageErrors, []);
  });
});
