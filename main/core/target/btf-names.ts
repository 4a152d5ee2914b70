/**
 * Finding types by name. The index maps a hash of each name's bytes to the type ids of the
 * kinds queries look up (structs, unions, their forward declarations, typedefs and functions);
 * a lookup compares the candidates' bytes with the name, so no name is ever decoded to a string.
 * The index is built on the first lookup and kept for the blob's lifetime.
 */
import type { Btf } from './btf-data.js';
import { BTF_KIND } from './btf-kinds.js';
import { encodeUtf8, hashName, nameEquals } from './btf-strings.js';

const INDEXED = new Set<number>([BTF_KIND.STRUCT, BTF_KIND.UNION, BTF_KIND.FWD, BTF_KIND.TYPEDEF, BTF_KIND.FUNC]);

/** An open-addressing table: slot → type id + 1 (0 = empty), and that name's hash. */
interface NameIndex {
  readonly slots: Uint32Array;
  readonly hashes: Uint32Array;
  readonly mask: number;
}

const INDEXES = new WeakMap<Btf, NameIndex>();

function indexOf(btf: Btf): NameIndex {
  const cached = INDEXES.get(btf);
  if (cached !== undefined) {
    return cached;
  }
  let named = 0;
  for (let id = 1; id < btf.count; id++) {
    if (INDEXED.has(btf.kind(id))) {
      named++;
    }
  }
  let size = 16;
  while (size < named * 2) {
    size *= 2;
  }
  const index: NameIndex = { slots: new Uint32Array(size), hashes: new Uint32Array(size), mask: size - 1 };
  for (let id = 1; id < btf.count; id++) {
    if (!INDEXED.has(btf.kind(id))) {
      continue;
    }
    const off = btf.nameOffset(id);
    if (off === 0) {
      continue;
    }
    const h = hashName(btf.bytes, btf.stringsStart + off, btf.stringsEnd);
    let slot = h & index.mask;
    while (index.slots[slot] !== 0) {
      slot = (slot + 1) & index.mask;
    }
    index.slots[slot] = id + 1;
    index.hashes[slot] = h;
  }
  INDEXES.set(btf, index);
  return index;
}

/** Type ids named `name` whose kind is one of `kinds` (BTF_KIND values), in id order. */
export function typesNamed(btf: Btf, name: string, kinds: readonly number[]): number[] {
  const want = encodeUtf8(name);
  const h = hashName(want, 0, want.length);
  const index = indexOf(btf);
  const ids: number[] = [];
  for (let slot = h & index.mask; ; slot = (slot + 1) & index.mask) {
    const v = index.slots[slot] ?? 0;
    if (v === 0) {
      break;
    }
    const id = v - 1;
    if (index.hashes[slot] === h && kinds.includes(btf.kind(id)) && nameEquals(btf.bytes, btf.stringsStart + btf.nameOffset(id), btf.stringsEnd, want)) {
      ids.push(id);
    }
  }
  return ids.sort((a, b) => a - b);
}
