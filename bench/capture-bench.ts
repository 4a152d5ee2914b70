/**
 * `npm run bench`: capture and analysis throughput and memory.
 *
 * Generates a capture of the linked-NOP model (default 10M events), then, each phase in its own
 * process so that peak RSS belongs to that phase alone:
 *   decode    read + frame + decode every batch into columns (decodeColumns: what the analysis reads)
 *   decode objects   the same, then every event as an object (eventsOf), as the decoder gave before
 *   decodeColumns only   decodeColumns over batches framed and parsed beforehand (not timed)
 *   analyze   decode + reorder + verdicts + statistics (what `lockscope analyze` does)
 *   analyze, heap capped   the same with V8's old space capped (--heap-mb, default 256): it
 *             finishes only if what the analysis keeps is bounded, and its RSS is the footprint
 *   import    the same events (a prefix, default 2M) as bpftrace -f json NDJSON through the importer
 *   json      the same NDJSON through a plain JSON.parse per line (the floor for any NDJSON reader)
 * and prints events/s, peak RSS and bytes/event. Options:
 *   --events N  --ndjson-events N  --grain raw|summary  --kernel patched|unpatched  --dir DIR
 */
import { fork } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Analyzer } from '../main/core/analysis/analyzer.js';
import { CaptureEncoder } from '../main/core/capture/capture-encoder.js';
import { decodeColumns } from '../main/core/capture/column-decoder.js';
import type { BatchColumns } from '../main/core/capture/event-codec.js';
import { eventsOf } from '../main/core/capture/event-columns.js';
import { FrameDecoder } from '../main/core/capture/frame-codec.js';
import { MAGIC_LENGTH } from '../main/core/capture/magic.js';
import { decodeRecord } from '../main/core/capture/record-codec.js';
import { BpftraceImporter } from '../main/core/import/bpftrace-importer.js';
import { formatLs1, formatLs1Header } from '../main/core/import/ls1-format.js';
import { DEFAULT_RULES_JSON } from '../main/core/rules/default-rules.js';
import { parseRules } from '../main/core/rules/rule.js';
import type { LinkedNopOptions } from '../main/core/synthetic/linked-nop-model.js';
import { linkedNopEvents, linkedNopHeader } from '../main/core/synthetic/linked-nop-model.js';
import { readCaptureFile } from '../main/node/capture-file.js';

const { values } = parseArgs({
  options: {
    phase: { type: 'string' },
    events: { type: 'string', default: '10000000' },
    'ndjson-events': { type: 'string', default: '2000000' },
    grain: { type: 'string', default: 'raw' },
    kernel: { type: 'string', default: 'patched' },
    dir: { type: 'string', default: '/tmp/lockscope-bench' },
    'heap-mb': { type: 'string', default: '256' },
  },
});
const targetEvents = Number(values.events);
const ndjsonEvents = Number(values['ndjson-events']);
const grain = values.grain === 'summary' ? 'summary' : 'raw';
const kernel = values.kernel === 'unpatched' ? 'unpatched' : 'patched';
const dir = values.dir;
const capture = `${dir}/bench-${kernel}-${grain}-${targetEvents}.lscap`;
const ndjson = `${dir}/bench-${kernel}-${grain}-${ndjsonEvents}.ndjson`;

/** Events per chain of 4 in the model (its tests measure these): chains are sized to the target. */
const EVENTS_PER_CHAIN = { raw: { patched: 36.4, unpatched: 27 }, summary: { patched: 20.5, unpatched: 20.5 } } as const;

function modelOptions(): LinkedNopOptions {
  // The model runs to its natural end (final miss readings and totals included).
  const chains = Math.ceil(targetEvents / EVENTS_PER_CHAIN[grain][kernel]);
  return { kernel, grain, chains, chainLength: 4, rings: 4, workers: 8, cpus: 2, seed: 1, timeScale: 30 };
}

interface PhaseResult {
  readonly phase: string;
  readonly events: number;
  readonly seconds: number;
  readonly bytes?: number;
  readonly note?: string;
}

function rules() {
  const r = parseRules(DEFAULT_RULES_JSON);
  if (!r.ok) {
    throw new Error(r.error.message);
  }
  return r.value;
}

function generate(): PhaseResult {
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  const o = modelOptions();
  const header = linkedNopHeader(o, 'bench');
  const enc = new CaptureEncoder();
  const fd = openSync(capture, 'w');
  const write = (chunks: readonly Uint8Array[]): void => {
    for (const c of chunks) {
      writeSync(fd, c);
    }
  };
  write([enc.start(header)]);
  let n = 0;
  for (const chunk of linkedNopEvents(o)) {
    write(enc.append(chunk));
    n += chunk.length;
  }
  write(enc.close('bench'));
  closeSync(fd);
  return { phase: 'generate+encode', events: n, seconds: (performance.now() - t0) / 1000, bytes: statSync(capture).size };
}

function decode(): PhaseResult {
  const t0 = performance.now();
  let n = 0;
  readCaptureFile(capture, (item) => {
    if (item.type === 'events') {
      n += item.columns.count;
    }
  });
  return { phase: 'decode', events: n, seconds: (performance.now() - t0) / 1000, bytes: statSync(capture).size };
}

function decodeObjects(): PhaseResult {
  const t0 = performance.now();
  let n = 0;
  readCaptureFile(capture, (item) => {
    if (item.type === 'events') {
      n += eventsOf(item.columns).length;
    }
  });
  return { phase: 'decode objects', events: n, seconds: (performance.now() - t0) / 1000, bytes: statSync(capture).size };
}

function decodeColumnsOnly(): PhaseResult {
  const bytes = readFileSync(capture);
  const frames = new FrameDecoder(MAGIC_LENGTH).push(bytes.subarray(MAGIC_LENGTH));
  const batches: BatchColumns[] = [];
  for (const f of frames) {
    if (f.type === 'corrupt') {
      throw new Error(`${capture}: ${f.reason} at byte ${f.offset}`);
    }
    const r = decodeRecord(f.payload);
    if (r.type === 'batch') {
      batches.push(r.columns);
    }
  }
  const t0 = performance.now();
  let n = 0;
  for (const b of batches) {
    n += decodeColumns(b).count;
  }
  return { phase: 'decodeColumns only', events: n, seconds: (performance.now() - t0) / 1000, note: 'batches read, framed and parsed beforehand' };
}

function analyze(): PhaseResult {
  const t0 = performance.now();
  let analyzer: Analyzer | undefined;
  let walks = 0;
  readCaptureFile(capture, (item) => {
    if (item.type === 'header') {
      analyzer = new Analyzer(item.header, { rules: rules(), evidence: false }, () => {
        walks++;
      });
    } else if (item.type === 'events') {
      analyzer?.pushColumns(item.columns);
    }
  });
  if (analyzer === undefined) {
    throw new Error('no header');
  }
  analyzer.finish();
  const s = analyzer.tally.summary();
  const v = s.rules[0]?.verdicts;
  return {
    phase: 'decode+analyze',
    events: s.events,
    seconds: (performance.now() - t0) / 1000,
    note: `${walks} walks: HELD ${v?.HELD ?? 0}, NOT_HELD ${v?.NOT_HELD ?? 0}, UNKNOWN ${v?.UNKNOWN ?? 0}`,
  };
}

function writeNdjson(): void {
  if (existsSync(ndjson)) {
    return;
  }
  const o = modelOptions();
  const header = linkedNopHeader(o, 'bench');
  const fd = openSync(ndjson, 'w');
  const rec = (line: string): string => `${JSON.stringify({ type: 'printf', data: `${line}\n` })}\n`;
  writeSync(fd, formatLs1Header(header).map(rec).join(''));
  let n = 0;
  for (const chunk of linkedNopEvents(o)) {
    const text = chunk.flatMap((e) => formatLs1(e, header.baseNs, header.addrBias)).map(rec).join('');
    writeSync(fd, text);
    n += chunk.length;
    if (n >= ndjsonEvents) {
      break;
    }
  }
  closeSync(fd);
}

async function forEachLine(file: string, f: (line: string) => void): Promise<number> {
  let lines = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    f(line);
    lines++;
  }
  return lines;
}

async function importNdjson(): Promise<PhaseResult> {
  const t0 = performance.now();
  const imp = new BpftraceImporter();
  let events = 0;
  let lines = 0;
  await forEachLine(ndjson, (line) => {
    imp.line(line);
    if (++lines % 4096 === 0) {
      events += imp.drain().length;
    }
  });
  imp.finish();
  events += imp.drain().length;
  return { phase: 'ndjson import', events, seconds: (performance.now() - t0) / 1000, bytes: statSync(ndjson).size };
}

async function jsonParse(): Promise<PhaseResult> {
  const t0 = performance.now();
  let records = 0;
  await forEachLine(ndjson, (line) => {
    const v: unknown = JSON.parse(line);
    if (typeof v === 'object' && v !== null) {
      records++;
    }
  });
  return { phase: 'ndjson JSON.parse only', events: records, seconds: (performance.now() - t0) / 1000, bytes: statSync(ndjson).size, note: 'records (≈ events)' };
}

async function runPhase(phase: string): Promise<PhaseResult> {
  switch (phase) {
    case 'generate':
      return generate();
    case 'decode':
      return decode();
    case 'decode-objects':
      return decodeObjects();
    case 'decode-columns':
      return decodeColumnsOnly();
    case 'analyze':
      return analyze();
    case 'import':
      return importNdjson();
    case 'json':
      return jsonParse();
    default:
      throw new Error(`unknown phase ${phase}`);
  }
}

function child(phase: string, execArgv: readonly string[] = []): Promise<PhaseResult & { readonly maxRssMb: number }> {
  return new Promise((resolve, reject) => {
    const args = ['--phase', phase, '--events', String(targetEvents), '--ndjson-events', String(ndjsonEvents), '--grain', grain, '--kernel', kernel, '--dir', dir];
    const p = fork(fileURLToPath(import.meta.url), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...execArgv] });
    p.on('message', (m: PhaseResult & { readonly maxRssMb: number }) => {
      resolve(execArgv.length === 0 ? m : { ...m, phase: `${m.phase}, heap ${values['heap-mb']} MB` });
    });
    p.on('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`phase ${phase} exited with ${String(code)}`));
      }
    });
  });
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

if (values.phase !== undefined) {
  const r = await runPhase(values.phase);
  const result = { ...r, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  if (process.send === undefined) {
    console.log(JSON.stringify(result));
  } else {
    process.send(result);
  }
} else {
  console.log(`lockscope bench: ${fmt(targetEvents)} events, linked-NOP model (${kernel}, ${grain} grain), node ${process.version}, one process per phase`);
  const results = [];
  for (const phase of ['generate', 'decode', 'decode-columns', 'decode-objects', 'analyze']) {
    results.push(await child(phase));
  }
  results.push(await child('analyze', [`--max-old-space-size=${values['heap-mb']}`]));
  writeNdjson();
  for (const phase of ['import', 'json']) {
    results.push(await child(phase));
  }
  console.log('');
  console.log(`${'phase'.padEnd(24)} ${'events'.padStart(12)} ${'seconds'.padStart(8)} ${'events/s'.padStart(12)} ${'peak RSS'.padStart(9)} ${'bytes/event'.padStart(11)}  note`);
  for (const r of results) {
    const bpe = r.bytes === undefined ? '' : (r.bytes / r.events).toFixed(2);
    console.log(
      `${r.phase.padEnd(24)} ${fmt(r.events).padStart(12)} ${r.seconds.toFixed(2).padStart(8)} ${fmt(r.events / r.seconds).padStart(12)} ${`${fmt(r.maxRssMb)} MB`.padStart(9)} ${bpe.padStart(11)}  ${r.note ?? ''}`,
    );
  }
  if (process.env.LOCKSCOPE_BENCH_KEEP !== '1') {
    for (const f of [capture, ndjson]) {
      if (existsSync(f)) {
        unlinkSync(f);
      }
    }
  }
}
