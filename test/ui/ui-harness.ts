/**
 * The browser tests' harness: the engine and `lockscope serve` in this process, Debian's
 * chromium driven by playwright-core, and screenshots saved to build/screenshots/ for a person
 * to look at. Waits on what the page shows (readiness), never on sleeps.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { bundledCaptures, RENDERER_DIR } from '../../main/node/app-paths.js';
import type { Engine } from '../../main/node/engine/engine.js';
import { createEngine } from '../../main/node/engine/engine.js';
import { loadRules } from '../../main/node/commands/analysis-run.js';
import type { Serving } from '../../main/node/serve/serve-server.js';
import { serve } from '../../main/node/serve/serve-server.js';

export const CHROMIUM = process.env.LOCKSCOPE_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = 'build/screenshots';

export interface UiSession {
  readonly engine: Engine;
  readonly serving: Serving;
  readonly browser: Browser;
  readonly page: Page;
  /** Page errors and console errors seen so far (a test may assert there are none). */
  readonly pageErrors: string[];
  readonly stateDir: string;
  close(): Promise<void>;
}

export interface UiOptions {
  readonly captures?: readonly string[];
  readonly theme?: 'light' | 'dark';
  readonly viewport?: { readonly width: number; readonly height: number };
}

export async function openUi(o: UiOptions = {}): Promise<UiSession> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM}: no chromium; install it (apt-get install chromium) or set LOCKSCOPE_CHROMIUM`);
  }
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw new Error(`${RENDERER_DIR}: the UI is not built; run npm run build`);
  }
  const stateDir = mkdtempSync(join(tmpdir(), 'lockscope-ui-'));
  const engine = createEngine({
    rules: loadRules(undefined),
    initialCaptures: o.captures ?? bundledCaptures(),
    stateDir,
    sshConfig: undefined,
    capturesDir: join(stateDir, 'captures'),
    warn: () => undefined,
  });
  const serving = await serve({ engine, rendererDir: RENDERER_DIR, port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless'] });
  const context = await browser.newContext({ viewport: o.viewport ?? { width: 1400, height: 900 }, colorScheme: o.theme ?? 'light' });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') {
      pageErrors.push(m.text());
    }
  });
  await page.goto(serving.url);
  return {
    engine,
    serving,
    browser,
    page,
    pageErrors,
    stateDir,
    async close() {
      await browser.close();
      await serving.close();
      await engine.dispose();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Saves build/screenshots/NAME.png (a person looks at these). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}
