/**
 * A live session: where it stands (elapsed of its duration), its counters (events, rate, lost
 * events, probe misses, verdicts so far, calibration), a chart of the last seconds, its messages,
 * Stop; once ended, what its exit code means and its capture's verdicts. The sessions list comes
 * from the engine, so a page reload finds them again.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { AppError, SessionInfo } from '../../../main/core/app/app-contract.js';
import { api } from '../bridge.js';
import { formatCount } from '../chart/format-units.js';
import { LiveChart } from '../targets/live-chart.js';
import { exitMeaning, formatClock, formatSeconds, isRunning, STATE_TEXT } from '../targets/session-text.js';
import { useSessions } from '../targets/use-sessions.js';

export function LiveView(p: {
  readonly sessionId: string | undefined;
  readonly notify: (e: AppError) => void;
  readonly onSelectSession: (id: string) => void;
  /** Shows a capture's verdicts (the capture's tab). */
  readonly onOpenCapture?: (captureId: string) => void;
}) {
  const sessions = useSessions(p.notify);
  const s = sessions.find((x) => x.id === p.sessionId) ?? sessions[sessions.length - 1];
  return (
    <section class="live-view">
      <aside class="session-list panel">
        <h3>Sessions</h3>
        {sessions.length === 0 ? <p class="hint">No session yet: start one from Targets.</p> : null}
        <ul>
          {[...sessions].reverse().map((x) => (
            <li key={x.id}>
              <button
                class={`session-item${x.id === s?.id ? ' active' : ''}`}
                data-session={x.id}
                onClick={() => {
                  p.onSelectSession(x.id);
                }}
              >
                <span class={`session-state session-state-${x.state}`}>{STATE_TEXT[x.state]}</span>
                <span class="mono">{x.address}</span>
                <span class="muted">
                  {formatClock(x.startedAt)} · {x.durationS} s
                </span>
              </button>
            </li>
          ))}
        </ul>
      </aside>
      {s === undefined ? null : <SessionPanel key={s.id} s={s} notify={p.notify} onOpenCapture={p.onOpenCapture} />}
    </section>
  );
}

function elapsedText(s: SessionInfo, elapsedMs: number): string {
  const durationMs = s.durationS * 1000;
  switch (s.state) {
    case 'preflight':
      return 'checking the target and planning the probes…';
    case 'attaching':
      return 'bpftrace is attaching its probes…';
    case 'recording':
    case 'stopping':
    case 'finished':
    case 'failed': {
      const traced = `${formatSeconds(Math.min(elapsedMs, durationMs) / 1000)} of ${formatSeconds(s.durationS)}`;
      if (elapsedMs <= durationMs) {
        return traced;
      }
      const extraS = (elapsedMs - durationMs) / 1000;
      if (s.state === 'stopping') {
        return `${traced}; bpftrace is printing what it still holds${extraS >= 1 ? ` (${formatSeconds(extraS)} so far)` : ''}`;
      }
      return extraS >= 1 ? `${traced}, then ${formatSeconds(extraS)} while bpftrace printed what it held` : traced;
    }
  }
}

function Counter(p: { readonly label: string; readonly value: string; readonly testId?: string; readonly tone?: string; readonly title?: string }) {
  return (
    <div class={`counter${p.tone === undefined ? '' : ` tone-${p.tone}`}`} title={p.title}>
      <div class="counter-label">{p.label}</div>
      <div class="counter-value num" data-testid={p.testId}>
        {p.value}
      </div>
    </div>
  );
}

function SessionPanel(p: { readonly s: SessionInfo; readonly notify: (e: AppError) => void; readonly onOpenCapture: ((captureId: string) => void) | undefined }) {
  const { s } = p;
  const c = s.counters;
  const running = isRunning(s);
  const elapsedMs = c?.elapsedMs ?? 0;
  const durationMs = s.durationS * 1000;
  const pct = Math.min(100, (100 * elapsedMs) / durationMs);
  const logRef = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const el = logRef.current;
    if (el !== null) {
      el.scrollTop = el.scrollHeight;
    }
  }, [s.log.length]);

  const stop = async (): Promise<void> => {
    const r = await api.stopSession({ sessionId: s.id });
    if (!r.ok) {
      p.notify(r.error);
    }
  };

  const meaning = s.exitCode === undefined ? undefined : exitMeaning(s.exitCode);
  const openCapture = p.onOpenCapture;
  return (
    <div class="session-panel" data-testid="session" data-state={s.state}>
      <div class="panel session-head">
        <div>
          <h2>
            <span class={`session-state session-state-${s.state}`} data-testid="session-state">
              {STATE_TEXT[s.state]}
            </span>{' '}
            <span class="mono">{s.address}</span>
          </h2>
          <div class="muted">
            session {s.id} · started {formatClock(s.startedAt)} · {s.durationS} s · workload {s.workload ?? 'none'}
          </div>
        </div>
        {running ? (
          <button
            class="danger"
            data-testid="stop-session"
            onClick={() => void stop()}
            title={
              s.state === 'stopping'
                ? 'Stops bpftrace at once, as a second Ctrl-C does: what it still holds is dropped (the capture says so)'
                : 'Stops bpftrace as Ctrl-C does: it prints its END totals and the capture is closed'
            }
          >
            {s.state === 'stopping' ? 'Stop now' : 'Stop'}
          </button>
        ) : null}
      </div>

      <div class="panel">
        <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)}>
          <div class="progress-bar" style={{ width: `${pct}%` }} />
        </div>
        <div class="row spread muted">
          <span data-testid="elapsed">
            {elapsedText(s, elapsedMs)}
          </span>
          <span>
            capture (saved as it grows): <span class="mono" data-testid="capture-path">{s.capturePath}</span>
          </span>
        </div>
        <div class="counters">
          <Counter label="events" value={formatCount(c?.events ?? 0)} testId="events" />
          <Counter label="events/s" value={formatCount(Math.round(c?.rate ?? 0))} testId="rate" />
          <Counter label="lost events" value={formatCount(c?.lostEvents ?? 0)} testId="lost" tone={(c?.lostEvents ?? 0) > 0 ? 'warn' : undefined} title="events bpftrace could not deliver (its buffers were full)" />
          <Counter label="probe misses" value={c?.misses === undefined ? 'not counted' : formatCount(c.misses)} testId="misses" title="hits the kernel could not deliver to a probe; not counted where the miss reader cannot run" />
          <Counter label="HELD" value={formatCount(c?.held ?? 0)} testId="held" tone="held" />
          <Counter label="NOT_HELD" value={formatCount(c?.notHeld ?? 0)} testId="not-held" tone="not-held" />
          <Counter label="UNKNOWN" value={formatCount(c?.unknown ?? 0)} testId="unknown" tone="unknown" />
          <Counter
            label="counted in kernel"
            value={formatCount(c?.countedWalks ?? 0)}
            testId="counted"
            tone="text"
            title="routine walks the kernel counted by shape without a record; each shape gets its verdict when the session ends"
          />
          <Counter label="calibration" value={c?.calibration ?? '–'} testId="calibration" tone="text" />
        </div>
      </div>

      {meaning === undefined && s.state !== 'failed' ? null : (
        <div class={`panel session-outcome tone-${meaning?.tone ?? 'error'}`} data-testid="outcome">
          <strong>{meaning?.title ?? 'The session failed'}</strong>
          <span>{meaning?.text ?? s.failure ?? 'see the log below'}</span>
          {meaning !== undefined && s.failure !== undefined ? <span>{s.failure}</span> : null}
          {s.captureId !== undefined && openCapture !== undefined ? (
            <div>
              <button
                class="primary"
                data-testid="open-verdicts"
                onClick={() => {
                  if (s.captureId !== undefined) {
                    openCapture(s.captureId);
                  }
                }}
              >
                Open its verdicts
              </button>
            </div>
          ) : null}
        </div>
      )}

      <div class="panel">
        <h4>The last seconds</h4>
        {s.samples.length < 2 ? <p class="hint">The chart starts once the probes have been attached for two seconds.</p> : <LiveChart samples={s.samples} />}
      </div>

      <div class="panel">
        <h4>Log</h4>
        <pre class="session-log" ref={logRef} data-testid="session-log">
          {s.log.join('\n')}
        </pre>
      </div>
    </div>
  );
}
