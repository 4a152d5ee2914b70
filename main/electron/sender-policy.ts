/**
 * Who may call the engine over IPC: the main frame of one of the app's own windows, showing the
 * app's origin. A subframe, a window the app did not make, a frame that navigated elsewhere (a
 * file:// page, a remote page) is refused with `denied` before its arguments are even read.
 * (Electron's security checklist, item 17: validate the sender of all IPC messages.)
 *
 * The types are the parts of Electron's IpcMainInvokeEvent this needs, so that tests can build
 * senders without Electron.
 */
import type { AppError } from '../core/app/app-contract.js';
import { isAppUrl } from './app-origin.js';

export interface FrameLike {
  readonly url: string;
  readonly processId: number;
  readonly routingId: number;
  readonly parent: FrameLike | null;
}

export interface SenderEventLike {
  readonly sender: { readonly id: number; readonly mainFrame: FrameLike };
  /** null when the frame has gone (navigated or destroyed) before the message was handled. */
  readonly senderFrame: FrameLike | null;
}

export interface KnownWindows {
  /** The webContents id belongs to one of the app's own windows. */
  has(webContentsId: number): boolean;
}

function denied(what: string): AppError {
  return { code: 'denied', message: `refused: ${what}; only the Lockscope window may call the engine` };
}

/** undefined: accepted; otherwise why not. */
export function checkSender(e: SenderEventLike, windows: KnownWindows): AppError | undefined {
  if (!windows.has(e.sender.id)) {
    return denied(`webContents ${e.sender.id} is not a Lockscope window`);
  }
  const frame = e.senderFrame;
  if (frame === null) {
    return denied('the calling frame is gone');
  }
  const main = e.sender.mainFrame;
  if (frame.parent !== null || frame.processId !== main.processId || frame.routingId !== main.routingId) {
    return denied('a subframe');
  }
  if (!isAppUrl(frame.url)) {
    return denied(`a page at ${frame.url.slice(0, 200)}`);
  }
  return undefined;
}
