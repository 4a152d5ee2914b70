/**
 * A guard that ties a long-running command (the tracer) to Lockscope's life. LocalTarget.spawn
 * runs, in a process group of its own (through `sudo -n` when Lockscope is not root):
 *
 *   node child-watchdog.js PARENT_PID TIMEOUT_MS GRACE_MS -- COMMAND ARG...
 *
 * The command runs in the guard's process group with standard input from /dev/null; the guard's
 * own standard input is a pipe from Lockscope, which nobody writes to. The guard stops the
 * command when any of these happens:
 *   - its input reaches end of file: Lockscope closed it (stop()) or died — the kernel closes
 *     a dead process's pipes, even after SIGKILL, so this works when no exit handler ran;
 *   - PARENT_PID no longer exists (checked twice a second): covers a sudo that keeps the pipe;
 *   - TIMEOUT_MS passes: the hard bound, whatever else fails;
 *   - it gets SIGTERM, SIGINT or SIGHUP.
 * Stopping is SIGTERM to the guard's whole process group (the command and anything it started;
 * under a sudo without a pty, sudo too, which relays it), then SIGKILL to the group after GRACE_MS
 * if the command has not ended. The guard
 * exits as the command did (same code, or the same signal).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
const PARENT_POLL_MS = 500;

function usage(): never {
  process.stderr.write('usage: child-watchdog PARENT_PID TIMEOUT_MS GRACE_MS -- COMMAND [ARG...]\n');
  process.exit(2);
}

function parentAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function main(argv: readonly string[]): void {
  const [parentText, timeoutText, graceText, dashes, program, ...args] = argv;
  const parentPid = Number(parentText);
  const timeoutMs = Number(timeoutText);
  const graceMs = Number(graceText);
  if (!Number.isInteger(parentPid) || !(timeoutMs > 0) || !(graceMs >= 0) || dashes !== '--' || program === undefined) {
    usage();
  }
  const child = spawn(program, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  let stopping = false;
  let ended = false;
  const timers: NodeJS.Timeout[] = [];
  const stop = (): void => {
    if (stopping || ended) {
      return;
    }
    stopping = true;
    try {
      process.kill(0, 'SIGTERM'); // 0: this process group; the guard's own copy lands in stop(), a no-op now
    } catch {
      child.kill('SIGTERM');
    }
    timers.push(
      setTimeout(() => {
        if (!ended) {
          try {
            process.kill(0, 'SIGKILL');
          } catch {
            child.kill('SIGKILL');
          }
        }
      }, graceMs),
    );
  };
  for (const s of STOP_SIGNALS) {
    process.on(s, stop);
  }
  process.stdin.on('data', () => undefined);
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  timers.push(setTimeout(stop, timeoutMs));
  timers.push(
    setInterval(() => {
      if (!parentAlive(parentPid)) {
        stop();
      }
    }, PARENT_POLL_MS),
  );
  child.on('error', (e) => {
    ended = true;
    process.stderr.write(`lockscope: cannot run ${program}: ${e.message}\n`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => {
    ended = true;
    for (const t of timers) {
      clearTimeout(t);
    }
    process.stdin.destroy();
    if (signal !== null) {
      for (const s of STOP_SIGNALS) {
        process.removeAllListeners(s);
      }
      process.kill(process.pid, signal);
      process.exit(128 + (constants.signals[signal] as number | undefined ?? 0));
    }
    process.exit(code ?? 1);
  });
}

main(process.argv.slice(2));
