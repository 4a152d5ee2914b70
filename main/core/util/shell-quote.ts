/**
 * POSIX shell quoting for commands that must pass through a remote shell (ssh runs its command
 * with the user's login shell on the far side). Every argument is single-quoted, so no character
 * in it — space, quote, `$`, backtick, newline — means anything to the shell.
 */

/** One argument, quoted for sh/bash/dash/zsh: 'it'\''s' style. */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) {
    throw new RangeError('a shell argument cannot contain a NUL byte');
  }
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** A command line from an argument vector, each argument quoted. */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) {
    throw new RangeError('empty command');
  }
  return argv.map(shellQuote).join(' ');
}
