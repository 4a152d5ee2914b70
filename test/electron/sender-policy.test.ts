/** Who may call the engine over IPC: only the main frame of an app window showing the app. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APP_ENTRY_URL, isAppUrl } from '../../main/electron/app-origin.js';
import { checkSender } from '../../main/electron/sender-policy.js';
import { WindowRegistry } from '../../main/electron/window-registry.js';
import { FakeContents, frame } from './fakes.js';

function setup(): { readonly windows: WindowRegistry; readonly win: FakeContents } {
  const windows = new WindowRegistry();
  const win = new FakeContents(3);
  windows.add(win);
  return { windows, win };
}

describe('checkSender', () => {
  it('accepts the main frame of an app window at the app origin', () => {
    const { windows, win } = setup();
    assert.equal(checkSender(win.fromMainFrame(), windows), undefined);
    const other = frame('lockscope://app/index.html#walk=3');
    assert.equal(checkSender({ sender: { id: 3, mainFrame: other }, senderFrame: other }, windows), undefined);
  });

  it('rejects a webContents that is not an app window', () => {
    const { windows } = setup();
    const stranger = new FakeContents(99);
    const r = checkSender(stranger.fromMainFrame(), windows);
    assert.equal(r?.code, 'denied');
    assert.match(r.message, /webContents 99/);
  });

  it('rejects a window once it is destroyed or removed', () => {
    const { windows, win } = setup();
    win.destroyed = true;
    assert.equal(checkSender(win.fromMainFrame(), windows)?.code, 'denied');
    const w2 = new FakeContents(4);
    windows.add(w2);
    windows.remove(4);
    assert.equal(checkSender(w2.fromMainFrame(), windows)?.code, 'denied');
  });

  it('rejects a subframe, even one at the app origin', () => {
    const { windows, win } = setup();
    const sub = frame(APP_ENTRY_URL, { routingId: 2, parent: win.mainFrame });
    assert.equal(checkSender({ sender: { id: 3, mainFrame: win.mainFrame }, senderFrame: sub }, windows)?.code, 'denied');
    // A frame claiming no parent but not the main frame (another routing id or process).
    const stray = frame(APP_ENTRY_URL, { routingId: 5 });
    assert.equal(checkSender({ sender: { id: 3, mainFrame: win.mainFrame }, senderFrame: stray }, windows)?.code, 'denied');
    const otherProcess = frame(APP_ENTRY_URL, { processId: 8 });
    assert.equal(checkSender({ sender: { id: 3, mainFrame: win.mainFrame }, senderFrame: otherProcess }, windows)?.code, 'denied');
  });

  it('rejects a frame that is gone', () => {
    const { windows, win } = setup();
    assert.equal(checkSender({ sender: { id: 3, mainFrame: win.mainFrame }, senderFrame: null }, windows)?.code, 'denied');
  });

  for (const url of ['http://evil.example/', 'https://app/', 'file:///work/main/build/renderer/index.html', 'lockscope://evil/index.html', 'lockscope://app:8080/', 'lockscope://x@app/', 'about:blank', 'data:text/html,hi', 'devtools://devtools/bundled/inspector.html', '']) {
    it(`rejects the main frame of an app window showing ${url === '' ? '(no URL)' : url}`, () => {
      const { windows } = setup();
      const f = frame(url);
      const r = checkSender({ sender: { id: 3, mainFrame: f }, senderFrame: f }, windows);
      assert.equal(r?.code, 'denied');
      assert.equal(isAppUrl(url), false);
    });
  }
});
