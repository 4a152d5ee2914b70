/**
 * The engine behind IPC (ipc-main-core.ts), driven with a fake ipcMain, fake windows and an engine
 * that records its calls: a refused sender or a bad payload never reaches the engine; a good call
 * does and gets the engine's answer; events go to the app's windows only.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppEvent, AppResult, CaptureInfo } from '../../main/core/app/app-contract.js';
import { APP_METHODS } from '../../main/core/app/app-schemas.js';
import { SHELL_METHODS } from '../../main/core/app/shell-contract.js';
import { appChannel, EVENT_CHANNEL, shellChannel } from '../../main/electron/ipc-channels.js';
import { registerIpc } from '../../main/electron/ipc-main-core.js';
import type { SenderEventLike } from '../../main/electron/sender-policy.js';
import { WindowRegistry } from '../../main/electron/window-registry.js';
import { FakeContents, FakeIpcMain, frame, recordingEngine } from './fakes.js';

function setup() {
  const ipc = new FakeIpcMain();
  const { engine, calls, emit, listeners } = recordingEngine();
  const windows = new WindowRegistry();
  const win = new FakeContents(1);
  windows.add(win);
  const picks: number[] = [];
  const remembered: CaptureInfo[] = [];
  const binding = registerIpc({
    ipc,
    engine,
    windows,
    shell: {
      pickCaptureFiles: (_a, from) => {
        picks.push(from.id);
        return Promise.resolve({ ok: true, value: [] });
      },
    },
    onOpenedFile: (c) => {
      remembered.push(c);
    },
  });
  return { ipc, calls, emit, listeners, windows, win, picks, remembered, binding };
}

const GOOD_ARGS = { captureId: 'c1' };

function refusedWith(r: unknown, code: string): void {
  const res = r as AppResult<unknown>;
  assert.equal(res.ok, false, `expected a refusal, got ${JSON.stringify(r)}`);
  assert.equal(res.error.code, code, res.error.message);
}

describe('registerIpc', () => {
  it('handles every AppApi method and shell verb, each on its own channel, and nothing else', () => {
    const { ipc } = setup();
    const expected = [...APP_METHODS.map(appChannel), ...SHELL_METHODS.map(shellChannel)].sort();
    assert.deepEqual([...ipc.handlers.keys()].sort(), expected);
    assert.equal(new Set(expected).size, expected.length);
  });

  it('a good call reaches the engine with the checked argument and returns its result', async () => {
    const { ipc, win, calls } = setup();
    const r = await ipc.invoke(appChannel('getSummary'), win.fromMainFrame(), GOOD_ARGS);
    assert.deepEqual(r, { ok: true, value: { echo: 'getSummary' } });
    assert.deepEqual(calls, [{ method: 'getSummary', args: GOOD_ARGS }]);
    // Optional fields sent as null (JSON has no undefined) arrive absent.
    const q = await ipc.invoke(appChannel('queryWalks'), win.fromMainFrame(), { captureId: 'c1', verdict: 'NOT_HELD', ctx: null, tid: null, fromNs: null, toNs: null, offset: 0, limit: 100 });
    assert.deepEqual(q, { ok: true, value: { echo: 'queryWalks' } });
    assert.deepEqual(calls[1]?.args, { captureId: 'c1', verdict: 'NOT_HELD', offset: 0, limit: 100 });
    const none = await ipc.invoke(appChannel('listCaptures'), win.fromMainFrame());
    assert.deepEqual(none, { ok: true, value: { echo: 'listCaptures' } });
  });

  const badSenders: readonly (readonly [string, (win: FakeContents) => SenderEventLike])[] = [
    ['a webContents that is not an app window', () => new FakeContents(42).fromMainFrame()],
    ['a subframe of the app window', (win) => ({ sender: { id: 1, mainFrame: win.mainFrame }, senderFrame: frame('lockscope://app/index.html', { routingId: 9, parent: win.mainFrame }) })],
    ['the app window showing http://evil', (win) => ({ sender: { id: 1, mainFrame: win.mainFrame }, senderFrame: frame('http://evil.example/') })],
    ['the app window showing a file:// page', () => {
      const f = frame('file:///tmp/x.html');
      return { sender: { id: 1, mainFrame: f }, senderFrame: f };
    }],
    ['another origin on the app scheme', () => {
      const f = frame('lockscope://evil/index.html');
      return { sender: { id: 1, mainFrame: f }, senderFrame: f };
    }],
    ['a frame that has gone', (win) => ({ sender: { id: 1, mainFrame: win.mainFrame }, senderFrame: null })],
  ];
  for (const [what, sender] of badSenders) {
    it(`refuses ${what} with denied, for every method, before the engine runs`, async () => {
      const { ipc, win, calls, picks } = setup();
      for (const m of APP_METHODS) {
        refusedWith(await ipc.invoke(appChannel(m), sender(win), GOOD_ARGS), 'denied');
      }
      for (const m of SHELL_METHODS) {
        refusedWith(await ipc.invoke(shellChannel(m), sender(win), {}), 'denied');
      }
      assert.deepEqual(calls, []);
      assert.deepEqual(picks, []);
    });
  }

  const badPayloads: readonly (readonly [string, string, readonly unknown[]])[] = [
    ['getSummary', 'no argument object fields', [{}]],
    ['getSummary', 'a wrong type', [{ captureId: 5 }]],
    ['getSummary', 'an id with a path in it', [{ captureId: '../../etc' }]],
    ['getSummary', 'an unknown field', [{ captureId: 'c1', extra: 1 }]],
    ['getSummary', 'a string', ['c1']],
    ['getSummary', 'two arguments', [GOOD_ARGS, GOOD_ARGS]],
    ['listCaptures', 'a field where none is taken', [{ x: 1 }]],
    ['openCaptureFile', 'an empty path', [{ path: '' }]],
    ['openCaptureFile', 'a path too long', [{ path: `/${'a'.repeat(5000)}` }]],
    ['queryWalks', 'a page too large', [{ captureId: 'c1', verdict: 'ALL', offset: 0, limit: 100000 }]],
    ['queryWalks', 'an unknown verdict', [{ captureId: 'c1', verdict: 'MAYBE', offset: 0, limit: 10 }]],
    ['getWalk', 'walk 0', [{ captureId: 'c1', index: 0 }]],
    ['saveTarget', 'shell characters in an address', [{ address: 'host; rm -rf /', label: 'x' }]],
    ['startSession', 'a workload that is not linkstorm', [{ targetId: 't1', durationS: 5, workload: 'bash -c evil' }]],
    ['startSession', 'an evidence period that is not whole', [{ targetId: 't1', durationS: 5, evidencePeriodMs: 1.5 }]],
    ['startSession', 'an evidence period over a minute', [{ targetId: 't1', durationS: 5, evidencePeriodMs: 60_001 }]],
    ['startSession', 'a negative evidence period', [{ targetId: 't1', durationS: 5, evidencePeriodMs: -1 }]],
    ['openCaptureBytes', 'a name with a directory', [{ name: '../x.lscap', base64: '' }]],
  ];
  for (const [method, what, args] of badPayloads) {
    it(`refuses ${method} with ${what} as bad_request before the engine runs`, async () => {
      const { ipc, win, calls } = setup();
      refusedWith(await ipc.invoke(appChannel(method as (typeof APP_METHODS)[number]), win.fromMainFrame(), ...args), 'bad_request');
      assert.deepEqual(calls, []);
    });
  }

  it('checks the shell verb too: the sender, the payload, then the verb with its window', async () => {
    const { ipc, win, picks } = setup();
    refusedWith(await ipc.invoke(shellChannel('pickCaptureFiles'), win.fromMainFrame(), { path: '/etc/passwd' }), 'bad_request');
    refusedWith(await ipc.invoke(shellChannel('pickCaptureFiles'), win.fromMainFrame(), {}, {}), 'bad_request');
    assert.deepEqual(picks, []);
    assert.deepEqual(await ipc.invoke(shellChannel('pickCaptureFiles'), win.fromMainFrame(), {}), { ok: true, value: [] });
    assert.deepEqual(picks, [1]);
  });

  it('tells the shell about a file the renderer opened by path (recent files)', async () => {
    const { ipc, win, remembered } = setup();
    await ipc.invoke(appChannel('openCaptureFile'), win.fromMainFrame(), { path: '/data/a.lscap' });
    assert.deepEqual(remembered.map((c) => c.path), ['/data/a.lscap']);
  });

  it('sends engine events to the app windows only, and stops on dispose', () => {
    const { emit, windows, win, binding, ipc, listeners } = setup();
    const gone = new FakeContents(2);
    windows.add(gone);
    gone.destroyed = true;
    const strayed = new FakeContents(3, 'http://evil.example/');
    windows.add(strayed);
    const e: AppEvent = { name: 'captures', payload: [] };
    emit(e);
    assert.deepEqual(win.sent, [{ channel: EVENT_CHANNEL, args: [e] }]);
    assert.deepEqual(gone.sent, []);
    assert.deepEqual(strayed.sent, []);
    binding.broadcast({ name: 'shell', payload: { kind: 'view', view: 'stats' } });
    assert.equal(win.sent.length, 2);
    binding.dispose();
    emit(e);
    assert.equal(win.sent.length, 2);
    assert.equal(ipc.handlers.size, 0);
    assert.equal(listeners(), 0);
  });
});
