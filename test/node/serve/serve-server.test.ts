/** lockscope serve: who may call the API, what it refuses, and what it serves. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AppEvent } from '../../../main/core/app/app-contract.js';
import type { Engine } from '../../../main/node/engine/engine.js';
import { createEngine } from '../../../main/node/engine/engine.js';
import { loadRules } from '../../../main/node/commands/analysis-run.js';
import type { Serving } from '../../../main/node/serve/serve-server.js';
import { RENDERER_CSP } from '../../../main/node/renderer-files.js';
import { serve } from '../../../main/node/serve/serve-server.js';

const TOKEN = '0123456789abcdef0123456789abcdef';

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** A raw request, so that Host and Origin can be anything. */
function send(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers });
      });
    });
    req.on('error', reject);
    if (body !== undefined) {
      req.write(body);
    }
    req.end();
  });
}

describe('lockscope serve', () => {
  let dir: string;
  let engine: Engine;
  let serving: Serving;
  let calls: string[];
  let host: string;
  const api = (method: string, body: string, extra: Record<string, string> = {}): Promise<Reply> =>
    send(serving.port, 'POST', `/api/${method}`, { host, 'x-lockscope-token': TOKEN, 'content-type': 'application/json', ...extra }, body);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lockscope-serve-'));
    mkdirSync(join(dir, 'renderer'));
    writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(dir, 'secret.txt'), 'outside the renderer');
    const real = createEngine({ rules: loadRules(undefined), initialCaptures: ['test/fixtures/captures/sample-7.2-patched.lscap'], stateDir: dir, sshConfig: undefined, capturesDir: join(dir, 'c'), warn: () => undefined });
    calls = [];
    // Records which methods reached the engine.
    engine = new Proxy(real, {
      get(target, prop, receiver) {
        const v: unknown = Reflect.get(target, prop, receiver);
        if (typeof v === 'function' && typeof prop === 'string' && prop !== 'onEvent' && prop !== 'dispose') {
          return (...args: unknown[]) => {
            calls.push(prop);
            return (v as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return v;
      },
    });
    serving = await serve({ engine, rendererDir: join(dir, 'renderer'), port: 0, token: TOKEN });
    host = `127.0.0.1:${serving.port}`;
  });
  after(async () => {
    await serving.close();
    await engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a loopback URL whose fragment carries the token', () => {
    assert.equal(serving.url, `http://127.0.0.1:${serving.port}/#token=${TOKEN}`);
  });

  it('answers a call with the token', async () => {
    const r = await api('listCaptures', '{}');
    assert.equal(r.status, 200);
    const parsed = JSON.parse(r.body) as { ok: boolean; value: { name: string }[] };
    assert.equal(parsed.ok, true);
    assert.deepEqual(parsed.value.map((c) => c.name), ['sample-7.2-patched.lscap']);
  });

  it('refuses a missing or wrong token, and the engine never sees the call', async () => {
    calls.length = 0;
    const variants: Record<string, string>[] = [{}, { 'x-lockscope-token': 'x' }, { 'x-lockscope-token': TOKEN.slice(0, -1) + '0' }];
    for (const headers of variants) {
      const r = await send(serving.port, 'POST', '/api/listCaptures', { host, ...headers }, '{}');
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.match(r.body, /"code":"denied"/);
    }
    assert.deepEqual(calls, []);
  });

  it('refuses another Host (DNS rebinding) and a foreign Origin', async () => {
    const rebound = await send(serving.port, 'POST', '/api/listCaptures', { host: `evil.example:${serving.port}`, 'x-lockscope-token': TOKEN }, '{}');
    assert.equal(rebound.status, 421);
    const foreign = await api('listCaptures', '{}', { origin: 'http://evil.example' });
    assert.equal(foreign.status, 403);
    const own = await api('listCaptures', '{}', { origin: `http://127.0.0.1:${serving.port}` });
    assert.equal(own.status, 200);
  });

  it('refuses bad arguments before the engine runs, naming the field', async () => {
    calls.length = 0;
    const cases: [string, string, RegExp][] = [
      ['queryWalks', JSON.stringify({ captureId: 'c1', verdict: 'MAYBE', offset: 0, limit: 10 }), /verdict/],
      ['queryWalks', JSON.stringify({ captureId: 'c1', verdict: 'ALL', offset: 0, limit: 100000 }), /limit/],
      ['getWalk', JSON.stringify({ captureId: '../etc', index: 1 }), /captureId/],
      ['getWalk', JSON.stringify({ captureId: 'c1', index: 1, extra: true }), /refused/],
      ['saveTarget', JSON.stringify({ address: 'host; rm -rf /', label: '' }), /address/],
      ['openCaptureBytes', JSON.stringify({ name: '../x.lscap', base64: '' }), /name/],
      ['getSummary', 'not json', /not JSON/],
    ];
    for (const [method, body, why] of cases) {
      const r = await api(method, body);
      assert.equal(r.status, 400, `${method} ${body}`);
      assert.match(r.body, /"code":"bad_request"/);
      assert.match(r.body, why, r.body);
    }
    assert.deepEqual(calls, []);
  });

  it('an unknown method or a GET is refused', async () => {
    assert.equal((await api('constructor', '{}')).status, 404);
    assert.equal((await api('__proto__', '{}')).status, 404);
    assert.equal((await send(serving.port, 'GET', '/api/listCaptures', { host, 'x-lockscope-token': TOKEN })).status, 405);
  });

  it('serves the renderer with its CSP, and nothing outside it', async () => {
    const index = await send(serving.port, 'GET', '/', { host });
    assert.equal(index.status, 200);
    assert.equal(index.headers['content-security-policy'], RENDERER_CSP);
    assert.match(RENDERER_CSP, /^default-src 'none'/);
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/secret.txt', '/index.exe']) {
      const r = await send(serving.port, 'GET', path, { host });
      assert.equal(r.status, 404, path);
      assert.doesNotMatch(r.body, /outside the renderer/);
    }
  });

  it('streams events to a client with the token', async () => {
    const got = new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: serving.port, path: `/api/events?token=${TOKEN}`, headers: { host } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString('utf8');
          if (text.includes('event: captures')) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    const seen: AppEvent[] = [];
    const off = engine.onEvent((e) => seen.push(e));
    // Opening a capture changes the list: a `captures` event.
    await new Promise((r) => setTimeout(r, 100));
    const r = await api('openCaptureFile', JSON.stringify({ path: 'test/fixtures/captures/sample-6.1-unpatched.lscap' }));
    assert.equal(r.status, 200);
    const text = await got;
    off();
    assert.match(text, /event: captures\ndata: \[.*sample-6\.1-unpatched\.lscap/);
    assert.equal(seen[0]?.name, 'captures');
    const wrong = await send(serving.port, 'GET', '/api/events?token=nope', { host });
    assert.equal(wrong.status, 401);
  });
});
