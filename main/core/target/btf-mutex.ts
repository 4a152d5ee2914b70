/**
 * What `struct mutex` looks like on the target, from its BTF: Lockscope reads the owner word at a
 * window's entry only when the mutex is the common kind, whose `atomic_long_t owner` holds the
 * owning task's pointer with flag bits in the low 3 bits. On PREEMPT_RT `struct mutex` wraps an
 * rt_mutex (`rtmutex`, whose `owner` is a task pointer with a waiters bit): another meaning, so it
 * is told apart, never read as if it were the common one.
 */
import { ok, type Result } from '../util/result.js';
import type { Btf } from './btf-data.js';
import type { BtfQueryError } from './btf-error.js';
import { formatType } from './btf-format.js';
import { memberOffset } from './btf-query.js';
import { resolveType, type TypeDesc } from './btf-type-desc.js';

export type MutexOwnerShape =
  /** `atomic_long_t owner`: owner & ~0x7 is the holding task, 0 when free. */
  | { readonly kind: 'owner_word'; readonly offset: number; readonly size: number }
  /** PREEMPT_RT: `struct rt_mutex_base rtmutex` with a `struct task_struct *owner` (bit 0: has waiters). */
  | { readonly kind: 'rt_mutex'; readonly ownerOffset: number; readonly size: number }
  /** Neither: what BTF shows instead. */
  | { readonly kind: 'unknown'; readonly detail: string };

function isTypedefNamed(t: TypeDesc, name: string): boolean {
  return t.kind === 'typedef' && (t.name === name || isTypedefNamed(t.to, name));
}

export function mutexOwnerShape(btf: Btf): Result<MutexOwnerShape, BtfQueryError> {
  const owner = memberOffset(btf, 'mutex', ['owner']);
  if (owner.ok) {
    const m = owner.value;
    const word = resolveType(m.type);
    if (m.bitfield === null && m.size === 8 && (isTypedefNamed(m.type, 'atomic_long_t') || (word.kind === 'struct' && word.name === 'atomic64_t'))) {
      return ok({ kind: 'owner_word', offset: m.offset, size: m.size });
    }
    return ok({ kind: 'unknown', detail: `struct mutex has owner at byte ${m.offset}, but it is ${formatType(m.type)} (${m.size} bytes), not an 8-byte atomic_long_t` });
  }
  if (owner.error.code !== 'no_such_member') {
    return owner;
  }
  const rt = memberOffset(btf, 'mutex', ['rtmutex', 'owner']);
  if (rt.ok) {
    const to = resolveType(rt.value.type);
    if (to.kind === 'pointer' && rt.value.bitfield === null) {
      return ok({ kind: 'rt_mutex', ownerOffset: rt.value.offset, size: rt.value.size });
    }
  }
  return ok({ kind: 'unknown', detail: `struct mutex has no owner member (its members: ${owner.error.available.join(', ') || 'none'})` });
}
