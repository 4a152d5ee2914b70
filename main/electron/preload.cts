/**
 * The preload: the renderer's only way to the engine. It exposes `window.lockscope` — one verb per
 * AppApi method, the shell's verbs, an event subscription and the path of a dropped file — exactly
 * the shape renderer/src/bridge.ts expects (PreloadBridge). Never ipcRenderer, never a channel
 * name, never Electron's event object (its `sender` is ipcRenderer itself).
 *
 * A sandboxed preload is CommonJS and can require nothing but electron: scripts/build-electron.mjs
 * bundles this file with what it imports (the method list, bridge-methods.ts, which the compiler
 * keeps equal to the contract's) into build/main/electron/preload-bundle.cjs (tsc's
 * preload.cjs beside it requires local files and is not used).
 */
// A CommonJS file under verbatimModuleSyntax imports values with `import x = require()`.
/* eslint-disable @typescript-eslint/no-require-imports */
import electron = require('electron');
import methods = require('./bridge-methods.js');
import channels = require('./ipc-channels.js');
/* eslint-enable @typescript-eslint/no-require-imports */
import type { IpcRendererEvent } from 'electron';
import type { AppApi, AppArgs, AppEvent, AppMethod, AppResult, CaptureInfo } from '../core/app/app-contract.js';

const { contextBridge, ipcRenderer, webUtils } = electron;
const { BRIDGE_APP_METHODS } = methods;
const { appChannel, EVENT_CHANNEL, shellChannel } = channels;

type ApiClient = { readonly [M in AppMethod]: (a: AppArgs<M>) => ReturnType<AppApi[M]> };

interface LockscopeBridge {
  readonly api: ApiClient;
  readonly onEvent: (listener: (e: AppEvent) => void) => () => void;
  readonly pickCaptureFiles: () => Promise<AppResult<readonly CaptureInfo[]>>;
  readonly pathForFile: (file: File) => string;
}

const api = Object.freeze(Object.fromEntries(BRIDGE_APP_METHODS.map((m) => [m, (a: unknown) => ipcRenderer.invoke(appChannel(m), a)]))) as unknown as ApiClient;

const bridge: LockscopeBridge = {
  api,
  onEvent: (listener) => {
    const forward = (_e: IpcRendererEvent, payload: AppEvent): void => {
      listener(payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
  pickCaptureFiles: () => ipcRenderer.invoke(shellChannel('pickCaptureFiles'), {}) as Promise<AppResult<readonly CaptureInfo[]>>,
  pathForFile: (file) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('lockscope', bridge);
