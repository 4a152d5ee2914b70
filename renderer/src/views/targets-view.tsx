/**
 * Targets: the machines Lockscope can trace (this one, saved ones, ~/.ssh/config hosts), adding,
 * editing and deleting them, preflight with each check's remediation and the probe plan, and
 * starting a session (which switches to the Live session view).
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { AppError, PreflightReport, TargetEntry } from '../../../main/core/app/app-contract.js';
import { api } from '../bridge.js';
import { PreflightPanel } from '../targets/preflight-panel.js';
import { SessionForm } from '../targets/session-form.js';
import { TargetForm } from '../targets/target-form.js';
import { isRunning } from '../targets/session-text.js';
import { useSessions } from '../targets/use-sessions.js';

type PreflightState = { readonly kind: 'running' } | { readonly kind: 'done'; readonly report: PreflightReport } | { readonly kind: 'error'; readonly error: AppError };

/** Preflight results outlive the view (switching views and back keeps them); a reload runs them again. */
const preflights = new Map<string, PreflightState>();
const LOCAL: TargetEntry = { id: 'local', address: 'local', label: 'This machine', fromSshConfig: false };

function ReadyBadge(p: { readonly report: PreflightReport }) {
  const failed = p.report.checks.some((c) => c.status === 'fail');
  return p.report.ready ? (
    <span class={`badge ${failed ? 'partial' : 'ok'}`} title={failed ? 'a session can run, but its walks will be UNKNOWN' : 'ready to trace'}>
      {failed ? 'walks unknown' : 'ready'}
    </span>
  ) : (
    <span class="badge bad">not ready</span>
  );
}

function kindOf(t: TargetEntry): string {
  return t.id === 'local' ? 'local' : t.fromSshConfig ? 'ssh config' : 'saved';
}

export function TargetsView(p: { readonly notify: (e: AppError) => void; readonly onSessionStarted: (sessionId: string) => void }) {
  const { notify } = p;
  const [targets, setTargets] = useState<readonly TargetEntry[]>([]);
  const [listError, setListError] = useState<string | undefined>(undefined);
  const [selected, setSelected] = useState<string>('local');
  const [form, setForm] = useState<{ readonly editing: TargetEntry | undefined } | undefined>(undefined);
  const [, setTick] = useState(0);
  const sessions = useSessions(notify);

  const reload = useCallback(async (): Promise<void> => {
    const r = await api.listTargets({});
    if (r.ok) {
      setTargets(r.value);
      setListError(undefined);
    } else {
      // targets.json is damaged (or unreadable): say so, and still offer this machine.
      setTargets([LOCAL]);
      setListError(r.error.message);
      notify(r.error);
    }
  }, [notify]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const runPreflight = async (id: string): Promise<void> => {
    preflights.set(id, { kind: 'running' });
    setTick((n) => n + 1);
    const r = await api.runPreflight({ targetId: id });
    preflights.set(id, r.ok ? { kind: 'done', report: r.value } : { kind: 'error', error: r.error });
    setTick((n) => n + 1);
  };

  const remove = async (t: TargetEntry): Promise<void> => {
    if (!window.confirm(`Delete the target ${t.label} (${t.address})? Its captures stay where they are.`)) {
      return;
    }
    const r = await api.deleteTarget({ targetId: t.id });
    if (!r.ok) {
      notify(r.error);
      return;
    }
    preflights.delete(t.id);
    setSelected('local');
    await reload();
  };

  const target = targets.find((t) => t.id === selected) ?? targets[0];
  const pf = target === undefined ? undefined : preflights.get(target.id);
  const running = target === undefined ? undefined : sessions.find((s) => s.targetId === target.id && isRunning(s));
  let blocked: string | undefined;
  if (running !== undefined) {
    blocked = `a session is already running on this target (${running.id}); see Live session`;
  } else if (pf?.kind === 'running') {
    blocked = 'preflight is running…';
  } else if (pf?.kind === 'error') {
    blocked = `preflight could not run: ${pf.error.message}`;
  } else if (pf?.kind === 'done' && !pf.report.ready) {
    const failed = pf.report.checks.filter((c) => c.status === 'fail').map((c) => c.title);
    blocked = `preflight failed (${failed.join(', ')}): fix what failed (each → line says how), then run preflight again`;
  }

  return (
    <section class="targets-view">
      <aside class="target-list panel">
        <div class="row spread">
          <h3>Targets</h3>
          <button
            data-testid="add-target"
            onClick={() => {
              setForm({ editing: undefined });
            }}
          >
            + Add
          </button>
        </div>
        {listError === undefined ? null : (
          <p class="form-problem" role="alert" data-testid="targets-error">
            {listError}
          </p>
        )}
        <ul>
          {targets.map((t) => {
            const st = preflights.get(t.id);
            const busy = sessions.some((s) => s.targetId === t.id && isRunning(s));
            return (
              <li key={t.id}>
                <button
                  class={`target-item${t.id === target?.id ? ' active' : ''}`}
                  data-target={t.id}
                  onClick={() => {
                    setSelected(t.id);
                    setForm(undefined);
                  }}
                >
                  <span class="target-label">{t.label}</span>
                  <span class="target-address mono">{t.address}</span>
                  <span class="target-tags">
                    <span class="badge">{kindOf(t)}</span>
                    {busy ? <span class="badge live">session</span> : null}
                    {st?.kind === 'done' ? <ReadyBadge report={st.report} /> : null}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
        <p class="hint">Hosts are offered from ~/.ssh/config (Host entries without wildcards).</p>
      </aside>
      <div class="target-detail">
        {form !== undefined ? (
          <TargetForm
            key={form.editing?.id ?? 'new'}
            editing={form.editing}
            notify={notify}
            onCancel={() => {
              setForm(undefined);
            }}
            onSaved={(t) => {
              setForm(undefined);
              setSelected(t.id);
              void reload();
            }}
          />
        ) : null}
        {target === undefined ? null : (
          <>
            <div class="panel target-head">
              <div>
                <h2 data-testid="target-title">{target.label}</h2>
                <div class="mono muted">{target.address}</div>
              </div>
              <div class="row">
                <button class="primary" data-testid="run-preflight" disabled={pf?.kind === 'running'} onClick={() => void runPreflight(target.id)}>
                  {pf?.kind === 'running' ? 'Preflight running…' : pf === undefined ? 'Run preflight' : 'Run preflight again'}
                </button>
                {target.id === 'local' ? null : (
                  <button
                    onClick={() => {
                      setForm({ editing: target });
                    }}
                  >
                    {target.fromSshConfig ? 'Save as target…' : 'Edit…'}
                  </button>
                )}
                {target.id === 'local' || target.fromSshConfig ? null : <button onClick={() => void remove(target)}>Delete</button>}
              </div>
            </div>
            {pf === undefined ? (
              <p class="hint panel">Run preflight to see what {target.label} offers for tracing, what to fix, and what a session there can prove. Over SSH it can take half a minute.</p>
            ) : pf.kind === 'running' ? (
              <p class="hint panel" data-testid="preflight-running">
                Preflight of {target.address} is running (it reads the kernel, bpftrace and tracefs; nothing is changed there)…
              </p>
            ) : pf.kind === 'error' ? (
              <p class="form-problem panel" data-testid="preflight-error">
                {pf.error.message}
              </p>
            ) : (
              <PreflightPanel report={pf.report} />
            )}
            <SessionForm
              target={target}
              blocked={blocked}
              notify={notify}
              onStarted={(s) => {
                p.onSessionStarted(s.id);
              }}
            />
          </>
        )}
      </div>
    </section>
  );
}
