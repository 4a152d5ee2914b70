/**
 * Builds small raw BTF blobs by hand, in either byte order, for the BTF reader's tests: every
 * kind, bitfields both ways, loops, and raw records for corrupt cases. Each add returns the new
 * type's id (ids count from 1 in the order added).
 */
import { BTF_KIND } from '../../main/core/target/btf-kinds.js';

export interface MemberSpec {
  readonly name: string;
  readonly type: number;
  readonly bitOffset: number;
  /** Bitfield width; only encoded when the struct is built with `bitfields: true`. */
  readonly bits?: number;
}

export interface BuildOptions {
  readonly endian?: 'little' | 'big';
  /** Header length (24 by default); the bytes past 24 are zero. */
  readonly headerLength?: number;
  /** Put the string section before the type section. */
  readonly stringsFirst?: boolean;
}

export class BtfBuilder {
  private readonly words: number[] = [];
  private readonly strings: number[] = [0];
  private readonly stringOffsets = new Map<string, number>([['', 0]]);
  private nextId = 1;

  str(s: string): number {
    const known = this.stringOffsets.get(s);
    if (known !== undefined) {
      return known;
    }
    const off = this.strings.length;
    this.strings.push(...new TextEncoder().encode(s), 0);
    this.stringOffsets.set(s, off);
    return off;
  }

  /** A record as given: name offset, info word, third word, then the extra words. */
  raw(nameOff: number, info: number, third: number, extra: readonly number[] = []): number {
    this.words.push(nameOff >>> 0, info >>> 0, third >>> 0, ...extra.map((w) => w >>> 0));
    return this.nextId++;
  }

  private rec(kind: number, name: string, vlen: number, kindFlag: boolean, third: number, extra: readonly number[] = []): number {
    return this.raw(this.str(name), ((kindFlag ? 1 : 0) << 31) | (kind << 24) | vlen, third, extra);
  }

  int(name: string, size: number, o: { signed?: boolean; char?: boolean; bool?: boolean; bits?: number; bitOffset?: number } = {}): number {
    const enc = (o.signed === true ? 1 : 0) | (o.char === true ? 2 : 0) | (o.bool === true ? 4 : 0);
    return this.rec(BTF_KIND.INT, name, 0, false, size, [(enc << 24) | ((o.bitOffset ?? 0) << 16) | (o.bits ?? size * 8)]);
  }

  ptr(type: number): number {
    return this.rec(BTF_KIND.PTR, '', 0, false, type);
  }

  array(elem: number, index: number, length: number): number {
    return this.rec(BTF_KIND.ARRAY, '', 0, false, 0, [elem, index, length]);
  }

  struct(name: string, size: number, members: readonly MemberSpec[], o: { union?: boolean; bitfields?: boolean } = {}): number {
    const bitfields = o.bitfields === true;
    const extra = members.flatMap((m) => [this.str(m.name), m.type, bitfields ? ((m.bits ?? 0) << 24) | m.bitOffset : m.bitOffset]);
    return this.rec(o.union === true ? BTF_KIND.UNION : BTF_KIND.STRUCT, name, members.length, bitfields, size, extra);
  }

  union(name: string, size: number, members: readonly MemberSpec[]): number {
    return this.struct(name, size, members, { union: true });
  }

  enum(name: string, size: number, values: readonly (readonly [string, number])[], signed = false): number {
    return this.rec(BTF_KIND.ENUM, name, values.length, signed, size, values.flatMap(([n, v]) => [this.str(n), v]));
  }

  enum64(name: string, values: readonly (readonly [string, bigint])[], signed = false): number {
    const extra = values.flatMap(([n, v]) => {
      const u = BigInt.asUintN(64, v);
      return [this.str(n), Number(u & 0xffffffffn), Number(u >> 32n)];
    });
    return this.rec(BTF_KIND.ENUM64, name, values.length, signed, 8, extra);
  }

  fwd(name: string, union = false): number {
    return this.rec(BTF_KIND.FWD, name, 0, union, 0);
  }

  typedef(name: string, type: number): number {
    return this.rec(BTF_KIND.TYPEDEF, name, 0, false, type);
  }

  qualifier(q: 'const' | 'volatile' | 'restrict', type: number): number {
    const kind = q === 'const' ? BTF_KIND.CONST : q === 'volatile' ? BTF_KIND.VOLATILE : BTF_KIND.RESTRICT;
    return this.rec(kind, '', 0, false, type);
  }

  typeTag(tag: string, type: number): number {
    return this.rec(BTF_KIND.TYPE_TAG, tag, 0, false, type);
  }

  funcProto(returns: number, params: readonly (readonly [string, number])[], variadic = false): number {
    const all = variadic ? [...params, ['', 0] as const] : params;
    return this.rec(BTF_KIND.FUNC_PROTO, '', all.length, false, returns, all.flatMap(([n, t]) => [this.str(n), t]));
  }

  func(name: string, proto: number, linkage = 0): number {
    return this.rec(BTF_KIND.FUNC, name, linkage, false, proto);
  }

  variable(name: string, type: number, linkage = 1): number {
    return this.rec(BTF_KIND.VAR, name, 0, false, type, [linkage]);
  }

  datasec(name: string, size: number, vars: readonly (readonly [number, number, number])[]): number {
    return this.rec(BTF_KIND.DATASEC, name, vars.length, false, size, vars.flat());
  }

  float(name: string, size: number): number {
    return this.rec(BTF_KIND.FLOAT, name, 0, false, size);
  }

  declTag(tag: string, type: number, componentIndex = -1): number {
    return this.rec(BTF_KIND.DECL_TAG, tag, 0, false, type, [componentIndex]);
  }

  /** The id the next add will get. */
  get next(): number {
    return this.nextId;
  }

  build(o: BuildOptions = {}): Uint8Array {
    const le = (o.endian ?? 'little') === 'little';
    const hdr = o.headerLength ?? 24;
    const typeLen = this.words.length * 4;
    const strLen = this.strings.length;
    const out = new Uint8Array(hdr + typeLen + strLen + ((4 - (strLen % 4)) % 4));
    const v = new DataView(out.buffer);
    v.setUint16(0, 0xeb9f, le);
    v.setUint8(2, 1);
    v.setUint8(3, 0);
    v.setUint32(4, hdr, le);
    const stringsFirst = o.stringsFirst === true;
    const strPad = (4 - (strLen % 4)) % 4;
    const typeOff = stringsFirst ? strLen + strPad : 0;
    const strOff = stringsFirst ? 0 : typeLen;
    v.setUint32(8, typeOff, le);
    v.setUint32(12, typeLen, le);
    v.setUint32(16, strOff, le);
    v.setUint32(20, strLen, le);
    this.words.forEach((w, i) => {
      v.setUint32(hdr + typeOff + 4 * i, w, le);
    });
    out.set(this.strings, hdr + strOff);
    return stringsFirst ? out : out.subarray(0, hdr + typeLen + strLen);
  }
}
