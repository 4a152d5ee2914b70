/** The recent-files list in a JSON file (the app's user-data directory), written on every change. */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatRecent, parseRecent, pruneMissing, pushRecent } from './recent-files.js';

export interface RecentFiles {
  list(): readonly string[];
  add(path: string): void;
  remove(path: string): void;
  clear(): void;
  /** Drops files that are gone; returns them. */
  prune(): readonly string[];
}

export class RecentFilesStore implements RecentFiles {
  private files: readonly string[];

  constructor(
    private readonly file: string,
    private readonly exists: (path: string) => boolean = existsSync,
  ) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // No list yet (first run) or unreadable: start empty.
    }
    this.files = parseRecent(text);
  }

  list(): readonly string[] {
    return this.files;
  }

  add(path: string): void {
    this.save(pushRecent(this.files, path));
  }

  remove(path: string): void {
    this.save(this.files.filter((p) => p !== path));
  }

  clear(): void {
    this.save([]);
  }

  prune(): readonly string[] {
    const { kept, missing } = pruneMissing(this.files, this.exists);
    if (missing.length > 0) {
      this.save(kept);
    }
    return missing;
  }

  private save(files: readonly string[]): void {
    this.files = files;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      writeFileSync(tmp, formatRecent(files));
      renameSync(tmp, this.file);
    } catch {
      // The menu still shows the list for this run; it is only not remembered.
    }
  }
}
