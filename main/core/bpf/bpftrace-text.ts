/**
 * Values that go into generated bpftrace programs, checked or escaped: a kernel symbol or a
 * header value is refused when it could change the program's meaning, and free text goes into a
 * printf format string with its quotes, backslashes and percent signs escaped.
 */

/** A kernel function name bpftrace can take unquoted in a probe name. */
export function isProbeSymbol(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name);
}

/** A value of an LS1 header key=value pair: no blanks, no quotes, nothing printf reads. */
export function isHeaderValue(value: string): boolean {
  return /^[A-Za-z0-9._:@/+~,-]{1,200}$/.test(value);
}

/** A byte offset or size from BTF: a non-negative integer a struct can have. */
export function isOffset(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0 && n < 1 << 20;
}

/**
 * Free text as the inside of a bpftrace string literal used as a printf format: one line,
 * backslashes and quotes escaped, `%` doubled, control characters and non-ASCII replaced.
 */
export function printfLiteral(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') {
      out += '\\\\';
    } else if (ch === '"') {
      out += '\\"';
    } else if (ch === '%') {
      out += '%%';
    } else if (code < 0x20 || code > 0x7e) {
      out += code === 0x0a || code === 0x0d || code === 0x09 ? ' ' : '?';
    } else {
      out += ch;
    }
  }
  return out;
}
