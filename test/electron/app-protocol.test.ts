/** lockscope://app/ serves build/renderer's files, with the serve CSP, and nothing else. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appFileFor, serveAppRequest } from '../../main/electron/app-protocol.js';
import { RENDERER_CSP } from '../../main/node/renderer-files.js';

let root = '';
let dir = '';

before(() => {
  root = mkdtempSync(join(tmpdir(), 'lockscope-protocol-'));
  dir = join(root, 'renderer');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Lockscope</title>');
  writeFileSync(join(dir, 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'app.css'), 'body{}');
  writeFileSync(join(dir, 'sub', 'x.svg'), '<svg/>');
  writeFileSync(join(dir, 'notes.txt'), 'not served');
  writeFileSync(join(root, 'secret.js'), 'outside');
  writeFileSync(join(root, 'renderer-evil.js'), 'beside, sharing the prefix');
});

after(() => {
  rmSync(root, { recursive: true, force: true });
});

const get = (url: string, method = 'GET') => serveAppRequest(dir, { url, method });

describe('the lockscope:// scheme', () => {
  it('serves index.html at the root and by name, with the CSP and no caching', async () => {
    for (const url of ['lockscope://app/', 'lockscope://app', 'lockscope://app/index.html', 'lockscope://app/index.html?x=1#t']) {
      const r = await get(url);
      assert.equal(r.status, 200, url);
      assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(r.headers.get('content-security-policy'), RENDERER_CSP);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(r.headers.get('cache-control'), 'no-store');
      assert.match(await r.text(), /<title>Lockscope/);
    }
  });

  it('serves the bundle with module-script types', async () => {
    const js = await get('lockscope://app/app.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(await js.text(), 'console.log(1)');
    assert.equal((await get('lockscope://app/app.css')).headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal((await get('lockscope://app/sub/x.svg')).status, 200);
  });

  const refused = [
    'lockscope://app/../secret.js',
    'lockscope://app/%2e%2e/secret.js',
    'lockscope://app/%2E%2E%2Fsecret.js',
    'lockscope://app/..%2Fsecret.js',
    'lockscope://app/..%5Csecret.js',
    'lockscope://app/sub/..%2F..%2Fsecret.js',
    'lockscope://app/../renderer-evil.js',
    'lockscope://app/app.js%00.html',
    'lockscope://app/%E0%A4%A',
    'lockscope://app/notes.txt',
    'lockscope://app/missing.js',
    'lockscope://app/sub',
    'lockscope://evil/index.html',
    'lockscope://app.evil/index.html',
    'lockscope://u@app/index.html',
    'lockscope://app:99/index.html',
    'file:///etc/passwd',
    'http://app/index.html',
  ];
  for (const url of refused) {
    it(`refuses ${url} with 404`, async () => {
      const r = await get(url);
      assert.equal(r.status, 404);
      assert.equal(r.headers.get('content-security-policy'), RENDERER_CSP);
      assert.equal(await r.text(), 'not found');
    });
  }

  it('never maps a URL outside the renderer directory', () => {
    for (const url of refused) {
      const f = appFileFor(dir, url);
      assert.ok(f === undefined || f.startsWith(`${dir}/`), `${url} → ${String(f)}`);
    }
  });

  it('answers only GET and HEAD', async () => {
    assert.equal((await get('lockscope://app/index.html', 'POST')).status, 405);
    assert.equal((await get('lockscope://app/index.html', 'PUT')).status, 405);
    assert.equal((await get('lockscope://app/index.html', 'HEAD')).status, 200);
  });
});
