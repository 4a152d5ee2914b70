/** The only file that touches ipcMain: ipc-main-core.ts bound to Electron's. */
import { ipcMain } from 'electron';
import type { IpcBinding, IpcDeps } from './ipc-main-core.js';
import { registerIpc } from './ipc-main-core.js';

export function bindIpc(deps: Omit<IpcDeps, 'ipc'>): IpcBinding {
  return registerIpc({ ...deps, ipc: ipcMain });
}
