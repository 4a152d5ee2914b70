/** Where the app's files are: the built renderer, the bundled captures, the user's state. */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project (or packaged app) root: build/main/node/app-paths.js is three levels below it. */
export const APP_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const RENDERER_DIR = join(APP_ROOT, 'build', 'renderer');

/** The real captures shipped in assets/, in name order. */
export function bundledCaptures(): readonly string[] {
  const dir = join(APP_ROOT, 'assets');
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.lscap'))
        .sort()
        .map((f) => join(dir, f))
    : [];
}

/** $XDG_CONFIG_HOME/lockscope, else ~/.config/lockscope: targets.json lives here. */
export function defaultStateDir(): string {
  const xdg = process.env.XDG_CONFIG_HOME;
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.config'), 'lockscope');
}

export function defaultSshConfig(): string | undefined {
  const p = join(homedir(), '.ssh', 'config');
  return existsSync(p) ? p : undefined;
}
