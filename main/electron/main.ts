/**
 * The desktop app's main process: the engine (captures, targets, sessions) lives here for the
 * app's whole life; windows come and go and re-read its state (a running session goes on when the
 * last window closes: see lifecycle-policy.ts). The renderer is served from lockscope://app/,
 * talks to the engine only through the preload's verbs (ipc-main-core.ts checks the sender and
 * the arguments of each), and may not open windows, navigate away or ask for permissions.
 */
import { app, BrowserWindow, dialog, protocol, session } from 'electron';
import type { MessageBoxOptions, OpenDialogOptions } from 'electron';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadRules } from '../node/commands/analysis-run.js';
import { bundledCaptures, defaultSshConfig, RENDERER_DIR } from '../node/app-paths.js';
import { createEngine } from '../node/engine/engine.js';
import { APP_SCHEME } from './app-origin.js';
import { serveAppRequest } from './app-protocol.js';
import { bindIpc } from './ipc-main.js';
import { installMenu } from './menu.js';
import { allowPermission, allowWebview, windowOpenPolicy } from './navigation-policy.js';
import { RecentFilesStore } from './recent-files-store.js';
import { createShellActions } from './shell-actions.js';
import { whenNoWindows } from './lifecycle-policy.js';
import { createAppWindow } from './window.js';
import { WindowRegistry } from './window-registry.js';

// Before 'ready': the app's scheme is standard (an origin, relative URLs, storage) and secure.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);

async function start(): Promise<void> {
  await app.whenReady();
  const userData = app.getPath('userData');
  const capturesDir = join(userData, 'captures');
  mkdirSync(capturesDir, { recursive: true });
  // The bundled captures open in the background (engine.ready()); what could not be opened is
  // told to the UI once it is loaded.
  const warnings: string[] = [];
  const engine = createEngine({
    rules: loadRules(undefined),
    initialCaptures: bundledCaptures(),
    stateDir: userData,
    sshConfig: defaultSshConfig(),
    capturesDir,
    warn: (text) => {
      warnings.push(text);
      console.warn(`lockscope: warning: ${text}`);
    },
  });

  const ses = session.defaultSession;
  protocol.handle(APP_SCHEME, (req) => serveAppRequest(RENDERER_DIR, req));
  ses.setPermissionRequestHandler((_wc, permission, callback, details) => {
    callback(allowPermission(permission, details.requestingUrl));
  });
  ses.setPermissionCheckHandler((_wc, permission, origin) => allowPermission(permission, origin));
  // Any other webContents (devtools, a window something else made) opens nothing and embeds nothing either.
  app.on('web-contents-created', (_e, contents) => {
    contents.setWindowOpenHandler((d) => windowOpenPolicy(d.url));
    contents.on('will-attach-webview', (e) => {
      if (!allowWebview()) {
        e.preventDefault();
      }
    });
  });

  const windows = new WindowRegistry();
  let window: BrowserWindow | undefined;
  const recent = new RecentFilesStore(join(userData, 'recent-files.json'));
  const refreshMenu = (): void => {
    installMenu(
      { platform: process.platform, packaged: app.isPackaged, appName: app.getName(), recent: recent.list() },
      {
        openCapture: () => void actions.openFromMenu(),
        openRecent: (path) => void actions.openRecent(path),
        clearRecent: () => { actions.clearRecent(); },
        closeCapture: () => { actions.closeCapture(); },
        showView: (view) => { actions.showView(view); },
        about: () => void showAbout(),
      },
    );
  };
  const actions = createShellActions({
    engine,
    recent,
    chooseFiles: async () => {
      const options: OpenDialogOptions = {
        title: 'Open Lockscope captures',
        properties: ['openFile', 'multiSelections'],
        filters: [
          { name: 'Lockscope captures', extensions: ['lscap'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const parent = BrowserWindow.getFocusedWindow() ?? window;
      const r = parent === undefined ? await dialog.showOpenDialog(options) : await dialog.showOpenDialog(parent, options);
      return r.canceled ? [] : r.filePaths;
    },
    send: (payload) => {
      ipc.broadcast({ name: 'shell', payload });
    },
    recentChanged: refreshMenu,
  });
  const ipc = bindIpc({
    engine,
    windows,
    shell: { pickCaptureFiles: () => actions.pickCaptureFiles() },
    onOpenedFile: (c) => {
      actions.remember(c);
    },
  });
  const showAbout = async (): Promise<void> => {
    const options: MessageBoxOptions = {
      type: 'info',
      title: `About ${app.getName()}`,
      message: `Lockscope ${app.getVersion()}`,
      detail: 'Proves or disproves kernel locking rules on real machines from bpftrace captures: io_uring link walks in io_wq_free_work must hold ctx->uring_lock. Each walk gets HELD, NOT_HELD or UNKNOWN (with its reason).\n\nElectron ' + process.versions.electron + ', Node ' + process.versions.node,
      buttons: ['OK'],
    };
    await (window === undefined ? dialog.showMessageBox(options) : dialog.showMessageBox(window, options));
  };

  const openWindow = (): void => {
    const win = createAppWindow(windows);
    window = win;
    win.webContents.on('did-finish-load', () => {
      // Told once the UI can show them: recent files that are gone, bundled captures that did not open.
      actions.pruneRecent();
      void engine.ready().then(() => {
        for (const text of warnings.splice(0)) {
          actions.notice({ code: 'open_failed', message: text });
        }
      });
    });
    win.on('closed', () => {
      if (window === win) {
        window = undefined;
      }
    });
  };

  app.on('second-instance', () => {
    if (window === undefined) {
      openWindow();
    } else {
      if (window.isMinimized()) {
        window.restore();
      }
      window.focus();
    }
  });
  app.on('activate', () => {
    if (window === undefined) {
      openWindow();
    }
  });
  // The last window closed: a running session goes on without a window (launching the app again
  // shows it), and the app quits once no session runs and no window is open; macOS keeps the app.
  const quitIfIdle = async (): Promise<void> => {
    const sessions = await engine.listSessions({});
    if (window === undefined && whenNoWindows(process.platform, sessions.ok ? sessions.value : []) === 'quit') {
      app.quit();
    }
  };
  app.on('window-all-closed', () => {
    void quitIfIdle();
  });
  engine.onEvent((e) => {
    if (e.name === 'session' && window === undefined) {
      void quitIfIdle();
    }
  });
  let disposed = false;
  app.on('will-quit', (e) => {
    if (disposed) {
      return;
    }
    // Stop running sessions (their captures end cleanly) before the process goes.
    e.preventDefault();
    disposed = true;
    ipc.dispose();
    void engine.dispose().finally(() => {
      app.quit();
    });
  });

  refreshMenu();
  openWindow();
}

if (app.requestSingleInstanceLock()) {
  start().catch((e: unknown) => {
    dialog.showErrorBox('Lockscope could not start', e instanceof Error ? (e.stack ?? e.message) : String(e));
    app.exit(1);
  });
} else {
  // Another Lockscope is running: it shows its window (second-instance) and this one leaves.
  app.quit();
}
