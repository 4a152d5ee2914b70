/**
 * A parsed BTF blob: the bytes, where each type record starts, and accessors for the fields of a
 * record. Made only by `parseBtf` (btf-reader.ts), which has checked every record's bounds, kind,
 * name offsets and type references, so the accessors here read within the blob for any id below
 * `count`. Reading an id outside that range is a bug and throws.
 */
import { decodeUtf8 } from './btf-strings.js';

/** Where the header says the sections are. */
export interface BtfSections {
  readonly littleEndian: boolean;
  readonly headerLength: number;
  /** Absolute byte offsets of the type and string sections. */
  readonly typesStart: number;
  readonly typesEnd: number;
  readonly stringsStart: number;
  readonly stringsEnd: number;
}

export interface BtfLayout extends BtfSections {
  readonly bytes: Uint8Array;
  /** Absolute byte offset of each type's record; index 0 (void) has none and holds 0. */
  readonly recordOffsets: Uint32Array;
  /** Each type's kind; index 0 is void (BTF_KIND_UNKN). */
  readonly kinds: Uint8Array;
}

export class Btf {
  readonly bytes: Uint8Array;
  readonly littleEndian: boolean;
  readonly headerLength: number;
  readonly typesStart: number;
  readonly typesEnd: number;
  readonly stringsStart: number;
  readonly stringsEnd: number;
  private readonly view: DataView;
  private readonly recordOffsets: Uint32Array;
  private readonly kinds: Uint8Array;

  constructor(layout: BtfLayout) {
    this.bytes = layout.bytes;
    this.littleEndian = layout.littleEndian;
    this.headerLength = layout.headerLength;
    this.typesStart = layout.typesStart;
    this.typesEnd = layout.typesEnd;
    this.stringsStart = layout.stringsStart;
    this.stringsEnd = layout.stringsEnd;
    this.view = new DataView(layout.bytes.buffer, layout.bytes.byteOffset, layout.bytes.byteLength);
    this.recordOffsets = layout.recordOffsets;
    this.kinds = layout.kinds;
  }

  /** Number of type ids, void (0) included: valid ids are 0 .. count - 1. */
  get count(): number {
    return this.kinds.length;
  }

  /** The byte order the blob was written in. */
  get endian(): 'little' | 'big' {
    return this.littleEndian ? 'little' : 'big';
  }

  kind(id: number): number {
    return this.at(this.kinds, id);
  }

  /** Absolute byte offset of the type's record (0 for void, which has none). */
  recordOffset(id: number): number {
    return this.at(this.recordOffsets, id);
  }

  nameOffset(id: number): number {
    return id === 0 ? 0 : this.u32(this.recordOffset(id));
  }

  name(id: number): string {
    return this.string(this.nameOffset(id));
  }

  private info(id: number): number {
    return id === 0 ? 0 : this.u32(this.recordOffset(id) + 4);
  }

  vlen(id: number): number {
    return this.info(id) & 0xffff;
  }

  kindFlag(id: number): boolean {
    return this.info(id) >>> 31 === 1;
  }

  /** The third common field: a size or a type id, depending on the kind. */
  sizeOrType(id: number): number {
    return id === 0 ? 0 : this.u32(this.recordOffset(id) + 8);
  }

  /** Absolute byte offset of the kind-specific data after the common record. */
  extraOffset(id: number): number {
    return this.recordOffset(id) + 12;
  }

  u32(offset: number): number {
    return this.view.getUint32(offset, this.littleEndian);
  }

  i32(offset: number): number {
    return this.view.getInt32(offset, this.littleEndian);
  }

  /** The NUL-terminated string at this offset of the string section. */
  string(offset: number): string {
    const start = this.stringsStart + offset;
    if (offset < 0 || start >= this.stringsEnd) {
      throw new RangeError(`BTF string offset ${offset} outside the string section (${this.stringsEnd - this.stringsStart} bytes)`);
    }
    const end = this.bytes.indexOf(0, start);
    return decodeUtf8(this.bytes, start, end < 0 || end > this.stringsEnd ? this.stringsEnd : end);
  }

  private at(column: Uint8Array | Uint32Array, id: number): number {
    const v = column[id];
    if (v === undefined || !Number.isInteger(id)) {
      throw new RangeError(`BTF type id ${id} outside 0..${this.count - 1}`);
    }
    return v;
  }
}
