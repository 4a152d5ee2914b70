/** Calls made before the engine exists wait for it; listeners attach when it comes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppEvent } from '../../main/core/app/app-contract.js';
import { engineWhenReady } from '../../main/electron/engine-when-ready.js';
import type { EngineLike } from '../../main/electron/ipc-main-core.js';
import { recordingEngine } from './fakes.js';

describe('engineWhenReady', () => {
  it('holds calls until the engine is there, then answers them in order', async () => {
    const rec = recordingEngine();
    let resolve: (e: EngineLike) => void = () => undefined;
    const lazy = engineWhenReady(new Promise<EngineLike>((r) => { resolve = r; }));
    const a = lazy.listCaptures({});
    const b = lazy.getSummary({ captureId: 'c1' });
    await new Promise((r) => setImmediate(r));
    assert.equal(rec.calls.length, 0);
    resolve(rec.engine);
    assert.deepEqual(await a, { ok: true, value: { echo: 'listCaptures' } });
    assert.deepEqual(await b, { ok: true, value: { echo: 'getSummary' } });
    assert.deepEqual(rec.calls.map((c) => c.method), ['listCaptures', 'getSummary']);
  });

  it('attaches listeners when the engine comes, and a listener removed before then never attaches', async () => {
    const rec = recordingEngine();
    let resolve: (e: EngineLike) => void = () => undefined;
    const ready = new Promise<EngineLike>((r) => { resolve = r; });
    const lazy = engineWhenReady(ready);
    const got: AppEvent[] = [];
    const offKept = lazy.onEvent((e) => got.push(e));
    const offEarly = lazy.onEvent(() => assert.fail('a removed listener was called'));
    offEarly();
    resolve(rec.engine);
    await ready;
    await new Promise((r) => setImmediate(r));
    assert.equal(rec.listeners(), 1);
    const e: AppEvent = { name: 'captures', payload: [] };
    rec.emit(e);
    assert.deepEqual(got, [e]);
    offKept();
    assert.equal(rec.listeners(), 0);
  });
});
