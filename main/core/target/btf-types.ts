/**
 * One BTF type record decoded into a plain object (`typeAt`), and the walks along type
 * references that queries need (`skipQualifiers`, `typeSize`). Every walk is bounded: a chain of
 * references that comes back on itself, which only a corrupt blob has, ends in a
 * `reference_loop` error naming the record, never in a hang.
 */
import { err, ok, type Result } from '../util/result.js';
import type { Btf } from './btf-data.js';
import type { BtfQueryError } from './btf-error.js';
import { BTF_KIND, kindName } from './btf-kinds.js';

export interface BtfMember {
  /** '' for an anonymous member (an unnamed struct or union inside its container). */
  readonly name: string;
  readonly type: number;
  /** Offset from the start of the container, in bits. */
  readonly bitOffset: number;
  /** Width of a bitfield as encoded with the container's kind_flag; 0 when not encoded that way. */
  readonly bitfieldSize: number;
}

export interface BtfParam {
  /** '' when BTF does not name it. */
  readonly name: string;
  readonly type: number;
}

export interface BtfEnumerator {
  readonly name: string;
  readonly value: bigint;
}

export type BtfLinkage = 'static' | 'global' | 'extern' | `linkage ${number}`;

export type BtfType =
  | { readonly kind: 'void'; readonly id: 0 }
  | {
      readonly kind: 'int';
      readonly id: number;
      readonly name: string;
      readonly size: number;
      readonly signed: boolean;
      readonly char: boolean;
      readonly bool: boolean;
      /** Bits used and their offset inside `size` bytes (old-style bitfields set these). */
      readonly bits: number;
      readonly bitOffset: number;
    }
  | { readonly kind: 'ptr'; readonly id: number; readonly type: number }
  | { readonly kind: 'array'; readonly id: number; readonly elementType: number; readonly indexType: number; readonly length: number }
  | { readonly kind: 'struct' | 'union'; readonly id: number; readonly name: string; readonly size: number; readonly members: readonly BtfMember[] }
  | { readonly kind: 'enum'; readonly id: number; readonly name: string; readonly size: number; readonly signed: boolean; readonly values: readonly BtfEnumerator[] }
  | { readonly kind: 'fwd'; readonly id: number; readonly name: string; readonly union: boolean }
  | { readonly kind: 'typedef'; readonly id: number; readonly name: string; readonly type: number }
  | { readonly kind: 'volatile' | 'const' | 'restrict'; readonly id: number; readonly type: number }
  | { readonly kind: 'type_tag'; readonly id: number; readonly tag: string; readonly type: number }
  | { readonly kind: 'func'; readonly id: number; readonly name: string; readonly type: number; readonly linkage: BtfLinkage }
  | { readonly kind: 'func_proto'; readonly id: number; readonly returns: number; readonly params: readonly BtfParam[]; readonly variadic: boolean }
  | { readonly kind: 'var'; readonly id: number; readonly name: string; readonly type: number; readonly linkage: BtfLinkage }
  | {
      readonly kind: 'datasec';
      readonly id: number;
      readonly name: string;
      readonly size: number;
      readonly vars: readonly { readonly type: number; readonly offset: number; readonly size: number }[];
    }
  | { readonly kind: 'float'; readonly id: number; readonly name: string; readonly size: number }
  | { readonly kind: 'decl_tag'; readonly id: number; readonly tag: string; readonly type: number; readonly componentIndex: number };

/** Longest chain of typedefs, qualifiers, pointers and arrays any real type has, with room. */
export const MAX_TYPE_DEPTH = 64;

function linkage(v: number): BtfLinkage {
  return v === 0 ? 'static' : v === 1 ? 'global' : v === 2 ? 'extern' : `linkage ${v}`;
}

/** Decodes the record of type `id` (0 is void). Throws only for an id outside the blob. */
export function typeAt(btf: Btf, id: number): BtfType {
  const kind = btf.kind(id);
  const name = btf.name(id);
  const vlen = btf.vlen(id);
  const third = btf.sizeOrType(id);
  const x = btf.extraOffset(id);
  switch (kind) {
    case BTF_KIND.UNKN:
      return { kind: 'void', id: 0 };
    case BTF_KIND.INT: {
      const enc = btf.u32(x);
      return { kind: 'int', id, name, size: third, signed: ((enc >>> 24) & 1) !== 0, char: ((enc >>> 24) & 2) !== 0, bool: ((enc >>> 24) & 4) !== 0, bitOffset: (enc >>> 16) & 0xff, bits: enc & 0xff };
    }
    case BTF_KIND.PTR:
      return { kind: 'ptr', id, type: third };
    case BTF_KIND.ARRAY:
      return { kind: 'array', id, elementType: btf.u32(x), indexType: btf.u32(x + 4), length: btf.u32(x + 8) };
    case BTF_KIND.STRUCT:
    case BTF_KIND.UNION: {
      const bitfields = btf.kindFlag(id);
      const members: BtfMember[] = [];
      for (let i = 0; i < vlen; i++) {
        const m = x + 12 * i;
        const off = btf.u32(m + 8);
        members.push({ name: btf.string(btf.u32(m)), type: btf.u32(m + 4), bitOffset: bitfields ? off & 0xffffff : off, bitfieldSize: bitfields ? off >>> 24 : 0 });
      }
      return { kind: kind === BTF_KIND.STRUCT ? 'struct' : 'union', id, name, size: third, members };
    }
    case BTF_KIND.ENUM:
    case BTF_KIND.ENUM64: {
      const signed = btf.kindFlag(id);
      const values: BtfEnumerator[] = [];
      for (let i = 0; i < vlen; i++) {
        if (kind === BTF_KIND.ENUM) {
          const e = x + 8 * i;
          values.push({ name: btf.string(btf.u32(e)), value: BigInt(signed ? btf.i32(e + 4) : btf.u32(e + 4)) });
        } else {
          const e = x + 12 * i;
          const raw = (BigInt(btf.u32(e + 8)) << 32n) | BigInt(btf.u32(e + 4));
          values.push({ name: btf.string(btf.u32(e)), value: signed ? BigInt.asIntN(64, raw) : raw });
        }
      }
      return { kind: 'enum', id, name, size: third, signed, values };
    }
    case BTF_KIND.FWD:
      return { kind: 'fwd', id, name, union: btf.kindFlag(id) };
    case BTF_KIND.TYPEDEF:
      return { kind: 'typedef', id, name, type: third };
    case BTF_KIND.VOLATILE:
      return { kind: 'volatile', id, type: third };
    case BTF_KIND.CONST:
      return { kind: 'const', id, type: third };
    case BTF_KIND.RESTRICT:
      return { kind: 'restrict', id, type: third };
    case BTF_KIND.TYPE_TAG:
      return { kind: 'type_tag', id, tag: name, type: third };
    case BTF_KIND.FUNC:
      return { kind: 'func', id, name, type: third, linkage: linkage(vlen) };
    case BTF_KIND.FUNC_PROTO: {
      const params: BtfParam[] = [];
      let variadic = false;
      for (let i = 0; i < vlen; i++) {
        const p = x + 8 * i;
        const nameOff = btf.u32(p);
        const type = btf.u32(p + 4);
        if (i === vlen - 1 && nameOff === 0 && type === 0) {
          variadic = true; // the last parameter of a `...` function is void and unnamed
        } else {
          params.push({ name: btf.string(nameOff), type });
        }
      }
      return { kind: 'func_proto', id, returns: third, params, variadic };
    }
    case BTF_KIND.VAR:
      return { kind: 'var', id, name, type: third, linkage: linkage(btf.u32(x)) };
    case BTF_KIND.DATASEC: {
      const vars: { type: number; offset: number; size: number }[] = [];
      for (let i = 0; i < vlen; i++) {
        const v = x + 12 * i;
        vars.push({ type: btf.u32(v), offset: btf.u32(v + 4), size: btf.u32(v + 8) });
      }
      return { kind: 'datasec', id, name, size: third, vars };
    }
    case BTF_KIND.FLOAT:
      return { kind: 'float', id, name, size: third };
    case BTF_KIND.DECL_TAG:
      return { kind: 'decl_tag', id, tag: name, type: third, componentIndex: btf.i32(x) };
    default:
      throw new Error(`BTF type id ${id} has kind ${kindName(kind)}, which parseBtf should have refused`);
  }
}

function loop(btf: Btf, id: number): BtfQueryError {
  return { code: 'reference_loop', typeId: id, offset: btf.recordOffset(id) };
}

/** Follows typedefs, const, volatile, restrict and type tags to the type they name. */
export function skipQualifiers(btf: Btf, id: number): Result<number, BtfQueryError> {
  let at = id;
  for (let steps = 0; steps <= MAX_TYPE_DEPTH; steps++) {
    switch (btf.kind(at)) {
      case BTF_KIND.TYPEDEF:
      case BTF_KIND.CONST:
      case BTF_KIND.VOLATILE:
      case BTF_KIND.RESTRICT:
      case BTF_KIND.TYPE_TAG:
        at = btf.sizeOrType(at);
        break;
      default:
        return ok(at);
    }
  }
  return err(loop(btf, id));
}

/** Size in bytes of a pointer: that of `long`, which BTF has (as libbpf guesses), else 8. */
export function pointerSize(btf: Btf): number {
  const cached = POINTER_SIZES.get(btf);
  if (cached !== undefined) {
    return cached;
  }
  let size = 8;
  for (let id = 1; id < btf.count; id++) {
    if (btf.kind(id) === BTF_KIND.INT) {
      const name = btf.name(id);
      if (name === 'long int' || name === 'long unsigned int' || name === 'long' || name === 'unsigned long') {
        const s = btf.sizeOrType(id);
        if (s === 4 || s === 8) {
          size = s;
          break;
        }
      }
    }
  }
  POINTER_SIZES.set(btf, size);
  return size;
}

const POINTER_SIZES = new WeakMap<Btf, number>();

/** Size in bytes of an object of type `id`: arrays multiply, qualifiers and typedefs pass through. */
export function typeSize(btf: Btf, id: number): Result<number, BtfQueryError> {
  let at = id;
  let factor = 1;
  for (let steps = 0; steps <= MAX_TYPE_DEPTH; steps++) {
    const kind = btf.kind(at);
    switch (kind) {
      case BTF_KIND.INT:
      case BTF_KIND.STRUCT:
      case BTF_KIND.UNION:
      case BTF_KIND.ENUM:
      case BTF_KIND.ENUM64:
      case BTF_KIND.FLOAT:
      case BTF_KIND.DATASEC:
        return ok(factor * btf.sizeOrType(at));
      case BTF_KIND.PTR:
        return ok(factor * pointerSize(btf));
      case BTF_KIND.ARRAY:
        factor *= btf.u32(btf.extraOffset(at) + 8);
        at = btf.u32(btf.extraOffset(at));
        break;
      case BTF_KIND.TYPEDEF:
      case BTF_KIND.CONST:
      case BTF_KIND.VOLATILE:
      case BTF_KIND.RESTRICT:
      case BTF_KIND.TYPE_TAG:
      case BTF_KIND.VAR:
        at = btf.sizeOrType(at);
        break;
      default:
        return err({ code: 'unsized', typeId: at, offset: btf.recordOffset(at), kind: kindName(kind) });
    }
  }
  return err(loop(btf, id));
}
