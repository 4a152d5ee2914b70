/** File › Open Recent: at most ten, newest first, kept in user data, gone files pruned with a note. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatRecent, MAX_RECENT, missingNote, parseRecent, pruneMissing, pushRecent } from '../../main/electron/recent-files.js';
import { RecentFilesStore } from '../../main/electron/recent-files-store.js';

describe('recent files', () => {
  it('puts the newest first, moves a reopened file to the front, keeps ten', () => {
    let list: readonly string[] = [];
    for (let i = 1; i <= 12; i++) {
      list = pushRecent(list, `/c/${i}.lscap`);
    }
    assert.equal(list.length, MAX_RECENT);
    assert.equal(list[0], '/c/12.lscap');
    assert.equal(list[9], '/c/3.lscap');
    list = pushRecent(list, '/c/7.lscap');
    assert.equal(list[0], '/c/7.lscap');
    assert.equal(list.length, MAX_RECENT);
    assert.equal(list.filter((p) => p === '/c/7.lscap').length, 1);
  });

  it('splits gone files from present ones, in order', () => {
    const { kept, missing } = pruneMissing(['/a', '/b', '/c', '/d'], (p) => p === '/b' || p === '/d');
    assert.deepEqual(kept, ['/b', '/d']);
    assert.deepEqual(missing, ['/a', '/c']);
  });

  it('reads back what it writes, and reads damage as an empty list', () => {
    const list = ['/x/a.lscap', '/y/b & c.lscap'];
    assert.deepEqual(parseRecent(formatRecent(list)), list);
    assert.deepEqual(parseRecent(''), []);
    assert.deepEqual(parseRecent('{"files": "nope"}'), []);
    assert.deepEqual(parseRecent('[1,2]'), []);
    assert.deepEqual(parseRecent(JSON.stringify({ files: ['/a', 3, '', '/a', null, '/b'] })), ['/a', '/b']);
    assert.equal(parseRecent(JSON.stringify({ files: Array.from({ length: 30 }, (_, i) => `/f${i}`) })).length, MAX_RECENT);
  });

  it('says which files left the list', () => {
    assert.match(missingNote(['/data/old.lscap']), /old\.lscap is no longer at \/data\/old\.lscap/);
    assert.match(missingNote(['/a/x.lscap', '/b/y.lscap']), /2 files .*\(x\.lscap, y\.lscap\)/);
  });

  it('the store keeps the list across runs and prunes gone files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockscope-recent-'));
    try {
      const file = join(dir, 'sub', 'recent-files.json');
      const present = new Set(['/a.lscap', '/c.lscap']);
      const s1 = new RecentFilesStore(file, (p) => present.has(p));
      assert.deepEqual(s1.list(), []);
      s1.add('/a.lscap');
      s1.add('/b.lscap');
      s1.add('/c.lscap');
      const s2 = new RecentFilesStore(file, (p) => present.has(p));
      assert.deepEqual(s2.list(), ['/c.lscap', '/b.lscap', '/a.lscap']);
      assert.deepEqual(s2.prune(), ['/b.lscap']);
      assert.deepEqual(new RecentFilesStore(file).list(), ['/c.lscap', '/a.lscap']);
      s2.remove('/c.lscap');
      assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { files: ['/a.lscap'] });
      s2.clear();
      assert.deepEqual(new RecentFilesStore(file).list(), []);
      writeFileSync(file, 'garbage');
      assert.deepEqual(new RecentFilesStore(file).list(), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
