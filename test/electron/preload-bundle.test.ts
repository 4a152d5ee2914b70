/**
 * The built preload (build/main/electron/preload-bundle.cjs), run in a VM with a stand-in for electron:
 * it exposes exactly the bridge renderer/src/bridge.ts expects, one verb per AppApi method (the
 * contract's list, not a copy that drifted), each invoking a channel ipc-main-core.ts handles; it
 * hands the renderer event payloads, never Electron's event, and requires nothing but electron.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { APP_METHODS } from '../../main/core/app/app-schemas.js';
import { SHELL_METHODS } from '../../main/core/app/shell-contract.js';
import { BRIDGE_APP_METHODS, BRIDGE_SHELL_METHODS } from '../../main/electron/bridge-methods.js';
import { EVENT_CHANNEL } from '../../main/electron/ipc-channels.js';
import { registerIpc } from '../../main/electron/ipc-main-core.js';
import { WindowRegistry } from '../../main/electron/window-registry.js';
import { APP_ROOT } from '../../main/node/app-paths.js';
import { FakeContents, FakeIpcMain, recordingEngine } from './fakes.js';

const BUNDLE = join(APP_ROOT, 'build', 'main', 'electron', 'preload-bundle.cjs');

type Fn = (...args: unknown[]) => unknown;

interface Loaded {
  readonly exposed: Map<string, unknown>;
  readonly invoked: { readonly channel: string; readonly args: readonly unknown[] }[];
  readonly listeners: Map<string, Set<Fn>>;
  readonly required: string[];
  readonly ipcRenderer: object;
}

function load(): Loaded {
  const exposed = new Map<string, unknown>();
  const invoked: { channel: string; args: readonly unknown[] }[] = [];
  const listeners = new Map<string, Set<Fn>>();
  const required: string[] = [];
  const ipcRenderer = {
    invoke: (channel: string, ...args: unknown[]) => {
      invoked.push({ channel, args });
      return Promise.resolve({ ok: true, value: channel });
    },
    on: (channel: string, l: Fn) => {
      listeners.set(channel, (listeners.get(channel) ?? new Set()).add(l));
    },
    removeListener: (channel: string, l: Fn) => {
      listeners.get(channel)?.delete(l);
    },
  };
  const electron = {
    contextBridge: {
      exposeInMainWorld: (key: string, value: unknown) => {
        exposed.set(key, value);
      },
    },
    ipcRenderer,
    webUtils: { getPathForFile: (f: { readonly name: string }) => `/dropped/${f.name}` },
  };
  const module = { exports: {} };
  const require = (id: string): unknown => {
    required.push(id);
    if (id !== 'electron') {
      throw new Error(`a sandboxed preload cannot require ${id}`);
    }
    return electron;
  };
  runInNewContext(readFileSync(BUNDLE, 'utf8'), { require, module, exports: module.exports }, { filename: BUNDLE });
  return { exposed, invoked, listeners, required, ipcRenderer };
}

function bridgeOf(l: Loaded): Record<string, unknown> {
  const b = l.exposed.get('lockscope');
  assert.ok(typeof b === 'object' && b !== null, 'window.lockscope is exposed');
  return b as Record<string, unknown>;
}

describe('the preload bundle', () => {
  it('the method lists it is built from equal the contract (no drift, no duplicates)', () => {
    assert.deepEqual([...BRIDGE_APP_METHODS].sort(), [...APP_METHODS].sort());
    assert.equal(new Set(BRIDGE_APP_METHODS).size, BRIDGE_APP_METHODS.length);
    assert.deepEqual([...BRIDGE_SHELL_METHODS].sort(), [...SHELL_METHODS].sort());
  });

  it('requires only electron and exposes only window.lockscope', () => {
    const l = load();
    assert.deepEqual([...new Set(l.required)], ['electron']);
    assert.deepEqual([...l.exposed.keys()], ['lockscope']);
  });

  it('exposes exactly the PreloadBridge shape: api, onEvent, pickCaptureFiles, pathForFile', () => {
    const b = bridgeOf(load());
    assert.deepEqual(Object.keys(b).sort(), ['api', 'onEvent', 'pathForFile', 'pickCaptureFiles']);
    const api = b.api as Record<string, unknown>;
    assert.deepEqual(Object.keys(api).sort(), [...APP_METHODS].sort());
    assert.ok(Object.values(api).every((f) => typeof f === 'function'));
  });

  it('never hands out ipcRenderer', async () => {
    const l = load();
    const b = bridgeOf(l);
    const seen = new Set<unknown>();
    const visit = (v: unknown): void => {
      if (typeof v === 'object' && v !== null && !seen.has(v)) {
        seen.add(v);
        Object.values(v).forEach(visit);
      }
    };
    visit(b);
    assert.ok(!seen.has(l.ipcRenderer));
    assert.ok(!JSON.stringify(Object.keys(b)).includes('ipc'));
    // What a verb returns is the main process's answer, not a handle.
    assert.deepEqual(await (b.pickCaptureFiles as Fn)(), { ok: true, value: 'lockscope-shell:pickCaptureFiles' });
  });

  it('every verb invokes a channel ipc-main-core.ts handles, with its one argument', async () => {
    const l = load();
    const b = bridgeOf(l);
    const api = b.api as Record<string, Fn>;
    for (const m of APP_METHODS) {
      await api[m]?.({ captureId: 'c1' });
    }
    await (b.pickCaptureFiles as Fn)();
    const ipc = new FakeIpcMain();
    registerIpc({ ipc, engine: recordingEngine().engine, windows: new WindowRegistry(), shell: { pickCaptureFiles: () => Promise.resolve({ ok: true, value: [] }) }, onOpenedFile: () => undefined });
    assert.deepEqual(l.invoked.map((i) => i.channel).sort(), [...ipc.handlers.keys()].sort());
    assert.ok(l.invoked.every((i) => i.args.length === 1));
    assert.deepEqual(l.invoked[0]?.args, [{ captureId: 'c1' }]);
  });

  it('onEvent gives the listener the payload only, and its return unsubscribes', () => {
    const l = load();
    const b = bridgeOf(l);
    const got: unknown[] = [];
    const off = (b.onEvent as Fn)((e: unknown) => got.push(e)) as () => void;
    const subscribed = [...(l.listeners.get(EVENT_CHANNEL) ?? [])];
    assert.equal(subscribed.length, 1);
    const payload = { name: 'captures', payload: [] };
    subscribed[0]?.({ sender: l.ipcRenderer, senderId: 0 }, payload);
    assert.deepEqual(got, [payload]);
    off();
    assert.equal(l.listeners.get(EVENT_CHANNEL)?.size, 0);
  });

  it('pathForFile asks webUtils', () => {
    const b = bridgeOf(load());
    assert.equal((b.pathForFile as Fn)({ name: 'x.lscap' }), '/dropped/x.lscap');
  });

  it('the window registry and sender check make the same channels reachable from an app window', async () => {
    // End to end without Electron: preload verb → fake ipcMain → sender check → engine.
    const l = load();
    const ipc = new FakeIpcMain();
    const rec = recordingEngine();
    const windows = new WindowRegistry();
    const win = new FakeContents(1);
    windows.add(win);
    registerIpc({ ipc, engine: rec.engine, windows, shell: { pickCaptureFiles: () => Promise.resolve({ ok: true, value: [] }) }, onOpenedFile: () => undefined });
    await ((bridgeOf(l).api as Record<string, Fn>).getStats?.({ captureId: 'c7' }));
    const call = l.invoked[0];
    assert.ok(call !== undefined);
    const r = await ipc.invoke(call.channel, win.fromMainFrame(), ...call.args);
    assert.deepEqual(r, { ok: true, value: { echo: 'getStats' } });
    assert.deepEqual(rec.calls, [{ method: 'getStats', args: { captureId: 'c7' } }]);
  });
});
