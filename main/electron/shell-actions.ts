/**
 * What the desktop shell does for its menu and its own IPC verb: open files (from the system's
 * dialog, Open Recent, a dropped path), remember them as recent, and ask the UI to act (switch
 * view, close the current capture, show a notice). The dialog and the channel to the UI are
 * parameters, so this is tested without Electron.
 */
import type { AppApi, AppError, AppResult, AppView, CaptureInfo, ShellEvent } from '../core/app/app-contract.js';
import { checkArgs } from '../core/app/app-schemas.js';
import { missingNote } from './recent-files.js';
import type { RecentFiles } from './recent-files-store.js';

export interface ShellActionsDeps {
  readonly engine: Pick<AppApi, 'openCaptureFile'>;
  readonly recent: RecentFiles;
  /** The system's open dialog for .lscap files; [] when cancelled. */
  readonly chooseFiles: () => Promise<readonly string[]>;
  /** To the UI (every app window). */
  readonly send: (e: ShellEvent) => void;
  /** The recent list changed: rebuild the menu. */
  readonly recentChanged: () => void;
}

export interface ShellActions {
  /** The UI's "Open capture…" button: the opened captures, or why none opened. */
  pickCaptureFiles(): Promise<AppResult<readonly CaptureInfo[]>>;
  /** File › Open Capture…: the UI is told what opened and what failed. */
  openFromMenu(): Promise<void>;
  openRecent(path: string): Promise<void>;
  clearRecent(): void;
  /** A capture opened by path elsewhere (a file dropped on the window). */
  remember(c: CaptureInfo): void;
  /** Something the user should read, shown by the UI. */
  notice(error: AppError): void;
  /** Drops recent files that are gone, with a note to the UI. */
  pruneRecent(): void;
  closeCapture(): void;
  showView(view: AppView): void;
}

export function createShellActions(d: ShellActionsDeps): ShellActions {
  const notice = (error: AppError): void => {
    d.send({ kind: 'notice', error });
  };

  const remember = (c: CaptureInfo): void => {
    if (c.origin === 'file' && c.path !== undefined) {
      d.recent.add(c.path);
      d.recentChanged();
    }
  };

  const openPaths = async (paths: readonly string[]): Promise<{ readonly opened: readonly CaptureInfo[]; readonly errors: readonly AppError[] }> => {
    const opened: CaptureInfo[] = [];
    const errors: AppError[] = [];
    for (const path of paths) {
      const args = checkArgs('openCaptureFile', { path });
      const r = args.ok ? await d.engine.openCaptureFile(args.value) : args;
      if (r.ok) {
        opened.push(r.value);
        remember(r.value);
      } else {
        errors.push(r.error);
      }
    }
    return { opened, errors };
  };

  const openAndTell = async (paths: readonly string[]): Promise<void> => {
    const { opened, errors } = await openPaths(paths);
    errors.forEach(notice);
    if (opened.length > 0) {
      d.send({ kind: 'opened', captures: opened });
    }
  };

  return {
    async pickCaptureFiles() {
      const { opened, errors } = await openPaths(await d.chooseFiles());
      const [first, ...rest] = errors;
      if (opened.length === 0 && first !== undefined) {
        rest.forEach(notice);
        return { ok: false, error: first };
      }
      errors.forEach(notice);
      return { ok: true, value: opened };
    },
    async openFromMenu() {
      await openAndTell(await d.chooseFiles());
    },
    async openRecent(path) {
      const { opened, errors } = await openPaths([path]);
      if (opened.length === 0) {
        // Gone or no longer a capture: it leaves the list, and the user is told why.
        d.recent.remove(path);
        d.recentChanged();
      }
      errors.forEach(notice);
      if (opened.length > 0) {
        d.send({ kind: 'opened', captures: opened });
      }
    },
    clearRecent() {
      d.recent.clear();
      d.recentChanged();
    },
    remember,
    notice,
    pruneRecent() {
      const missing = d.recent.prune();
      if (missing.length > 0) {
        notice({ code: 'not_found', message: missingNote(missing) });
        d.recentChanged();
      }
    },
    closeCapture() {
      d.send({ kind: 'closeCapture' });
    },
    showView(view) {
      d.send({ kind: 'view', view });
    },
  };
}
