/**
 * The app's window: sandboxed, context-isolated, no Node, the preload as its only bridge, the
 * renderer from lockscope://app/. It opens no other window, goes nowhere else, and is added to
 * the registry (who may call the engine) until it closes. The policies are navigation-policy.ts.
 */
import { BrowserWindow, nativeTheme } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_ENTRY_URL } from './app-origin.js';
import { allowNavigation, allowWebview, windowOpenPolicy } from './navigation-policy.js';
import type { WindowRegistry } from './window-registry.js';

/** The bundled preload (scripts/build-electron.mjs) beside this file; tsc's own preload.cjs is not it. */
const PRELOAD = join(dirname(fileURLToPath(import.meta.url)), 'preload-bundle.cjs');

export function createAppWindow(windows: WindowRegistry): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 820,
    minHeight: 520,
    title: 'Lockscope',
    show: false,
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#16181d' : '#ffffff',
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    },
  });
  const contents = win.webContents;
  const id = contents.id;
  windows.add(contents);
  contents.setWindowOpenHandler((d) => windowOpenPolicy(d.url));
  const guard = (e: { readonly url: string; preventDefault(): void }): void => {
    if (!allowNavigation(e.url)) {
      e.preventDefault();
    }
  };
  contents.on('will-navigate', guard);
  contents.on('will-frame-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (e) => {
    if (!allowWebview()) {
      e.preventDefault();
    }
  });
  win.once('ready-to-show', () => {
    win.show();
  });
  win.on('closed', () => {
    windows.remove(id);
  });
  void win.loadURL(APP_ENTRY_URL);
  return win;
}
