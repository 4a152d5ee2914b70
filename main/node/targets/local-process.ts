/**
 * Runs a program on this host to completion, without a shell: a hard time bound, a cap on its
 * output, optional input, and standard input at end of file otherwise (a `sudo -n` can then never
 * wait for a password).
 *
 * The program gets its own process group (spawn's `detached`: setsid), so stopping it reaches
 * whatever it started. Stopping is SIGTERM to the group, then SIGKILL after a grace period: a
 * command run through sudo may sit in a session of its own (sudo's use_pty), which only the
 * SIGTERM that sudo relays can reach; a non-root Lockscope cannot signal root processes at all.
 */
import { spawn } from 'node:child_process';
import type { Result } from '../../core/util/result.js';
import { err, ok } from '../../core/util/result.js';
import type { ExecResult } from './target.js';
import type { TargetError } from './target-error.js';

export const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;
export const STDERR_KEEP = 64 * 1024;
/** Between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 1000;
/** How long output may still arrive after the program exited, before its leftovers are killed. */
const LEFTOVER_WAIT_MS = 250;

export interface LocalRunOptions {
  readonly timeoutMs: number;
  readonly input?: Uint8Array;
  readonly maxOutputBytes?: number;
  /** The target's name, for messages. */
  readonly target: string;
  /** The command as the user should read it in a message. */
  readonly what: string;
  readonly killGraceMs?: number;
}

/** Sends a signal to a process group; false when there is no such group (or no permission). */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Signals the group now, and again with SIGKILL after `graceMs` unless `ended()` says it is gone. */
export function stopGroup(pid: number, graceMs: number, ended: () => boolean): void {
  signalGroup(pid, 'SIGTERM');
  const t = setTimeout(() => {
    if (!ended()) {
      signalGroup(pid, 'SIGKILL');
    }
  }, graceMs);
  t.unref();
}

export function runLocal(argv: readonly string[], o: LocalRunOptions): Promise<Result<ExecResult, TargetError>> {
  const [program, ...args] = argv;
  if (program === undefined) {
    throw new Error('runLocal: empty argv');
  }
  return new Promise((resolve) => {
    const limit = o.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const grace = o.killGraceMs ?? KILL_GRACE_MS;
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let failure: TargetError | undefined;
    let exited = false;
    let settled = false;
    const settle = (r: Result<ExecResult, TargetError>): void => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(r);
      }
    };
    const stop = (why: TargetError): void => {
      if (failure !== undefined || child.pid === undefined) {
        return;
      }
      failure = why;
      stopGroup(child.pid, grace, () => exited);
      if (exited) {
        // It ended, but something it started still holds its output open: stop waiting for that.
        child.stdout.destroy();
        child.stderr.destroy();
        settle(err(why));
      }
    };
    const timer = setTimeout(() => {
      stop({ kind: 'timeout', target: o.target, command: o.what, ms: o.timeoutMs });
    }, o.timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      if (failure !== undefined) {
        return;
      }
      size += b.length;
      if (size > limit) {
        stop({ kind: 'output_too_large', target: o.target, command: o.what, limit });
        return;
      }
      chunks.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString('utf8')).slice(-STDERR_KEEP);
    });
    child.stdin.on('error', () => undefined); // it may exit without reading its input
    child.stdin.end(o.input === undefined ? undefined : Buffer.from(o.input)); // closed at once when there is none
    child.on('error', (e: NodeJS.ErrnoException) => {
      exited = true;
      settle(err(e.code === 'ENOENT' ? { kind: 'not_found', target: o.target, what: `the program ${program}` } : { kind: 'failed', target: o.target, command: o.what, detail: e.message }));
    });
    child.on('exit', (code, signal) => {
      exited = true;
      if (failure !== undefined) {
        // Stopped: do not wait for its output pipes, which something it started may still hold.
        child.stdout.destroy();
        child.stderr.destroy();
        settle(err(failure));
        return;
      }
      // Its output ends with it, unless something it left running holds the pipes: nothing may
      // outlive an exec, so that is killed, and the result is what was written until then.
      const drain = setTimeout(() => {
        if (child.pid !== undefined) {
          signalGroup(child.pid, 'SIGKILL');
        }
        child.stdout.destroy();
        child.stderr.destroy();
        settle(ok({ code, signal, stdout: new Uint8Array(Buffer.concat(chunks)), stderr }));
      }, LEFTOVER_WAIT_MS);
      child.once('close', () => {
        clearTimeout(drain);
      });
    });
    child.on('close', (code, signal) => {
      exited = true;
      settle(failure !== undefined ? err(failure) : ok({ code, signal, stdout: new Uint8Array(Buffer.concat(chunks)), stderr }));
    });
  });
}
