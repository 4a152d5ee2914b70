/**
 * The one module that knows which shell the UI runs in. In Electron the preload script exposes
 * `window.lockscope` (one verb per AppApi method, plus the shell's own); in a browser served by
 * `lockscope serve` the same verbs go over HTTP with the token from the URL's fragment.
 * Everything else in the renderer imports `api`, `onAppEvent` and `shell` from here.
 */
import type { AppApi, AppArgs, AppEvent, AppEventName, AppEvents, AppMethod, AppResult, CaptureInfo } from '../../main/core/app/app-contract.js';

export type ApiClient = { readonly [M in AppMethod]: (a: AppArgs<M>) => ReturnType<AppApi[M]> };

/** What only the desktop shell can do; undefined members are not offered by this shell. */
export interface ShellBridge {
  readonly kind: 'electron' | 'browser';
  /** Electron: the system's open dialog; the chosen files are opened. */
  readonly pickCaptureFiles: (() => Promise<AppResult<readonly CaptureInfo[]>>) | undefined;
  /** Electron: the path of a dropped file (webUtils.getPathForFile); browser: undefined (bytes are sent instead). */
  readonly pathForFile: ((file: File) => string) | undefined;
}

interface PreloadBridge {
  readonly api: ApiClient;
  readonly onEvent: (listener: (e: AppEvent) => void) => () => void;
  readonly pickCaptureFiles: () => Promise<AppResult<readonly CaptureInfo[]>>;
  readonly pathForFile: (file: File) => string;
}

declare global {
  interface Window {
    readonly lockscope?: PreloadBridge;
  }
}

function tokenFromUrl(): string {
  const m = /(?:^#|&)token=([0-9a-f]+)/.exec(window.location.hash);
  return m?.[1] ?? '';
}

function httpClient(token: string): ApiClient {
  const call = async (method: string, args: unknown): Promise<unknown> => {
    let res: Response;
    try {
      res = await fetch(`/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-lockscope-token': token },
        body: JSON.stringify(args),
      });
    } catch (e) {
      return { ok: false, error: { code: 'target_failed', message: `the Lockscope server did not answer (${String(e)}); is lockscope serve still running?` } };
    }
    return res.json();
  };
  return new Proxy({} as ApiClient, {
    get: (_t, method) => (args: unknown) => call(String(method), args),
  });
}

function httpEvents(token: string): (listener: (e: AppEvent) => void) => () => void {
  const listeners = new Set<(e: AppEvent) => void>();
  let source: EventSource | undefined;
  const names: readonly AppEventName[] = ['session', 'captures'];
  return (listener) => {
    listeners.add(listener);
    if (source === undefined) {
      source = new EventSource(`/api/events?token=${token}`);
      for (const name of names) {
        source.addEventListener(name, (m: MessageEvent<string>) => {
          const payload = JSON.parse(m.data) as AppEvents[typeof name];
          for (const l of listeners) {
            l({ name, payload });
          }
        });
      }
    }
    return () => listeners.delete(listener);
  };
}

const preload = window.lockscope;
const token = tokenFromUrl();

export const api: ApiClient = preload?.api ?? httpClient(token);
export const onAppEvent: (listener: (e: AppEvent) => void) => () => void = preload?.onEvent ?? httpEvents(token);
export const shell: ShellBridge =
  preload === undefined
    ? { kind: 'browser', pickCaptureFiles: undefined, pathForFile: undefined }
    : { kind: 'electron', pickCaptureFiles: preload.pickCaptureFiles, pathForFile: preload.pathForFile };
