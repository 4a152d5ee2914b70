/** `lockscope serve`: the app in a browser, on loopback, behind a random token. */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Rule } from '../../core/rules/rule.js';
import { bundledCaptures, defaultSshConfig, defaultStateDir, RENDERER_DIR } from '../app-paths.js';
import { CliError } from '../cli-error.js';
import { createEngine } from '../engine/engine.js';
import { serve } from '../serve/serve-server.js';

export interface ServeArgs {
  readonly port: number;
  readonly captures: readonly string[];
  readonly bundled: boolean;
  readonly stateDir: string | undefined;
  readonly sshConfig: string | undefined;
  readonly rules: readonly Rule[];
}

export async function serveCommand(a: ServeArgs, io: { readonly out: (t: string) => void; readonly err: (t: string) => void }): Promise<number> {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw new CliError(`${RENDERER_DIR}/index.html: the UI is not built; run npm run build`);
  }
  const stateDir = a.stateDir ?? defaultStateDir();
  const capturesDir = join(stateDir, 'captures');
  mkdirSync(capturesDir, { recursive: true });
  const engine = createEngine({
    rules: a.rules,
    initialCaptures: [...(a.bundled ? bundledCaptures() : []), ...a.captures.map((c) => resolve(c))],
    stateDir,
    sshConfig: a.sshConfig ?? defaultSshConfig(),
    capturesDir,
    warn: (text) => {
      io.err(`lockscope: warning: ${text}`);
    },
  });
  let serving;
  try {
    serving = await serve({ engine, rendererDir: RENDERER_DIR, port: a.port });
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
    throw new CliError(code === 'EADDRINUSE' ? `port ${a.port} is in use; give another with --port, or --port 0 for any free one` : `cannot listen on 127.0.0.1:${a.port}: ${String(e)}`);
  }
  io.out(`Lockscope is at ${serving.url}`);
  io.out('(loopback only; the token in the URL is the key: do not share it. Ctrl-C stops.)');
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await serving.close();
  await engine.dispose();
  return 0;
}
