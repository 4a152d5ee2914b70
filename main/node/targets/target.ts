/**
 * A machine Lockscope can trace: this host, an SSH host, or a fake one for tests. Everything the
 * engine does on a target goes through these verbs; commands are argument vectors, never shell
 * text (an SSH target quotes each argument for the remote shell itself).
 */
import type { Readable, Writable } from 'node:stream';
import type { Result } from '../../core/util/result.js';
import type { TargetError } from './target-error.js';

export type TargetKind = 'local' | 'ssh' | 'fake';

export interface ExecOptions {
  /** Hard bound: the command is killed past it and the result is a `timeout` error. */
  readonly timeoutMs: number;
  /** Run as root (through `sudo -n` when the target's user is not root). */
  readonly root?: boolean;
  /** Bytes for the command's standard input (closed after them). */
  readonly input?: Uint8Array;
  /** Largest standard output kept (default 64 MiB); past it the result is an `output_too_large` error. */
  readonly maxOutputBytes?: number;
}

export interface ExecResult {
  /** Exit code, or null when ended by a signal. */
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: Uint8Array;
  /** Standard error as text (at most its last 64 KiB). */
  readonly stderr: string;
}

/** A long-running command (the tracer), whose life is tied to this process and its connection. */
export interface Spawned {
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly stdin: Writable;
  /** Resolves when the command has ended (on the target, as far as can be known). */
  readonly done: Promise<{ readonly code: number | null; readonly signal: string | null }>;
  /** Stops it: closes its input (the remote wrapper then kills it), then signals it. */
  stop(): void;
}

export interface Target {
  readonly kind: TargetKind;
  /** What the user typed or chose ("local", "ssh://user@host:22", an ssh alias). */
  readonly name: string;
  /** Runs a command to completion. An exit code other than 0 is a result, not an error. */
  exec(argv: readonly string[], o: ExecOptions): Promise<Result<ExecResult, TargetError>>;
  /** Starts a long-running command. */
  spawn(argv: readonly string[], o: Omit<ExecOptions, 'input' | 'maxOutputBytes'>): Result<Spawned, TargetError>;
  /** Reads a file (e.g. /proc/kallsyms, /sys/kernel/btf/vmlinux), at most `maxBytes`. */
  readFile(path: string, o: { readonly root?: boolean; readonly maxBytes: number; readonly timeoutMs: number }): Promise<Result<Uint8Array, TargetError>>;
}
