/**
 * The target's mounts from /proc/mounts ("SOURCE MOUNTPOINT FSTYPE OPTIONS 0 0", with spaces and
 * other bytes in paths written as octal escapes such as \040): where tracefs, debugfs and
 * securityfs are.
 */

export const MOUNTS_FILE = '/proc/mounts';

export interface MountEntry {
  readonly source: string;
  readonly mountPoint: string;
  readonly fsType: string;
  readonly options: string;
}

function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseMounts(text: string): readonly MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const [source, mountPoint, fsType, options] = f;
    if (source === undefined || mountPoint === undefined || fsType === undefined) {
      continue;
    }
    out.push({ source: unescapeOctal(source), mountPoint: unescapeOctal(mountPoint), fsType, options: options ?? '' });
  }
  return out;
}

/** Mount points of a file system type, in mount order, without repeats. */
export function mountPointsOf(mounts: readonly MountEntry[], fsType: string): readonly string[] {
  return [...new Set(mounts.filter((m) => m.fsType === fsType).map((m) => m.mountPoint))];
}
