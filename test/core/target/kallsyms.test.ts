import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CANDIDATE_SYMBOLS, hasEntry, scanKallsyms, suffixVariant, symbolsCheck } from '../../../main/core/target/kallsyms.js';
import { err, ok } from '../../../main/core/util/result.js';
import { fixture } from '../../support/preflight-fixtures.js';

const names = (text: string): string[] => scanKallsyms(text).symbols.map((s) => s.name);

describe('/proc/kallsyms candidates', () => {
  it('Debian 6.1.192: both window functions (the io_wq_put_work shape), the plain mutex entry points, no walk helper', () => {
    const s = scanKallsyms(fixture('debian-6.1', 'kallsyms-candidates.txt'));
    assert.deepEqual(
      s.symbols.map((x) => x.name),
      ['io_wq_put_work', 'io_wq_free_work', 'mutex_unlock', 'mutex_trylock', 'mutex_lock_killable', 'mutex_lock_interruptible', 'mutex_lock', 'mutex_lock_io'],
    );
    assert.deepEqual(s.absent, ['io_req_find_next', '__io_req_find_next', 'io_put_req_find_next', 'mutex_lock_nested', 'mutex_lock_interruptible_nested', 'mutex_lock_killable_nested', 'mutex_lock_io_nested']);
    assert.equal(s.addressesHidden, false);
    assert.deepEqual(s.symbols[0], { name: 'io_wq_put_work', base: 'io_wq_put_work', suffix: '', variant: 'exact', type: 'T', module: undefined, address: '0xffffffff9ad1ddf0' });
    const c = symbolsCheck(ok(s));
    assert.equal(c.status, 'ok');
    assert.match(c.found, /window: io_wq_free_work, io_wq_put_work/);
    assert.match(c.found, /walk helpers: none \(inlined/);
  });

  it('Debian sid 7.2 and this host: io_wq_free_work plus its .cold fragment, which is not an entry', () => {
    for (const m of ['debian-sid-7.2', 'host-6.18'] as const) {
      const s = scanKallsyms(fixture(m, 'kallsyms-candidates.txt'));
      const cold = s.symbols.find((x) => x.name === 'io_wq_free_work.cold');
      assert.ok(cold !== undefined, m);
      assert.equal(cold.variant, 'fragment');
      assert.equal(cold.type, 't');
      assert.ok(hasEntry(s, 'io_wq_free_work'));
      assert.ok(!hasEntry(s, 'io_wq_put_work'));
      const c = symbolsCheck(ok(s));
      assert.equal(c.status, 'ok', m);
      assert.match(c.found, /io_wq_free_work\.cold \(a fragment, not an entry\)/);
    }
  });

  it('as an unprivileged user every address reads as zeros; the names are the same', () => {
    const hidden = scanKallsyms(fixture('host-6.18', 'kallsyms-candidates-as-nobody.txt'));
    const shown = scanKallsyms(fixture('host-6.18', 'kallsyms-candidates.txt'));
    assert.equal(hidden.addressesHidden, true);
    assert.ok(hidden.symbols.every((x) => x.address === undefined));
    assert.deepEqual(
      hidden.symbols.map((x) => x.name),
      shown.symbols.map((x) => x.name),
    );
    assert.match(symbolsCheck(ok(hidden)).found, /addresses hidden/);
  });

  it('ignores look-alikes: __pfx_ padding symbols, other functions with suffixes, other mutex_lock_* names', () => {
    assert.deepEqual(names(fixture('host-6.18', 'kallsyms-lookalikes.txt')), ['mutex_lock_killable', 'mutex_lock_interruptible']);
    assert.deepEqual(names(fixture('host-6.18', 'kallsyms-head.txt')), []);
  });

  it('tells suffixes apart: fragments, clones, LTO renames', () => {
    assert.equal(suffixVariant(''), 'exact');
    assert.equal(suffixVariant('.cold'), 'fragment');
    assert.equal(suffixVariant('.part.0'), 'fragment');
    assert.equal(suffixVariant('.isra.0.cold'), 'fragment');
    assert.equal(suffixVariant('.isra.0'), 'clone');
    assert.equal(suffixVariant('.constprop.0'), 'clone');
    assert.equal(suffixVariant('.constprop.0.isra.0'), 'clone');
    assert.equal(suffixVariant('.llvm.1234567890'), 'renamed');
    assert.equal(suffixVariant('.coldish'), 'clone');
  });

  // Synthetic lines (no machine here has these): a module symbol, a clone-only window, a renamed mutex.
  it('module names, clone-only windows, LTO-renamed entries', () => {
    const text = [
      'ffffffffc0a01000 t io_wq_free_work.isra.0\t[io_uring_test]',
      'ffffffff81000000 T mutex_lock.llvm.77',
      'ffffffff81000100 T mutex_unlock',
      '',
    ].join('\n');
    const s = scanKallsyms(text);
    assert.deepEqual(s.symbols[0], { name: 'io_wq_free_work.isra.0', base: 'io_wq_free_work', suffix: '.isra.0', variant: 'clone', type: 't', module: 'io_uring_test', address: '0xffffffffc0a01000' });
    assert.ok(hasEntry(s, 'mutex_lock'));
    const c = symbolsCheck(ok(s));
    assert.equal(c.status, 'fail');
    assert.match(c.found, /only specialized clones/);
    assert.ok(c.remediation !== undefined);
  });

  it('fails without mutex entry points, on an empty file, or when the file cannot be read', () => {
    assert.equal(symbolsCheck(ok(scanKallsyms('ffffffff81000000 T io_wq_free_work\n'))).status, 'fail');
    assert.equal(symbolsCheck(ok(scanKallsyms(''))).status, 'fail');
    assert.equal(symbolsCheck(err({ kind: 'denied', detail: 'permission denied' })).status, 'fail');
  });

  it('a full-size file scans fast', () => {
    const filler = Array.from({ length: 200_000 }, (_, i) => `ffffffff8${(i * 16).toString(16).padStart(7, '0')} t some_function_${i}`);
    const text = [...filler, ...CANDIDATE_SYMBOLS.map((c) => `ffffffff90000000 T ${c}`)].join('\n');
    const t0 = performance.now();
    const s = scanKallsyms(text);
    assert.equal(s.symbols.length, CANDIDATE_SYMBOLS.length);
    assert.equal(s.absent.length, 0);
    assert.ok(performance.now() - t0 < 2000);
  });
});
