/** A target's preflight: each check with what was found and what to do, then the probe plan and what it can prove. */
import type { PreflightReport } from '../../../main/core/app/app-contract.js';
import { CHECK_TEXT } from './session-text.js';

/** The plan's rule lines (what HELD and NOT_HELD can rest on) and its warnings and notes: formatPlan puts them last. */
function provesPart(plan: string): string {
  const lines = plan.split('\n');
  const first = lines.findIndex((l) => l.startsWith('rule '));
  return first < 0 ? 'the plan names no rule' : lines.slice(first).join('\n').trimEnd();
}

export function PreflightPanel(p: { readonly report: PreflightReport }) {
  const r = p.report;
  const counts = { ok: 0, warn: 0, fail: 0, skipped: 0 };
  for (const c of r.checks) {
    counts[c.status]++;
  }
  return (
    <section class="preflight" data-testid="preflight">
      <p class={`preflight-summary ${r.ready ? (counts.fail > 0 ? 'partial' : 'ready') : 'blocked'}`} data-testid="preflight-summary">
        {r.checks.length} checks: {counts.ok} ok, {counts.warn} {counts.warn === 1 ? 'warning' : 'warnings'}, {counts.fail} failed, {counts.skipped} skipped —{' '}
        {r.ready
          ? counts.fail > 0
            ? 'a session can run, but what failed makes walks UNKNOWN (the plan below says why)'
            : 'ready to trace'
          : 'not ready: fix what failed before tracing'}
      </p>
      <table class="checks">
        <tbody>
          {r.checks.map((c) => (
            <tr key={c.id} class={`check check-${c.status}`} data-check={c.id} data-status={c.status}>
              <td class="status">
                <span class={`check-pill check-pill-${c.status}`}>{CHECK_TEXT[c.status]}</span>
              </td>
              <th scope="row">{c.title}</th>
              <td>
                <div class="found">{c.found}</div>
                {c.remediation === undefined ? null : (
                  <div class="remedy" data-testid="remediation">
                    → {c.remediation}
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h4>What a session here can prove</h4>
      {r.planText === undefined ? (
        <p class="hint">No plan: without a usable bpftrace nothing can be attached.</p>
      ) : (
        <>
          <pre class="plan proves" data-testid="proves">
            {provesPart(r.planText)}
          </pre>
          <details class="plan-details">
            <summary>The probe plan (every site, its mechanism, why)</summary>
            <pre class="plan" data-testid="plan">
              {r.planText}
            </pre>
          </details>
        </>
      )}
    </section>
  );
}
