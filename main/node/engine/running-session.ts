/**
 * One session started from the app: the same live session as `lockscope trace` (runTrace) on one
 * target, its state as the contract's union, its counters, the last seconds as samples and its
 * messages, pushed to the UI at most ~4 times a second. Stop is the CLI's Ctrl-C path
 * (TraceIo.onInterrupt): bpftrace prints its END totals and the capture is closed as usual.
 */
import { existsSync } from 'node:fs';
import type { SessionInfo, SessionState } from '../../core/app/app-contract.js';
import { SessionSamples } from '../../core/app/session-samples.js';
import type { SessionCounters } from '../../core/session/session-progress.js';
import { CliError } from '../cli-error.js';
import type { SessionPhase, TraceIo, TraceOptions, TraceResult } from '../session/trace-session.js';
import { runTrace } from '../session/trace-session.js';
import type { Target } from '../targets/target.js';

/** Pushes at most this often (state changes go at once). */
export const EMIT_MS = 250;
/** Messages kept per session (the oldest are dropped past it). */
const LOG_KEPT = 400;

export interface RunningSessionInit {
  readonly id: string;
  readonly targetId: string;
  readonly address: string;
  readonly durationS: number;
  readonly workload: string | undefined;
  readonly target: Target;
  readonly trace: TraceOptions;
  readonly emit: (s: SessionInfo) => void;
  /** Called once the session has ended (finished or failed), before its last push. */
  readonly ended: (s: RunningSession) => Promise<void>;
}

export class RunningSession {
  state: SessionState = 'preflight';
  captureId: string | undefined;
  private counters: SessionCounters | undefined;
  private readonly samples = new SessionSamples();
  private readonly log: string[] = [];
  private exitCode: number | undefined;
  private failure: string | undefined;
  private interrupt: (() => void) | undefined;
  private stopAsked = false;
  private lastEmit = 0;
  private pending: ReturnType<typeof setTimeout> | undefined;
  readonly startedAt = Date.now();
  /** Resolves when the session has ended, whatever the outcome. */
  readonly done: Promise<void>;

  constructor(private readonly i: RunningSessionInit) {
    this.done = this.run();
  }

  get id(): string {
    return this.i.id;
  }

  get targetId(): string {
    return this.i.targetId;
  }

  get capturePath(): string {
    return this.i.trace.output;
  }

  get running(): boolean {
    return this.state !== 'finished' && this.state !== 'failed';
  }

  info(): SessionInfo {
    return {
      id: this.i.id,
      targetId: this.i.targetId,
      address: this.i.address,
      state: this.state,
      startedAt: this.startedAt,
      durationS: this.i.durationS,
      workload: this.i.workload,
      capturePath: this.i.trace.output,
      captureId: this.captureId,
      counters: this.counters,
      samples: this.samples.samples(),
      log: [...this.log],
      exitCode: this.exitCode,
      failure: this.failure,
    };
  }

  /** Asks the session to stop (as Ctrl-C does); a second call stops bpftrace at once. */
  stop(): void {
    if (!this.running) {
      return;
    }
    this.stopAsked = true;
    if (this.state !== 'stopping') {
      this.setState('stopping');
    }
    this.interrupt?.();
  }

  /** Adds a message to the session's log. */
  note(text: string): void {
    for (const line of text.replace(/\n+$/, '').split('\n')) {
      this.log.push(line.replace(/^lockscope: /, ''));
    }
    if (this.log.length > LOG_KEPT) {
      this.log.splice(0, this.log.length - LOG_KEPT);
    }
    this.emitSoon();
  }

  private setState(s: SessionState): void {
    this.state = s;
    this.emitNow();
  }

  private emitNow(): void {
    if (this.pending !== undefined) {
      clearTimeout(this.pending);
      this.pending = undefined;
    }
    this.lastEmit = Date.now();
    this.i.emit(this.info());
  }

  /** At most one push per EMIT_MS; the latest state goes out with the next. */
  private emitSoon(): void {
    if (this.pending !== undefined) {
      return;
    }
    const wait = this.lastEmit + EMIT_MS - Date.now();
    if (wait <= 0) {
      this.emitNow();
      return;
    }
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.emitNow();
    }, wait);
  }

  private io(): TraceIo {
    return {
      out: (text) => {
        this.note(text);
      },
      err: (text) => {
        this.note(text);
      },
      progress: undefined,
      onInterrupt: (stop) => {
        this.interrupt = stop;
        if (this.stopAsked) {
          stop();
        }
        return () => {
          this.interrupt = undefined;
        };
      },
      counters: (c) => {
        this.counters = c;
        this.samples.add(c);
        this.emitSoon();
      },
      phase: (p: SessionPhase) => {
        // A stop asked for before bpftrace attached keeps the state at 'stopping'.
        if (this.state !== 'stopping') {
          this.setState(p);
        }
      },
    };
  }

  private async run(): Promise<void> {
    let result: TraceResult | undefined;
    try {
      result = await runTrace(this.i.target, this.i.trace, this.io());
    } catch (e) {
      if (!(e instanceof CliError)) {
        // A bug: still end the session visibly, and keep the stack in the log.
        this.note(e instanceof Error ? (e.stack ?? e.message) : String(e));
      }
      this.failure = e instanceof Error ? e.message : String(e);
    }
    if (result !== undefined) {
      this.exitCode = result.code;
    } else if (this.stopAsked && this.counters === undefined) {
      this.failure = `stopped before the probes were attached: ${this.failure ?? ''}`;
    }
    // The capture is opened before the session says it has ended, so its id comes with the news.
    await this.i.ended(this);
    this.state = result === undefined ? 'failed' : 'finished';
    this.emitNow();
  }

  /** Whether a capture file was written (a session that failed early has none). */
  hasCapture(): boolean {
    return existsSync(this.i.trace.output);
  }
}
