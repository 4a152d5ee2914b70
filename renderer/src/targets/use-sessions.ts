/**
 * The sessions the engine knows, kept current: read once with listSessions (so a page reload
 * finds them again), then updated by each `session` event.
 */
import { useEffect, useState } from 'preact/hooks';
import type { AppError, SessionInfo } from '../../../main/core/app/app-contract.js';
import { api, onAppEvent } from '../bridge.js';

function upsert(list: readonly SessionInfo[], s: SessionInfo): readonly SessionInfo[] {
  const i = list.findIndex((x) => x.id === s.id);
  return i < 0 ? [...list, s] : [...list.slice(0, i), s, ...list.slice(i + 1)];
}

export function useSessions(notify: (e: AppError) => void): readonly SessionInfo[] {
  const [sessions, setSessions] = useState<readonly SessionInfo[]>([]);
  useEffect(() => {
    let live = true;
    const off = onAppEvent((e) => {
      if (e.name === 'session') {
        const s = e.payload as SessionInfo;
        setSessions((list) => upsert(list, s));
      }
    });
    void api.listSessions({}).then((r) => {
      if (!live) {
        return;
      }
      if (!r.ok) {
        notify(r.error);
        return;
      }
      // An event may have brought a newer state while the list was on its way: keep that one.
      setSessions((list) => r.value.reduce((acc, s) => (acc.some((x) => x.id === s.id) ? acc : upsert(acc, s)), list));
    });
    return () => {
      live = false;
      off();
    };
  }, [notify]);
  return sessions;
}
