/** What the app's windows may do beyond showing the app: nothing. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APP_ENTRY_URL, APP_ORIGIN } from '../../main/electron/app-origin.js';
import { allowNavigation, allowPermission, allowWebview, windowOpenPolicy } from '../../main/electron/navigation-policy.js';

const ELSEWHERE = [
  'http://evil.example/',
  'https://github.com/',
  'file:///etc/passwd',
  'file:///home/u/capture.lscap',
  'lockscope://evil/index.html',
  'lockscope://app.evil/index.html',
  'lockscope://app:1/index.html',
  'lockscope://user:pw@app/index.html',
  'javascript:alert(1)',
  'data:text/html,<script>1</script>',
  'about:blank',
  'chrome://settings',
  'not a url',
];

describe('navigation policy', () => {
  it('lets the window move within the app (a reload, a fragment)', () => {
    assert.equal(allowNavigation(APP_ENTRY_URL), true);
    assert.equal(allowNavigation(`${APP_ORIGIN}/`), true);
    assert.equal(allowNavigation(`${APP_ORIGIN}/index.html#view=stats`), true);
  });

  for (const url of ELSEWHERE) {
    it(`blocks navigation to ${url}`, () => {
      assert.equal(allowNavigation(url), false);
    });
  }

  it('denies every window.open, the app origin included', () => {
    for (const url of [APP_ENTRY_URL, ...ELSEWHERE]) {
      assert.deepEqual(windowOpenPolicy(url), { action: 'deny' });
    }
  });

  it('denies every permission and any webview', () => {
    for (const p of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'unknown']) {
      assert.equal(allowPermission(p, APP_ENTRY_URL), false);
    }
    assert.equal(allowWebview(), false);
  });
});
