/**
 * The app's own windows, by webContents id: who may call the engine (sender-policy.ts) and who
 * receives its events. window.ts adds a window when it is made and removes it when it closes.
 */
import { isAppUrl } from './app-origin.js';
import type { KnownWindows } from './sender-policy.js';

/** The parts of Electron's WebContents the registry and the IPC wiring use. */
export interface WindowContents {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  getURL(): string;
}

export class WindowRegistry implements KnownWindows {
  private readonly byId = new Map<number, WindowContents>();

  add(contents: WindowContents): void {
    this.byId.set(contents.id, contents);
  }

  remove(id: number): void {
    this.byId.delete(id);
  }

  has(id: number): boolean {
    const c = this.byId.get(id);
    return c !== undefined && !c.isDestroyed();
  }

  get(id: number): WindowContents | undefined {
    return this.has(id) ? this.byId.get(id) : undefined;
  }

  /** Live windows that show the app (a window elsewhere gets no events). */
  showingApp(): readonly WindowContents[] {
    return [...this.byId.values()].filter((c) => !c.isDestroyed() && isAppUrl(c.getURL()));
  }
}
