/** The app frame in a browser: bundled captures as tabs, views switch, a bad file is a notice. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { UiSession } from './ui-harness.js';
import { openUi, screenshot } from './ui-harness.js';

describe('app frame (browser, lockscope serve)', () => {
  let ui: UiSession;
  before(async () => {
    ui = await openUi();
  });
  after(async () => {
    await ui.close();
  });

  it('opens with the bundled real captures as tabs and no page errors', async () => {
    const tabs = ui.page.locator('.capture-tab');
    await tabs.first().waitFor();
    const names: (string | null)[] = [];
    for (let i = 0; i < (await tabs.count()); i++) {
      names.push(await tabs.nth(i).getAttribute('data-capture'));
    }
    assert.deepEqual(names, ['lab-6.1-unpatched.lscap', 'lab-sid-7.2-patched.lscap']);
    await screenshot(ui.page, 'frame');
    assert.deepEqual(ui.pageErrors, []);
  });

  it('a file that is not a capture shows a clear notice, and the app keeps working', async () => {
    await ui.page.locator('[data-testid=open-file]').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('this is not a capture\n') });
    const notice = ui.page.locator('.notice');
    await notice.first().waitFor();
    assert.match(await notice.first().innerText(), /notes\.txt/);
    await screenshot(ui.page, 'bad-file');
    // Still working: the view tabs switch and the captures are still there.
    await ui.page.locator('button[data-view=stats]').click();
    await ui.page.locator('main.view[data-view=stats]').waitFor();
    assert.equal(await ui.page.locator('.capture-tab').count(), 2);
  });

  it('a wrong token gets no data', async () => {
    const r = await fetch(`http://127.0.0.1:${ui.serving.port}/api/listCaptures`, { method: 'POST', headers: { 'x-lockscope-token': 'nope' }, body: '{}' });
    assert.equal(r.status, 401);
  });
});
