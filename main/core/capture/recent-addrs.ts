/**
 * Address columns: each address is coded against the column's 8 most recent values. A hit
 * costs one 4-bit tag (the value's place in that list, which then moves to the front); a miss
 * costs the tag 8 plus a signed varint of the difference from the most recent value. Requests,
 * links and locks repeat within a few events (a window's entry, lock operations and return all
 * name the same request and link), so most addresses cost half a byte.
 */
import { ByteSink, ByteSource, ColumnFormatError } from './varint.js';

export const RECENT = 8;
export const MISS_TAG = 8;

/** The most recent values of one address column, most recent first (all NULL at first). */
class RecentList {
  private readonly v = new Float64Array(RECENT);

  indexOf(x: number): number {
    const v = this.v;
    for (let i = 0; i < RECENT; i++) {
      if (v[i] === x) {
        return i;
      }
    }
    return -1;
  }

  front(): number {
    return this.v[0] ?? 0;
  }

  at(i: number): number {
    return this.v[i] ?? 0;
  }

  /** Moves entry i to the front. */
  promote(i: number): void {
    const v = this.v;
    const x = v[i] ?? 0;
    v.copyWithin(1, 0, i);
    v[0] = x;
  }

  /** Puts x at the front, dropping the oldest. */
  insert(x: number): void {
    const v = this.v;
    v.copyWithin(1, 0, RECENT - 1);
    v[0] = x;
  }
}

/** 4-bit tags, two to a byte, low nibble first. */
export class NibbleSink {
  private readonly sink = new ByteSink(512);
  private pending = -1;

  push(tag: number): void {
    if (this.pending < 0) {
      this.pending = tag;
    } else {
      this.sink.byte(this.pending | (tag << 4));
      this.pending = -1;
    }
  }

  get length(): number {
    return this.sink.length + (this.pending < 0 ? 0 : 1);
  }

  bytes(): Uint8Array {
    if (this.pending >= 0) {
      this.sink.byte(this.pending);
      this.pending = -1;
    }
    return this.sink.bytes();
  }
}

export class NibbleSource {
  private pos = 0;
  private half = false;

  constructor(private readonly buf: Uint8Array) {}

  next(): number {
    const b = this.buf[this.pos];
    if (b === undefined) {
      throw new ColumnFormatError(`column "atag" ends early at byte ${this.pos}`);
    }
    if (this.half) {
      this.half = false;
      this.pos++;
      return b >> 4;
    }
    this.half = true;
    return b & 15;
  }

  /** Whole bytes consumed; a trailing half byte must be the last. */
  get atEnd(): boolean {
    return this.pos >= this.buf.length || (this.half && this.pos === this.buf.length - 1);
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }
}

export class AddrColumnWriter {
  private readonly recent = new RecentList();
  readonly sink = new ByteSink();

  constructor(private readonly tags: NibbleSink) {}

  write(x: number): void {
    const i = this.recent.indexOf(x);
    if (i >= 0) {
      this.tags.push(i);
      this.recent.promote(i);
      return;
    }
    this.tags.push(MISS_TAG);
    this.sink.svarint(x - this.recent.front());
    this.recent.insert(x);
  }
}

export class AddrColumnReader {
  private readonly recent = new RecentList();
  readonly source: ByteSource;

  constructor(
    bytes: Uint8Array,
    readonly name: string,
    private readonly tags: NibbleSource,
  ) {
    this.source = new ByteSource(bytes, name);
  }

  read(): number {
    const tag = this.tags.next();
    if (tag < RECENT) {
      const x = this.recent.at(tag);
      this.recent.promote(tag);
      return x;
    }
    if (tag !== MISS_TAG) {
      throw new ColumnFormatError(`column "atag": tag ${tag} is not a recent-address index or the miss tag`);
    }
    const x = this.recent.front() + this.source.svarint();
    if (Math.abs(x) > 2 ** 52) {
      throw new ColumnFormatError(`column "${this.name}": an address outside ±2^52`);
    }
    this.recent.insert(x);
    return x;
  }
}
