import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { helperSource, placeHelper } from '../../../main/node/session/session-helpers.js';
import { ANY, FakeTarget } from '../../../main/node/targets/fake-target.js';

describe('session helpers: prebuilt, built on the target, or none', () => {
  it('an x86-64 target without built helpers gets none, with the command that builds them', async () => {
    const t = new FakeTarget({ name: 'box', root: 'root' });
    const s = await helperSource(t, 'x86_64', '/nonexistent/', 1000);
    assert.ok(s.kind === 'none');
    assert.match(s.why, /npm run build:workload/);
  });

  it('another architecture with a compiler builds them there from the C sources', async () => {
    const puts: string[] = [];
    const t = new FakeTarget({
      name: 'arm',
      root: 'root',
      exec: {
        'sh -c command -v cc || command -v gcc': { stdout: '/usr/bin/cc\n' },
        '/usr/bin/cc -std=gnu11 -O2 -pthread -o /tmp/d/lockscope-misses /tmp/d/lockscope-misses.c': { stdout: '' },
        [ANY]: { stdout: '', stderr: 'lsmiss.c:1: error: boom', code: 1 },
      },
    });
    const s = await helperSource(t, 'aarch64', '/nonexistent/', 1000);
    assert.deepEqual(s, { kind: 'build_on_target', compiler: '/usr/bin/cc' });
    const put = (path: string, bytes: Uint8Array): Promise<void> => {
      puts.push(`${path} ${bytes.length > 1000 ? 'source' : 'small'}`);
      return Promise.resolve();
    };
    assert.equal(await placeHelper(t, s, 'missReader', '/tmp/d/lockscope-misses', put), undefined);
    assert.deepEqual(puts, ['/tmp/d/lockscope-misses.c source']);
    // A compiler that fails is reported with its message, not hidden.
    const failed = await placeHelper(t, s, 'workload', '/tmp/d/linkstorm', put);
    assert.match(failed ?? '', /building linkstorm\.c on arm with \/usr\/bin\/cc failed: lsmiss\.c:1: error: boom/);
  });

  it('another architecture without a compiler gets none, saying so', async () => {
    const t = new FakeTarget({ name: 'arm', root: 'root', exec: { 'sh -c command -v cc || command -v gcc': { stdout: '', code: 1 } } });
    const s = await helperSource(t, 'aarch64', '/nonexistent/', 1000);
    assert.ok(s.kind === 'none');
    assert.match(s.why, /arm is aarch64 and has no C compiler/);
  });
});
