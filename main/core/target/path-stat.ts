/**
 * Which paths exist on the target, from one `stat` over all of them: a line "PATH|SIZE|TYPE" per
 * path that exists; the missing ones go to standard error (and make the exit code 1). One command
 * for every existence check keeps an SSH preflight to a few round trips.
 */

export interface PathStat {
  readonly path: string;
  readonly size: number;
  /** As stat names it: "regular file", "directory", "regular empty file", … */
  readonly type: string;
}

export const STAT_FORMAT = '%n|%s|%F';

export function statArgv(paths: readonly string[]): readonly string[] {
  return ['stat', '-L', '-c', STAT_FORMAT, '--', ...paths];
}

/** Path → what stat said; paths it did not list do not exist (or cannot be reached). */
export function parseStat(text: string): ReadonlyMap<string, PathStat> {
  const found = new Map<string, PathStat>();
  for (const line of text.split('\n')) {
    const b = line.lastIndexOf('|');
    const a = b < 0 ? -1 : line.lastIndexOf('|', b - 1);
    if (a <= 0) {
      continue;
    }
    const size = Number(line.slice(a + 1, b));
    if (!Number.isSafeInteger(size)) {
      continue;
    }
    const path = line.slice(0, a);
    found.set(path, { path, size, type: line.slice(b + 1) });
  }
  return found;
}
