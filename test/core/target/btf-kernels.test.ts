/**
 * The BTF reader on real kernels' BTF (test/fixtures/btf/, see its README): the offsets and
 * prototypes Lockscope's probes depend on, as the lab measured them and as bpftool and pahole
 * read them from the same blobs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { Btf, FunctionPrototype, MemberLocation, TypeDesc } from '../../../main/core/target/btf.js';
import {
  BTF_KIND,
  describeBtfQueryError,
  describeType,
  formatPrototype,
  formatType,
  functionPrototype,
  isPointerToStruct,
  memberOffset,
  mutexOwnerShape,
  parseBtf,
  prototypeOf,
  resolveType,
  typeSize,
} from '../../../main/core/target/btf.js';

const FIXTURES = new URL('../../../../test/fixtures/btf/', import.meta.url);

function load(file: string): { readonly btf: Btf; readonly bytes: Uint8Array; readonly ms: number } {
  const bytes = new Uint8Array(gunzipSync(readFileSync(new URL(file, FIXTURES))));
  const t0 = performance.now();
  const r = parseBtf(bytes);
  const ms = performance.now() - t0;
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
  return { btf: r.value, bytes, ms };
}

function member(btf: Btf, container: string, path: string): MemberLocation {
  const r = memberOffset(btf, container, path.split('.'));
  assert.ok(r.ok, r.ok ? '' : describeBtfQueryError(r.error));
  return r.value;
}

function proto(btf: Btf, name: string): FunctionPrototype {
  const r = functionPrototype(btf, name);
  assert.ok(r.ok, r.ok ? '' : describeBtfQueryError(r.error));
  return r.value;
}

function absentFunction(btf: Btf, name: string): void {
  const r = functionPrototype(btf, name);
  assert.ok(!r.ok);
  assert.deepEqual(r.error, { code: 'no_such_type', kind: 'function', name });
}

/** Offset, size and C type of each member path. */
function layout(btf: Btf, container: string, paths: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    paths.map((p) => {
      const m = member(btf, container, p);
      return [p, `${m.offset} ${m.size} ${formatType(m.type)}${m.bitfield === null ? '' : `:${m.bitfield.bits}`}`];
    }),
  );
}

const IO_KIOCB_PATHS = ['work', 'ctx', 'flags', 'link'];

interface Kernel {
  readonly file: string;
  readonly bytes: number;
  readonly types: number;
  readonly ioKiocb: Record<string, string>;
  readonly uringLock: string;
  readonly mutexSize: number;
  readonly mutexMembers: readonly string[];
  readonly freeWork: string;
  readonly putWork: string | null;
}

// Expected values: the lab's measurements (shared/lab/README.md) for the Debian kernels, and for
// all three `bpftool btf dump file F format raw` and `pahole -F btf -C io_kiocb F` on the blob.
const KERNELS: readonly Kernel[] = [
  {
    file: 'debian-6.1.0-56-amd64.btf.gz',
    bytes: 4_359_789,
    types: 100_750,
    ioKiocb: { work: '200 16 struct io_wq_work', ctx: '88 8 struct io_ring_ctx *', flags: '68 4 unsigned int', link: '184 8 struct io_kiocb *' },
    uringLock: '64 32 struct mutex',
    mutexSize: 32,
    mutexMembers: ['owner', 'wait_lock', 'osq', 'wait_list'],
    freeWork: 'void io_wq_free_work(struct io_wq_work *work)',
    putWork: 'bool io_wq_put_work(struct io_wq_work *work, struct io_wq_work **linked)',
  },
  {
    file: 'debian-7.2.13+deb14-amd64.btf.gz',
    bytes: 5_440_252,
    types: 124_639,
    ioKiocb: { work: '216 16 struct io_wq_work', ctx: '96 8 struct io_ring_ctx *', flags: '72 8 io_req_flags_t', link: '200 8 struct io_kiocb *' },
    uringLock: '64 24 struct mutex',
    mutexSize: 24,
    mutexMembers: ['owner', 'wait_lock', 'osq', 'first_waiter'],
    freeWork: 'struct io_wq_work *io_wq_free_work(struct io_wq_work *work)',
    putWork: null,
  },
  {
    file: 'host-6.18.44-fc-v782.btf.gz',
    bytes: 5_520_272,
    types: 126_699,
    ioKiocb: { work: '216 16 struct io_wq_work', ctx: '96 8 struct io_ring_ctx *', flags: '72 8 io_req_flags_t', link: '200 8 struct io_kiocb *' },
    uringLock: '64 32 struct mutex',
    mutexSize: 32,
    mutexMembers: ['owner', 'wait_lock', 'osq', 'wait_list'],
    freeWork: 'struct io_wq_work *io_wq_free_work(struct io_wq_work *work)',
    putWork: null,
  },
];

for (const k of KERNELS) {
  describe(`BTF of ${k.file}`, () => {
    const { btf, bytes, ms } = load(k.file);

    it('parses the whole blob, well under a second', (t) => {
      t.diagnostic(`${bytes.length} bytes, ${btf.count - 1} types, parsed in ${ms.toFixed(1)} ms`);
      assert.equal(bytes.length, k.bytes);
      assert.equal(btf.count - 1, k.types);
      assert.equal(btf.endian, 'little');
      assert.ok(ms < 1000, `parse took ${ms} ms`);
    });

    it('finds the io_kiocb members the probes read', () => {
      assert.deepEqual(layout(btf, 'io_kiocb', IO_KIOCB_PATHS), k.ioKiocb);
      const flags = member(btf, 'io_kiocb', 'flags');
      assert.equal(flags.bitfield, null);
      assert.equal(resolveType(flags.type).kind, 'int');
      const link = member(btf, 'io_kiocb', 'link');
      assert.ok(isPointerToStruct(link.type, 'io_kiocb'));
    });

    it('finds io_ring_ctx.uring_lock inside its anonymous struct, and the owner word inside it', () => {
      assert.deepEqual(layout(btf, 'io_ring_ctx', ['uring_lock', 'uring_lock.owner']), { uring_lock: k.uringLock, 'uring_lock.owner': '64 8 atomic_long_t' });
    });

    it('sees struct mutex with an atomic_long_t owner word at offset 0 (not PREEMPT_RT)', () => {
      const owner = member(btf, 'mutex', 'owner');
      assert.equal(owner.offset, 0);
      assert.equal(owner.size, 8);
      assert.deepEqual(owner.type.kind === 'typedef' ? owner.type.name : owner.type.kind, 'atomic_long_t');
      const missing = memberOffset(btf, 'mutex', ['rtmutex']);
      assert.ok(!missing.ok && missing.error.code === 'no_such_member');
      assert.deepEqual(missing.error.available, k.mutexMembers);
      const counter = member(btf, 'atomic_long_t', 'counter');
      assert.equal(counter.size, 8);
      assert.deepEqual(mutexOwnerShape(btf), { ok: true, value: { kind: 'owner_word', offset: 0, size: 8 } });
      const mutexId = owner.containerTypeId;
      assert.deepEqual(typeSize(btf, mutexId), { ok: true, value: k.mutexSize });
    });

    it('reads the io-wq window functions’ prototypes', () => {
      assert.equal(formatPrototype(proto(btf, 'io_wq_free_work')), k.freeWork);
      if (k.putWork === null) {
        absentFunction(btf, 'io_wq_put_work');
      } else {
        const put = proto(btf, 'io_wq_put_work');
        assert.equal(formatPrototype(put), k.putWork);
        assert.deepEqual(resolveType(put.returns), { kind: 'int', name: '_Bool', size: 1, signed: false, bool: true, char: false });
        assert.deepEqual(
          put.params.map((p) => p.name),
          ['work', 'linked'],
        );
        const linked = resolveType(put.params[1]?.type ?? { kind: 'void' });
        assert.ok(linked.kind === 'pointer' && isPointerToStruct(linked.to, 'io_wq_work'));
      }
      const free = proto(btf, 'io_wq_free_work');
      assert.equal(free.returns.kind === 'void', k.putWork !== null);
    });

    it('reads the mutex entry points, and knows which functions have no BTF record', () => {
      for (const name of ['mutex_lock', 'mutex_unlock']) {
        assert.equal(formatPrototype(proto(btf, name)), `void ${name}(struct mutex *lock)`);
      }
      assert.equal(formatPrototype(proto(btf, 'mutex_trylock')), 'int mutex_trylock(struct mutex *lock)');
      assert.equal(formatPrototype(proto(btf, 'io_free_req')), 'void io_free_req(struct io_kiocb *req)');
      assert.equal(formatPrototype(proto(btf, '_printk')), 'int _printk(const char *fmt, ...)');
      for (const name of ['io_req_find_next', 'mutex_lock_nested']) {
        absentFunction(btf, name);
      }
    });

    it('describes every type and every function prototype without a loop', (t) => {
      const t0 = performance.now();
      let funcs = 0;
      for (let id = 1; id < btf.count; id++) {
        const d = describeType(btf, id);
        assert.ok(d.ok, `type ${id}`);
        if (btf.kind(id) === BTF_KIND.FUNC) {
          const p = prototypeOf(btf, id);
          assert.ok(p.ok);
          assert.ok(formatPrototype(p.value).includes(`${p.value.name}(`));
          funcs++;
        }
      }
      t.diagnostic(`${funcs} functions described in ${(performance.now() - t0).toFixed(0)} ms`);
    });
  });
}

describe('what differs between the kernels', () => {
  it('io_kiocb.flags grew from u32 to u64 between 6.1 and 7.2', () => {
    const sizes = KERNELS.slice(0, 2).map((k) => {
      const m = member(load(k.file).btf, 'io_kiocb', 'flags');
      const t: TypeDesc = resolveType(m.type);
      return t.kind === 'int' ? `${t.size * 8}${t.signed ? 's' : 'u'}` : t.kind;
    });
    assert.deepEqual(sizes, ['32u', '64u']);
  });
});
