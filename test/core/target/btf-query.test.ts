/**
 * The BTF queries on small hand-made blobs: member paths through anonymous structs and unions,
 * bitfields in both encodings, the errors that name what is missing, loops in type references
 * (which must end in an error, not a hang), and the C text of prototypes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Btf, BtfQueryError, MemberLocation, TypeDesc } from '../../../main/core/target/btf.js';
import {
  describeBtfQueryError,
  describeType,
  formatDeclaration,
  formatPrototype,
  formatType,
  functionPrototype,
  isPointerToStruct,
  memberOffset,
  mutexOwnerShape,
  parseBtf,
  resolveType,
  typeSize,
} from '../../../main/core/target/btf.js';
import { BtfBuilder } from '../../support/btf-builder.js';

function parsed(b: BtfBuilder): Btf {
  const r = parseBtf(b.build());
  assert.ok(r.ok);
  return r.value;
}

function found(btf: Btf, container: string, path: readonly string[]): MemberLocation {
  const r = memberOffset(btf, container, path);
  assert.ok(r.ok, r.ok ? '' : describeBtfQueryError(r.error));
  return r.value;
}

function failed(r: { ok: true } | { ok: false; error: BtfQueryError }): BtfQueryError {
  assert.ok(!r.ok, 'expected a query error');
  return r.error;
}

/** An io_ring_ctx/io_kiocb-shaped kernel in miniature. */
function miniKernel(): Btf {
  const b = new BtfBuilder();
  const u8 = b.int('unsigned char', 1);
  const u32 = b.int('unsigned int', 4);
  const s64 = b.int('long long int', 8, { signed: true });
  const long = b.int('long int', 8, { signed: true });
  const atomic64 = b.struct('atomic64_t', 8, [{ name: 'counter', type: s64, bitOffset: 0 }]);
  const atomicLong = b.typedef('atomic_long_t', atomic64);
  const mutex = b.struct('mutex', 32, [
    { name: 'owner', type: atomicLong, bitOffset: 0 },
    { name: 'wait_lock', type: u32, bitOffset: 64 },
  ]);
  const ctxFwd = b.fwd('io_ring_ctx');
  const inner = b.struct('', 128, [
    { name: 'flags', type: u32, bitOffset: 0 },
    { name: 'uring_lock', type: mutex, bitOffset: 512 },
  ]);
  const anonUnion = b.union('', 8, [
    { name: 'fd', type: u32, bitOffset: 0 },
    { name: 'cancel', type: long, bitOffset: 0 },
  ]);
  b.struct('io_ring_ctx', 256, [
    { name: '', type: inner, bitOffset: 0 },
    { name: '', type: b.qualifier('const', anonUnion), bitOffset: 1024 },
    { name: 'refs', type: u32, bitOffset: 1088 },
  ]);
  const ptrCtx = b.ptr(ctxFwd);
  const names = b.array(b.ptr(u8), u32, 3);
  const ptrKiocb = b.ptr(b.next + 1); // the struct that follows
  b.struct('io_kiocb', 64, [
    { name: 'opcode', type: u8, bitOffset: 0 },
    { name: 'flags', type: u32, bitOffset: 32 },
    { name: 'ctx', type: ptrCtx, bitOffset: 64 },
    { name: 'link', type: ptrKiocb, bitOffset: 128 },
    { name: 'names', type: names, bitOffset: 192 },
  ]);
  return parsed(b);
}

describe('memberOffset', () => {
  const btf = miniKernel();

  it('finds direct members with their size and C type', () => {
    const link = found(btf, 'io_kiocb', ['link']);
    assert.deepEqual([link.offset, link.bitOffset, link.size, formatType(link.type), link.bitfield], [16, 128, 8, 'struct io_kiocb *', null]);
    assert.equal(link.container, 'struct io_kiocb');
    assert.ok(isPointerToStruct(link.type, 'io_kiocb'));
    const names = found(btf, 'io_kiocb', ['names']);
    assert.deepEqual([names.offset, names.size, formatType(names.type)], [24, 24, 'unsigned char *[3]']);
  });

  it('looks through anonymous structs and (qualified) unions, adding their offsets', () => {
    const lock = found(btf, 'io_ring_ctx', ['uring_lock']);
    assert.deepEqual([lock.offset, lock.size, formatType(lock.type)], [64, 32, 'struct mutex']);
    assert.equal(found(btf, 'io_ring_ctx', ['cancel']).offset, 128);
    assert.equal(found(btf, 'io_ring_ctx', ['refs']).offset, 136);
  });

  it('follows a path into nested members, through typedefs', () => {
    const owner = found(btf, 'io_ring_ctx', ['uring_lock', 'owner']);
    assert.deepEqual([owner.offset, owner.size, formatType(owner.type)], [64, 8, 'atomic_long_t']);
    assert.equal(found(btf, 'io_ring_ctx', ['uring_lock', 'owner', 'counter']).offset, 64);
    assert.equal(found(btf, 'atomic_long_t', ['counter']).size, 8);
  });

  it('names what is missing, and what there is instead', () => {
    const e = failed(memberOffset(btf, 'io_ring_ctx', ['uring_lock', 'wait_list']));
    assert.deepEqual(e, { code: 'no_such_member', container: 'struct io_ring_ctx', path: ['uring_lock'], missing: 'wait_list', available: ['owner', 'wait_lock'] });
    assert.equal(describeBtfQueryError(e), 'struct io_ring_ctx.uring_lock has no member wait_list (its members: owner, wait_lock)');
    const top = failed(memberOffset(btf, 'io_ring_ctx', ['nope']));
    assert.ok(top.code === 'no_such_member');
    assert.deepEqual(top.available, ['flags', 'uring_lock', 'fd', 'cancel', 'refs']);
    assert.deepEqual(failed(memberOffset(btf, 'io_uring_task', ['x'])), { code: 'no_such_type', kind: 'struct or union', name: 'io_uring_task' });
    assert.deepEqual(failed(memberOffset(btf, 'io_kiocb', [])), { code: 'empty_path', container: 'struct io_kiocb' });
  });

  it('refuses to look inside a pointer or a scalar', () => {
    const e = failed(memberOffset(btf, 'io_kiocb', ['link', 'flags']));
    assert.deepEqual(e, { code: 'not_a_container', container: 'struct io_kiocb', path: [], member: 'link', type: 'struct io_kiocb *' });
    assert.match(describeBtfQueryError(e), /io_kiocb\.link is struct io_kiocb \*, not a struct or union/);
    assert.equal(failed(memberOffset(btf, 'io_ring_ctx', ['uring_lock', 'wait_lock', 'x'])).code, 'not_a_container');
  });

  it('knows a struct that is only declared', () => {
    const b = new BtfBuilder();
    const fwd = b.fwd('io_ring_ctx');
    b.struct('holder', 8, [{ name: 'ctx', type: fwd, bitOffset: 0 }]);
    const small = parsed(b);
    assert.deepEqual(failed(memberOffset(small, 'io_ring_ctx', ['x'])), { code: 'only_declared', kind: 'struct or union', name: 'io_ring_ctx' });
    assert.deepEqual(failed(memberOffset(small, 'holder', ['ctx', 'x'])), { code: 'only_declared', kind: 'struct', name: 'io_ring_ctx' });
  });

  it('accepts several identical definitions of a struct, and refuses ones that disagree', () => {
    const b = new BtfBuilder();
    const int = b.int('int', 4);
    const long = b.int('long', 8);
    b.struct('same', 8, [{ name: 'a', type: int, bitOffset: 32 }]);
    b.struct('same', 8, [{ name: 'a', type: int, bitOffset: 32 }]);
    b.struct('differs', 8, [{ name: 'a', type: int, bitOffset: 0 }]);
    const second = b.struct('differs', 8, [{ name: 'a', type: long, bitOffset: 0 }]);
    const third = b.struct('differs', 8, [{ name: 'b', type: int, bitOffset: 0 }]);
    const btf2 = parsed(b);
    assert.equal(found(btf2, 'same', ['a']).offset, 4);
    const e = failed(memberOffset(btf2, 'differs', ['a']));
    assert.deepEqual(e, { code: 'ambiguous', kind: 'struct or union', name: 'differs', typeIds: [second - 1, second, third] });
    assert.match(describeBtfQueryError(e), /3 different struct or union definitions named differs/);
  });
});

describe('mutexOwnerShape', () => {
  it('the common mutex: an atomic_long_t owner word', () => {
    assert.deepEqual(mutexOwnerShape(miniKernel()), { ok: true, value: { kind: 'owner_word', offset: 0, size: 8 } });
  });

  it('PREEMPT_RT: struct mutex wraps an rt_mutex whose owner is a task pointer', () => {
    const b = new BtfBuilder();
    const u32 = b.int('unsigned int', 4);
    const task = b.ptr(b.fwd('task_struct'));
    const waiters = b.struct('rb_root_cached', 16, []);
    const base = b.struct('rt_mutex_base', 32, [
      { name: 'wait_lock', type: b.typedef('raw_spinlock_t', u32), bitOffset: 0 },
      { name: 'waiters', type: waiters, bitOffset: 64 },
      { name: 'owner', type: task, bitOffset: 192 },
    ]);
    b.struct('mutex', 32, [{ name: 'rtmutex', type: base, bitOffset: 0 }]);
    assert.deepEqual(mutexOwnerShape(parsed(b)), { ok: true, value: { kind: 'rt_mutex', ownerOffset: 24, size: 8 } });
  });

  it('anything else is unknown, with what BTF shows', () => {
    const old = new BtfBuilder();
    old.struct('mutex', 16, [{ name: 'owner', type: old.ptr(old.fwd('task_struct')), bitOffset: 0 }]);
    const r = mutexOwnerShape(parsed(old));
    assert.ok(r.ok && r.value.kind === 'unknown');
    assert.match(r.value.detail, /owner at byte 0, but it is struct task_struct \* \(8 bytes\)/);
    const none = new BtfBuilder();
    none.struct('mutex', 4, [{ name: 'count', type: none.int('int', 4), bitOffset: 0 }]);
    const n = mutexOwnerShape(parsed(none));
    assert.deepEqual(n, { ok: true, value: { kind: 'unknown', detail: 'struct mutex has no owner member (its members: count)' } });
    assert.deepEqual(mutexOwnerShape(parsed(new BtfBuilder())), { ok: false, error: { code: 'no_such_type', kind: 'struct or union', name: 'mutex' } });
  });
});

describe('bitfields', () => {
  it('with the kind_flag encoding: offset and width from the member', () => {
    const b = new BtfBuilder();
    const u32 = b.int('unsigned int', 4);
    const u8 = b.int('unsigned char', 1);
    b.struct(
      'bits',
      8,
      [
        { name: 'whole', type: u8, bitOffset: 0, bits: 0 },
        { name: 'lo', type: u32, bitOffset: 8, bits: 3 },
        { name: 'hi', type: u32, bitOffset: 11, bits: 21 },
      ],
      { bitfields: true },
    );
    const btf = parsed(b);
    const lo = found(btf, 'bits', ['lo']);
    assert.deepEqual([lo.bitOffset, lo.offset, lo.size, lo.bitfield], [8, 1, 4, { bits: 3 }]);
    const hi = found(btf, 'bits', ['hi']);
    assert.deepEqual([hi.bitOffset, hi.offset, hi.bitfield], [11, 1, { bits: 21 }]);
    assert.equal(found(btf, 'bits', ['whole']).bitfield, null);
  });

  it('with the old encoding: offset and width from a dedicated INT', () => {
    const b = new BtfBuilder();
    const narrow = b.int('unsigned int', 4, { bits: 5, bitOffset: 2 });
    b.struct('old', 4, [{ name: 'f', type: narrow, bitOffset: 8 }]);
    const f = found(parsed(b), 'old', ['f']);
    assert.deepEqual([f.bitOffset, f.offset, f.size, f.bitfield], [10, 1, 4, { bits: 5 }]);
  });
});

describe('functionPrototype', () => {
  it('reads return and parameter types through typedefs and qualifiers', () => {
    const b = new BtfBuilder();
    const bool = b.typedef('bool', b.int('_Bool', 1, { bool: true }));
    const work = b.struct('io_wq_work', 16, []);
    const pWork = b.ptr(work);
    const ppWork = b.ptr(pWork);
    const put = b.funcProto(bool, [
      ['work', pWork],
      ['linked', ppWork],
    ]);
    b.func('io_wq_put_work', put);
    b.func('io_wq_free_work', b.funcProto(pWork, [['work', b.qualifier('const', pWork)]]));
    b.func('noargs', b.funcProto(0, []));
    const cb = b.ptr(b.funcProto(b.int('int', 4, { signed: true }), [['', pWork]]));
    b.func('with_callback', b.funcProto(0, [['cb', cb], ['argv', b.array(b.ptr(b.qualifier('const', b.int('char', 1, { char: true }))), 0, 4)]]));
    const btf = parsed(b);
    const p = functionPrototype(btf, 'io_wq_put_work');
    assert.ok(p.ok);
    assert.equal(formatPrototype(p.value), 'bool io_wq_put_work(struct io_wq_work *work, struct io_wq_work **linked)');
    assert.deepEqual(p.value.returns, { kind: 'typedef', name: 'bool', to: { kind: 'int', name: '_Bool', size: 1, signed: false, bool: true, char: false } });
    assert.equal(p.value.linkage, 'static');
    const linked = resolveType(p.value.params[1]?.type ?? { kind: 'void' });
    assert.deepEqual(linked, { kind: 'pointer', to: { kind: 'pointer', to: { kind: 'struct', name: 'io_wq_work', size: 16, typeId: work } } });
    const free = functionPrototype(btf, 'io_wq_free_work');
    assert.ok(free.ok);
    assert.equal(formatPrototype(free.value), 'struct io_wq_work *io_wq_free_work(struct io_wq_work *const work)');
    assert.ok(isPointerToStruct(free.value.returns, 'io_wq_work'));
    assert.ok(isPointerToStruct(free.value.params[0]?.type ?? { kind: 'void' }, 'io_wq_work'));
    const noargs = functionPrototype(btf, 'noargs');
    assert.ok(noargs.ok);
    assert.equal(formatPrototype(noargs.value), 'void noargs(void)');
    const cbp = functionPrototype(btf, 'with_callback');
    assert.ok(cbp.ok);
    assert.equal(formatPrototype(cbp.value), 'void with_callback(int (*cb)(struct io_wq_work *), const char *argv[4])');
  });

  it('accepts duplicate FUNC records with one prototype, refuses ones that differ', () => {
    const b = new BtfBuilder();
    const int = b.int('int', 4, { signed: true });
    const a = b.funcProto(int, [['x', int]]);
    b.func('dup', a);
    b.func('dup', b.funcProto(int, [['x', int]]));
    const c1 = b.func('clash', a);
    const c2 = b.func('clash', b.funcProto(0, []));
    const btf = parsed(b);
    assert.ok(functionPrototype(btf, 'dup').ok);
    assert.deepEqual(failed(functionPrototype(btf, 'clash')), { code: 'ambiguous', kind: 'function', name: 'clash', typeIds: [c1, c2] });
    assert.deepEqual(failed(functionPrototype(btf, 'absent')), { code: 'no_such_type', kind: 'function', name: 'absent' });
    assert.equal(describeBtfQueryError(failed(functionPrototype(btf, 'absent'))), "the kernel's BTF has no function named absent");
  });
});

describe('loops in type references end in an error, not a hang', () => {
  it('a typedef cycle: in a member, a parameter, a size', () => {
    const b = new BtfBuilder();
    const a = b.next;
    b.typedef('loop_a', a + 1);
    b.typedef('loop_b', a);
    b.struct('victim', 8, [{ name: 'm', type: a, bitOffset: 0 }]);
    b.func('takes_loop', b.funcProto(0, [['x', a]]));
    const btf = parsed(b);
    const member = failed(memberOffset(btf, 'victim', ['m']));
    assert.equal(member.code, 'reference_loop');
    assert.match(describeBtfQueryError(member), /refers back to itself/);
    assert.equal(failed(memberOffset(btf, 'victim', ['m', 'x'])).code, 'reference_loop');
    assert.equal(failed(functionPrototype(btf, 'takes_loop')).code, 'reference_loop');
    assert.equal(failed(typeSize(btf, a)).code, 'reference_loop');
    assert.equal(failed(describeType(btf, a)).code, 'reference_loop');
  });

  it('a pointer to itself, and a const–volatile ring', () => {
    const b = new BtfBuilder();
    const p = b.next;
    b.ptr(p);
    const c = b.next;
    b.qualifier('const', c + 1);
    b.qualifier('volatile', c);
    b.func('f', b.funcProto(p, []));
    const btf = parsed(b);
    const e = failed(describeType(btf, p));
    assert.deepEqual(e, { code: 'reference_loop', typeId: p, offset: 24 });
    assert.equal(failed(describeType(btf, c)).code, 'reference_loop');
    assert.equal(failed(functionPrototype(btf, 'f')).code, 'reference_loop');
    assert.deepEqual(typeSize(btf, p), { ok: true, value: 8 });
  });

  it('a struct that holds itself as an anonymous member', () => {
    const b = new BtfBuilder();
    const s = b.next;
    b.struct('selfish', 8, [{ name: '', type: s, bitOffset: 0 }]);
    const btf = parsed(b);
    assert.deepEqual(failed(memberOffset(btf, 'selfish', ['x'])), { code: 'reference_loop', typeId: s, offset: 24 });
  });

  it('an array of itself', () => {
    const b = new BtfBuilder();
    const a = b.next;
    b.array(a, 0, 2);
    const btf = parsed(b);
    assert.equal(failed(typeSize(btf, a)).code, 'reference_loop');
    assert.equal(failed(describeType(btf, a)).code, 'reference_loop');
  });

  it('a prototype that shares sub-types exponentially is described and printed quickly', () => {
    const b = new BtfBuilder();
    let proto = b.funcProto(0, []);
    for (let level = 0; level < 30; level++) {
      const p = b.ptr(proto);
      proto = b.funcProto(p, [
        ['a', p],
        ['b', p],
      ]);
    }
    b.func('deep', proto);
    const btf = parsed(b);
    const t0 = performance.now();
    const r = functionPrototype(btf, 'deep');
    assert.ok(r.ok);
    assert.ok(formatPrototype(r.value).length < 1_000_000);
    resolveType(r.value.returns);
    assert.ok(performance.now() - t0 < 2000);
  });
});

describe('formatDeclaration', () => {
  const int: TypeDesc = { kind: 'int', name: 'int', size: 4, signed: true, bool: false, char: false };
  const char: TypeDesc = { kind: 'int', name: 'char', size: 1, signed: false, bool: false, char: true };
  it('writes C declarators', () => {
    assert.equal(formatDeclaration({ kind: 'pointer', to: { kind: 'array', of: int, length: 3 } }, 'p'), 'int (*p)[3]');
    assert.equal(formatDeclaration({ kind: 'qualified', qualifier: 'const', to: { kind: 'pointer', to: int } }, 'p'), 'int *const p');
    assert.equal(formatDeclaration({ kind: 'pointer', to: { kind: 'type_tag', tag: 'user', to: char } }, 'buf'), 'char __user *buf');
    assert.equal(formatDeclaration({ kind: 'qualified', qualifier: 'volatile', to: { kind: 'pointer', to: { kind: 'function', returns: { kind: 'void' }, params: [], variadic: false } } }, 'fn'), 'void (*volatile fn)(void)');
    assert.equal(formatDeclaration({ kind: 'union', name: '', size: 8, typeId: 3 }, 'u'), 'union (anon) u');
    assert.equal(formatDeclaration({ kind: 'enum', name: 'color', size: 4, signed: false }, ''), 'enum color');
  });
});
