/**
 * Address columns: each address is coded against the column's 8 most recent values. A hit
 * costs one 4-bit tag (the value's place in that list, which then moves to the front); a miss
 * costs the tag 8 plus a signed varint of the difference from the most recent value. Requests,
 * links and locks repeat within a few events (a window's entry, lock operations and return all
 * name the same request and link), so most addresses cost half a byte.
 */
import { ADDR_LIMIT } from '../util/addr.js';
import type { ByteSource } from './varint.js';
import { ByteSink, ColumnFormatError } from './varint.js';

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

/** The order 0, 1, ..., 7: entry r of a recent list in slot r (see readAddrs). */
const IDENTITY_ORDER = 0o76543210;

/**
 * Reads the addresses of one batch, given which column each is of (the decoder works that out
 * from the kinds and `num` values first): address `j` is of column `cols[j] & 7`, read by
 * `sources[cols[j] & 7]` when a miss, and goes to `dest[index[j]]`. Throws ColumnFormatError on
 * malformed columns.
 *
 * This is the decoder's hottest loop: one loop over the tags that calls nothing on the way back
 * to its top (ByteSource.svarint inlines), with RECENT and MISS_TAG written as their value 8. A
 * column's recent list is kept as 8 value slots that never move and its order as 8 fields of
 * 3 bits, field r holding the slot of the r-th most recent value: moving entry r to the front is
 * then a few shifts whatever r is, where moving the values cost a loop and a mispredicted branch
 * per address.
 */
export function readAddrs(atag: Uint8Array, sources: readonly ByteSource[], cols: Uint8Array, index: Int32Array, n: number, dest: Float64Array): void {
  const slots = new Float64Array(sources.length * 8);
  const order = new Int32Array(sources.length).fill(IDENTITY_ORDER);
  for (let j = 0; j < n; j++) {
    const b = atag[j >> 1];
    if (b === undefined) {
      throw new ColumnFormatError(`column "atag" ends early at byte ${atag.length}`);
    }
    const tag = (j & 1) === 0 ? b & 15 : b >> 4;
    const col = (cols[j] ?? 0) & 7;
    const base = col << 3;
    const o = order[col] ?? 0;
    let x: number;
    let shift: number;
    if (tag < 8) {
      shift = tag * 3;
      x = slots[base + ((o >> shift) & 7)] ?? 0;
    } else {
      if (tag !== 8) {
        throw new ColumnFormatError(`column "atag": tag ${tag} is not a recent-address index or the miss tag`);
      }
      const source = sources[col];
      if (source === undefined) {
        throw new RangeError(`no address column ${col}`);
      }
      // A miss: the difference from the most recent value.
      x = (slots[base + (o & 7)] ?? 0) + source.svarint();
      if (x > ADDR_LIMIT || x < -ADDR_LIMIT) {
        throw new ColumnFormatError(`column "${source.column}": an address outside ±2^52`);
      }
      // It takes the slot of the oldest entry, which moves to the front.
      shift = 21;
      slots[base + ((o >> shift) & 7)] = x;
    }
    // Entry r (at `shift`) to the front: the fields above it stay, those below move up one.
    order[col] = ((o >> (shift + 3)) << (shift + 3)) | ((o & ((1 << shift) - 1)) << 3) | ((o >> shift) & 7);
    dest[index[j] ?? 0] = x;
  }
}

/** Whether `n` tags are the whole `atag` column: a trailing half byte can only be the last. */
export function tagsAtEnd(atag: Uint8Array, n: number): boolean {
  return (n + 1) >> 1 >= atag.length;
}
