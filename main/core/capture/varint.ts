/**
 * LEB128 varints for capture columns.
 *
 * Unsigned: 7 bits a byte, low group first, up to 2^53 - 1. Signed: the first byte carries the sign
 * in bit 0 and the low 6 bits of the magnitude in bits 1..6; the rest of the magnitude follows as
 * an unsigned varint. Unlike zigzag, this never needs a value twice as large as the input, so
 * every integer within ±2^53 round-trips exactly as a double.
 */

const MAX_VARINT_BYTES = 8; // 7 * 8 = 56 bits > 53

/** A growable byte buffer that columns are written into. */
export class ByteSink {
  private buf: Uint8Array;
  private len = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }

  get length(): number {
    return this.len;
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) {
      return;
    }
    let size = Math.max(1, this.buf.length) * 2;
    while (size < this.len + extra) {
      size *= 2;
    }
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }

  /** Non-negative integer up to 2^53. */
  uvarint(v: number): void {
    if (!(v >= 0 && v <= Number.MAX_SAFE_INTEGER) || !Number.isInteger(v)) {
      throw new RangeError(`uvarint out of range: ${v}`);
    }
    this.ensure(MAX_VARINT_BYTES);
    let x = v;
    while (x >= 128) {
      this.buf[this.len++] = (x % 128) | 128;
      x = Math.floor(x / 128);
    }
    this.buf[this.len++] = x;
  }

  /** Integer within ±2^53. */
  svarint(v: number): void {
    if (!Number.isInteger(v) || Math.abs(v) > Number.MAX_SAFE_INTEGER) {
      throw new RangeError(`svarint out of range: ${v}`);
    }
    const neg = v < 0 ? 1 : 0;
    const m = neg === 1 ? -v : v;
    const rest = Math.floor(m / 64);
    const first = ((m % 64) << 1) | neg;
    if (rest === 0) {
      this.byte(first);
      return;
    }
    this.byte(first | 128);
    this.uvarint(rest);
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  reset(): void {
    this.len = 0;
  }
}

/** Thrown by ByteSource when a column ends early or holds a malformed varint. */
export class ColumnFormatError extends Error {
  override readonly name = 'ColumnFormatError';
}

/** Reads varints from one column. */
export class ByteSource {
  private pos = 0;

  constructor(
    private readonly buf: Uint8Array,
    readonly column: string,
  ) {}

  get atEnd(): boolean {
    return this.pos >= this.buf.length;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private fail(what: string): never {
    throw new ColumnFormatError(`column "${this.column}": ${what} at byte ${this.pos} of ${this.buf.length}`);
  }

  byte(): number {
    const b = this.buf[this.pos];
    if (b === undefined) {
      return this.fail('ends early');
    }
    this.pos++;
    return b;
  }

  uvarint(): number {
    const b = this.buf[this.pos];
    if (b !== undefined && b < 128) {
      this.pos++;
      return b;
    }
    return this.uvarintLong();
  }

  /** The rest of uvarint(), apart so that its one-byte case stays small enough to inline. */
  private uvarintLong(): number {
    const buf = this.buf;
    let b = buf[this.pos];
    if (b === undefined) {
      return this.fail('ends early');
    }
    this.pos++;
    if (b < 128) {
      return b;
    }
    let v = b & 127;
    let mul = 128;
    for (let i = 1; i < MAX_VARINT_BYTES; i++) {
      b = buf[this.pos];
      if (b === undefined) {
        return this.fail('ends inside a varint');
      }
      this.pos++;
      v += (b & 127) * mul;
      if (b < 128) {
        if (v > Number.MAX_SAFE_INTEGER) {
          return this.fail('varint exceeds 2^53');
        }
        return v;
      }
      mul *= 128;
    }
    return this.fail('varint longer than 8 bytes');
  }

  svarint(): number {
    // Every well-formed one is read here, in a loop that calls nothing (the decoder's hot loops
    // inline it: a time difference takes two bytes or more); svarintLong reads anything else
    // again, to say what is wrong with it.
    const buf = this.buf;
    const start = this.pos;
    let p = start;
    // 256: past the end.
    let b = buf[p++] ?? 256;
    const negative = (b & 1) === 1;
    let m = (b >> 1) & 63;
    let mul = 64;
    while (b >= 128 && b < 256 && p - start < 1 + MAX_VARINT_BYTES) {
      b = buf[p++] ?? 256;
      m += (b & 127) * mul;
      mul *= 128;
    }
    if (b < 128 && m <= Number.MAX_SAFE_INTEGER && !(negative && m === 0)) {
      this.pos = p;
      return negative ? -m : m;
    }
    throw this.svarintError();
  }

  /** The error svarintLong meets at the malformed signed varint that svarint refused. */
  private svarintError(): Error {
    try {
      return new Error(`svarint refused the signed varint ${this.svarintLong()} at byte ${this.pos}`);
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  }

  private svarintLong(): number {
    const b = this.buf[this.pos];
    if (b === undefined) {
      return this.fail('ends early');
    }
    this.pos++;
    const low = (b >> 1) & 63;
    let m = low;
    if (b >= 128) {
      const rest = this.uvarint();
      m = low + rest * 64;
      if (m > Number.MAX_SAFE_INTEGER) {
        return this.fail('signed varint exceeds 2^53');
      }
    }
    if ((b & 1) === 1) {
      return m === 0 ? this.fail('negative zero') : -m;
    }
    return m;
  }
}
