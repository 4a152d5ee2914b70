/** The shell's actions: open from the dialog or Open Recent, remember, and tell the UI. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppResult, CaptureInfo, ShellEvent } from '../../main/core/app/app-contract.js';
import type { RecentFiles } from '../../main/electron/recent-files-store.js';
import { createShellActions } from '../../main/electron/shell-actions.js';

function info(path: string): CaptureInfo {
  return { id: `c-${path}`, name: path.split('/').pop() ?? path, path, origin: 'file', bytes: 10, complete: true, notes: [], sessionId: undefined };
}

class MemoryRecent implements RecentFiles {
  files: string[] = [];
  constructor(private readonly present: ReadonlySet<string> = new Set()) {}
  list(): readonly string[] {
    return this.files;
  }
  add(p: string): void {
    this.files = [p, ...this.files.filter((f) => f !== p)];
  }
  remove(p: string): void {
    this.files = this.files.filter((f) => f !== p);
  }
  clear(): void {
    this.files = [];
  }
  prune(): readonly string[] {
    const gone = this.files.filter((f) => !this.present.has(f));
    this.files = this.files.filter((f) => this.present.has(f));
    return gone;
  }
}

/** Files named bad*.lscap fail to open. */
function setup(chosen: readonly string[], present: ReadonlySet<string> = new Set()) {
  const sent: ShellEvent[] = [];
  const opened: string[] = [];
  let menuRebuilt = 0;
  const recent = new MemoryRecent(present);
  const actions = createShellActions({
    engine: {
      openCaptureFile: (a): Promise<AppResult<CaptureInfo>> => {
        opened.push(a.path);
        return Promise.resolve(a.path.includes('/bad') ? { ok: false, error: { code: 'open_failed', message: `${a.path}: not a capture` } } : { ok: true, value: info(a.path) });
      },
    },
    recent,
    chooseFiles: () => Promise.resolve(chosen),
    send: (e) => {
      sent.push(e);
    },
    recentChanged: () => {
      menuRebuilt++;
    },
  });
  return { actions, sent, opened, recent, menuRebuilt: () => menuRebuilt };
}

describe('shell actions', () => {
  it('pickCaptureFiles opens every chosen file, remembers them, and returns them', async () => {
    const s = setup(['/d/a.lscap', '/d/b.lscap']);
    const r = await s.actions.pickCaptureFiles();
    assert.deepEqual(r, { ok: true, value: [info('/d/a.lscap'), info('/d/b.lscap')] });
    assert.deepEqual(s.recent.files, ['/d/b.lscap', '/d/a.lscap']);
    assert.equal(s.menuRebuilt(), 2);
    assert.deepEqual(s.sent, []);
  });

  it('pickCaptureFiles: a cancelled dialog opens nothing', async () => {
    const s = setup([]);
    assert.deepEqual(await s.actions.pickCaptureFiles(), { ok: true, value: [] });
    assert.deepEqual(s.opened, []);
  });

  it('pickCaptureFiles: failures are notices beside what opened, or the answer when nothing did', async () => {
    const some = setup(['/d/a.lscap', '/d/bad1.lscap']);
    const r = await some.actions.pickCaptureFiles();
    assert.equal(r.ok && r.value.length, 1);
    assert.deepEqual(some.sent.map((e) => e.kind), ['notice']);
    const none = setup(['/d/bad1.lscap', '/d/bad2.lscap']);
    const r2 = await none.actions.pickCaptureFiles();
    assert.equal(r2.ok, false);
    assert.match(r2.error.message, /bad1/);
    assert.equal(none.sent.length, 1);
    assert.match(JSON.stringify(none.sent[0]), /bad2/);
    assert.deepEqual(none.recent.files, []);
  });

  it('File › Open Capture… tells the UI what opened', async () => {
    const s = setup(['/d/a.lscap']);
    await s.actions.openFromMenu();
    assert.deepEqual(s.sent, [{ kind: 'opened', captures: [info('/d/a.lscap')] }]);
  });

  it('Open Recent opens the file; one that fails leaves the list with a notice', async () => {
    const s = setup([]);
    s.recent.files = ['/d/bad.lscap', '/d/a.lscap'];
    await s.actions.openRecent('/d/a.lscap');
    assert.deepEqual(s.sent, [{ kind: 'opened', captures: [info('/d/a.lscap')] }]);
    assert.deepEqual(s.recent.files, ['/d/a.lscap', '/d/bad.lscap']);
    await s.actions.openRecent('/d/bad.lscap');
    assert.deepEqual(s.recent.files, ['/d/a.lscap']);
    assert.equal(s.sent[1]?.kind, 'notice');
  });

  it('pruneRecent drops gone files with one note; none gone, no note', () => {
    const s = setup([], new Set(['/d/a.lscap']));
    s.recent.files = ['/d/a.lscap', '/d/gone.lscap'];
    s.actions.pruneRecent();
    assert.deepEqual(s.recent.files, ['/d/a.lscap']);
    assert.equal(s.sent.length, 1);
    assert.match(JSON.stringify(s.sent[0]), /gone\.lscap/);
    s.actions.pruneRecent();
    assert.equal(s.sent.length, 1);
  });

  it('only captures opened from files are remembered', () => {
    const s = setup([]);
    s.actions.remember({ ...info('/d/a.lscap'), origin: 'bundled' });
    s.actions.remember({ ...info('up.lscap'), origin: 'upload', path: undefined });
    assert.deepEqual(s.recent.files, []);
    s.actions.remember(info('/d/a.lscap'));
    assert.deepEqual(s.recent.files, ['/d/a.lscap']);
  });

  it('Close Capture and the views are asked of the UI', () => {
    const s = setup([]);
    s.actions.closeCapture();
    s.actions.showView('timeline');
    assert.deepEqual(s.sent, [{ kind: 'closeCapture' }, { kind: 'view', view: 'timeline' }]);
  });
});
