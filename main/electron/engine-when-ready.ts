/**
 * The engine, before it exists: opening the bundled captures takes seconds (analysis with
 * evidence, on the main thread), so the app shows its window first and creates the engine once the
 * window has painted. Calls made meanwhile wait for it; event listeners are attached when it comes.
 */
import type { AppApi } from '../core/app/app-contract.js';
import { APP_METHODS } from '../core/app/app-schemas.js';
import type { EngineLike } from './ipc-main-core.js';

export function engineWhenReady(ready: Promise<EngineLike>): EngineLike {
  const api = Object.fromEntries(
    APP_METHODS.map((m) => [
      m,
      async (a: unknown): Promise<unknown> => {
        const engine = await ready;
        return (engine[m] as (a: unknown) => Promise<unknown>)(a);
      },
    ]),
  ) as unknown as AppApi;
  return {
    ...api,
    onEvent(listener) {
      let off: (() => void) | undefined;
      let cancelled = false;
      void ready.then((engine) => {
        if (!cancelled) {
          off = engine.onEvent(listener);
        }
      });
      return () => {
        cancelled = true;
        off?.();
      };
    },
  };
}
