/** Starting a session on a target: its duration, workload and evidence period. Disabled, with the reason, when it cannot start. */
import { useState } from 'preact/hooks';
import type { AppError, SessionInfo, TargetEntry } from '../../../main/core/app/app-contract.js';
import { DEFAULT_EVIDENCE_PERIOD_MS, MAX_EVIDENCE_PERIOD_MS } from '../../../main/core/bpf/evidence-period.js';
import { api } from '../bridge.js';
import { workloadSpec } from './session-text.js';

export function SessionForm(p: {
  readonly target: TargetEntry;
  /** Why a session cannot start now; undefined when it can. */
  readonly blocked: string | undefined;
  readonly onStarted: (s: SessionInfo) => void;
  readonly notify: (e: AppError) => void;
}) {
  const [duration, setDuration] = useState('30');
  const [kind, setKind] = useState<'none' | 'linkstorm'>('linkstorm');
  const [chain, setChain] = useState('4');
  const [inflight, setInflight] = useState('2');
  const [evidence, setEvidence] = useState(String(DEFAULT_EVIDENCE_PERIOD_MS));
  const [starting, setStarting] = useState(false);
  const seconds = Number(duration);
  const badDuration = !Number.isInteger(seconds) || seconds < 1 || seconds > 86_400 ? 'give a duration in whole seconds, from 1 to 86,400' : undefined;
  const badField = (v: string, max: number): boolean => v.trim() !== '' && (!/^[0-9]+$/.test(v.trim()) || Number(v) < 1 || Number(v) > max);
  const badWorkload = kind === 'linkstorm' && (badField(chain, 9999) || badField(inflight, 999_999)) ? 'chain and in-flight are whole numbers (or empty for linkstorm’s defaults)' : undefined;
  const evidenceMs = Number(evidence.trim());
  const badEvidence =
    !/^[0-9]+$/.test(evidence.trim()) || evidenceMs > MAX_EVIDENCE_PERIOD_MS
      ? 'give the evidence period in whole milliseconds, from 0 (every window recorded) to 60,000'
      : undefined;
  const why = p.blocked ?? badDuration ?? badWorkload ?? badEvidence;

  const start = async (): Promise<void> => {
    setStarting(true);
    const r = await api.startSession({ targetId: p.target.id, durationS: seconds, workload: workloadSpec(kind, chain, inflight), evidencePeriodMs: evidenceMs });
    setStarting(false);
    if (r.ok) {
      p.onStarted(r.value);
    } else {
      p.notify(r.error);
    }
  };

  return (
    <form
      class="session-form panel"
      data-testid="session-form"
      onSubmit={(e) => {
        e.preventDefault();
        void start();
      }}
    >
      <h3>Start a session on {p.target.label}</h3>
      <div class="fields">
        <label>
          Duration (s)
          <input name="duration" type="number" min={1} max={86400} step={1} value={duration} onInput={(e) => { setDuration(e.currentTarget.value); }} />
        </label>
        <label>
          Workload
          <select name="workload" value={kind} onChange={(e) => { setKind(e.currentTarget.value === 'none' ? 'none' : 'linkstorm'); }}>
            <option value="linkstorm">linkstorm (bundled linked-request generator)</option>
            <option value="none">none (trace what the machine runs)</option>
          </select>
        </label>
        {kind === 'linkstorm' ? (
          <>
            <label>
              Chain length
              <input name="chain" inputMode="numeric" value={chain} onInput={(e) => { setChain(e.currentTarget.value); }} />
            </label>
            <label>
              Chains in flight
              <input name="inflight" inputMode="numeric" value={inflight} onInput={(e) => { setInflight(e.currentTarget.value); }} />
            </label>
          </>
        ) : null}
        <label title="Every window is counted in the kernel. The first routine window of each shape, per ring and CPU, in each period is also recorded in full; unusual windows always are. 0 records every window: the most evidence, and the most overhead.">
          Evidence every (ms)
          <input name="evidence" inputMode="numeric" value={evidence} onInput={(e) => { setEvidence(e.currentTarget.value); }} />
        </label>
      </div>
      <p class="hint">
        The session checks the target again before it attaches anything, and stops there if a check fails. Its capture is written as events arrive. Every
        window is counted in the kernel; routine ones are recorded in full once per evidence period (per shape, ring and CPU), unusual ones always.
      </p>
      {why === undefined ? null : (
        <p class="form-problem" data-testid="session-blocked">
          {why}
        </p>
      )}
      <button type="submit" class="primary" disabled={why !== undefined || starting} data-testid="start-session">
        {starting ? 'Starting…' : 'Start session'}
      </button>
    </form>
  );
}
