/**
 * A BTF type as a tree a caller can switch over (`TypeDesc`): faithful to the kernel's
 * declaration (typedef names and qualifiers kept, so `atomic_long_t` stays visible), with
 * `resolveType` to strip typedefs, qualifiers and type tags at every level when only the shape
 * matters (`bool` → `_Bool`, `const struct x *` → pointer to struct x). Structs and unions are
 * named, not expanded.
 */
import { assertUnreachable } from '../util/assert-unreachable.js';
import { err, ok, type Result } from '../util/result.js';
import type { Btf } from './btf-data.js';
import type { BtfQueryError } from './btf-error.js';
import { BTF_KIND } from './btf-kinds.js';
import { MAX_TYPE_DEPTH, typeAt } from './btf-types.js';

export interface ParamDesc {
  /** '' when BTF does not name it. */
  readonly name: string;
  readonly type: TypeDesc;
}

export type Qualifier = 'const' | 'volatile' | 'restrict';

export type TypeDesc =
  | { readonly kind: 'void' }
  | { readonly kind: 'int'; readonly name: string; readonly size: number; readonly signed: boolean; readonly bool: boolean; readonly char: boolean }
  | { readonly kind: 'float'; readonly name: string; readonly size: number }
  | { readonly kind: 'pointer'; readonly to: TypeDesc }
  | { readonly kind: 'array'; readonly of: TypeDesc; readonly length: number }
  /** `size` is null for a type that BTF only declares (a forward declaration). */
  | { readonly kind: 'struct' | 'union'; readonly name: string; readonly size: number | null; readonly typeId: number }
  | { readonly kind: 'enum'; readonly name: string; readonly size: number; readonly signed: boolean }
  | { readonly kind: 'typedef'; readonly name: string; readonly to: TypeDesc }
  | { readonly kind: 'qualified'; readonly qualifier: Qualifier; readonly to: TypeDesc }
  | { readonly kind: 'type_tag'; readonly tag: string; readonly to: TypeDesc }
  | { readonly kind: 'function'; readonly returns: TypeDesc; readonly params: readonly ParamDesc[]; readonly variadic: boolean };

/**
 * Describes type `id`. Shared sub-types are described once (a DAG stays a DAG); a reference chain
 * that comes back to a type still being described, or runs deeper than any real type, is a
 * `reference_loop` error.
 */
export function describeType(btf: Btf, id: number): Result<TypeDesc, BtfQueryError> {
  const done = new Map<number, TypeDesc>();
  const open = new Set<number>();
  const found: { failure: BtfQueryError | null } = { failure: null };

  const visit = (at: number, depth: number): TypeDesc | null => {
    const known = done.get(at);
    if (known !== undefined) {
      return known;
    }
    if (open.has(at) || depth > MAX_TYPE_DEPTH) {
      found.failure = { code: 'reference_loop', typeId: at, offset: btf.recordOffset(at) };
      return null;
    }
    open.add(at);
    const d = build(at, depth);
    open.delete(at);
    if (d !== null) {
      done.set(at, d);
    }
    return d;
  };

  const build = (at: number, depth: number): TypeDesc | null => {
    // Structs, unions and enums are named, not expanded: skip decoding their members.
    switch (btf.kind(at)) {
      case BTF_KIND.STRUCT:
        return { kind: 'struct', name: btf.name(at), size: btf.sizeOrType(at), typeId: at };
      case BTF_KIND.UNION:
        return { kind: 'union', name: btf.name(at), size: btf.sizeOrType(at), typeId: at };
      case BTF_KIND.ENUM:
      case BTF_KIND.ENUM64:
        return { kind: 'enum', name: btf.name(at), size: btf.sizeOrType(at), signed: btf.kindFlag(at) };
      default:
        break;
    }
    const t = typeAt(btf, at);
    const wrap = (inner: number, make: (to: TypeDesc) => TypeDesc): TypeDesc | null => {
      const to = visit(inner, depth + 1);
      return to === null ? null : make(to);
    };
    switch (t.kind) {
      case 'void':
        return VOID;
      case 'int':
        return { kind: 'int', name: t.name, size: t.size, signed: t.signed, bool: t.bool, char: t.char };
      case 'float':
        return { kind: 'float', name: t.name, size: t.size };
      case 'ptr':
        return wrap(t.type, (to) => ({ kind: 'pointer', to }));
      case 'array':
        return wrap(t.elementType, (of) => ({ kind: 'array', of, length: t.length }));
      case 'struct':
      case 'union':
        return { kind: t.kind, name: t.name, size: t.size, typeId: t.id };
      case 'fwd':
        return { kind: t.union ? 'union' : 'struct', name: t.name, size: null, typeId: t.id };
      case 'enum':
        return { kind: 'enum', name: t.name, size: t.size, signed: t.signed };
      case 'typedef':
        return wrap(t.type, (to) => ({ kind: 'typedef', name: t.name, to }));
      case 'const':
      case 'volatile':
      case 'restrict':
        return wrap(t.type, (to) => ({ kind: 'qualified', qualifier: t.kind, to }));
      case 'type_tag':
        return wrap(t.type, (to) => ({ kind: 'type_tag', tag: t.tag, to }));
      case 'func':
        return visit(t.type, depth + 1);
      case 'func_proto': {
        const returns = visit(t.returns, depth + 1);
        if (returns === null) {
          return null;
        }
        const params: ParamDesc[] = [];
        for (const p of t.params) {
          const type = visit(p.type, depth + 1);
          if (type === null) {
            return null;
          }
          params.push({ name: p.name, type });
        }
        return { kind: 'function', returns, params, variadic: t.variadic };
      }
      case 'var':
      case 'decl_tag':
        return visit(t.type, depth + 1);
      case 'datasec':
        return VOID;
      default:
        return assertUnreachable(t);
    }
  };

  const d = visit(id, 0);
  return d === null ? err(found.failure ?? { code: 'reference_loop', typeId: id, offset: btf.recordOffset(id) }) : ok(d);
}

const VOID: TypeDesc = { kind: 'void' };

/** The same type with typedefs, qualifiers and type tags removed at every level. */
export function resolveType(t: TypeDesc, memo = new WeakMap<TypeDesc, TypeDesc>()): TypeDesc {
  const known = memo.get(t);
  if (known !== undefined) {
    return known;
  }
  let r: TypeDesc;
  switch (t.kind) {
    case 'typedef':
    case 'qualified':
    case 'type_tag':
      r = resolveType(t.to, memo);
      break;
    case 'pointer':
      r = { kind: 'pointer', to: resolveType(t.to, memo) };
      break;
    case 'array':
      r = { kind: 'array', of: resolveType(t.of, memo), length: t.length };
      break;
    case 'function':
      r = { kind: 'function', returns: resolveType(t.returns, memo), params: t.params.map((p) => ({ name: p.name, type: resolveType(p.type, memo) })), variadic: t.variadic };
      break;
    case 'void':
    case 'int':
    case 'float':
    case 'struct':
    case 'union':
    case 'enum':
      r = t;
      break;
    default:
      return assertUnreachable(t);
  }
  memo.set(t, r);
  return r;
}

/** Whether `t`, once resolved, is a pointer to the struct named `name`. */
export function isPointerToStruct(t: TypeDesc, name: string): boolean {
  const r = resolveType(t);
  if (r.kind !== 'pointer') {
    return false;
  }
  const to = resolveType(r.to);
  return to.kind === 'struct' && to.name === name;
}
