/**
 * C text for a `TypeDesc`, the way the kernel source declares it:
 * `bool io_wq_put_work(struct io_wq_work *work, struct io_wq_work **linked)`,
 * `void (*fn)(int)`, `char *const argv[4]`, `char __user *buf`.
 */
import { assertUnreachable } from '../util/assert-unreachable.js';
import type { TypeDesc } from './btf-type-desc.js';

/**
 * Most type nodes one text spells out. A type that shares sub-types (a DAG) can spell out far
 * more than it holds: corrupt BTF could make that exponential, so the text stops with `…`.
 */
const MAX_NODES = 10_000;

/** A declaration of `name` with type `t` (an abstract declarator when `name` is ''). */
export function formatDeclaration(t: TypeDesc, name: string): string {
  return declarator(t, name, { left: MAX_NODES });
}

/** The type alone, e.g. `struct io_wq_work **`. */
export function formatType(t: TypeDesc): string {
  return declarator(t, '', { left: MAX_NODES });
}

interface Budget {
  left: number;
}

function join(base: string, inner: string): string {
  return inner === '' ? base : `${base} ${inner}`;
}

/** Whether `t` reads as a declarator (`*`, `[]`, `()`) around its name rather than a base type. */
function isDeclaratorKind(t: TypeDesc): boolean {
  switch (t.kind) {
    case 'pointer':
    case 'array':
    case 'function':
      return true;
    case 'qualified':
    case 'type_tag':
      return isDeclaratorKind(t.to);
    default:
      return false;
  }
}

function unqualified(t: TypeDesc): TypeDesc {
  return t.kind === 'qualified' || t.kind === 'type_tag' ? unqualified(t.to) : t;
}

function declarator(t: TypeDesc, inner: string, budget: Budget): string {
  if (--budget.left < 0) {
    return join('…', inner);
  }
  switch (t.kind) {
    case 'void':
      return join('void', inner);
    case 'int':
    case 'float':
    case 'typedef':
      return join(t.name, inner);
    case 'struct':
    case 'union':
    case 'enum':
      return join(`${t.kind} ${t.name === '' ? '(anon)' : t.name}`, inner);
    case 'pointer': {
      const to = unqualified(t.to);
      const around = to.kind === 'array' || to.kind === 'function' ? `(*${inner})` : `*${inner}`;
      return declarator(t.to, around, budget);
    }
    case 'array':
      return declarator(t.of, `${inner}[${t.length}]`, budget);
    case 'function': {
      const params = t.params.map((p) => declarator(p.type, p.name, budget));
      if (t.variadic) {
        params.push('...');
      }
      return declarator(t.returns, `${inner}(${params.length === 0 ? 'void' : params.join(', ')})`, budget);
    }
    case 'qualified':
      // `const int x` for a base type; `int *const p` when the pointer itself is qualified.
      return isDeclaratorKind(t.to) ? declarator(t.to, join(t.qualifier, inner), budget) : `${t.qualifier} ${declarator(t.to, inner, budget)}`;
    case 'type_tag':
      // The kernel writes `char __user *buf`: the tag after the base type it marks.
      return isDeclaratorKind(t.to) ? declarator(t.to, join(`__${t.tag}`, inner), budget) : join(declarator(t.to, '', budget), join(`__${t.tag}`, inner));
    default:
      return assertUnreachable(t);
  }
}
