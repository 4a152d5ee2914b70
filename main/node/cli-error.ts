/** An error the CLI reports as one line on stderr with exit code 2. */
export class CliError extends Error {
  override readonly name = 'CliError';
}
