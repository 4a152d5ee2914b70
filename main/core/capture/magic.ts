/** The first bytes of every capture file: "LSCAP", a zero, the format's major version, "\n". */
import { FORMAT_MAJOR } from './header.js';

export const MAGIC_LENGTH = 8;
const PREFIX = [0x4c, 0x53, 0x43, 0x41, 0x50, 0x00]; // "LSCAP\0"

export function magicBytes(): Uint8Array {
  return Uint8Array.from([...PREFIX, FORMAT_MAJOR, 0x0a]);
}

export type MagicCheck =
  | { readonly kind: 'ok' }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'not_a_capture' }
  | { readonly kind: 'newer_major'; readonly major: number };

/** Checks the start of a file; `incomplete` when fewer than 8 bytes match so far. */
export function checkMagic(start: Uint8Array): MagicCheck {
  for (let i = 0; i < Math.min(start.length, PREFIX.length); i++) {
    if (start[i] !== PREFIX[i]) {
      return { kind: 'not_a_capture' };
    }
  }
  if (start.length < MAGIC_LENGTH) {
    return { kind: 'incomplete' };
  }
  const major = start[6] ?? 0;
  if (start[7] !== 0x0a || major === 0) {
    return { kind: 'not_a_capture' };
  }
  if (major > FORMAT_MAJOR) {
    return { kind: 'newer_major', major };
  }
  return { kind: 'ok' };
}
