/**
 * File › Open Recent: the last captures opened from files, newest first, at most MAX_RECENT.
 * Pure list operations; recent-files-store.ts keeps the list in the user-data directory.
 */
export const MAX_RECENT = 10;

/** The list with `path` first (moved there if it was already in it), cut to `max`. */
export function pushRecent(list: readonly string[], path: string, max: number = MAX_RECENT): readonly string[] {
  return [path, ...list.filter((p) => p !== path)].slice(0, max);
}

/** Splits the list into files that still exist and files that are gone. */
export function pruneMissing(list: readonly string[], exists: (path: string) => boolean): { readonly kept: readonly string[]; readonly missing: readonly string[] } {
  const kept: string[] = [];
  const missing: string[] = [];
  for (const p of list) {
    (exists(p) ? kept : missing).push(p);
  }
  return { kept, missing };
}

/** The saved list ({"files": [...]}); anything else (a damaged or foreign file) reads as empty. */
export function parseRecent(text: string, max: number = MAX_RECENT): readonly string[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof data !== 'object' || data === null || !('files' in data) || !Array.isArray(data.files)) {
    return [];
  }
  const files = (data.files as unknown[]).filter((f): f is string => typeof f === 'string' && f !== '' && f.length <= 4096);
  return [...new Set(files)].slice(0, max);
}

export function formatRecent(list: readonly string[]): string {
  return `${JSON.stringify({ files: list }, null, 2)}\n`;
}

/** The note shown when recent files have gone (moved or deleted) and left the list. */
export function missingNote(missing: readonly string[]): string {
  const names = missing.map((p) => p.split(/[/\\]/).pop() ?? p).join(', ');
  return missing.length === 1
    ? `Open Recent: ${names} is no longer at ${missing[0] ?? ''} and was removed from the list`
    : `Open Recent: ${missing.length} files are no longer where they were and were removed from the list (${names})`;
}
