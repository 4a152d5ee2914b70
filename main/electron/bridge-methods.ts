/**
 * The verbs the preload exposes, as a plain list: importing APP_METHODS would bundle zod (800 kB)
 * into every window's preload for a handful of names. It cannot drift from the contract: the compiler
 * rejects a name that is not an AppApi method and fails below while one is missing, and
 * test/electron/preload-bundle.test.ts checks the built bundle against APP_METHODS.
 */
import type { AppMethod } from '../core/app/app-contract.js';
import type { ShellMethod } from '../core/app/shell-contract.js';

export const BRIDGE_APP_METHODS = [
  'listCaptures',
  'openCaptureFile',
  'openCaptureBytes',
  'closeCapture',
  'getSummary',
  'queryWalks',
  'getWalk',
  'findRequest',
  'getTimeline',
  'getStats',
  'listTargets',
  'saveTarget',
  'deleteTarget',
  'runPreflight',
  'startSession',
  'stopSession',
  'listSessions',
] as const satisfies readonly AppMethod[];

export const BRIDGE_SHELL_METHODS = ['pickCaptureFiles'] as const satisfies readonly ShellMethod[];

/** Fails to compile while an AppApi or ShellApi method is missing from the lists above. */
type MissingApp = Exclude<AppMethod, (typeof BRIDGE_APP_METHODS)[number]>;
type MissingShell = Exclude<ShellMethod, (typeof BRIDGE_SHELL_METHODS)[number]>;
export const BRIDGE_COMPLETE: [MissingApp, MissingShell] extends [never, never] ? true : { readonly missingApp: MissingApp; readonly missingShell: MissingShell } = true;
