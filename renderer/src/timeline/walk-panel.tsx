/**
 * The side panel of the request timeline: the walk's verdict in its colour, the proofs, where it
 * ran, the evidence in time order (times since the capture start, and from the window entry),
 * the chain's previous and next requests, and the inspect command that prints the same walk.
 */
import { useState } from 'preact/hooks';
import type { CaptureInfo, EvidenceView, WalkDetail } from '../../../main/core/app/app-contract.js';
import { formatCount } from '../chart/format-units.js';
import { signedNs } from './lanes-options.js';
import { LOCK_PROOF_TEXT, WALK_PROOF_TEXT } from './proof-text.js';

/** ns since the capture start as seconds with every ns shown. */
export function formatAt(ns: number): string {
  return `${(ns / 1e9).toFixed(9)} s`;
}

function stateText(s: 'held' | 'not_held' | 'unknown'): string {
  return s === 'held' ? 'held' : s === 'not_held' ? 'not held' : 'unknown';
}

function EvidenceItem({ e, origin }: { readonly e: EvidenceView; readonly origin: number }) {
  const at = (ts: number) => (
    <span class="ev-time">
      <span class="mono">{formatAt(ts)}</span> <span class="hint">({ts === origin ? 'window entry' : `${signedNs(ts - origin)} from entry`})</span>
    </span>
  );
  switch (e.type) {
    case 'entry':
      return (
        <li data-ev="entry">
          {at(e.ts)}
          <div>
            <b>enter {e.site}</b>: req→link <span class="mono">{e.link}</span>, owner word <span class="mono">{e.owner}</span>, walker task <span class="mono">{e.task}</span> →{' '}
            <b class={`state-${e.state}`}>{stateText(e.state)}</b>
            <div class="hint">{e.basis}</div>
          </div>
        </li>
      );
    case 'lock_op':
      return (
        <li data-ev="lock_op">
          {at(e.ts)}
          <div>
            <b>{e.op}</b> {e.api} <span class="mono">{e.lock}</span>: req→link <span class="mono">{e.link ?? 'not read'}</span>
          </div>
        </li>
      );
    case 'exit':
      return (
        <li data-ev="exit">
          {at(e.ts)}
          <div>
            <b>return</b>: next request <span class="mono">{e.next}</span>
          </div>
        </li>
      );
    case 'walk_span':
      return (
        <li data-ev="walk_span" class="ev-walk">
          <span class="ev-time">
            <span class="mono">{formatAt(e.from)}</span> … <span class="mono">{formatAt(e.to)}</span> <span class="hint">({signedNs(e.to - e.from).replace('+', '')} wide)</span>
          </span>
          <div>
            <b>the walk happened here</b>; the lock {e.state === 'unknown' ? 'state over this span is not known' : e.state === 'held' ? 'was held throughout' : 'was not held throughout'}
          </div>
        </li>
      );
    case 'coverage':
      return (
        <li data-ev="coverage">
          <span class="ev-time">
            <span class="mono">{formatAt(e.from)}</span> … <span class="mono">{formatAt(e.to)}</span>
          </span>
          <div>miss counters of {formatCount(e.probes)} probes unchanged between these readings (no probe missed a hit)</div>
        </li>
      );
  }
}

export interface WalkPanelProps {
  readonly detail: WalkDetail;
  readonly capture: CaptureInfo;
  readonly onOpenWalk: (index: number) => void;
}

export function WalkPanel({ detail: d, capture, onOpenWalk }: WalkPanelProps) {
  const [copied, setCopied] = useState<string | undefined>(undefined);
  const r = d.row;
  const file = capture.path ?? capture.name;
  const command = `lockscope inspect ${/[\s'"]/.test(file) ? `'${file.replace(/'/g, `'\\''`)}'` : file} --walk ${r.index}`;
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(command);
      setCopied('copied');
    } catch {
      setCopied('select the command above and copy it');
    }
  };
  return (
    <aside class="walk-panel" data-testid="walk-panel" data-walk={r.index} data-verdict={r.verdict} data-start={r.start}>
      <header>
        <h3>
          Walk #{formatCount(r.index)} <span class={`verdict-badge v-${r.verdict}`} data-testid="walk-verdict">{r.verdict}</span>
        </h3>
        {r.verdict === 'UNKNOWN' ? (
          <p class="why">
            <b>why:</b> {r.reasonText} <span class="mono">[{r.reason}]</span>
            {d.detail === undefined ? null : <span>: {d.detail}</span>}
          </p>
        ) : null}
        <dl class="proofs">
          {d.lockProof === undefined ? null : (
            <>
              <dt>lock proof</dt>
              <dd>{LOCK_PROOF_TEXT[d.lockProof]}</dd>
            </>
          )}
          {d.walkProof === undefined ? null : (
            <>
              <dt>walk proof</dt>
              <dd>{WALK_PROOF_TEXT[d.walkProof]}</dd>
            </>
          )}
        </dl>
      </header>
      <dl class="facts">
        <dt>site</dt>
        <dd class="mono">{r.site}</dd>
        <dt>cpu / tid</dt>
        <dd>
          cpu {r.cpu}, tid {r.tid} (task <span class="mono">{r.task}</span>)
        </dd>
        <dt>request</dt>
        <dd>
          <span class="mono">{r.req}</span> → next <span class="mono">{r.next}</span>
        </dd>
        <dt>ring / lock</dt>
        <dd>
          ctx <span class="mono">{r.ctx}</span>, uring_lock <span class="mono">{r.lock}</span>
        </dd>
        <dt>window</dt>
        <dd>
          <span class="mono">{formatAt(r.start)}</span> for {r.end === undefined ? 'an unknown time (never closed)' : signedNs(r.end - r.start).replace('+', '')}
        </dd>
      </dl>
      <div class="chain">
        <button data-testid="chain-previous" disabled={d.previous === undefined} title="The walk that returned this request as its next" onClick={() => { if (d.previous !== undefined) { onOpenWalk(d.previous); } }}>
          ← previous in chain{d.previous === undefined ? ': not seen' : `: #${formatCount(d.previous)}`}
        </button>
        <button data-testid="chain-next" disabled={d.following === undefined} title="The walk of the request this one returned" onClick={() => { if (d.following !== undefined) { onOpenWalk(d.following); } }}>
          next in chain{d.following === undefined ? ': not seen' : `: #${formatCount(d.following)}`} →
        </button>
      </div>
      <h4>Evidence</h4>
      <ol class="evidence" data-testid="evidence">
        {d.evidence.map((e, i) => (
          <EvidenceItem key={i} e={e} origin={r.start} />
        ))}
      </ol>
      <div class="inspect">
        <code class="mono" data-testid="inspect-command">{command}</code>
        <button data-testid="copy-inspect" onClick={() => void copy()}>
          copy inspect command
        </button>
        {copied === undefined ? null : <span class="hint">{copied}</span>}
      </div>
      <details>
        <summary>as lockscope inspect prints it</summary>
        <pre class="mono inspect-text">{d.text}</pre>
      </details>
    </aside>
  );
}
