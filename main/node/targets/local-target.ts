/**
 * This host as a target. Commands are argument vectors run with child_process.spawn, never
 * through a shell. Root: directly when Lockscope runs as uid 0, else through `sudo -n` (asked
 * once with `sudo -n true`; a sudo that wants a password is a `sudo_needs_password` error, never
 * a prompt: standard input is closed and -n forbids asking).
 *
 * Long-running commands (spawn) run under child-watchdog.js, which kills the command's process
 * group when Lockscope stops it, when Lockscope dies (its pipe to the guard closes; the guard also
 * watches Lockscope's pid), or at the time bound. See child-watchdog.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, createReadStream } from 'node:fs';
import { userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Result } from '../../core/util/result.js';
import { err, ok } from '../../core/util/result.js';
import { KILL_GRACE_MS, runLocal, signalGroup, stopGroup } from './local-process.js';
import type { ExecOptions, ExecResult, Spawned, Target } from './target.js';
import type { TargetError } from './target-error.js';

export interface LocalTargetOptions {
  /** The user id to act as (tests); default: this process's. */
  readonly uid?: number;
  /** The sudo program (tests put a stand-in here); default "sudo". */
  readonly sudo?: string;
  /** Between SIGTERM and SIGKILL when a spawned command is stopped (default 5 s: bpftrace detaching takes seconds). */
  readonly spawnGraceMs?: number;
}

/** How this process reaches root: no prefix (uid 0) or the sudo prefix. */
type RootPrefix = readonly string[];

const SUDO_PROBE_TIMEOUT_MS = 10_000;
const WATCHDOG = fileURLToPath(new URL('./child-watchdog.js', import.meta.url));
/**
 * How to run a Node script as a child: this process's own binary. Under Electron that binary is
 * the app, which runs a script as Node only with ELECTRON_RUN_AS_NODE=1 in its environment; it is
 * set on the command line through env(1) because sudo drops it, and not on this process, whose
 * Chromium children would inherit it.
 */
export function nodeCommand(electron: string | undefined = electronVersion(), execPath: string = process.execPath): readonly string[] {
  return electron === undefined ? [execPath] : ['env', 'ELECTRON_RUN_AS_NODE=1', execPath];
}

/** Electron's version when this process is Electron's (its types declare the field always present; in Node it is absent). */
function electronVersion(): string | undefined {
  const versions: Readonly<Record<string, string | undefined>> = process.versions;
  return versions.electron;
}

/** Where sudo's secure_path usually looks beyond a user's PATH. */
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

function displayArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

function currentUser(uid: number): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${uid}`;
  }
}

/** Whether an executable of that name is on the PATH (or, for root through sudo, in the sbin directories). */
function findProgram(program: string, extraDirs: readonly string[]): boolean {
  const candidates = program.includes('/') ? [program] : [...(process.env.PATH ?? '').split(delimiter).filter((d) => d !== ''), ...extraDirs].map((d) => join(d, program));
  return candidates.some((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export class LocalTarget implements Target {
  readonly kind = 'local' as const;
  readonly name = 'local';
  private readonly uid: number;
  private readonly sudo: string;
  private readonly spawnGraceMs: number;
  private root: Result<RootPrefix, TargetError> | undefined;
  private readonly live = new Set<number>();
  private exitHookInstalled = false;

  constructor(o: LocalTargetOptions = {}) {
    this.uid = o.uid ?? process.getuid?.() ?? 0;
    this.sudo = o.sudo ?? 'sudo';
    this.spawnGraceMs = o.spawnGraceMs ?? 5000;
  }

  /** Root through nothing (uid 0) or `sudo -n`; the answer is kept once it is definite. */
  async rootAccess(timeoutMs = SUDO_PROBE_TIMEOUT_MS): Promise<Result<RootPrefix, TargetError>> {
    if (this.uid === 0) {
      return ok([]);
    }
    if (this.root !== undefined) {
      return this.root;
    }
    const r = await runLocal([this.sudo, '-n', 'true'], { timeoutMs, target: this.name, what: 'sudo -n true' });
    const answer = this.judgeSudo(r.ok ? { code: r.value.code, stderr: r.value.stderr } : r.error);
    if (answer.ok || answer.error.kind === 'sudo_needs_password' || answer.error.kind === 'not_root') {
      this.root = answer;
    }
    return answer;
  }

  private judgeSudo(r: { readonly code: number | null; readonly stderr: string } | TargetError): Result<RootPrefix, TargetError> {
    const user = currentUser(this.uid);
    if ('kind' in r) {
      return r.kind === 'not_found' ? err({ kind: 'not_root', target: this.name, user }) : err(r);
    }
    if (r.code === 0) {
      return ok([this.sudo, '-n', '--']);
    }
    if (/password is required|terminal is required|askpass/i.test(r.stderr)) {
      return err({ kind: 'sudo_needs_password', target: this.name, user });
    }
    if (/not in the sudoers|may not run sudo|not allowed to (?:run|execute)/i.test(r.stderr)) {
      return err({ kind: 'not_root', target: this.name, user });
    }
    return err({ kind: 'failed', target: this.name, command: 'sudo -n true', detail: r.stderr.trim() || `exit code ${String(r.code)}` });
  }

  /** Same, without waiting (spawn is synchronous): a blocking `sudo -n true` the first time. */
  private rootAccessSync(): Result<RootPrefix, TargetError> {
    if (this.uid === 0) {
      return ok([]);
    }
    if (this.root !== undefined) {
      return this.root;
    }
    const r = spawnSync(this.sudo, ['-n', 'true'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: SUDO_PROBE_TIMEOUT_MS, encoding: 'utf8' });
    const e: NodeJS.ErrnoException | undefined = r.error;
    const answer = this.judgeSudo(
      e === undefined
        ? { code: r.status, stderr: r.stderr }
        : e.code === 'ENOENT'
          ? { kind: 'not_found', target: this.name, what: this.sudo }
          : { kind: 'failed', target: this.name, command: 'sudo -n true', detail: e.message },
    );
    if (answer.ok || answer.error.kind === 'sudo_needs_password' || answer.error.kind === 'not_root') {
      this.root = answer;
    }
    return answer;
  }

  async exec(argv: readonly string[], o: ExecOptions): Promise<Result<ExecResult, TargetError>> {
    if (argv.length === 0) {
      throw new Error('exec: empty argv');
    }
    let prefix: RootPrefix = [];
    if (o.root === true) {
      const root = await this.rootAccess();
      if (!root.ok) {
        return root;
      }
      prefix = root.value;
    }
    const what = displayArgv(argv);
    const r = await runLocal([...prefix, ...argv], { timeoutMs: o.timeoutMs, input: o.input, maxOutputBytes: o.maxOutputBytes, target: this.name, what });
    if (r.ok && prefix.length > 0 && r.value.code === 1) {
      // Through sudo, a missing program is sudo's "command not found" (exit 1), not ENOENT.
      if (/^sudo: .*command not found/m.test(r.value.stderr)) {
        return err({ kind: 'not_found', target: this.name, what: `the program ${argv[0] ?? ''}` });
      }
      // The first `sudo -n true` rode on cached credentials that have expired since.
      if (/^sudo: a password is required/m.test(r.value.stderr)) {
        this.root = undefined;
        return err({ kind: 'sudo_needs_password', target: this.name, user: currentUser(this.uid) });
      }
    }
    return r;
  }

  async readFile(path: string, o: { readonly root?: boolean; readonly maxBytes: number; readonly timeoutMs: number }): Promise<Result<Uint8Array, TargetError>> {
    const direct = await this.readDirect(path, o.maxBytes, o.timeoutMs);
    if (direct.ok || direct.error.kind !== 'permission' || o.root !== true || this.uid === 0) {
      return direct;
    }
    // Not readable as this user: read it as root.
    const r = await this.exec(['cat', '--', path], { root: true, timeoutMs: o.timeoutMs, maxOutputBytes: o.maxBytes });
    if (!r.ok) {
      return r.error.kind === 'output_too_large' ? err({ ...r.error, command: `read ${path}` }) : r;
    }
    if (r.value.code !== 0) {
      const e = r.value.stderr;
      if (/No such file or directory/.test(e)) {
        return err({ kind: 'not_found', target: this.name, what: path });
      }
      if (/Permission denied|Operation not permitted/.test(e)) {
        return err({ kind: 'permission', target: this.name, what: path });
      }
      return err({ kind: 'failed', target: this.name, command: `cat ${path}`, detail: e.trim() || `exit code ${String(r.value.code)}` });
    }
    return ok(r.value.stdout);
  }

  private readDirect(path: string, maxBytes: number, timeoutMs: number): Promise<Result<Uint8Array, TargetError>> {
    return new Promise((resolve) => {
      // Files under /proc and /sys report a size of 0: read until the end, counting.
      const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const finish = (r: Result<Uint8Array, TargetError>): void => {
        if (!done) {
          done = true;
          clearTimeout(timer);
          stream.destroy();
          resolve(r);
        }
      };
      const timer = setTimeout(() => {
        finish(err({ kind: 'timeout', target: this.name, command: `read ${path}`, ms: timeoutMs }));
      }, timeoutMs);
      stream.on('data', (b: Buffer | string) => {
        const buf = typeof b === 'string' ? Buffer.from(b) : b;
        size += buf.length;
        if (size > maxBytes) {
          finish(err({ kind: 'output_too_large', target: this.name, command: `read ${path}`, limit: maxBytes }));
          return;
        }
        chunks.push(buf);
      });
      stream.on('end', () => {
        finish(ok(new Uint8Array(Buffer.concat(chunks))));
      });
      stream.on('error', (e: NodeJS.ErrnoException) => {
        switch (e.code) {
          case 'ENOENT':
          case 'ENOTDIR':
            finish(err({ kind: 'not_found', target: this.name, what: path }));
            return;
          case 'EACCES':
          case 'EPERM':
            finish(err({ kind: 'permission', target: this.name, what: path }));
            return;
          default:
            finish(err({ kind: 'failed', target: this.name, command: `read ${path}`, detail: e.message }));
        }
      });
    });
  }

  spawn(argv: readonly string[], o: Omit<ExecOptions, 'input' | 'maxOutputBytes'>): Result<Spawned, TargetError> {
    const [program] = argv;
    if (program === undefined) {
      throw new Error('spawn: empty argv');
    }
    let prefix: RootPrefix = [];
    if (o.root === true) {
      const root = this.rootAccessSync();
      if (!root.ok) {
        return root;
      }
      prefix = root.value;
    }
    if (!findProgram(program, prefix.length > 0 ? SBIN_DIRS : [])) {
      return err({ kind: 'not_found', target: this.name, what: `the program ${program}` });
    }
    const guard = [...nodeCommand(), WATCHDOG, String(process.pid), String(o.timeoutMs), String(this.spawnGraceMs), '--', ...argv];
    const [first, ...rest] = [...prefix, ...guard];
    if (first === undefined) {
      throw new Error('spawn: empty command');
    }
    // Its own process group (setsid), so that stop() reaches the guard, the command and its children.
    const child = spawn(first, rest, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const pid = child.pid;
    let ended = false;
    const done = new Promise<{ readonly code: number | null; readonly signal: string | null }>((resolve) => {
      child.on('error', () => {
        ended = true;
        resolve({ code: 127, signal: null });
      });
      child.on('exit', (code, signal) => {
        ended = true;
        if (pid !== undefined) {
          this.live.delete(pid);
          signalGroup(pid, 'SIGKILL'); // whatever the command left behind in its group
        }
        resolve({ code, signal });
      });
    });
    child.stdin.on('error', () => undefined);
    if (pid !== undefined) {
      this.live.add(pid);
      this.installExitHook();
    }
    const grace = this.spawnGraceMs;
    return ok({
      stdout: child.stdout,
      stderr: child.stderr,
      stdin: child.stdin,
      done,
      stop: () => {
        if (ended) {
          return;
        }
        child.stdin.end(); // the guard stops the command on end of input
        if (pid !== undefined) {
          // And if the guard does not end within its own grace period, the group is killed from here.
          const t = setTimeout(() => {
            if (!ended) {
              stopGroup(pid, KILL_GRACE_MS, () => ended);
            }
          }, grace + KILL_GRACE_MS);
          t.unref();
        }
      },
    });
  }

  /** On a normal exit of Lockscope, signal every guard still running (they then stop their commands). */
  private installExitHook(): void {
    if (this.exitHookInstalled) {
      return;
    }
    this.exitHookInstalled = true;
    process.once('exit', () => {
      for (const pid of this.live) {
        signalGroup(pid, 'SIGTERM');
      }
    });
  }
}
