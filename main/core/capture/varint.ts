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
  /** `pos`: where to start reading (a fast reader's fallback starts at the varint it gave up on). */
  constructor(
    private readonly buf: Uint8Array,
    private readonly column: string,
    private pos = 0,
  ) {}

  /** Bytes read so far. */
  get position(): number {
    return this.pos;
  }

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
    const b = this.buf[this.pos];
    // One byte, and not the malformed negative zero.
    if (b !== undefined && b < 128 && b !== 1) {
      this.pos++;
      return (b & 1) === 0 ? b >> 1 : -(b >> 1);
    }
    return this.svarintLong();
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
