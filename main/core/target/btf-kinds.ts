/**
 * BTF's type kinds, as the kernel numbers them (include/uapi/linux/btf.h), and the size of the
 * data that follows each kind's 12-byte common record.
 */

export const BTF_KIND = {
  UNKN: 0,
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;

/** The highest kind this reader knows; a record of a higher kind cannot be skipped safely. */
export const BTF_KIND_MAX = BTF_KIND.ENUM64;

const KIND_NAMES: readonly string[] = [
  'UNKN',
  'INT',
  'PTR',
  'ARRAY',
  'STRUCT',
  'UNION',
  'ENUM',
  'FWD',
  'TYPEDEF',
  'VOLATILE',
  'CONST',
  'RESTRICT',
  'FUNC',
  'FUNC_PROTO',
  'VAR',
  'DATASEC',
  'FLOAT',
  'DECL_TAG',
  'TYPE_TAG',
  'ENUM64',
];

export function kindName(kind: number): string {
  return KIND_NAMES[kind] ?? `kind ${kind}`;
}

/** Every type record starts with name_off, info and size-or-type: three u32. */
export const COMMON_RECORD_BYTES = 12;

/** How many bytes follow the common record for this kind with this vlen; -1 for an unknown kind. */
export function extraRecordBytes(kind: number, vlen: number): number {
  switch (kind) {
    case BTF_KIND.INT:
      return 4; // encoding, bit offset, bits
    case BTF_KIND.ARRAY:
      return 12; // element type, index type, element count
    case BTF_KIND.STRUCT:
    case BTF_KIND.UNION:
      return 12 * vlen; // name_off, type, offset
    case BTF_KIND.ENUM:
      return 8 * vlen; // name_off, s32 value
    case BTF_KIND.FUNC_PROTO:
      return 8 * vlen; // name_off, type
    case BTF_KIND.VAR:
      return 4; // linkage
    case BTF_KIND.DATASEC:
      return 12 * vlen; // type, offset, size
    case BTF_KIND.DECL_TAG:
      return 4; // component index
    case BTF_KIND.ENUM64:
      return 12 * vlen; // name_off, value low 32 bits, value high 32 bits
    case BTF_KIND.UNKN:
    case BTF_KIND.PTR:
    case BTF_KIND.FWD:
    case BTF_KIND.TYPEDEF:
    case BTF_KIND.VOLATILE:
    case BTF_KIND.CONST:
    case BTF_KIND.RESTRICT:
    case BTF_KIND.FUNC:
    case BTF_KIND.FLOAT:
    case BTF_KIND.TYPE_TAG:
      return 0;
    default:
      return -1;
  }
}

/** Kinds whose third common field names another type (the rest hold a size there, or zero). */
export function refersByTypeField(kind: number): boolean {
  switch (kind) {
    case BTF_KIND.PTR:
    case BTF_KIND.TYPEDEF:
    case BTF_KIND.VOLATILE:
    case BTF_KIND.CONST:
    case BTF_KIND.RESTRICT:
    case BTF_KIND.FUNC:
    case BTF_KIND.FUNC_PROTO:
    case BTF_KIND.VAR:
    case BTF_KIND.DECL_TAG:
    case BTF_KIND.TYPE_TAG:
      return true;
    default:
      return false;
  }
}
