/**
 * `npm run bench:ui`: how the app copes with a big capture.
 *
 * (a) Engine: a synthetic capture of about N events (default 10M; the linked-NOP model, as
 *     `npm run bench` makes it) in build/bench/, opened through the engine API as the app does:
 *     decode + analysis (with evidence) until openCaptureFile answers; then the verdict summary
 *     (getSummary), the first timeline query (which indexes the capture), a zoomed one, and a
 *     walk's detail.
 * (b) UI: the same engine behind `lockscope serve`, the timeline view in headless chromium, and
 *     the time between animation frames (requestAnimationFrame deltas) while the cursor moves over
 *     the overview and the lanes, while drag-zooming and panning the overview (each a new query
 *     decimated to the chart's width) and zooming the lanes; plus each zoom's and pan's latency
 *     from the mouse to the new range on screen.
 * Prints a table and writes build/bench/ui.json. Not part of `npm test`.
 *   node build/bench/ui/ui-bench.js [--events N] [--kernel patched|unpatched] [--dir build/bench]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { RENDERER_DIR } from '../../main/node/app-paths.js';
import { loadRules } from '../../main/node/commands/analysis-run.js';
import { createEngine } from '../../main/node/engine/engine.js';
import { serve } from '../../main/node/serve/serve-server.js';
import type { FrameStats } from './frame-stats.js';
import { frameStats } from './frame-stats.js';
import { benchCapture } from './ui-bench-capture.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    kernel: { type: 'string', default: 'patched' },
    dir: { type: 'string', default: 'build/bench' },
    chromium: { type: 'string', default: process.env.LOCKSCOPE_CHROMIUM ?? '/usr/bin/chromium' },
  },
});
const targetEvents = Number(values.events);
const kernel = values.kernel === 'unpatched' ? 'unpatched' : 'patched';
if (!Number.isSafeInteger(targetEvents) || targetEvents < 1000) {
  throw new Error(`--events ${values.events}: give a whole number of events, at least 1000`);
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const ms = (t0: number): number => performance.now() - t0;

function must<T>(r: { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: { readonly message: string } }): T {
  if (!r.ok) {
    throw new Error(r.error.message);
  }
  return r.value;
}

// ---- (a) the engine ----
console.log(`lockscope bench:ui: about ${fmt(targetEvents)} events (linked-NOP model, ${kernel}, raw grain), node ${process.version}`);
const cap = benchCapture(values.dir, targetEvents, kernel);
console.log(cap.generateS === undefined ? `reusing ${cap.path} (${fmt(cap.bytes)} bytes)` : `generated ${cap.path}: ${fmt(cap.events ?? 0)} events, ${fmt(cap.bytes)} bytes in ${cap.generateS.toFixed(1)} s`);
const stateDir = mkdtempSync(join(tmpdir(), 'lockscope-ui-bench-'));
const engine = createEngine({ rules: loadRules(undefined), initialCaptures: [], stateDir, sshConfig: undefined, capturesDir: join(stateDir, 'captures'), warn: (t) => { console.warn(t); } });
let t0 = performance.now();
const info = must(await engine.openCaptureFile({ path: cap.path }));
const openMs = ms(t0);
t0 = performance.now();
const summary = must(await engine.getSummary({ captureId: info.id }));
const summaryMs = ms(t0);
const events = summary.summary.events;
const verdicts = summary.summary.rules[0]?.verdicts;
t0 = performance.now();
const whole = must(await engine.getTimeline({ captureId: info.id, fromNs: undefined, toNs: undefined, buckets: 1300 }));
const firstTimelineMs = ms(t0);
t0 = performance.now();
must(await engine.getTimeline({ captureId: info.id, fromNs: undefined, toNs: undefined, buckets: 1300 }));
const wholeTimelineMs = ms(t0);
const mid = (whole.fromNs + whole.toNs) / 2;
const tenth = (whole.toNs - whole.fromNs) / 10;
t0 = performance.now();
const zoomed = must(await engine.getTimeline({ captureId: info.id, fromNs: mid - tenth / 2, toNs: mid + tenth / 2, buckets: 1300 }));
const zoomTimelineMs = ms(t0);
const walkIndex = Math.max(1, Math.floor((verdicts === undefined ? 2 : verdicts.HELD + verdicts.NOT_HELD + verdicts.UNKNOWN) / 2));
t0 = performance.now();
const walk = must(await engine.getWalk({ captureId: info.id, index: walkIndex }));
const walkMs = ms(t0);
const { rss, heapUsed } = process.memoryUsage();

const engineRows: readonly (readonly [string, number, string])[] = [
  ['decode + analysis (openCaptureFile)', openMs, `${fmt(events)} events, ${fmt(Math.round(events / (openMs / 1000)))} events/s`],
  ['analysis done → verdict summary (getSummary)', summaryMs, `HELD ${fmt(verdicts?.HELD ?? 0)}, NOT_HELD ${fmt(verdicts?.NOT_HELD ?? 0)}, UNKNOWN ${fmt(verdicts?.UNKNOWN ?? 0)}`],
  ['first timeline query (builds the index)', firstTimelineMs, `${fmt(whole.eventsInRange)} events in range, 1,300 buckets`],
  ['timeline query, whole capture', wholeTimelineMs, `${fmt(whole.eventsInRange)} events in range`],
  ['timeline query, a tenth of it', zoomTimelineMs, `${fmt(zoomed.eventsInRange)} events in range`],
  [`walk detail (getWalk #${fmt(walkIndex)})`, walkMs, `${fmt(walk.lanes.length)} lanes`],
];
console.log('\n(a) engine');
for (const [what, t, note] of engineRows) {
  console.log(`  ${what.padEnd(46)} ${t.toFixed(1).padStart(10)} ms  ${note}`);
}
console.log(`  process after (${fmt(events)} events and the index in memory): RSS ${fmt(Math.round(rss / 2 ** 20))} MB, JS heap ${fmt(Math.round(heapUsed / 2 ** 20))} MB`);

// ---- (b) the timeline view in headless chromium ----
const serving = await serve({ engine, rendererDir: RENDERER_DIR, port: 0 });
const browser = await chromium.launch({ executablePath: values.chromium, args: ['--no-sandbox', '--headless'] });
const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
const pageErrors: string[] = [];
page.on('pageerror', (e) => pageErrors.push(e.message));

const RECORDER = `(() => {
  const w = window;
  w.__lsFrames = [];
  w.__lsRange = [];
  if (w.__lsRecorder !== true) {
    w.__lsRecorder = true;
    let last = performance.now();
    const tick = (t) => { w.__lsFrames.push(t - last); last = t; requestAnimationFrame(tick); };
    requestAnimationFrame((t) => { last = t; requestAnimationFrame(tick); });
    // A new range on screen: the text changes at once, the charts draw after the effects run; two frames on, both have.
    new MutationObserver(() => { requestAnimationFrame(() => requestAnimationFrame(() => { w.__lsRange.push(performance.now()); })); }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-from'] });
  }
  return true;
})()`;

async function startFrames(p: Page): Promise<void> {
  await p.evaluate(RECORDER);
  await p.evaluate('(() => { window.__lsFrames = []; window.__lsRange = []; return true; })()');
}

async function frames(p: Page): Promise<number[]> {
  return p.evaluate<number[]>('window.__lsFrames.slice(1)');
}

async function rangeText(p: Page): Promise<string> {
  return (await p.locator('[data-testid=overview-range]').getAttribute('data-from')) ?? '';
}

/** The page's clock (ms), to time an input against what the page records. */
async function pageNow(p: Page): Promise<number> {
  return p.evaluate<number>('performance.now()');
}

/**
 * Waits (polling what the page shows) until the overview's range is no longer `before` and the
 * charts have drawn it; returns the page-clock ms from `since` (taken just before the input's
 * last step: the mouse release or the click) to the second frame after the change.
 */
async function rangeChange(p: Page, before: string, since: number): Promise<number> {
  const until = Date.now() + 60_000;
  while ((await rangeText(p)) === before || (await p.evaluate<number>('window.__lsRange.length')) === 0) {
    if (Date.now() > until) {
      throw new Error('the overview did not change its range within 60 s');
    }
    await p.waitForTimeout(5);
  }
  const drawn = await p.evaluate<number>('window.__lsRange[window.__lsRange.length - 1]');
  await p.evaluate('(() => { window.__lsRange = []; return true; })()');
  return drawn - since;
}

interface Scenario {
  readonly name: string;
  readonly stats: FrameStats;
  /** Per action (zoom, pan), ms from the input to the new range drawn. */
  readonly latencyMs: readonly number[];
}
const scenarios: Scenario[] = [];

async function box(p: Page, testId: string): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await p.locator(`[data-testid=${testId}] .u-over`).first().boundingBox();
  if (b === null) {
    throw new Error(`${testId}: no chart on screen`);
  }
  return b;
}

async function moveAcross(p: Page, testId: string, steps: number): Promise<void> {
  const b = await box(p, testId);
  for (let i = 0; i <= steps; i++) {
    await p.mouse.move(b.x + (b.width * i) / steps, b.y + b.height / 2);
    await p.evaluate('new Promise((r) => requestAnimationFrame(() => r(true)))');
  }
}

/** Drags across a chart; returns the page clock just before the release. */
async function dragAcross(p: Page, testId: string, from: number, to: number): Promise<number> {
  const b = await box(p, testId);
  await p.mouse.move(b.x + b.width * from, b.y + b.height / 2);
  await p.mouse.down();
  await p.mouse.move(b.x + b.width * to, b.y + b.height / 2, { steps: 10 });
  const at = await pageNow(p);
  await p.mouse.up();
  return at;
}

t0 = performance.now();
await page.goto(serving.url);
await page.locator('button[data-view=timeline]').click();
await page.locator('[data-testid=walk-panel]').waitFor({ timeout: 120_000 });
await page.locator('[data-testid=overview] canvas').waitFor();
const firstViewMs = ms(t0);
const inView = Number(await page.locator('[data-testid=overview-range]').innerText().then((t) => /([\d,]+) events/.exec(t)?.[1]?.replace(/,/g, '') ?? 'NaN'));

await startFrames(page);
await moveAcross(page, 'overview', 120);
scenarios.push({ name: 'cursor over the overview', stats: frameStats(await frames(page)), latencyMs: [] });

await startFrames(page);
const zoomLatency: number[] = [];
for (const [a, b] of [[0.1, 0.6], [0.2, 0.7], [0.3, 0.6], [0.2, 0.5], [0.4, 0.6]] as const) {
  const before = await rangeText(page);
  const since = await dragAcross(page, 'overview', a, b);
  zoomLatency.push(await rangeChange(page, before, since));
}
scenarios.push({ name: 'drag-zoom the overview ×5', stats: frameStats(await frames(page)), latencyMs: zoomLatency });

await startFrames(page);
const panLatency: number[] = [];
for (const button of ['overview-left', 'overview-left', 'overview-right', 'overview-right', 'overview-right', 'overview-left']) {
  const before = await rangeText(page);
  const since = await pageNow(page);
  await page.locator(`[data-testid=${button}]`).click();
  panLatency.push(await rangeChange(page, before, since));
}
scenarios.push({ name: 'pan the overview ×6', stats: frameStats(await frames(page)), latencyMs: panLatency });

await startFrames(page);
const resetBefore = await rangeText(page);
const resetSince = await pageNow(page);
await page.locator('[data-testid=overview-reset]').click();
const resetLatency = await rangeChange(page, resetBefore, resetSince);
await moveAcross(page, 'overview', 60);
scenarios.push({ name: 'reset to the whole capture, cursor over it', stats: frameStats(await frames(page)), latencyMs: [resetLatency] });

await startFrames(page);
await moveAcross(page, 'lanes', 120);
scenarios.push({ name: 'cursor over the lanes (synced)', stats: frameStats(await frames(page)), latencyMs: [] });

await startFrames(page);
await dragAcross(page, 'lanes', 0.3, 0.6);
await moveAcross(page, 'lanes', 40);
await page.locator('[data-testid=lanes-reset]').click();
await moveAcross(page, 'lanes', 40);
scenarios.push({ name: 'zoom the lanes, cursor, reset', stats: frameStats(await frames(page)), latencyMs: [] });

await browser.close();
await serving.close();
await engine.dispose();
rmSync(stateDir, { recursive: true, force: true });

console.log(`\n(b) timeline view in headless chromium: ${fmt(inView)} events in view at first; first view drawn ${firstViewMs.toFixed(0)} ms after load`);
console.log(`  ${'scenario'.padEnd(44)} ${'frames'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)}  input → new range drawn, page clock (ms)`);
for (const s of scenarios) {
  console.log(
    `  ${s.name.padEnd(44)} ${String(s.stats.frames).padStart(7)} ${s.stats.p50.toFixed(1).padStart(8)} ${s.stats.p95.toFixed(1).padStart(8)} ${s.stats.max.toFixed(1).padStart(8)}  ${s.latencyMs.map((l) => l.toFixed(0)).join(', ')}`,
  );
}
if (pageErrors.length > 0) {
  console.log(`page errors: ${pageErrors.join('; ')}`);
}

const report = {
  date: new Date().toISOString(),
  node: process.version,
  capture: { path: cap.path, bytes: cap.bytes, events, kernel, generatedS: cap.generateS },
  engine: Object.fromEntries(engineRows.map(([what, t, note]) => [what, { ms: Math.round(t * 10) / 10, note }])),
  rssMb: Math.round(rss / 2 ** 20),
  heapMb: Math.round(heapUsed / 2 ** 20),
  ui: { eventsInView: inView, firstViewMs: Math.round(firstViewMs), scenarios, pageErrors },
};
const out = join(values.dir, 'ui.json');
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwrote ${out}`);
