/**
 * Stand-ins for Electron's ipcMain, webContents and frames, and for the engine, shaped like the
 * parts main/electron uses: the IPC wiring runs in node:test without Electron.
 */
import type { AppApi, AppEvent, AppMethod, AppResult } from '../../main/core/app/app-contract.js';
import { APP_METHODS } from '../../main/core/app/app-schemas.js';
import { APP_ENTRY_URL } from '../../main/electron/app-origin.js';
import type { EngineLike, IpcMainLike } from '../../main/electron/ipc-main-core.js';
import type { FrameLike, SenderEventLike } from '../../main/electron/sender-policy.js';
import type { WindowContents } from '../../main/electron/window-registry.js';

type Listener = (event: SenderEventLike, ...args: unknown[]) => Promise<unknown>;

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>();

  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) {
      throw new Error(`a second handler for ${channel}`);
    }
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** What ipcRenderer.invoke(channel, ...args) from this sender would get back. */
  invoke(channel: string, event: SenderEventLike, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (h === undefined) {
      throw new Error(`no handler for ${channel}`);
    }
    return h(event, ...args);
  }
}

export function frame(url: string, o: { readonly processId?: number; readonly routingId?: number; readonly parent?: FrameLike | null } = {}): FrameLike {
  return { url, processId: o.processId ?? 7, routingId: o.routingId ?? 1, parent: o.parent ?? null };
}

export class FakeContents implements WindowContents {
  readonly sent: { readonly channel: string; readonly args: readonly unknown[] }[] = [];
  destroyed = false;
  readonly mainFrame: FrameLike;

  constructor(
    readonly id: number,
    public url: string = APP_ENTRY_URL,
  ) {
    this.mainFrame = frame(url);
  }

  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  getURL(): string {
    return this.url;
  }

  /** An invoke event from this window's main frame. */
  fromMainFrame(): SenderEventLike {
    return { sender: { id: this.id, mainFrame: this.mainFrame }, senderFrame: this.mainFrame };
  }
}

export interface EngineCall {
  readonly method: AppMethod;
  readonly args: unknown;
}

/** An engine that records each call and answers { ok: true, value: { echo: method } }. */
export function recordingEngine(): { readonly engine: EngineLike; readonly calls: EngineCall[]; readonly emit: (e: AppEvent) => void; readonly listeners: () => number } {
  const calls: EngineCall[] = [];
  const listeners = new Set<(e: AppEvent) => void>();
  const methods = Object.fromEntries(
    APP_METHODS.map((method) => [
      method,
      (args: unknown): Promise<AppResult<unknown>> => {
        calls.push({ method, args });
        const value =
          method === 'openCaptureFile'
            ? { id: 'c9', name: 'x.lscap', path: (args as { path: string }).path, origin: 'file', bytes: 1, complete: true, notes: [], sessionId: undefined }
            : { echo: method };
        return Promise.resolve({ ok: true, value });
      },
    ]),
  ) as unknown as AppApi;
  return {
    engine: {
      ...methods,
      onEvent(l) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    },
    calls,
    emit: (e) => {
      for (const l of listeners) {
        l(e);
      }
    },
    listeners: () => listeners.size,
  };
}
