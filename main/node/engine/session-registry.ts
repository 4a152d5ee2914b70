/**
 * Live sessions started from the app: one per target at a time, each the same session as
 * `lockscope trace` (see running-session.ts), writing STATE's capturesDir/<target>-<time>.lscap
 * as events arrive. When one ends its capture is opened in the CaptureRegistry (origin
 * 'session'), so the Verdicts view shows it and SessionInfo.captureId names it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppResult, SessionInfo, SessionStart } from '../../core/app/app-contract.js';
import { sessionCaptureName } from '../../core/app/target-address.js';
import type { Rule } from '../../core/rules/rule.js';
import type { WorkloadSpec } from '../../core/session/workload-spec.js';
import { parseWorkloadSpec } from '../../core/session/workload-spec.js';
import { describeOpenError } from '../capture-file.js';
import { DEFAULT_MAX_RATE } from '../commands/trace-command.js';
import type { Target } from '../targets/target.js';
import type { CaptureRegistry } from './capture-registry.js';
import { RunningSession } from './running-session.js';
import type { TargetRegistry } from './target-registry.js';

export interface SessionRegistryOptions {
  readonly targets: TargetRegistry;
  readonly captures: CaptureRegistry;
  readonly rules: readonly Rule[];
  readonly capturesDir: string;
  readonly emit: (s: SessionInfo) => void;
}

export class SessionRegistry {
  private readonly sessions = new Map<string, RunningSession>();
  private nextId = 1;

  constructor(readonly o: SessionRegistryOptions) {}

  list(): readonly SessionInfo[] {
    return [...this.sessions.values()].map((s) => s.info());
  }

  start(a: SessionStart): Promise<AppResult<SessionInfo>> {
    const entry = this.o.targets.entry(a.targetId);
    if (!entry.ok) {
      return Promise.resolve(entry);
    }
    const busy = [...this.sessions.values()].find((s) => s.targetId === a.targetId && s.running);
    if (busy !== undefined) {
      return Promise.resolve({ ok: false, error: { code: 'busy', message: `${entry.value.label} already has a session running (${busy.id}, ${busy.state}); stop it or wait for it to finish` } });
    }
    let workload: WorkloadSpec | undefined;
    if (a.workload !== undefined) {
      const w = parseWorkloadSpec(a.workload);
      if (!w.ok) {
        return Promise.resolve({ ok: false, error: { code: 'bad_request', message: w.error.replace(/^--workload /, 'workload ') } });
      }
      workload = w.value;
    }
    try {
      mkdirSync(this.o.capturesDir, { recursive: true });
    } catch (e) {
      return Promise.resolve({ ok: false, error: { code: 'target_failed', message: `no place for the capture: ${describeOpenError(e, this.o.capturesDir, 'create')}` } });
    }
    let target: Target;
    try {
      target = this.o.targets.targetOf(entry.value);
    } catch (e) {
      return Promise.resolve({ ok: false, error: { code: 'target_failed', message: e instanceof Error ? e.message : String(e) } });
    }
    const id = `s${this.nextId++}`;
    const session = new RunningSession({
      id,
      targetId: a.targetId,
      address: entry.value.address,
      durationS: a.durationS,
      workload: a.workload,
      target,
      trace: {
        durationMs: a.durationS * 1000,
        output: join(this.o.capturesDir, sessionCaptureName(entry.value.address, Date.now())),
        workload,
        workloadCommand: undefined,
        rules: this.o.rules,
        maxRate: DEFAULT_MAX_RATE,
        missIntervalMs: 100,
        binDir: this.o.targets.binDir,
        lifecycle: false,
        ...(a.evidencePeriodMs === undefined ? {} : { evidencePeriodMs: a.evidencePeriodMs }),
      },
      emit: this.o.emit,
      ended: (s) => this.ended(s),
    });
    this.sessions.set(id, session);
    return Promise.resolve({ ok: true, value: session.info() });
  }

  /** Opens the ended session's capture in the app; a session that failed before writing one has none. */
  private async ended(s: RunningSession): Promise<void> {
    if (!s.hasCapture()) {
      return;
    }
    const opened = await this.o.captures.openFile(s.capturePath, 'session');
    if (opened.ok) {
      s.captureId = opened.value.id;
    } else {
      s.note(`the capture could not be opened: ${opened.error.message}`);
    }
  }

  stop(sessionId: string): Promise<AppResult<SessionInfo>> {
    const s = this.sessions.get(sessionId);
    if (s === undefined) {
      return Promise.resolve({ ok: false, error: { code: 'not_found', message: `no session ${sessionId}` } });
    }
    s.stop();
    return Promise.resolve({ ok: true, value: s.info() });
  }

  /** Stops every running session and waits for them to end (the app is closing). */
  async stopAll(): Promise<void> {
    const running = [...this.sessions.values()].filter((s) => s.running);
    for (const s of running) {
      s.stop();
    }
    await Promise.all(running.map((s) => s.done));
  }
}
