/**
 * What the probe planner needs from the target's BTF, as plain data: the struct offsets the
 * programs read (io_kiocb.work/.ctx/.flags/.link, io_ring_ctx.uring_lock), the mutex owner
 * word's shape, and the shape of each window function's prototype. `kernelLayoutFromBtf` reads
 * them; whatever BTF lacks is named in the error, never guessed.
 */
import type { StructOffset } from '../capture/header.js';
import type { Btf, BtfQueryError, FunctionPrototype, MutexOwnerShape, TypeDesc } from '../target/btf.js';
import { describeBtfQueryError, formatPrototype, functionPrototype, memberOffset, mutexOwnerShape, resolveType } from '../target/btf.js';
import type { Result } from '../util/result.js';
import { err, ok } from '../util/result.js';

/** The members the programs read, by the name the capture header gives them. */
export const LAYOUT_MEMBERS = [
  { name: 'io_kiocb.work', container: 'io_kiocb', path: ['work'] },
  { name: 'io_kiocb.ctx', container: 'io_kiocb', path: ['ctx'] },
  { name: 'io_kiocb.flags', container: 'io_kiocb', path: ['flags'] },
  { name: 'io_kiocb.link', container: 'io_kiocb', path: ['link'] },
  { name: 'io_ring_ctx.uring_lock', container: 'io_ring_ctx', path: ['uring_lock'] },
] as const;
export type LayoutMember = (typeof LAYOUT_MEMBERS)[number]['name'];

/**
 * What a window function's prototype says about where the next request comes from.
 * - returns_next_work: `struct io_wq_work *f(struct io_wq_work *)` (7.x, 6.1 before 6.1.191);
 * - linked_out: `bool f(struct io_wq_work *, struct io_wq_work **linked)` (6.1.191+ io_wq_put_work);
 * - returns_next_req: `struct io_kiocb *f(struct io_kiocb *)` (an out-of-line io_req_find_next);
 * - void: returns nothing, so no walk can be seen through it;
 * - other: a prototype Lockscope does not know (described in `text`).
 */
export type PrototypeShape = 'returns_next_work' | 'linked_out' | 'returns_next_req' | 'void' | 'other';

export interface WindowPrototype {
  readonly shape: PrototypeShape;
  /** The prototype as C, e.g. "bool io_wq_put_work(struct io_wq_work *work, struct io_wq_work **linked)". */
  readonly text: string;
  /** Parameter names as BTF gives them (fentry programs read arguments by name). */
  readonly params: readonly string[];
}

export interface KernelLayout {
  readonly offsets: Readonly<Record<LayoutMember, StructOffset>>;
  readonly mutexOwner: MutexOwnerShape;
  /** Prototypes of the window functions BTF has (absent: BTF has no such function). */
  readonly prototypes: Readonly<Partial<Record<'io_wq_free_work' | 'io_wq_put_work' | 'io_req_find_next', WindowPrototype>>>;
}

export interface LayoutError {
  readonly what: string;
  readonly detail: string;
}

function isPointerTo(t: TypeDesc, name: string, depth: number): boolean {
  const r = resolveType(t);
  if (r.kind !== 'pointer') {
    return false;
  }
  if (depth > 1) {
    return isPointerTo(r.to, name, depth - 1);
  }
  const to = resolveType(r.to);
  return to.kind === 'struct' && to.name === name;
}

function isBool(t: TypeDesc): boolean {
  const r = resolveType(t);
  return r.kind === 'int' && r.bool;
}

export function prototypeShape(p: FunctionPrototype): PrototypeShape {
  const [first, second, ...rest] = p.params;
  const ret = resolveType(p.returns);
  if (first === undefined || p.variadic) {
    return 'other';
  }
  if (ret.kind === 'void' && second === undefined && isPointerTo(first.type, 'io_wq_work', 1)) {
    return 'void';
  }
  if (second === undefined && isPointerTo(first.type, 'io_wq_work', 1) && isPointerTo(p.returns, 'io_wq_work', 1)) {
    return 'returns_next_work';
  }
  if (second !== undefined && rest.length === 0 && isBool(p.returns) && isPointerTo(first.type, 'io_wq_work', 1) && isPointerTo(second.type, 'io_wq_work', 2)) {
    return 'linked_out';
  }
  if (second === undefined && isPointerTo(first.type, 'io_kiocb', 1) && isPointerTo(p.returns, 'io_kiocb', 1)) {
    return 'returns_next_req';
  }
  return 'other';
}

export function windowPrototype(p: FunctionPrototype): WindowPrototype {
  return { shape: prototypeShape(p), text: formatPrototype(p), params: p.params.map((q) => q.name) };
}

function queryError(what: string, e: BtfQueryError): LayoutError {
  return { what, detail: describeBtfQueryError(e) };
}

/** Offsets, owner shape and prototypes from the kernel's BTF; every missing member is named. */
export function kernelLayoutFromBtf(btf: Btf): Result<KernelLayout, readonly LayoutError[]> {
  const errors: LayoutError[] = [];
  const offsets: Partial<Record<LayoutMember, StructOffset>> = {};
  for (const m of LAYOUT_MEMBERS) {
    const r = memberOffset(btf, m.container, m.path);
    if (!r.ok) {
      errors.push(queryError(m.name, r.error));
    } else if (r.value.bitfield !== null) {
      errors.push({ what: m.name, detail: `is a bitfield (${r.value.bitfield.bits} bits), not a member the programs can read` });
    } else {
      offsets[m.name] = { member: m.name, offset: r.value.offset, size: r.value.size };
    }
  }
  const owner = mutexOwnerShape(btf);
  if (!owner.ok) {
    errors.push(queryError('mutex.owner', owner.error));
  }
  const prototypes: Partial<Record<'io_wq_free_work' | 'io_wq_put_work' | 'io_req_find_next', WindowPrototype>> = {};
  for (const name of ['io_wq_free_work', 'io_wq_put_work', 'io_req_find_next'] as const) {
    const p = functionPrototype(btf, name);
    if (p.ok) {
      prototypes[name] = windowPrototype(p.value);
    } else if (p.error.code !== 'no_such_type') {
      errors.push(queryError(name, p.error));
    }
  }
  const work = offsets['io_kiocb.work'];
  const ctx = offsets['io_kiocb.ctx'];
  const flags = offsets['io_kiocb.flags'];
  const link = offsets['io_kiocb.link'];
  const lock = offsets['io_ring_ctx.uring_lock'];
  if (errors.length > 0 || !owner.ok || work === undefined || ctx === undefined || flags === undefined || link === undefined || lock === undefined) {
    return err(errors);
  }
  return ok({
    offsets: { 'io_kiocb.work': work, 'io_kiocb.ctx': ctx, 'io_kiocb.flags': flags, 'io_kiocb.link': link, 'io_ring_ctx.uring_lock': lock },
    mutexOwner: owner.value,
    prototypes,
  });
}
