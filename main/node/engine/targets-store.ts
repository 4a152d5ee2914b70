/**
 * STATE_DIR/targets.json on disk: read (a missing file is no targets; a damaged one is an error
 * that names the file and leaves it as it is) and written atomically (a temporary file in the
 * same directory, then rename), so a crash never leaves half a file.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SavedTarget } from '../../core/app/targets-file.js';
import { formatTargetsFile, parseTargetsFile } from '../../core/app/targets-file.js';
import type { Result } from '../../core/util/result.js';
import { err, ok } from '../../core/util/result.js';
import { describeOpenError } from '../capture-file.js';

export class TargetsStore {
  readonly file: string;

  constructor(stateDir: string) {
    this.file = join(stateDir, 'targets.json');
  }

  read(): Result<readonly SavedTarget[], string> {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      if (e instanceof Error && 'code' in e && e.code === 'ENOENT') {
        return ok([]);
      }
      return err(describeOpenError(e, this.file, 'read'));
    }
    const parsed = parseTargetsFile(text);
    return parsed.ok
      ? parsed
      : err(`${this.file}: ${parsed.error}. Saved targets are not shown and nothing is written to it until it is fixed or removed (local and ~/.ssh/config hosts still work)`);
  }

  write(targets: readonly SavedTarget[]): Result<null, string> {
    const dir = join(this.file, '..');
    const tmp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(tmp, formatTargetsFile(targets), { mode: 0o600 });
      renameSync(tmp, this.file);
      return ok(null);
    } catch (e) {
      rmSync(tmp, { force: true });
      return err(describeOpenError(e, this.file, 'create'));
    }
  }
}
