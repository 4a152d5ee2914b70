/**
 * The application menu as data: File (Open Capture…, Open Recent, Close Capture, Quit), View (the
 * five views, Alt+1 … Alt+5 — the renderer handles the keys itself, the menu shows them and sends
 * the view on a click; reload and devtools only in an unpackaged app), Help (About). menu.ts hands
 * it to Electron's Menu.buildFromTemplate; the types are Electron's, the module imports none of it
 * at run time.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { AppView } from '../core/app/app-contract.js';

export interface MenuActions {
  openCapture(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  closeCapture(): void;
  showView(view: AppView): void;
  about(): void;
}

export interface MenuContext {
  readonly platform: string;
  readonly packaged: boolean;
  readonly appName: string;
  readonly recent: readonly string[];
}

/** The views in Alt+N order (renderer/src/app-state.ts VIEWS). */
export const MENU_VIEWS: readonly { readonly view: AppView; readonly label: string }[] = [
  { view: 'targets', label: 'Targets' },
  { view: 'live', label: 'Live Session' },
  { view: 'verdicts', label: 'Verdicts' },
  { view: 'timeline', label: 'Request Timeline' },
  { view: 'stats', label: 'Statistics' },
];

/** A path as a menu label: `&` would otherwise mark a mnemonic on Windows and Linux. */
function label(path: string): string {
  return path.replace(/&/g, '&&');
}

export function menuTemplate(c: MenuContext, a: MenuActions): MenuItemConstructorOptions[] {
  const mac = c.platform === 'darwin';
  const recent: MenuItemConstructorOptions[] =
    c.recent.length === 0
      ? [{ label: 'No Recent Captures', enabled: false }]
      : [
          ...c.recent.map((path): MenuItemConstructorOptions => ({ label: label(path), click: () => { a.openRecent(path); } })),
          { type: 'separator' },
          { label: 'Clear Recent', click: () => { a.clearRecent(); } },
        ];
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Open Capture…', accelerator: 'CmdOrCtrl+O', click: () => { a.openCapture(); } },
      { label: 'Open Recent', submenu: recent },
      { type: 'separator' },
      { label: 'Close Capture', accelerator: 'CmdOrCtrl+W', click: () => { a.closeCapture(); } },
      ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...MENU_VIEWS.map(({ view: v, label: l }, i): MenuItemConstructorOptions => ({
        label: l,
        accelerator: `Alt+${i + 1}`,
        registerAccelerator: false,
        click: () => { a.showView(v); },
      })),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(c.packaged ? [] : [{ type: 'separator' } as const, { role: 'reload' } as const, { role: 'toggleDevTools' } as const]),
    ],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [{ label: `About ${c.appName}`, click: () => { a.about(); } }],
  };
  return [
    ...(mac ? [{ role: 'appMenu' } as const] : []),
    file,
    { role: 'editMenu' },
    view,
    ...(mac ? [{ role: 'windowMenu' } as const] : []),
    help,
  ];
}
