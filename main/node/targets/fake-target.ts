/**
 * A scripted target for unit tests: canned answers by argument vector and by path, a choice of
 * how root behaves, and a record of everything asked of it.
 *
 *   const t = new FakeTarget({
 *     exec: { 'uname -r -v -m': { stdout: '6.1.0-56-amd64 #1 SMP … x86_64\n' } },
 *     files: { '/proc/kallsyms': kallsymsText, '/sys/kernel/tracing/available_events': { rootOnly: events } },
 *     root: 'sudo',
 *   });
 *
 * Commands are looked up by their arguments joined with single spaces, then under ANY ('*'); anything unscripted is
 * `not_found` (a bare machine), or throws with `strict: true`.
 */
import { PassThrough } from 'node:stream';
import type { Result } from '../../core/util/result.js';
import { err, ok } from '../../core/util/result.js';
import type { ExecOptions, ExecResult, Spawned, Target } from './target.js';
import type { TargetError } from './target-error.js';

/** The key of the answer given to any command not scripted by its own key. */
export const ANY = '*';

/** A finished command, or the error the target reports instead. */
export type FakeAnswer =
  | { readonly stdout?: string | Uint8Array; readonly stderr?: string; readonly code?: number; readonly signal?: string }
  | { readonly error: TargetError };

/** A file's bytes (text is UTF-8), the same readable by root only (like tracefs), or the error reading it gives. */
export type FakeFile = string | Uint8Array | { readonly rootOnly: string | Uint8Array } | { readonly error: TargetError };

/** A long-running command: what it writes, then how it ends (or, with `untilStopped`, it runs until stop()). */
export interface FakeProcess {
  readonly stdout?: string;
  readonly stderr?: string;
  readonly code?: number;
  readonly untilStopped?: boolean;
}

/** How requests with `root: true` fare: as root, through sudo, or refused as a real sudo would. */
export type FakeRoot = 'root' | 'sudo' | 'sudo_needs_password' | 'no_sudo';

export interface FakeScript {
  readonly exec?: Readonly<Record<string, FakeAnswer | ((argv: readonly string[], o: ExecOptions) => FakeAnswer)>>;
  readonly files?: Readonly<Record<string, FakeFile>>;
  readonly spawn?: Readonly<Record<string, FakeProcess>>;
  readonly root?: FakeRoot;
  /** Throw on anything unscripted instead of answering not_found. */
  readonly strict?: boolean;
  readonly name?: string;
  readonly user?: string;
}

export type FakeCall =
  | { readonly type: 'exec'; readonly argv: readonly string[]; readonly root: boolean }
  | { readonly type: 'readFile'; readonly path: string; readonly root: boolean }
  | { readonly type: 'spawn'; readonly argv: readonly string[]; readonly root: boolean };

export interface FakeSpawnRecord {
  readonly argv: readonly string[];
  /** What was written to its standard input. */
  readonly input: () => string;
  readonly stopped: () => boolean;
}

const encoder = new TextEncoder();

function bytes(x: string | Uint8Array | undefined): Uint8Array {
  return x === undefined ? new Uint8Array(0) : typeof x === 'string' ? encoder.encode(x) : x;
}

export class FakeTarget implements Target {
  readonly kind = 'fake' as const;
  readonly name: string;
  readonly calls: FakeCall[] = [];
  readonly spawned: FakeSpawnRecord[] = [];

  constructor(private readonly script: FakeScript = {}) {
    this.name = script.name ?? 'fake';
  }

  /** The argument vectors run, joined with spaces (for short assertions). */
  get commands(): readonly string[] {
    return this.calls.flatMap((c) => (c.type === 'readFile' ? [] : [c.argv.join(' ')]));
  }

  private rootRefusal(): TargetError | undefined {
    const user = this.script.user ?? 'tester';
    switch (this.script.root ?? 'root') {
      case 'root':
      case 'sudo':
        return undefined;
      case 'sudo_needs_password':
        return { kind: 'sudo_needs_password', target: this.name, user };
      case 'no_sudo':
        return { kind: 'not_root', target: this.name, user };
    }
  }

  private unscripted(what: string): void {
    if (this.script.strict === true) {
      throw new Error(`FakeTarget: nothing scripted for ${what}`);
    }
  }

  exec(argv: readonly string[], o: ExecOptions): Promise<Result<ExecResult, TargetError>> {
    const root = o.root === true;
    this.calls.push({ type: 'exec', argv: [...argv], root });
    const refusal = root ? this.rootRefusal() : undefined;
    if (refusal !== undefined) {
      return Promise.resolve(err(refusal));
    }
    const key = argv.join(' ');
    const scripted = this.script.exec?.[key] ?? this.script.exec?.[ANY];
    if (scripted === undefined) {
      this.unscripted(`exec ${key}`);
      return Promise.resolve(err({ kind: 'not_found', target: this.name, what: `the program ${argv[0] ?? ''}` }));
    }
    const a = typeof scripted === 'function' ? scripted(argv, o) : scripted;
    if ('error' in a) {
      return Promise.resolve(err(a.error));
    }
    const stdout = bytes(a.stdout);
    const limit = o.maxOutputBytes ?? 64 * 1024 * 1024;
    if (stdout.length > limit) {
      return Promise.resolve(err({ kind: 'output_too_large', target: this.name, command: key, limit }));
    }
    return Promise.resolve(ok({ code: a.signal === undefined ? (a.code ?? 0) : null, signal: a.signal ?? null, stdout, stderr: a.stderr ?? '' }));
  }

  readFile(path: string, o: { readonly root?: boolean; readonly maxBytes: number; readonly timeoutMs: number }): Promise<Result<Uint8Array, TargetError>> {
    const root = o.root === true;
    this.calls.push({ type: 'readFile', path, root });
    const f = this.script.files?.[path];
    if (f === undefined) {
      this.unscripted(`readFile ${path}`);
      return Promise.resolve(err({ kind: 'not_found', target: this.name, what: path }));
    }
    if (typeof f === 'object' && 'error' in f) {
      return Promise.resolve(err(f.error));
    }
    let content: string | Uint8Array;
    if (typeof f === 'object' && 'rootOnly' in f) {
      // Readable when the user is root, or through sudo when asked for root and sudo lets it.
      const refusal = this.rootRefusal();
      if ((this.script.root ?? 'root') !== 'root' && (!root || refusal !== undefined)) {
        return Promise.resolve(err((root ? refusal : undefined) ?? { kind: 'permission', target: this.name, what: path }));
      }
      content = f.rootOnly;
    } else {
      content = f;
    }
    const b = bytes(content);
    if (b.length > o.maxBytes) {
      return Promise.resolve(err({ kind: 'output_too_large', target: this.name, command: `read ${path}`, limit: o.maxBytes }));
    }
    return Promise.resolve(ok(b));
  }

  spawn(argv: readonly string[], o: Omit<ExecOptions, 'input' | 'maxOutputBytes'>): Result<Spawned, TargetError> {
    const root = o.root === true;
    this.calls.push({ type: 'spawn', argv: [...argv], root });
    const refusal = root ? this.rootRefusal() : undefined;
    if (refusal !== undefined) {
      return err(refusal);
    }
    const key = argv.join(' ');
    const p = this.script.spawn?.[key] ?? this.script.spawn?.[ANY];
    if (p === undefined) {
      this.unscripted(`spawn ${key}`);
      return err({ kind: 'not_found', target: this.name, what: `the program ${argv[0] ?? ''}` });
    }
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const stdin = new PassThrough();
    let input = '';
    let stopped = false;
    stdin.on('data', (b: Buffer) => {
      input += b.toString('utf8');
    });
    let end: (r: { readonly code: number | null; readonly signal: string | null }) => void = () => undefined;
    const done = new Promise<{ readonly code: number | null; readonly signal: string | null }>((resolve) => {
      end = resolve;
    });
    let ended = false;
    const finish = (r: { readonly code: number | null; readonly signal: string | null }): void => {
      if (!ended) {
        ended = true;
        stdout.end();
        stderr.end();
        end(r);
      }
    };
    stdout.write(p.stdout ?? '');
    stderr.write(p.stderr ?? '');
    if (p.untilStopped !== true) {
      setImmediate(() => {
        finish({ code: p.code ?? 0, signal: null });
      });
    }
    this.spawned.push({ argv: [...argv], input: () => input, stopped: () => stopped });
    return ok({
      stdout,
      stderr,
      stdin,
      done,
      stop: () => {
        stopped = true;
        stdin.end();
        finish({ code: null, signal: 'SIGTERM' });
      },
    });
  }
}
