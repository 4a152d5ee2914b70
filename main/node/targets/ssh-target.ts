/**
 * A target reached with the system's OpenSSH client, so that everything users expect of ssh just
 * works: ~/.ssh/config aliases, identity files, the agent, ProxyJump, known_hosts.
 *
 * What Lockscope adds on every connection:
 *   BatchMode=yes             never a password or passphrase prompt: a failure, not a hang
 *   StrictHostKeyChecking=yes an unknown or changed host key fails; for an unknown one the
 *                             error carries the fingerprints so the user can decide
 *   ConnectTimeout, ServerAlive*  a dead peer is noticed within seconds
 * Remote commands are argument vectors, each argument single-quoted for the remote shell. Root is
 * reached through `sudo -n` when the remote user is not root. A long-running command runs under a
 * guard that kills it when the connection's input closes (the connection dropped, or Lockscope
 * stopped it) and bounds it with `timeout`: no tracer outlives its session.
 */
import { spawn } from 'node:child_process';
import type { TargetSpec } from '../../core/target/target-spec.js';
import type { Result } from '../../core/util/result.js';
import { err, ok } from '../../core/util/result.js';
import { shellCommand } from '../../core/util/shell-quote.js';
import { runLocal } from './local-process.js';
import { diagnoseSsh, diagnoseSudo } from './ssh-diagnose.js';
import type { ExecOptions, ExecResult, Spawned, Target } from './target.js';
import type { TargetError } from './target-error.js';

export interface SshOptions {
  /** An ssh_config file instead of ~/.ssh/config (ssh -F). */
  readonly configFile?: string;
  readonly connectTimeoutS?: number;
}

/**
 * Runs the command in "$@" with its time bound (seconds, in $1) when `timeout` exists; stdin is
 * left to the command.
 */
const BOUNDED = 'b=$1; shift; if command -v timeout >/dev/null 2>&1; then exec timeout -k 2 "$b" "$@"; fi; exec "$@"';

/**
 * Runs "$@" (bounded by $1 seconds, through `timeout`, which signals the command's whole process
 * group) in the background and waits for it; a watcher reads this shell's input and kills the
 * command when that input ends (EOF: the connection closed or was closed).
 */
const GUARDED = [
  // A background list's input is /dev/null in a non-interactive sh: keep the connection's input on fd 3.
  'exec 3<&0',
  'b=$1; shift',
  'if command -v timeout >/dev/null 2>&1; then timeout -k 5 "$b" "$@" </dev/null & else "$@" </dev/null & fi',
  'p=$!',
  // Its own output goes nowhere, so that it never holds the session open.
  '{ cat <&3 >/dev/null 2>&1; kill -TERM "$p" 2>/dev/null; sleep 3; kill -KILL "$p" 2>/dev/null; } >/dev/null 2>&1 &',
  'w=$!',
  'exec 3<&-',
  'wait "$p"; rc=$?',
  'kill "$w" 2>/dev/null',
  'exit $rc',
].join('\n');

export class SshTarget implements Target {
  readonly kind = 'ssh' as const;
  readonly name: string;
  private remoteUid: number | undefined;

  constructor(
    private readonly spec: Extract<TargetSpec, { kind: 'ssh' }>,
    private readonly options: SshOptions = {},
  ) {
    this.name = spec.text;
  }

  /** ssh's own arguments up to and including the destination. */
  sshArgs(): string[] {
    const a: string[] = [];
    if (this.options.configFile !== undefined) {
      a.push('-F', this.options.configFile);
    }
    a.push(
      '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', `ConnectTimeout=${this.options.connectTimeoutS ?? 10}`,
      '-o', 'ServerAliveInterval=5',
      '-o', 'ServerAliveCountMax=3',
      '-T', '-e', 'none',
    );
    if (this.spec.user !== undefined) {
      a.push('-l', this.spec.user);
    }
    if (this.spec.port !== undefined) {
      a.push('-p', String(this.spec.port));
    }
    a.push('--', this.spec.host);
    return a;
  }

  private async uid(timeoutMs: number): Promise<Result<number, TargetError>> {
    if (this.remoteUid !== undefined) {
      return ok(this.remoteUid);
    }
    const r = await this.ssh(shellCommand(['id', '-u']), { timeoutMs });
    if (!r.ok) {
      return r;
    }
    const uid = Number(new TextDecoder().decode(r.value.stdout).trim());
    if (r.value.code !== 0 || !Number.isInteger(uid)) {
      return err({ kind: 'failed', target: this.name, command: 'id -u', detail: r.value.stderr.trim() || `exit ${String(r.value.code)}` });
    }
    this.remoteUid = uid;
    return ok(uid);
  }

  /** The remote command line for argv, through sudo -n when root is wanted and the user is not root. */
  private async commandLine(argv: readonly string[], wrapper: string, seconds: number, root: boolean, timeoutMs: number): Promise<Result<string, TargetError>> {
    const inner = ['sh', '-c', wrapper, 'lockscope', String(seconds), ...argv];
    if (!root) {
      return ok(shellCommand(inner));
    }
    const uid = await this.uid(timeoutMs);
    if (!uid.ok) {
      return uid;
    }
    return ok(shellCommand(uid.value === 0 ? inner : ['sudo', '-n', '--', ...inner]));
  }

  private async ssh(command: string, o: Omit<ExecOptions, 'root'>): Promise<Result<ExecResult, TargetError>> {
    const r = await runLocal(['ssh', ...this.sshArgs(), command], { ...o, target: this.name, what: command });
    if (!r.ok) {
      return r;
    }
    const e = diagnoseSsh(this.name, r.value.code, r.value.stderr);
    if (e === undefined) {
      return r;
    }
    if (e.kind === 'host_key_unknown') {
      return err({ ...e, fingerprints: await this.fingerprints() });
    }
    return err(e);
  }

  async exec(argv: readonly string[], o: ExecOptions): Promise<Result<ExecResult, TargetError>> {
    const seconds = Math.max(1, Math.ceil(o.timeoutMs / 1000));
    const line = await this.commandLine(argv, BOUNDED, seconds, o.root === true, o.timeoutMs);
    if (!line.ok) {
      return line;
    }
    const r = await this.ssh(line.value, o);
    if (r.ok && o.root === true && this.remoteUid !== 0) {
      const e = diagnoseSudo(this.name, this.spec.user ?? 'the remote user', r.value.code, r.value.stderr);
      if (e !== undefined) {
        return err(e);
      }
    }
    return r;
  }

  spawn(argv: readonly string[], o: Omit<ExecOptions, 'input' | 'maxOutputBytes'>): Result<Spawned, TargetError> {
    if (o.root === true && this.remoteUid === undefined) {
      return err({ kind: 'failed', target: this.name, command: argv.join(' '), detail: 'the remote user is not known yet: run a command first (preflight does)' });
    }
    const seconds = Math.max(1, Math.ceil(o.timeoutMs / 1000));
    const inner = ['sh', '-c', GUARDED, 'lockscope', String(seconds), ...argv];
    const line = shellCommand(o.root === true && this.remoteUid !== 0 ? ['sudo', '-n', '--', ...inner] : inner);
    const child = spawn('ssh', [...this.sshArgs(), line], { stdio: ['pipe', 'pipe', 'pipe'] });
    // The local bound: a little past the remote one, in case the connection hangs.
    const bound = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs + 15_000);
    const done = new Promise<{ readonly code: number | null; readonly signal: string | null }>((resolve) => {
      child.on('close', (code, signal) => {
        clearTimeout(bound);
        resolve({ code, signal });
      });
      child.on('error', () => {
        clearTimeout(bound);
        resolve({ code: null, signal: 'spawn-error' });
      });
    });
    return ok({
      stdout: child.stdout,
      stderr: child.stderr,
      stdin: child.stdin,
      done,
      stop: () => {
        // Closing the input ends the remote watcher's `cat`, which kills the command; if the
        // connection does not end soon after, drop it.
        child.stdin.end();
        setTimeout(() => child.kill('SIGTERM'), 8_000).unref();
      },
    });
  }

  async readFile(path: string, o: { readonly root?: boolean; readonly maxBytes: number; readonly timeoutMs: number }): Promise<Result<Uint8Array, TargetError>> {
    const r = await this.exec(['cat', '--', path], { timeoutMs: o.timeoutMs, maxOutputBytes: o.maxBytes, ...(o.root === undefined ? {} : { root: o.root }) });
    if (!r.ok) {
      return r;
    }
    if (r.value.code !== 0) {
      if (/No such file/i.test(r.value.stderr)) {
        return err({ kind: 'not_found', target: this.name, what: path });
      }
      if (/Permission denied|Operation not permitted/i.test(r.value.stderr)) {
        return err({ kind: 'permission', target: this.name, what: path });
      }
      return err({ kind: 'failed', target: this.name, command: `cat ${path}`, detail: r.value.stderr.trim() || `exit ${String(r.value.code)}` });
    }
    return ok(r.value.stdout);
  }

  /** The host's key fingerprints as ssh-keyscan sees them (for an unknown host key). */
  private async fingerprints(): Promise<string[]> {
    // The host name and port as ssh itself resolves them (aliases, HostName, Port).
    const g = await runLocal(['ssh', '-G', ...this.sshArgs()], { timeoutMs: 5000, target: this.name, what: 'ssh -G' });
    if (!g.ok) {
      return [];
    }
    const conf = new Map<string, string>();
    for (const line of new TextDecoder().decode(g.value.stdout).split('\n')) {
      const sp = line.indexOf(' ');
      if (sp > 0) {
        conf.set(line.slice(0, sp), line.slice(sp + 1).trim());
      }
    }
    const host = conf.get('hostname') ?? this.spec.host;
    const port = conf.get('port') ?? '22';
    const scan = await runLocal(['ssh-keyscan', '-T', '5', '-p', port, '--', host], { timeoutMs: 10_000, target: this.name, what: 'ssh-keyscan' });
    if (!scan.ok || scan.value.stdout.length === 0) {
      return [];
    }
    const fp = await runLocal(['ssh-keygen', '-l', '-f', '-'], { timeoutMs: 5000, input: scan.value.stdout, target: this.name, what: 'ssh-keygen -l' });
    if (!fp.ok) {
      return [];
    }
    return new TextDecoder().decode(fp.value.stdout).split('\n').map((l) => l.trim()).filter((l) => l !== '');
  }
}
