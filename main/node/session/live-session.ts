/**
 * One running session, from bpftrace's start to the capture's footer: its output lines parsed as
 * they arrive, the probe-miss reader's readings turned into the capture's miss counters, the
 * capture and the live analysis fed, calibration, the progress line, stopping (duration, rate
 * cap, Ctrl-C, calibration), and the verdict summary at the end. Started by trace-session.ts.
 */
import { countedWalksSoFar } from '../../core/analysis/counted-walks.js';
import { createInterface } from 'node:readline';
import { Analyzer } from '../../core/analysis/analyzer.js';
import type { AnalysisSummary } from '../../core/analysis/analysis-summary.js';
import { CaptureEncoder } from '../../core/capture/capture-encoder.js';
import type { CaptureEvent } from '../../core/capture/events.js';
import type { CaptureHeader } from '../../core/capture/header.js';
import { BpftraceImporter } from '../../core/import/bpftrace-importer.js';
import { formatImportError } from '../../core/import/import-error.js';
import type { FunctionMechanism, ProbePlan } from '../../core/plan/probe-plan.js';
import { formatSummary } from '../../core/report/format-summary.js';
import type { Rule } from '../../core/rules/rule.js';
import { Calibration } from '../../core/session/calibration.js';
import type { MissCoverage } from '../../core/session/miss-reader-lines.js';
import { isMissReaderLine, missCoverage, parseMissReaderLine } from '../../core/session/miss-reader-lines.js';
import { ATTACHED_LINE, parsePidLine, parseWorkloadExit } from '../../core/session/session-script.js';
import type { SessionCounters } from '../../core/session/session-progress.js';
import { RateMeter, formatProgress } from '../../core/session/session-progress.js';
import type { WorkloadSpec } from '../../core/session/workload-spec.js';
import type { RelNs } from '../../core/util/time.js';
import type { CaptureFileWriter } from '../capture-file.js';
import { CliError } from '../cli-error.js';
import { exitCodeFor, EXIT } from '../../core/report/exit-code.js';
import type { Spawned, Target } from '../targets/target.js';
import { describeTargetError } from '../targets/target-error.js';
import type { HelperSource } from './session-helpers.js';

export interface TraceOptions {
  readonly durationMs: number;
  readonly output: string;
  readonly workload: WorkloadSpec | undefined;
  /** The user's own workload, run on the target through `sh -c` as root. */
  readonly workloadCommand: string | undefined;
  readonly rules: readonly Rule[];
  /** Events per second (over a sliding second) that stop the session. */
  readonly maxRate: number;
  /** Milliseconds between probe-miss readings. */
  readonly missIntervalMs: number;
  /** Directory of the static helper binaries (build/bpf). */
  readonly binDir?: string;
  /** Attach the per-request lifecycle tracepoints too. */
  readonly lifecycle: boolean;
  /** Function probes as kprobes (default) or fentry/fexit. */
  readonly mechanism?: FunctionMechanism;
  /** Routine windows of a shape recorded in full per ring and CPU at most this often (0: all); the rest are counted. */
  readonly evidencePeriodMs?: number;
}

export interface TraceIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** A progress line that replaces the previous one (a terminal); undefined: no progress line. */
  readonly progress: ((line: string) => void) | undefined;
  /** Registers what to do on Ctrl-C; returns the deregistration. */
  readonly onInterrupt: (stop: () => void) => () => void;
  /** The progress line's numbers, each time it would be drawn and once at the end (the app's Live view). */
  readonly counters?: (c: SessionCounters) => void;
  /** The session moving on: bpftrace starting, its probes attached, the session stopping (the app's Live view). */
  readonly phase?: (p: SessionPhase) => void;
}

export type SessionPhase = 'attaching' | 'recording' | 'stopping';

type StopReason =
  | { readonly kind: 'duration' }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'rate_cap'; readonly rate: number }
  | { readonly kind: 'calibration'; readonly reason: string }
  | { readonly kind: 'tracer_exited' };

function stopText(r: StopReason, o: TraceOptions): string {
  switch (r.kind) {
    case 'duration':
      return `duration ${o.durationMs / 1000}s reached`;
    case 'interrupted':
      return 'stopped by the user';
    case 'rate_cap':
      return `event rate ${Math.round(r.rate).toLocaleString('en-US')}/s exceeded the cap of ${o.maxRate.toLocaleString('en-US')}/s (--max-rate)`;
    case 'calibration':
      return r.reason;
    case 'tracer_exited':
      return 'bpftrace exited on its own';
  }
}

/** How a session ended: analyze's exit code, and the verdict summary. */
export interface TraceResult {
  readonly code: number;
  readonly summary: AnalysisSummary;
  readonly calibrationFailure: string | undefined;
}

export interface SessionInput {
  readonly plan: ProbePlan;
  readonly readerOk: boolean;
  readonly helpers: HelperSource;
  readonly dir: string;
  readonly writer: CaptureFileWriter;
  readonly programText: string;
}

/** After SIGINT, how long bpftrace may take to print END and detach before it is killed. */
export const STOP_GRACE_MS = 60_000;
const FLUSH_MS = 200;
/**
 * Past the duration, how long bpftrace may take to print what it still holds before it is
 * stopped. Its child (the session clock) ends it at the duration, and it then drains its output
 * buffer completely; a SIGINT instead makes it discard what is queued, unreported (bpftrace's
 * event printer). On real hardware the drain takes moments; under software emulation bpftrace
 * prints a few hundred lines per second, so a 20 s session can take minutes.
 */
export function drainAllowanceMs(durationMs: number): number {
  return Math.max(120_000, 10 * durationMs);
}
const FLUSH_LINES = 8192;
const STDERR_KEPT = 40;


/** A pause that does not keep the process alive on its own. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export class LiveSession {
  private readonly importer = new BpftraceImporter();
  private readonly encoder = new CaptureEncoder();
  private header: CaptureHeader | undefined;
  private analyzer: Analyzer | undefined;
  private calibration: Calibration | undefined;
  private countedProbes: number[] = [];
  private coverage: MissCoverage = { kind: 'attaching', detail: 'no reading yet' };
  private coverageNoted = '';
  private readonly pendingReadings: { ns: bigint; total: number }[] = [];
  private lastMisses: number | undefined;
  private pid: number | undefined;
  private attachedAt: number | undefined;
  private stopReason: StopReason | undefined;
  private events = 0;
  private linesSinceFlush = 0;
  private lastTs = 0;
  private readonly stderrTail: string[] = [];
  private readonly rate = new RateMeter();
  private readonly started = Date.now();
  private readonly notes: string[] = [];
  private calibrationFailure: string | undefined;
  private readingsSinceAttach = 0;
  /** The reader's sources changed after readings began: later readings are not used. */
  private readingsFrozen = false;
  /** Lockscope itself stopped the tracer's process (not through bpftrace's SIGINT). */
  private forcedStop = false;
  /** bpftrace was stopped before it had printed everything it held. */
  private drainCut = false;
  private workloadLine: string | undefined;
  private lastRate = 0;
  private stoppingTold = false;

  constructor(
    private readonly target: Target,
    private readonly o: TraceOptions,
    private readonly io: TraceIo,
    private readonly s: SessionInput,
    private readonly tracer: Spawned,
    private readonly witnessesPlanned: number,
  ) {}

  async run(): Promise<TraceResult> {
    const offInterrupt = this.io.onInterrupt(() => {
      this.requestStop({ kind: 'interrupted' });
    });
    const stdoutDone = this.readLines(this.tracer.stdout, (line) => {
      this.stdoutLine(line);
    });
    const stderrDone = this.readLines(this.tracer.stderr, (line) => {
      this.stderrLine(line);
    });
    const ticker = setInterval(() => {
      this.tick();
    }, FLUSH_MS);
    let ended: { code: number | null; signal: string | null };
    try {
      ended = await this.tracer.done;
      await Promise.all([stdoutDone, stderrDone]);
    } finally {
      clearInterval(ticker);
      offInterrupt();
    }
    if (this.io.progress !== undefined) {
      this.io.progress('');
    }
    const ranFor = this.attachedAt === undefined ? 0 : Date.now() - this.attachedAt;
    const reason: StopReason = this.stopReason ?? (ranFor >= this.o.durationMs - 2000 ? { kind: 'duration' } : { kind: 'tracer_exited' });
    this.stopReason = reason;
    return this.finish(ended, reason);
  }

  private readLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> {
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', onLine);
    return new Promise((resolve) => {
      rl.once('close', resolve);
    });
  }

  private stdoutLine(line: string): void {
    this.importer.line(line);
    if (++this.linesSinceFlush >= FLUSH_LINES) {
      this.flush();
    }
  }

  private stderrLine(line: string): void {
    const pid = parsePidLine(line);
    if (pid !== undefined) {
      this.pid = pid;
      return;
    }
    if (!isMissReaderLine(line)) {
      this.otherStderr(line);
      return;
    }
    const m = parseMissReaderLine(line);
    switch (m.kind) {
      case 'sources': {
        if (this.attachedAt !== undefined && this.readingsSinceAttach > 1) {
          // The reader's total sums counters of whatever BPF objects bpftrace holds; once they
          // change (bpftrace detaching at the end), one counter's rise can hide behind another's
          // leaving: readings from here on are not compared with earlier ones.
          this.readingsFrozen = true;
        }
        const before = this.coverage.kind;
        this.coverage = missCoverage(this.s.plan.probes, m.sources, this.witnessesPlanned);
        if (process.env.LOCKSCOPE_DEBUG === '1') {
          this.io.err(`lockscope: debug: ${line} -> ${JSON.stringify(this.coverage)}`);
        }
        if (this.coverage.kind === 'complete' && before !== 'complete' && this.s.plan.probes.some((p) => p.missesCounted)) {
          const src = m.sources;
          this.io.err(`lockscope: probe misses counted: ${src.progs} programs, ${src.kprobeMulti} kprobe_multi links, ${src.perfKprobes} perf kprobes with ${src.witnesses} witness kprobes`);
        }
        if (this.coverage.kind === 'incomplete' && this.coverageNoted !== this.coverage.reason) {
          this.coverageNoted = this.coverage.reason;
          this.notes.push(`probe misses not counted from here on: ${this.coverage.reason}; walks after it will be UNKNOWN`);
          this.io.err(`lockscope: warning: ${this.notes[this.notes.length - 1] ?? ''}`);
        }
        break;
      }
      case 'reading':
        // Only readings taken after every probe was attached count: the first one printed after
        // the child's attach line may have been taken before it, the next cannot.
        if (this.attachedAt !== undefined && this.readingsSinceAttach++ > 0 && this.coverage.kind === 'complete' && !this.readingsFrozen) {
          this.pendingReadings.push({ ns: m.ns, total: m.total });
          this.lastMisses = m.total;
        }
        break;
      case 'unsettled':
        break;
      case 'error':
        this.notes.push(`probe-miss reader: ${m.text}`);
        this.io.err(`lockscope: warning: probe-miss reader: ${m.text}`);
        break;
      case 'bad':
        this.io.err(`lockscope: warning: unreadable probe-miss reader line: ${m.line.slice(0, 200)}`);
        break;
    }
  }

  /** bpftrace's messages and the child's (attach line, workload output and exit). */
  private otherStderr(line: string): void {
    if (line.trim() === ATTACHED_LINE) {
      if (this.attachedAt === undefined) {
        this.attached();
      }
      return;
    }
    const exit = parseWorkloadExit(line);
    if (exit !== undefined) {
      this.io.err(`lockscope: workload ended (exit ${exit})${this.workloadLine === undefined ? '' : `: ${this.workloadLine}`}`);
      return;
    }
    if (line.startsWith('linkstorm chains=')) {
      this.workloadLine = line;
      return;
    }
    this.stderrTail.push(line);
    if (this.stderrTail.length > STDERR_KEPT) {
      this.stderrTail.shift();
    }
  }

  private attached(): void {
    this.attachedAt = Date.now();
    this.io.phase?.('recording');
    this.io.err(`lockscope: probes attached after ${((this.attachedAt - this.started) / 1000).toFixed(1)} s; tracing for ${this.o.durationMs / 1000} s`);
    // The child ends the session at the duration; this is the backstop.
    setTimeout(() => {
      if (this.stopReason !== undefined) {
        return;
      }
      this.io.err(`lockscope: warning: bpftrace is still printing ${drainAllowanceMs(this.o.durationMs) / 1000} s after the duration; stopping it (what it still holds is dropped, and the capture's coverage ends there)`);
      this.drainCut = true;
      this.requestStop({ kind: 'duration' });
    }, this.o.durationMs + drainAllowanceMs(this.o.durationMs)).unref();
  }

  private forceStop(): void {
    this.forcedStop = true;
    this.tracer.stop();
  }

  private requestStop(reason: StopReason): void {
    if (this.stopReason !== undefined) {
      if (reason.kind === 'interrupted') {
        // A second Ctrl-C: do not wait for END.
        this.forceStop();
      }
      return;
    }
    if (reason.kind === 'interrupted') {
      this.io.err('lockscope: stopping: bpftrace prints its END totals; what it has not printed yet is dropped (Ctrl-C again to stop at once)');
    }
    this.stopReason = reason;
    this.stopping();
    void this.stopTracer();
  }

  private async stopTracer(): Promise<void> {
    if (this.pid !== undefined) {
      const r = await this.target.exec(['kill', '-INT', String(this.pid)], { root: true, timeoutMs: 30_000 });
      if (!r.ok) {
        this.io.err(`lockscope: warning: could not signal bpftrace: ${describeTargetError(r.error)}; stopping the session`);
        this.forceStop();
        return;
      }
    } else {
      this.forceStop();
      return;
    }
    const ended = await Promise.race([this.tracer.done.then(() => true), delay(STOP_GRACE_MS).then(() => false)]);
    if (!ended) {
      this.io.err(`lockscope: warning: bpftrace did not exit within ${STOP_GRACE_MS / 1000} s of SIGINT; stopping it (its END totals may be missing)`);
      this.forceStop();
    }
  }

  /** Once: the session is stopping (asked to, or past its duration while bpftrace drains). */
  private stopping(): void {
    if (!this.stoppingTold) {
      this.stoppingTold = true;
      this.io.phase?.('stopping');
    }
  }

  private tick(): void {
    this.flush();
    const now = Date.now();
    const rate = this.rate.add(now, this.events);
    this.lastRate = rate;
    // After the duration bpftrace only drains what it holds: a burst then is no load on the target.
    const tracing = this.attachedAt !== undefined && now - this.attachedAt < this.o.durationMs;
    if (tracing && rate > this.o.maxRate && this.stopReason === undefined) {
      this.requestStop({ kind: 'rate_cap', rate });
    }
    if (this.attachedAt !== undefined && !tracing) {
      this.stopping();
    }
    if (this.io.progress !== undefined || this.io.counters !== undefined) {
      const c = this.countersAt(now, rate);
      this.io.progress?.(formatProgress(c));
      this.io.counters?.(c);
    }
  }

  private countersAt(now: number, rate: number): SessionCounters {
    const summary = this.analyzer?.tally.summary();
    const v = summary?.rules[0]?.verdicts;
    const cal = this.calibration?.state;
    return {
      elapsedMs: this.attachedAt === undefined ? 0 : now - this.attachedAt,
      durationMs: this.o.durationMs,
      events: this.events,
      rate,
      lostEvents: summary?.losses.lostEvents ?? 0,
      misses: this.lastMisses,
      held: v?.HELD ?? 0,
      notHeld: v?.NOT_HELD ?? 0,
      unknown: v?.UNKNOWN ?? 0,
      countedWalks: this.analyzer === undefined ? 0 : countedWalksSoFar(this.analyzer.tally.countedEvents()),
      calibration: this.attachedAt === undefined ? 'attaching…' : this.s.plan.window.kind === 'none' ? 'no walk windows on this target' : cal === undefined ? 'calibrating' : cal.kind === 'passed' ? 'calibrated' : cal.kind === 'pending' ? `calibrating (${cal.walks} walks)` : 'calibration failed',
    };
  }

  /** Moves what the importer has parsed into the capture and the live analysis. */
  private flush(): void {
    this.linesSinceFlush = 0;
    const events = this.importer.drain();
    if (this.header === undefined) {
      const h = this.importer.header;
      if (h === undefined) {
        return;
      }
      this.sealed(h);
    }
    this.write(events);
  }

  private sealed(h: CaptureHeader): void {
    this.header = h;
    this.s.writer.write([this.encoder.start(h)]);
    this.analyzer = new Analyzer(h, { rules: this.o.rules, evidence: false }, () => undefined);
    this.calibration = new Calibration(h.addrBias);
    this.countedProbes = h.probes.flatMap((p, i) => (p.status === 'attached' && p.missesCounted ? [i] : []));
  }

  /**
   * Appends events to the capture and the live analysis. Miss readings arrive at once on their own
   * channel while bpftrace's events come seconds behind (buffered in a file on the target, then
   * the connection), so a reading waits until bpftrace's events have reached its time: written
   * earlier, it would sit in the capture far ahead of the windows it brackets, and those windows
   * would reach the analysis late.
   */
  private write(events: CaptureEvent[], all = false): void {
    const h = this.header;
    if (h === undefined) {
      return;
    }
    for (const e of events) {
      if (e.ts > this.lastTs) {
        this.lastTs = e.ts;
      }
    }
    let released = 0;
    for (const r of this.pendingReadings) {
      const ts = Number(r.ns - h.baseNs) as RelNs;
      if (!all && ts > this.lastTs) {
        break;
      }
      released++;
      for (const probe of this.countedProbes) {
        events.push({ kind: 'probe_misses', ts, cpu: -1, tid: 0, probe, missed: r.total });
      }
    }
    this.pendingReadings.splice(0, released);
    if (events.length === 0) {
      return;
    }
    const cal = this.calibration;
    for (const e of events) {
      if (e.kind === 'window_summary' && cal !== undefined && cal.state.kind === 'pending') {
        const st = cal.window(e);
        if (st.kind === 'failed') {
          events.push({ kind: 'marker', ts: this.lastTs as RelNs, cpu: -1, tid: 0, marker: 'note', text: st.reason });
          this.io.err(`lockscope: ${st.reason}`);
          this.calibrationFailure = st.reason;
          this.requestStop({ kind: 'calibration', reason: st.reason });
          break;
        }
        if (st.kind === 'passed') {
          this.io.err(`lockscope: calibrated: ${st.walks} of the first ${st.windows} windows walked to req->link (${st.mismatches} did not)`);
        }
      }
    }
    this.events += events.length;
    this.s.writer.write(this.encoder.append(events));
    this.analyzer?.push(events);
  }

  private finish(ended: { code: number | null; signal: string | null }, reason: StopReason): TraceResult {
    this.flush();
    const result = this.importer.finish();
    if (this.header === undefined) {
      this.sealed(result.header);
    }
    const rest = this.importer.drain();
    const abnormal = ended.code !== 0 && !this.forcedStop ? `bpftrace ended abnormally (${ended.code === null ? `signal ${ended.signal ?? '?'}` : `exit ${ended.code}`})` : undefined;
    if (abnormal !== undefined) {
      rest.push({ kind: 'marker', ts: this.lastTs as RelNs, cpu: -1, tid: 0, marker: 'note', text: `${abnormal}: the capture ends where its output did` });
    }
    if (this.drainCut || this.stopReason?.kind === 'interrupted') {
      // bpftrace discards what it still holds on SIGINT and does not count it as lost.
      rest.push({ kind: 'marker', ts: this.lastTs as RelNs, cpu: -1, tid: 0, marker: 'note', text: 'bpftrace was stopped before it had printed everything: windows it still held were dropped unreported (the kernel totals count them)' });
    }
    this.write(rest, true);
    const text = abnormal ?? stopText(reason, this.o);
    this.s.writer.write(this.encoder.close(text));
    this.s.writer.close();
    const analyzer = this.analyzer;
    if (analyzer === undefined) {
      throw new Error('finish without an analyzer');
    }
    analyzer.finish();
    this.io.counters?.(this.countersAt(Date.now(), this.lastRate));
    const c = result.counts;
    this.io.err(
      `lockscope: session ended (${text}); bpftrace exit ${ended.code === null ? `signal ${ended.signal ?? '?'}` : String(ended.code)}; ` +
        `${this.events.toLocaleString('en-US')} events in ${this.o.output}, ${c.lostEvents.toLocaleString('en-US')} lost, ${c.errors} unreadable lines`,
    );
    for (const e of result.errors.slice(0, 5)) {
      this.io.err(`  ${formatImportError(e)}`);
    }
    if (this.attachedAt === undefined) {
      throw new CliError(
        `${this.target.name}: bpftrace never attached its probes (exit ${String(ended.code)}).${this.stderrTail.length > 0 ? ` It said:\n  ${this.stderrTail.join('\n  ')}` : ''}`,
      );
    }
    if (ended.code !== 0 && ended.code !== null && this.stderrTail.length > 0) {
      this.io.err(`lockscope: bpftrace said:\n  ${this.stderrTail.join('\n  ')}`);
    }
    for (const n of this.notes) {
      this.io.err(`lockscope: note: ${n}`);
    }
    const summary = analyzer.tally.summary();
    this.io.out(formatSummary(summary, { file: this.o.output, fileNotes: [] }));
    if (this.calibrationFailure !== undefined) {
      this.io.err(`lockscope: ${this.calibrationFailure}; the capture is kept, but its verdicts must not be trusted`);
      return { code: EXIT.error, summary, calibrationFailure: this.calibrationFailure };
    }
    if (abnormal !== undefined) {
      this.io.err(`lockscope: ${abnormal}; the session failed: the verdicts above cover only what arrived before it ended`);
      return { code: EXIT.error, summary, calibrationFailure: undefined };
    }
    return { code: exitCodeFor(summary, false), summary, calibrationFailure: undefined };
  }
}
