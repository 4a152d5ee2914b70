/**
 * The app's frame: the open captures as tabs, the views, the notices. Each view gets the ids it
 * needs and asks the engine (through the bridge) for its own data.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { AppError, AppResult, CaptureInfo, ShellEvent } from '../../main/core/app/app-contract.js';
import { assertUnreachable } from '../../main/core/util/assert-unreachable.js';
import type { Notice, Theme, ViewId } from './app-state.js';
import { VIEW_KEYS, VIEW_TITLES, VIEWS } from './app-state.js';
import { api, onAppEvent, shell } from './bridge.js';
import { openDroppedFiles } from './open-files.js';
import { VerdictsView } from './views/verdicts-view.js';
import { TimelineView } from './views/timeline-view.js';
import { StatsView } from './views/stats-view.js';
import { TargetsView } from './views/targets-view.js';
import { LiveView } from './views/live-view.js';

function initialTheme(): Theme {
  const saved = localStorage.getItem('lockscope.theme');
  if (saved === 'light' || saved === 'dark') {
    return saved;
  }
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function App() {
  const [captures, setCaptures] = useState<readonly CaptureInfo[]>([]);
  const [captureId, setCaptureId] = useState<string | undefined>(undefined);
  const [view, setView] = useState<ViewId>('verdicts');
  const [walk, setWalk] = useState<number | undefined>(undefined);
  const [sessionId, setSessionId] = useState<string | undefined>(undefined);
  const [notices, setNotices] = useState<readonly Notice[]>([]);
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [dragging, setDragging] = useState(false);

  const notify = useCallback((error: AppError) => {
    setNotices((n) => [...n.slice(-4), { id: Date.now() + Math.random(), error }]);
  }, []);

  /** Shows a failed result as a notice; returns the value of a good one. */
  const take = useCallback(
    <T,>(r: AppResult<T>): T | undefined => {
      if (r.ok) {
        return r.value;
      }
      notify(r.error);
      return undefined;
    },
    [notify],
  );

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('lockscope.theme', theme);
  }, [theme]);

  useEffect(() => {
    void api.listCaptures({}).then((r) => {
      const list = take(r);
      if (list !== undefined) {
        setCaptures(list);
        setCaptureId((id) => id ?? list[0]?.id);
      }
    });
    return onAppEvent((e) => {
      if (e.name === 'captures') {
        const list = e.payload as readonly CaptureInfo[];
        setCaptures(list);
        setCaptureId((id) => (id !== undefined && list.some((c) => c.id === id) ? id : list[list.length - 1]?.id));
      }
    });
  }, [take]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.altKey && !e.ctrlKey && !e.metaKey) {
        const v = VIEWS.find((id) => VIEW_KEYS[id] === e.key);
        if (v !== undefined) {
          e.preventDefault();
          setView(v);
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
    };
  }, []);

  const opened = (list: readonly CaptureInfo[]): void => {
    const last = list[list.length - 1];
    if (last !== undefined) {
      setCaptureId(last.id);
      setView('verdicts');
      setWalk(undefined);
    }
  };

  // The desktop shell's menu: switch view, close the current capture, show what it opened, a notice.
  useEffect(
    () =>
      onAppEvent((e) => {
        if (e.name !== 'shell') {
          return;
        }
        const s = e.payload as ShellEvent;
        switch (s.kind) {
          case 'view':
            setView(s.view);
            break;
          case 'closeCapture':
            if (captureId !== undefined) {
              void closeCapture(captureId);
            }
            break;
          case 'opened':
            opened(s.captures);
            break;
          case 'notice':
            notify(s.error);
            break;
          default:
            assertUnreachable(s);
        }
      }),
    [captureId],
  );

  const openFiles = async (files: readonly File[]): Promise<void> => {
    opened(await openDroppedFiles(files, notify));
  };

  const openWalk = (index: number): void => {
    setWalk(index);
    setView('timeline');
  };

  const closeCapture = async (id: string): Promise<void> => {
    take(await api.closeCapture({ captureId: id }));
  };

  const current = captures.find((c) => c.id === captureId);
  return (
    <div
      class={`app${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => {
        setDragging(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        void openFiles([...(e.dataTransfer?.files ?? [])]);
      }}
    >
      <header class="topbar">
        <div class="brand" title="Lockscope: proves or disproves kernel locking rules">
          <span class="logo" aria-hidden="true">◎</span> Lockscope
        </div>
        <nav class="views" role="tablist" aria-label="Views">
          {VIEWS.map((v) => (
            <button key={v} role="tab" aria-selected={view === v} class={view === v ? 'active' : ''} title={`Alt+${VIEW_KEYS[v]}`} data-view={v} onClick={() => { setView(v); }}>
              {VIEW_TITLES[v]}
            </button>
          ))}
        </nav>
        <div class="actions">
          {shell.pickCaptureFiles !== undefined ? (
            <button
              onClick={() => {
                const pick = shell.pickCaptureFiles;
                if (pick !== undefined) {
                  void pick().then((r) => {
                    const list = take(r);
                    if (list !== undefined) {
                      opened(list);
                    }
                  });
                }
              }}
            >
              Open capture…
            </button>
          ) : (
            <label class="button">
              Open capture…
              <input
                type="file"
                accept=".lscap"
                multiple
                hidden
                data-testid="open-file"
                onChange={(e) => {
                  const input = e.currentTarget;
                  void openFiles([...(input.files ?? [])]).then(() => {
                    input.value = '';
                  });
                }}
              />
            </label>
          )}
          <button
            class="theme"
            title="Light or dark theme"
            aria-label="Toggle theme"
            onClick={() => {
              setTheme(theme === 'dark' ? 'light' : 'dark');
            }}
          >
            {theme === 'dark' ? '☀' : '☾'}
          </button>
        </div>
      </header>
      <div class="captures" role="tablist" aria-label="Open captures">
        {captures.map((c) => (
          <div key={c.id} class={`capture-tab${c.id === captureId ? ' active' : ''}`} data-capture={c.name}>
            <button
              role="tab"
              aria-selected={c.id === captureId}
              title={c.path ?? c.name}
              onClick={() => {
                setCaptureId(c.id);
                setWalk(undefined);
              }}
            >
              {c.origin === 'bundled' ? <span class="badge">bundled</span> : null}
              {c.sessionId !== undefined ? <span class="badge live">live</span> : null}
              {c.name}
            </button>
            <button class="close" aria-label={`Close ${c.name}`} title="Close" onClick={() => void closeCapture(c.id)}>
              ×
            </button>
          </div>
        ))}
        {captures.length === 0 ? <span class="hint">No capture open: open one, drop a .lscap file here, or start a session from Targets.</span> : null}
      </div>
      <div class="notices" role="alert">
        {notices.map((n) => (
          <div key={n.id} class="notice" data-code={n.error.code}>
            <span>{n.error.message}</span>
            <button
              aria-label="Dismiss"
              onClick={() => {
                setNotices((all) => all.filter((x) => x.id !== n.id));
              }}
            >
              ×
            </button>
          </div>
        ))}
      </div>
      <main class="view" data-view={view}>
        {view === 'targets' ? (
          <TargetsView
            notify={notify}
            onSessionStarted={(id) => {
              setSessionId(id);
              setView('live');
            }}
          />
        ) : null}
        {view === 'live' ? (
          <LiveView
            sessionId={sessionId}
            notify={notify}
            onSelectSession={setSessionId}
            onOpenCapture={(id) => {
              setCaptureId(id);
              setWalk(undefined);
              setView('verdicts');
            }}
          />
        ) : null}
        {view === 'verdicts' ? current === undefined ? <Empty /> : <VerdictsView capture={current} notify={notify} onOpenWalk={openWalk} /> : null}
        {view === 'timeline' ? current === undefined ? <Empty /> : <TimelineView capture={current} walk={walk} notify={notify} onOpenWalk={openWalk} /> : null}
        {view === 'stats' ? current === undefined ? <Empty /> : <StatsView capture={current} notify={notify} /> : null}
      </main>
    </div>
  );
}

function Empty() {
  return <p class="empty">Open a capture (or drop one here) to see its verdicts.</p>;
}
