/**
 * The IPC channel names, shared by the preload and ipc-main-core.ts: one channel per verb, one
 * for events. The preload exposes verbs built from these, never the channels themselves.
 */
import type { AppMethod } from '../core/app/app-contract.js';
import type { ShellMethod } from '../core/app/shell-contract.js';

export const EVENT_CHANNEL = 'lockscope:event';

export function appChannel(method: AppMethod): string {
  return `lockscope:${method}`;
}

export function shellChannel(method: ShellMethod): string {
  return `lockscope-shell:${method}`;
}
