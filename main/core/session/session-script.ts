/**
 * The shell script a session runs on the target (as root, under the target's guard and time
 * bound): bpftrace with the generated program, and beside it the probe-miss reader, which must
 * know bpftrace's pid. Pure: the text is fixed and every variable part is a positional argument,
 * so nothing the user typed is ever parsed by the target's shell.
 *
 *   sh -c SCRIPT lockscope-session DIR PERF_PAGES READER_ARGS...
 *
 * bpftrace writes its -f json records to a file in the session directory, and `tail --pid`
 * streams that file to the script's standard output: a slow connection then never blocks
 * bpftrace, which would stop draining its perf buffers and lose events (it did: 59,135 of
 * 65,000 events lost over SSH to an emulated guest); the file is the buffer. The reader's lines and bpftrace's messages share standard error (the reader's all start "LSM ").
 * The first line on standard error is "LSPID <bpftrace pid>", so the runner can stop bpftrace
 * gracefully (SIGINT: it runs END, which prints the exact totals) with a separate command.
 * A TERM or HUP to the script (the guard's, when the connection drops) does the same.
 */
import { shellQuote } from '../util/shell-quote.js';

export const SESSION_SCRIPT = [
  'd=$1; pages=$2; shift 2',
  ': > "$d/out.json"',
  // A program with a config block sizes its own output buffer; the variable would override it.
  'grep -q "^config = {" "$d/lockscope.bt" || export BPFTRACE_PERF_RB_PAGES="$pages"',
  // -c: bpftrace starts the child only once every probe is attached (neither BEGIN nor its
  // "Attaching N probes" message says that on 0.17), and ends when the child ends. bpftrace
  // accepts only an ELF program there (a script path is refused), hence /bin/sh.
  'bpftrace -f json -o "$d/out.json" -c "/bin/sh $d/child.sh" "$d/lockscope.bt" &',
  'bt=$!',
  'echo "LSPID $bt" >&2',
  '"$d/lockscope-misses" --pid "$bt" "$@" >&2 &',
  'ms=$!',
  'tail -s 0.2 -c +1 -f --pid="$bt" "$d/out.json" &',
  'tl=$!',
  "trap 'kill -INT \"$bt\" 2>/dev/null' INT TERM HUP",
  'rc=0',
  // wait returns early when a trapped signal arrives: wait until bpftrace is really gone.
  'while kill -0 "$bt" 2>/dev/null; do wait "$bt"; rc=$?; done',
  'wait "$tl" 2>/dev/null',
  'wait "$ms" 2>/dev/null',
  'exit "$rc"',
].join('\n');

export const SESSION_ARGV0 = 'lockscope-session';

/** Files the session directory holds on the target. */
export const SESSION_FILES = { program: 'lockscope.bt', missReader: 'lockscope-misses', workload: 'linkstorm', child: 'child.sh', userWorkload: 'workload.sh' } as const;

/** At most this long after the duration, the child waits for bpftrace to print what it holds. */
export const DRAIN_MAX_S = 120;
/** Output growth per second below which bpftrace counts as drained (its totals lines are ~150 bytes a ring). */
export const DRAIN_QUIET_BYTES = 4096;

/** Seconds between the attach line and the workload's start. */
export const WORKLOAD_DELAY_S = 0.5;

/** The line the child prints first: from here on every probe is attached. */
export const ATTACHED_LINE = 'LSATTACHED';

/** What the child runs beside the session's clock. */
export type ChildWorkload =
  | { readonly kind: 'none' }
  /** The bundled generator with its (validated) options; the runner adds --duration. */
  | { readonly kind: 'linkstorm'; readonly args: readonly string[] }
  /** The user's own command, written verbatim to workload.sh in the session directory. */
  | { readonly kind: 'command' };

/**
 * child.sh, bpftrace's -c child: says the probes are attached, runs the workload (its output to
 * standard error, away from the event stream), and lasts the session's duration; bpftrace ends
 * with it. Every argument is quoted for the shell.
 */
export function childScript(dir: string, durationS: number, w: ChildWorkload): string {
  const d = shellQuote(dir);
  // The workload starts a few miss-reader intervals after the attach line, so that a reading
  // taken after every probe was attached precedes its first window.
  const lines = ['#!/bin/sh', 'exec 1>&2', `echo ${ATTACHED_LINE}`, `sleep ${WORKLOAD_DELAY_S}`];
  const run = (cmd: string): void => {
    lines.push(`( ${cmd}; echo "LSWORKLOAD exit $?" ) &`);
  };
  switch (w.kind) {
    case 'none':
      break;
    case 'linkstorm':
      run([`${d}/${SESSION_FILES.workload}`, ...w.args.map(shellQuote), '--duration', String(Math.max(1, durationS - 1))].join(' '));
      break;
    case 'command':
      run(`timeout -k 5 ${String(durationS)} sh ${d}/${SESSION_FILES.userWorkload}`);
      break;
  }
  lines.push(
    `sleep ${String(durationS)}`,
    'wait',
    // bpftrace 0.17 exits without printing what its per-CPU buffers still hold (a 6.1 lab run
    // showed 46,935 of 65,760 windows, none reported lost): before ending the session, let it
    // drain while its output still grows by more than the periodic totals lines.
    `p=-1; n=0`,
    `while [ "$n" -lt ${String(DRAIN_MAX_S)} ]; do`,
    `  s=$(stat -c %s ${d}/out.json 2>/dev/null || echo 0)`,
    `  [ "$p" -ge 0 ] && [ $((s - p)) -lt ${String(DRAIN_QUIET_BYTES)} ] && break`,
    `  p=$s; n=$((n + 1)); sleep 1`,
    'done',
    '',
  );
  return lines.join('\n');
}

/** The workload's end, as child.sh reports it: its exit code. */
export function parseWorkloadExit(line: string): number | undefined {
  const m = /^LSWORKLOAD exit ([0-9]{1,3})$/.exec(line.trim());
  return m === null ? undefined : Number(m[1]);
}

/**
 * Perf buffer pages per CPU for a program without a config block (bpftrace 0.17): bpftrace's
 * default 64 lost 70% of the summaries at 6.1 lab rates; 1024 lost none. Programs for 0.20 on
 * set their one ring buffer's size in the program (bpftrace-program.ts).
 */
export const PERF_PAGES = 1024;

export function sessionArgv(dir: string, readerArgs: readonly string[]): string[] {
  return ['sh', '-c', SESSION_SCRIPT, SESSION_ARGV0, dir, String(PERF_PAGES), ...readerArgs];
}

/** The `LSPID` line, or undefined. */
export function parsePidLine(line: string): number | undefined {
  const m = /^LSPID ([0-9]{1,9})$/.exec(line.trim());
  return m === null ? undefined : Number(m[1]);
}
