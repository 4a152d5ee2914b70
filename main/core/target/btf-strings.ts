/**
 * The BTF string section: NUL-terminated names, addressed by their byte offset in the section.
 * Kernel names are C identifiers (ASCII); anything else is decoded as UTF-8, with U+FFFD for
 * byte sequences that are not.
 */

/** Decodes bytes[start, end) as UTF-8. */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if ((bytes[i] ?? 0) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    return asciiString(bytes, start, end);
  }
  const codes: number[] = [];
  let i = start;
  while (i < end) {
    const b0 = bytes[i] ?? 0;
    if (b0 < 0x80) {
      codes.push(b0);
      i++;
      continue;
    }
    const [need, min, first] = b0 >= 0xc2 && b0 < 0xe0 ? [1, 0x80, b0 & 0x1f] : b0 >= 0xe0 && b0 < 0xf0 ? [2, 0x800, b0 & 0x0f] : b0 >= 0xf0 && b0 < 0xf5 ? [3, 0x10000, b0 & 0x07] : [0, 0, 0];
    if (need === 0 || i + need >= end) {
      codes.push(0xfffd);
      i++;
      continue;
    }
    let cp = first;
    let good = true;
    for (let k = 1; k <= need; k++) {
      const b = bytes[i + k] ?? 0;
      if ((b & 0xc0) !== 0x80) {
        good = false;
        break;
      }
      cp = (cp << 6) | (b & 0x3f);
    }
    if (!good || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      codes.push(0xfffd);
      i++;
      continue;
    }
    codes.push(cp);
    i += need + 1;
  }
  return String.fromCodePoint(...codes);
}

function asciiString(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    s += String.fromCharCode(bytes[i] ?? 0);
  }
  return s;
}

/** UTF-8 bytes of `s` (lone surrogates become U+FFFD). */
export function encodeUtf8(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    let cp = ch.codePointAt(0) ?? 0xfffd;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      cp = 0xfffd;
    }
    if (cp < 0x80) {
      out.push(cp);
    } else if (cp < 0x800) {
      out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    } else {
      out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    }
  }
  return Uint8Array.from(out);
}

/** FNV-1a (32 bits) of the bytes from `start` up to the first NUL or `end`. */
export function hashName(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    const b = bytes[i] ?? 0;
    if (b === 0) {
      break;
    }
    h = Math.imul(h ^ b, 0x01000193);
  }
  return h >>> 0;
}

/** Whether the NUL-terminated string at `start` is exactly `name` (its UTF-8 bytes). */
export function nameEquals(bytes: Uint8Array, start: number, end: number, name: Uint8Array): boolean {
  if (start + name.length >= end) {
    return false;
  }
  for (let i = 0; i < name.length; i++) {
    if (bytes[start + i] !== name[i]) {
      return false;
    }
  }
  return bytes[start + name.length] === 0;
}
