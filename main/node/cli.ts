/**
 * The `lockscope` command line. Every expected failure is one line on stderr and exit code 2;
 * a stack trace appears only for bugs, and only with LOCKSCOPE_DEBUG=1.
 */
import { parseArgs } from 'node:util';
import { analyzeCommand } from './commands/analyze-command.js';
import { EXIT } from '../core/report/exit-code.js';
import { importCommand } from './commands/import-command.js';
import type { InspectTarget } from './commands/inspect-command.js';
import { inspectCommand } from './commands/inspect-command.js';
import { preflightCommand, targetFor } from './commands/preflight-command.js';
import { CliError } from './cli-error.js';
import { traceCommand } from './commands/trace-command.js';
import { serveCommand } from './commands/serve-command.js';
import { loadRules } from './commands/analysis-run.js';

const USAGE = `usage:
  lockscope analyze CAPTURE [--json] [--rules FILE] [--reorder-horizon DURATION]
      verdict summary; exit 0 all walks HELD, 1 any NOT_HELD, 3 nothing proven, 2 error
  lockscope inspect CAPTURE (--walk N | --req ADDR) [--rules FILE]
      one walk's timeline and evidence, or every event of one request address
  lockscope import FILE|- -o CAPTURE
      convert bpftrace output (text or -f json) of Lockscope's probe programs to a capture
  lockscope preflight --target local|ssh://[user@]host[:port]|<ssh alias> [--ssh-config FILE] [--json]
      what the target offers for tracing, with what to do about each problem; exit 0 ready, 1 a check failed, 2 error
  lockscope trace --target local|ssh://[user@]host[:port]|<ssh alias> [--target …] -o CAPTURE|DIR [--duration 30s]
                  [--workload linkstorm[:chain=N,inflight=N,rings=N,...] | --workload-command CMD]
                  [--max-rate EVENTS_PER_S] [--lifecycle] [--mechanism kprobe|fentry] [--evidence-period 1s|0]
                  [--ssh-config FILE] [--rules FILE]
      a live session: preflight, probe plan, bpftrace on the target, the capture written as events
      arrive, then the verdict summary; exit codes as analyze (2 also when calibration fails);
      several --target: a fleet, each target's capture in DIR, then a fleet summary (worst exit code);
      routine windows are counted in the kernel and one per shape, ring and CPU recorded in full
      every --evidence-period (0: every window recorded; unusual windows always are)
  lockscope serve [--port N] [--no-bundled] [--state-dir DIR] [--ssh-config FILE] [--rules FILE] [CAPTURE …]
      the app in a browser: serves the UI and the engine on 127.0.0.1 behind a random token, with
      the bundled captures (and any given) open; prints the URL to open
  lockscope help`;

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

function err(text: string): void {
  process.stderr.write(`${text}\n`);
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'analyze': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { json: { type: 'boolean', default: false }, rules: { type: 'string' }, 'reorder-horizon': { type: 'string' } },
      });
      const file = onePositional(positionals, 'analyze', 'CAPTURE');
      return analyzeCommand(file, values.json, { rulesFile: values.rules, reorderHorizon: values['reorder-horizon'] }, { out, err });
    }
    case 'inspect': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { walk: { type: 'string' }, req: { type: 'string' }, rules: { type: 'string' }, 'reorder-horizon': { type: 'string' } },
      });
      const file = onePositional(positionals, 'inspect', 'CAPTURE');
      let target: InspectTarget;
      if (values.walk !== undefined && values.req === undefined) {
        const index = Number(values.walk);
        if (!Number.isInteger(index) || index < 1) {
          throw new CliError(`--walk ${values.walk}: give a walk number (1, 2, …) as listed by lockscope analyze`);
        }
        target = { kind: 'walk', index };
      } else if (values.req !== undefined && values.walk === undefined) {
        target = { kind: 'req', addr: values.req };
      } else {
        throw new CliError('inspect needs exactly one of --walk N or --req ADDR');
      }
      return inspectCommand(file, target, { rulesFile: values.rules, reorderHorizon: values['reorder-horizon'] }, out);
    }
    case 'import': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { output: { type: 'string', short: 'o' } } });
      const input = onePositional(positionals, 'import', 'FILE');
      if (values.output === undefined) {
        throw new CliError('import needs -o CAPTURE: the capture file to write');
      }
      return importCommand(input, values.output, err);
    }
    case 'preflight': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { target: { type: 'string' }, 'ssh-config': { type: 'string' }, json: { type: 'boolean', default: false } },
      });
      if (positionals.length > 0) {
        throw new CliError(`preflight takes no file; unexpected: ${positionals.join(' ')}`);
      }
      if (values.target === undefined) {
        throw new CliError('preflight needs --target local, --target ssh://[user@]host[:port] or --target <ssh alias>');
      }
      return preflightCommand(targetFor(values.target, values['ssh-config']), values.json, { out });
    }
    case 'trace': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          target: { type: 'string', multiple: true },
          'ssh-config': { type: 'string' },
          output: { type: 'string', short: 'o' },
          duration: { type: 'string' },
          workload: { type: 'string' },
          'workload-command': { type: 'string' },
          rules: { type: 'string' },
          'max-rate': { type: 'string' },
          lifecycle: { type: 'boolean', default: false },
          mechanism: { type: 'string' },
          'evidence-period': { type: 'string' },
        },
      });
      if (positionals.length > 0) {
        throw new CliError(`trace takes no positional arguments; unexpected: ${positionals.join(' ')}`);
      }
      const tty = process.stderr.isTTY;
      return traceCommand(
        {
          targets: values.target ?? [],
          output: values.output,
          duration: values.duration,
          workload: values.workload,
          workloadCommand: values['workload-command'],
          rules: values.rules,
          maxRate: values['max-rate'],
          lifecycle: values.lifecycle,
          mechanism: values.mechanism,
          evidencePeriod: values['evidence-period'],
        },
        {
          out,
          err: (t) => {
            err(tty ? `\r\x1b[K${t}` : t);
          },
          progress: tty
            ? (line) => {
                process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns || 200) - 1)}`);
              }
            : undefined,
          onInterrupt: (stop) => {
            process.on('SIGINT', stop);
            return () => {
              process.off('SIGINT', stop);
            };
          },
        },
        (name) => targetFor(name, values['ssh-config']),
      );
    }
    case 'serve': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          port: { type: 'string', default: '0' },
          'no-bundled': { type: 'boolean', default: false },
          'state-dir': { type: 'string' },
          'ssh-config': { type: 'string' },
          rules: { type: 'string' },
        },
      });
      const port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new CliError(`--port ${values.port}: give a port number 1-65535, or 0 for any free one`);
      }
      return serveCommand(
        { port, captures: positionals, bundled: !values['no-bundled'], stateDir: values['state-dir'], sshConfig: values['ssh-config'], rules: loadRules(values.rules) },
        { out, err },
      );
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(USAGE);
      return command === undefined ? EXIT.error : 0;
    default:
      throw new CliError(`unknown command "${command}"\n${USAGE}`);
  }
}

function onePositional(p: readonly string[], command: string, what: string): string {
  const [first, ...more] = p;
  if (first === undefined) {
    throw new CliError(`${command} needs ${what}`);
  }
  if (more.length > 0) {
    throw new CliError(`${command} takes one ${what}; unexpected: ${more.join(' ')}`);
  }
  return first;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  // `lockscope inspect … | head` closes the pipe early: stop quietly, as other tools do.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') {
      process.exit(0);
    }
    throw e;
  });
  try {
    return await main(argv);
  } catch (e) {
    if (e instanceof CliError) {
      err(`lockscope: ${e.message}`);
      return EXIT.error;
    }
    if (e instanceof TypeError && 'code' in e && typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS')) {
      err(`lockscope: ${e.message}\n${USAGE}`);
      return EXIT.error;
    }
    err(`lockscope: internal error: ${e instanceof Error ? e.message : String(e)} (please report it; LOCKSCOPE_DEBUG=1 shows the stack)`);
    if (process.env.LOCKSCOPE_DEBUG === '1' && e instanceof Error) {
      err(e.stack ?? '');
    }
    return EXIT.error;
  }
}
