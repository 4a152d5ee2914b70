/**
 * The engine behind IPC: one handler per AppApi method (channel `lockscope:<method>`) and per
 * ShellApi verb (`lockscope-shell:<verb>`), and the engine's events sent to the app's windows.
 * Every call is checked in this order before anything runs: the sender (sender-policy.ts), then
 * the arguments against the contract's schema. Expected failures come back as AppResult values.
 *
 * It takes its collaborators as parameters (ipcMain, the engine, the window registry, the shell's
 * verbs) so tests drive it with fakes; ipc-main.ts binds it to Electron's ipcMain.
 */
import type { AppApi, AppEvent, AppMethod, AppResult, CaptureInfo } from '../core/app/app-contract.js';
import { APP_METHODS, checkArgs } from '../core/app/app-schemas.js';
import type { ShellApi, ShellArgs, ShellMethod } from '../core/app/shell-contract.js';
import { checkShellArgs, SHELL_METHODS } from '../core/app/shell-contract.js';
import { appChannel, EVENT_CHANNEL, shellChannel } from './ipc-channels.js';
import type { SenderEventLike } from './sender-policy.js';
import { checkSender } from './sender-policy.js';
import type { WindowContents, WindowRegistry } from './window-registry.js';

/** The part of Electron's ipcMain used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: SenderEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface EngineLike extends AppApi {
  onEvent(listener: (e: AppEvent) => void): () => void;
}

/** The shell's verbs, told which window asked (a dialog belongs to it). */
export type ShellHandlers = { readonly [M in ShellMethod]: (a: ShellArgs<M>, from: WindowContents) => ReturnType<ShellApi[M]> };

export interface IpcDeps {
  readonly ipc: IpcMainLike;
  readonly engine: EngineLike;
  readonly windows: WindowRegistry;
  readonly shell: ShellHandlers;
  /** A capture the renderer opened by path (a dropped file): the shell adds it to recent files. */
  readonly onOpenedFile: (c: CaptureInfo) => void;
}

export interface IpcBinding {
  /** Sends an event to every window showing the app. */
  broadcast(e: AppEvent): void;
  /** Removes the handlers and stops forwarding the engine's events. */
  dispose(): void;
}

function refuse(error: { readonly code: 'denied' | 'bad_request'; readonly message: string }): AppResult<never> {
  return { ok: false, error };
}

export function registerIpc(d: IpcDeps): IpcBinding {
  const broadcast = (e: AppEvent): void => {
    for (const w of d.windows.showingApp()) {
      w.send(EVENT_CHANNEL, e);
    }
  };

  const callEngine = async (method: AppMethod, args: unknown): Promise<unknown> => {
    const result = (await (d.engine[method] as (a: unknown) => Promise<unknown>)(args)) as AppResult<unknown>;
    if (method === 'openCaptureFile' && result.ok) {
      d.onOpenedFile(result.value as CaptureInfo);
    }
    return result;
  };

  for (const method of APP_METHODS) {
    d.ipc.handle(appChannel(method), async (event, ...args) => {
      const denied = checkSender(event, d.windows);
      if (denied !== undefined) {
        return refuse({ code: 'denied', message: `${method}: ${denied.message}` });
      }
      if (args.length > 1) {
        return refuse({ code: 'bad_request', message: `${method}: takes one argument, got ${args.length}` });
      }
      const checked = checkArgs(method, args[0]);
      if (!checked.ok) {
        return checked;
      }
      return callEngine(method, checked.value);
    });
  }

  for (const method of SHELL_METHODS) {
    d.ipc.handle(shellChannel(method), async (event, ...args) => {
      const denied = checkSender(event, d.windows);
      const from = d.windows.get(event.sender.id);
      if (denied !== undefined || from === undefined) {
        return refuse({ code: 'denied', message: `${method}: ${denied?.message ?? 'not a Lockscope window'}` });
      }
      if (args.length > 1) {
        return refuse({ code: 'bad_request', message: `${method}: takes one argument, got ${args.length}` });
      }
      const checked = checkShellArgs(method, args[0]);
      if (!checked.ok) {
        return checked;
      }
      return d.shell[method](checked.value, from);
    });
  }

  const unsubscribe = d.engine.onEvent(broadcast);
  return {
    broadcast,
    dispose() {
      unsubscribe();
      for (const m of APP_METHODS) {
        d.ipc.removeHandler(appChannel(m));
      }
      for (const m of SHELL_METHODS) {
        d.ipc.removeHandler(shellChannel(m));
      }
    },
  };
}
