/**
 * Reads raw BTF (what /sys/kernel/btf/vmlinux holds): the header, the string section and the
 * type section, into a `Btf` that queries read lazily. It checks everything a query will rely
 * on — every record inside the type section, every kind known, every name offset inside the
 * string section, every type reference naming an existing type, every FUNC pointing at a
 * FUNC_PROTO — so that garbage gives an error value with its byte offset, never a throw.
 *
 * Both byte orders are read (the magic 0xeB9F tells which). Split BTF (a module's, whose ids
 * continue a base BTF's) is not: its references to the base would be reported as corrupt.
 */
import { err, ok, type Result } from '../util/result.js';
import type { BtfSections } from './btf-data.js';
import { Btf } from './btf-data.js';
import type { BtfParseError } from './btf-error.js';
import { BTF_KIND, BTF_KIND_MAX, COMMON_RECORD_BYTES, extraRecordBytes, kindName, refersByTypeField } from './btf-kinds.js';

export const BTF_MAGIC = 0xeb9f;
export const BTF_HEADER_BYTES = 24;

type Sections = BtfSections;

export function parseBtf(bytes: Uint8Array): Result<Btf, BtfParseError> {
  const sections = readHeader(bytes);
  if (!sections.ok) {
    return sections;
  }
  const s = sections.value;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const strings = checkStrings(bytes, s);
  if (!strings.ok) {
    return strings;
  }
  const records = indexRecords(view, s);
  if (!records.ok) {
    return records;
  }
  const { recordOffsets, kinds } = records.value;
  const refs = checkReferences(view, s, recordOffsets, kinds);
  if (!refs.ok) {
    return refs;
  }
  return ok(new Btf({ bytes, ...s, recordOffsets, kinds }));
}

function readHeader(bytes: Uint8Array): Result<Sections, BtfParseError> {
  if (bytes.length < 2) {
    return err({ code: 'truncated', offset: bytes.length, needed: BTF_HEADER_BYTES - bytes.length, what: 'the BTF header' });
  }
  const b0 = bytes[0] ?? 0;
  const b1 = bytes[1] ?? 0;
  let littleEndian: boolean;
  if (b0 === 0x9f && b1 === 0xeb) {
    littleEndian = true;
  } else if (b0 === 0xeb && b1 === 0x9f) {
    littleEndian = false;
  } else {
    return err({ code: 'not_btf', offset: 0, found: (b0 << 8) | b1 });
  }
  if (bytes.length < BTF_HEADER_BYTES) {
    return err({ code: 'truncated', offset: bytes.length, needed: BTF_HEADER_BYTES - bytes.length, what: 'the BTF header' });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[2] ?? 0;
  if (version !== 1) {
    return err({ code: 'unsupported_version', offset: 2, version });
  }
  const flags = bytes[3] ?? 0;
  if (flags !== 0) {
    return err({ code: 'unsupported_flags', offset: 3, flags });
  }
  const u32 = (at: number): number => view.getUint32(at, littleEndian);
  const headerLength = u32(4);
  if (headerLength < BTF_HEADER_BYTES) {
    return err({ code: 'corrupt', offset: 4, reason: `header length ${headerLength} is shorter than the ${BTF_HEADER_BYTES} bytes of a BTF header` });
  }
  if (headerLength > bytes.length) {
    return err({ code: 'truncated', offset: bytes.length, needed: headerLength - bytes.length, what: `the ${headerLength}-byte header` });
  }
  const typesStart = headerLength + u32(8);
  const typesEnd = typesStart + u32(12);
  const stringsStart = headerLength + u32(16);
  const stringsEnd = stringsStart + u32(20);
  const end = Math.max(typesEnd, stringsEnd);
  if (end > bytes.length) {
    const what = typesEnd > bytes.length && stringsEnd > bytes.length ? 'the type and string sections' : typesEnd > bytes.length ? 'the type section' : 'the string section';
    return err({ code: 'truncated', offset: bytes.length, needed: end - bytes.length, what: `${what} (the header says the data ends at byte ${end})` });
  }
  if (typesStart % 4 !== 0 || (typesEnd - typesStart) % 4 !== 0) {
    return err({ code: 'corrupt', offset: 8, reason: `type section [${typesStart}, ${typesEnd}) is not 4-byte aligned` });
  }
  if (typesStart < stringsEnd && stringsStart < typesEnd) {
    return err({ code: 'corrupt', offset: 8, reason: `type section [${typesStart}, ${typesEnd}) overlaps string section [${stringsStart}, ${stringsEnd})` });
  }
  return ok({ littleEndian, headerLength, typesStart, typesEnd, stringsStart, stringsEnd });
}

function checkStrings(bytes: Uint8Array, s: Sections): Result<null, BtfParseError> {
  if (s.stringsEnd === s.stringsStart) {
    return err({ code: 'corrupt', offset: 20, reason: 'the string section is empty (it must hold at least the empty name)' });
  }
  if (bytes[s.stringsStart] !== 0) {
    return err({ code: 'corrupt', offset: s.stringsStart, reason: 'the string section does not start with the empty name (a NUL byte)' });
  }
  if (bytes[s.stringsEnd - 1] !== 0) {
    return err({ code: 'corrupt', offset: s.stringsEnd - 1, reason: 'the string section does not end with a NUL byte' });
  }
  return ok(null);
}

interface Records {
  readonly recordOffsets: Uint32Array;
  readonly kinds: Uint8Array;
}

/** First pass: where each record starts, its kind, and that it lies inside the type section. */
function indexRecords(view: DataView, s: Sections): Result<Records, BtfParseError> {
  const le = s.littleEndian;
  const stringsLength = s.stringsEnd - s.stringsStart;
  const most = Math.floor((s.typesEnd - s.typesStart) / COMMON_RECORD_BYTES) + 1;
  const offsets = new Uint32Array(most);
  const kinds = new Uint8Array(most);
  let id = 1;
  let at = s.typesStart;
  while (at < s.typesEnd) {
    if (at + COMMON_RECORD_BYTES > s.typesEnd) {
      return err({ code: 'corrupt', offset: at, reason: `type id ${id}: record of ${COMMON_RECORD_BYTES} bytes cut by the end of the type section at byte ${s.typesEnd}` });
    }
    const nameOff = view.getUint32(at, le);
    const info = view.getUint32(at + 4, le);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const extra = extraRecordBytes(kind, vlen);
    if (kind === BTF_KIND.UNKN || kind > BTF_KIND_MAX || extra < 0) {
      return err({ code: 'corrupt', offset: at + 4, reason: `type id ${id} has kind ${kind}, which this reader does not know (it knows 1..${BTF_KIND_MAX}, INT..ENUM64); BTF from a newer kernel?` });
    }
    if (nameOff >= stringsLength) {
      return err({ code: 'corrupt', offset: at, reason: `type id ${id}: name offset ${nameOff} is outside the ${stringsLength}-byte string section` });
    }
    const next = at + COMMON_RECORD_BYTES + extra;
    if (next > s.typesEnd) {
      return err({ code: 'corrupt', offset: at, reason: `type id ${id} (${kindName(kind)}, vlen ${vlen}) needs ${COMMON_RECORD_BYTES + extra} bytes but the type section ends at byte ${s.typesEnd}` });
    }
    offsets[id] = at;
    kinds[id] = kind;
    id++;
    at = next;
  }
  return ok({ recordOffsets: offsets.slice(0, id), kinds: kinds.slice(0, id) });
}

/** Second pass: every name inside the string section, every type id an existing type. */
function checkReferences(view: DataView, s: Sections, offsets: Uint32Array, kinds: Uint8Array): Result<null, BtfParseError> {
  const le = s.littleEndian;
  const count = kinds.length;
  const stringsLength = s.stringsEnd - s.stringsStart;
  const badRef = (id: number, at: number, ref: number, what: string): BtfParseError => ({
    code: 'corrupt',
    offset: at,
    reason: `type id ${id} (${kindName(kinds[id] ?? 0)}): ${what} refers to type id ${ref}, but the last type id is ${count - 1}`,
  });
  const badName = (id: number, at: number, nameOff: number): BtfParseError => ({
    code: 'corrupt',
    offset: at,
    reason: `type id ${id} (${kindName(kinds[id] ?? 0)}): a name offset ${nameOff} is outside the ${stringsLength}-byte string section`,
  });
  for (let id = 1; id < count; id++) {
    const at = offsets[id] ?? 0;
    const kind = kinds[id] ?? 0;
    const vlen = view.getUint32(at + 4, le) & 0xffff;
    const third = view.getUint32(at + 8, le);
    if (refersByTypeField(kind)) {
      if (third >= count) {
        return err(badRef(id, at + 8, third, 'its type'));
      }
      if (kind === BTF_KIND.FUNC && kinds[third] !== BTF_KIND.FUNC_PROTO) {
        return err({ code: 'corrupt', offset: at + 8, reason: `type id ${id} (FUNC) refers to type id ${third}, a ${kindName(kinds[third] ?? 0)}, not a FUNC_PROTO` });
      }
    }
    const x = at + COMMON_RECORD_BYTES;
    switch (kind) {
      case BTF_KIND.ARRAY: {
        const elem = view.getUint32(x, le);
        const index = view.getUint32(x + 4, le);
        if (elem >= count) {
          return err(badRef(id, x, elem, 'its element type'));
        }
        if (index >= count) {
          return err(badRef(id, x + 4, index, 'its index type'));
        }
        break;
      }
      case BTF_KIND.STRUCT:
      case BTF_KIND.UNION:
        for (let i = 0; i < vlen; i++) {
          const m = x + 12 * i;
          const nameOff = view.getUint32(m, le);
          const type = view.getUint32(m + 4, le);
          if (nameOff >= stringsLength) {
            return err(badName(id, m, nameOff));
          }
          if (type >= count) {
            return err(badRef(id, m + 4, type, `member ${i}`));
          }
        }
        break;
      case BTF_KIND.FUNC_PROTO:
        for (let i = 0; i < vlen; i++) {
          const p = x + 8 * i;
          const nameOff = view.getUint32(p, le);
          const type = view.getUint32(p + 4, le);
          if (nameOff >= stringsLength) {
            return err(badName(id, p, nameOff));
          }
          if (type >= count) {
            return err(badRef(id, p + 4, type, `parameter ${i}`));
          }
        }
        break;
      case BTF_KIND.ENUM:
      case BTF_KIND.ENUM64: {
        const step = kind === BTF_KIND.ENUM ? 8 : 12;
        for (let i = 0; i < vlen; i++) {
          const nameOff = view.getUint32(x + step * i, le);
          if (nameOff >= stringsLength) {
            return err(badName(id, x + step * i, nameOff));
          }
        }
        break;
      }
      case BTF_KIND.DATASEC:
        for (let i = 0; i < vlen; i++) {
          const type = view.getUint32(x + 12 * i, le);
          if (type >= count) {
            return err(badRef(id, x + 12 * i, type, `variable ${i}`));
          }
        }
        break;
      default:
        break;
    }
  }
  return ok(null);
}
