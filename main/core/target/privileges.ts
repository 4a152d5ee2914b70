/**
 * Who Lockscope is on the target and how it gets root: bpftrace, tracefs and /proc/kallsyms'
 * addresses need it. `id` gives the user; a non-root user needs `sudo -n` (no password prompt).
 */
import type { Result } from '../util/result.js';
import { err, ok } from '../util/result.js';
import type { Observed, PreflightCheck } from './preflight-check.js';
import { check } from './preflight-check.js';

export interface Identity {
  readonly uid: number;
  /** Absent when the uid has no name (`uid=1234 gid=1234`). */
  readonly user: string | undefined;
}

/** How root is reached: already root, through passwordless sudo, or not at all (and why). */
export const ROOT_ACCESS = ['root', 'sudo', 'sudo_needs_password', 'no_sudo', 'unknown'] as const;
export type RootAccess = (typeof ROOT_ACCESS)[number];

/** `id` prints "uid=0(root) gid=0(root) groups=0(root)". */
export function parseId(text: string): Result<Identity, string> {
  const m = /\buid=(\d+)(?:\(([^)]*)\))?/.exec(text);
  if (m === null) {
    return err(`no uid=N in the output of id: ${JSON.stringify(text.trim().slice(0, 200))}`);
  }
  return ok({ uid: Number(m[1]), user: m[2] });
}

export function hasRoot(a: RootAccess): boolean {
  return a === 'root' || a === 'sudo';
}

const TITLE = 'Privileges';

export function privilegesCheck(id: Observed<Identity>, access: RootAccess, detail?: string): PreflightCheck {
  const who = id.ok ? `${id.value.user ?? 'an unnamed user'} (uid ${id.value.uid})` : 'an unknown user';
  switch (access) {
    case 'root':
      return check('privileges', TITLE, 'ok', `running as ${who}`);
    case 'sudo':
      return check('privileges', TITLE, 'ok', `running as ${who}; root through passwordless sudo -n`);
    case 'sudo_needs_password':
      return check(
        'privileges',
        TITLE,
        'fail',
        `running as ${who}; sudo wants a password, and Lockscope never types one`,
        'allow passwordless sudo for this user (a sudoers NOPASSWD rule), or run Lockscope as root',
      );
    case 'no_sudo':
      return check('privileges', TITLE, 'fail', `running as ${who}, not root, and sudo -n is not available${detail === undefined ? '' : ` (${detail})`}`, 'run Lockscope as root, or install sudo and allow this user passwordless sudo');
    case 'unknown':
      return check('privileges', TITLE, 'fail', `could not tell whether root is available${detail === undefined ? '' : `: ${detail}`}`, 'run Lockscope as root');
  }
}
