/** What the shell of the UI remembers: the open captures, the view, the selection. */
import type { AppError } from '../../main/core/app/app-contract.js';

export const VIEWS = ['targets', 'live', 'verdicts', 'timeline', 'stats'] as const;
export type ViewId = (typeof VIEWS)[number];

export const VIEW_TITLES: { readonly [V in ViewId]: string } = {
  targets: 'Targets',
  live: 'Live session',
  verdicts: 'Verdicts',
  timeline: 'Request timeline',
  stats: 'Statistics',
};

/** Keyboard: Alt+1 … Alt+5 select a view. */
export const VIEW_KEYS: { readonly [V in ViewId]: string } = { targets: '1', live: '2', verdicts: '3', timeline: '4', stats: '5' };

export type Theme = 'light' | 'dark';

export interface Notice {
  readonly id: number;
  readonly error: AppError;
}
