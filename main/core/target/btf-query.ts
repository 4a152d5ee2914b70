/**
 * What preflight asks of a kernel's BTF: where a member lives inside a struct (through anonymous
 * structs and unions, typedefs and nested members: `memberOffset(btf, 'io_ring_ctx',
 * ['uring_lock'])`), and a function's prototype (`functionPrototype(btf, 'io_wq_put_work')`).
 * Whatever is missing is a `BtfQueryError` value naming it.
 */
import { err, ok, type Result } from '../util/result.js';
import type { Btf } from './btf-data.js';
import type { BtfQueryError } from './btf-error.js';
import { formatDeclaration, formatType } from './btf-format.js';
import { BTF_KIND } from './btf-kinds.js';
import { typesNamed } from './btf-names.js';
import { describeType, type ParamDesc, type TypeDesc } from './btf-type-desc.js';
import { type BtfLinkage, type BtfMember, MAX_TYPE_DEPTH, skipQualifiers, typeAt, typeSize } from './btf-types.js';

export interface MemberLocation {
  /** The container as C names it, e.g. `struct io_kiocb`. */
  readonly container: string;
  readonly containerTypeId: number;
  readonly path: readonly string[];
  /** From the start of the container: in bits, and in whole bytes (rounded down for a bitfield). */
  readonly bitOffset: number;
  readonly offset: number;
  /** Bytes of the member's type (for a bitfield, of the integer type it is cut from). */
  readonly size: number;
  /** Width in bits when the member is a bitfield, else null. */
  readonly bitfield: { readonly bits: number } | null;
  readonly type: TypeDesc;
  readonly typeId: number;
}

export interface FunctionPrototype {
  readonly name: string;
  /** The FUNC record's id. */
  readonly typeId: number;
  readonly linkage: BtfLinkage;
  readonly returns: TypeDesc;
  readonly params: readonly ParamDesc[];
  readonly variadic: boolean;
}

const COMPOSITES = [BTF_KIND.STRUCT, BTF_KIND.UNION];

/**
 * Where `path` (member names, outermost first) lives in the struct or union `container` (or a
 * typedef of one). Anonymous structs and unions on the way are looked through, as C does. When
 * the kernel has several definitions of that name, they must all agree.
 */
export function memberOffset(btf: Btf, container: string, path: readonly string[]): Result<MemberLocation, BtfQueryError> {
  const ids = typesNamed(btf, container, COMPOSITES);
  if (ids.length === 0) {
    for (const td of typesNamed(btf, container, [BTF_KIND.TYPEDEF])) {
      const target = skipQualifiers(btf, td);
      if (!target.ok) {
        return target;
      }
      const k = btf.kind(target.value);
      if (k === BTF_KIND.STRUCT || k === BTF_KIND.UNION) {
        ids.push(target.value);
      }
    }
  }
  if (ids.length === 0) {
    return typesNamed(btf, container, [BTF_KIND.FWD]).length > 0
      ? err({ code: 'only_declared', kind: 'struct or union', name: container })
      : err({ code: 'no_such_type', kind: 'struct or union', name: container });
  }
  const found = ids.map((id) => memberOffsetIn(btf, id, path));
  const first = found[0];
  if (first === undefined || found.every((r) => !r.ok)) {
    return first ?? err({ code: 'no_such_type', kind: 'struct or union', name: container });
  }
  const key = (r: Result<MemberLocation, BtfQueryError>): string => (r.ok ? `${r.value.bitOffset}/${r.value.size}/${r.value.bitfield?.bits ?? 0}/${formatType(r.value.type)}` : 'missing');
  const keys = new Set(found.map(key));
  return keys.size === 1 ? first : err({ code: 'ambiguous', kind: 'struct or union', name: container, typeIds: ids });
}

/** Like `memberOffset`, for the struct or union with this type id. */
export function memberOffsetIn(btf: Btf, containerId: number, path: readonly string[]): Result<MemberLocation, BtfQueryError> {
  const top = typeAt(btf, containerId);
  if (top.kind !== 'struct' && top.kind !== 'union') {
    throw new Error(`memberOffsetIn: type id ${containerId} is a ${top.kind}, not a struct or union`);
  }
  const container = `${top.kind} ${top.name === '' ? '(anon)' : top.name}`;
  if (path.length === 0) {
    return err({ code: 'empty_path', container });
  }
  let current = containerId;
  let bitOffset = 0;
  let member: BtfMember | null = null;
  for (let i = 0; i < path.length; i++) {
    const name = path[i] ?? '';
    if (i > 0 && member !== null) {
      const inner = skipQualifiers(btf, member.type);
      if (!inner.ok) {
        return inner;
      }
      const k = btf.kind(inner.value);
      if (k === BTF_KIND.FWD) {
        return err({ code: 'only_declared', kind: btf.kindFlag(inner.value) ? 'union' : 'struct', name: btf.name(inner.value) });
      }
      if (k !== BTF_KIND.STRUCT && k !== BTF_KIND.UNION) {
        const d = describeType(btf, member.type);
        return err({ code: 'not_a_container', container, path: path.slice(0, i - 1), member: path[i - 1] ?? '', type: d.ok ? formatType(d.value) : `type id ${member.type}` });
      }
      current = inner.value;
    }
    const hit = findMember(btf, current, name, new Map(), new Set());
    if (!hit.ok) {
      return hit;
    }
    if (hit.value === null) {
      const available = memberNames(btf, current, 0, new Set());
      return err({ code: 'no_such_member', container, path: path.slice(0, i), missing: name, available });
    }
    member = hit.value.member;
    bitOffset += hit.value.bitOffset;
  }
  if (member === null) {
    throw new Error('memberOffsetIn: a non-empty path found no member');
  }
  return locate(btf, container, containerId, path, member, bitOffset);
}

function locate(btf: Btf, container: string, containerTypeId: number, path: readonly string[], member: BtfMember, bitOffset: number): Result<MemberLocation, BtfQueryError> {
  const type = describeType(btf, member.type);
  if (!type.ok) {
    return type;
  }
  const size = typeSize(btf, member.type);
  if (!size.ok) {
    return size;
  }
  let bits = member.bitfieldSize;
  let at = bitOffset;
  if (bits === 0) {
    // Without the container's kind_flag, a bitfield is an INT whose own bits say so.
    const base = skipQualifiers(btf, member.type);
    if (!base.ok) {
      return base;
    }
    const t = typeAt(btf, base.value);
    if (t.kind === 'int' && (t.bitOffset !== 0 || t.bits !== t.size * 8)) {
      bits = t.bits;
      at += t.bitOffset;
    }
  }
  return ok({
    container,
    containerTypeId,
    path: [...path],
    bitOffset: at,
    offset: Math.floor(at / 8),
    size: size.value,
    bitfield: bits === 0 ? null : { bits },
    type: type.value,
    typeId: member.type,
  });
}

interface Hit {
  readonly member: BtfMember;
  /** Offset of the member from the start of the container searched, in bits. */
  readonly bitOffset: number;
}

/** The member named `name` of `id`, directly or inside its anonymous structs and unions. */
function findMember(btf: Btf, id: number, name: string, memo: Map<number, Hit | null>, open: Set<number>): Result<Hit | null, BtfQueryError> {
  const known = memo.get(id);
  if (known !== undefined) {
    return ok(known);
  }
  if (open.has(id) || open.size > MAX_TYPE_DEPTH) {
    return err({ code: 'reference_loop', typeId: id, offset: btf.recordOffset(id) });
  }
  const kind = btf.kind(id);
  if (kind !== BTF_KIND.STRUCT && kind !== BTF_KIND.UNION) {
    return ok(null);
  }
  const t = typeAt(btf, id);
  if (t.kind !== 'struct' && t.kind !== 'union') {
    return ok(null);
  }
  let found: Hit | null = null;
  for (const m of t.members) {
    if (m.name === name) {
      found = { member: m, bitOffset: m.bitOffset };
      break;
    }
  }
  open.add(id);
  for (const m of t.members) {
    if (found !== null) {
      break;
    }
    if (m.name !== '') {
      continue;
    }
    const inner = skipQualifiers(btf, m.type);
    if (!inner.ok) {
      open.delete(id);
      return inner;
    }
    const sub = findMember(btf, inner.value, name, memo, open);
    if (!sub.ok) {
      open.delete(id);
      return sub;
    }
    if (sub.value !== null) {
      found = { member: sub.value.member, bitOffset: m.bitOffset + sub.value.bitOffset };
    }
  }
  open.delete(id);
  memo.set(id, found);
  return ok(found);
}

/** The names a path step can use in `id`: its own and those of its anonymous members. */
function memberNames(btf: Btf, id: number, depth: number, seen: Set<number>): string[] {
  const t = typeAt(btf, id);
  if ((t.kind !== 'struct' && t.kind !== 'union') || depth > MAX_TYPE_DEPTH || seen.has(id)) {
    return [];
  }
  seen.add(id);
  return t.members.flatMap((m) => {
    if (m.name !== '') {
      return [m.name];
    }
    const inner = skipQualifiers(btf, m.type);
    return inner.ok ? memberNames(btf, inner.value, depth + 1, seen) : [];
  });
}

/**
 * The prototype of the function `name` (a FUNC record). When BTF has several functions of that
 * name (static functions of different files), they must have the same prototype.
 */
export function functionPrototype(btf: Btf, name: string): Result<FunctionPrototype, BtfQueryError> {
  const ids = typesNamed(btf, name, [BTF_KIND.FUNC]);
  if (ids.length === 0) {
    return err({ code: 'no_such_type', kind: 'function', name });
  }
  const protos: FunctionPrototype[] = [];
  for (const id of ids) {
    const p = prototypeOf(btf, id);
    if (!p.ok) {
      return p;
    }
    protos.push(p.value);
  }
  const texts = new Set(protos.map(formatPrototype));
  const first = protos[0];
  if (first === undefined || texts.size !== 1) {
    return err({ code: 'ambiguous', kind: 'function', name, typeIds: ids });
  }
  return ok(first);
}

/** The prototype of the FUNC record with this id. */
export function prototypeOf(btf: Btf, funcId: number): Result<FunctionPrototype, BtfQueryError> {
  const f = typeAt(btf, funcId);
  if (f.kind !== 'func') {
    throw new Error(`prototypeOf: type id ${funcId} is a ${f.kind}, not a func`);
  }
  const d = describeType(btf, f.type);
  if (!d.ok) {
    return d;
  }
  if (d.value.kind !== 'function') {
    throw new Error(`prototypeOf: FUNC ${f.name} (type id ${funcId}) does not describe as a function; parseBtf checks that`);
  }
  return ok({ name: f.name, typeId: funcId, linkage: f.linkage, returns: d.value.returns, params: d.value.params, variadic: d.value.variadic });
}

/** `bool io_wq_put_work(struct io_wq_work *work, struct io_wq_work **linked)` */
export function formatPrototype(p: FunctionPrototype): string {
  return formatDeclaration({ kind: 'function', returns: p.returns, params: p.params, variadic: p.variadic }, p.name);
}
