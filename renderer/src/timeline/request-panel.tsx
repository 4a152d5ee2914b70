/**
 * One request address in the request timeline: the walks whose req or next it is (a click opens
 * one in the lanes above) and its lifecycle — submit, link, queue, complete, fail, free — with
 * times, as `lockscope inspect --req ADDR` lists them. Or, when no event mentions the address,
 * a notice saying so.
 */
import type { AppError, RequestEvent, RequestLookup } from '../../../main/core/app/app-contract.js';
import { formatCount } from '../chart/format-units.js';
import { formatAt } from './walk-panel.js';

/** What a request lookup gave: the request, or why there is none. */
export type RequestFound = { readonly kind: 'found'; readonly request: RequestLookup } | { readonly kind: 'missing'; readonly addr: string; readonly error: AppError };

/** What the picker was given: a walk number, a request address (0x…, as the engine takes it), or neither. */
export type PickedInput = { readonly kind: 'walk'; readonly index: number } | { readonly kind: 'request'; readonly addr: string } | { readonly kind: 'invalid'; readonly text: string };

export function parsePick(text: string): PickedInput {
  const t = text.trim().toLowerCase();
  if (/^0x[0-9a-f]{1,16}$/.test(t)) {
    return { kind: 'request', addr: t };
  }
  // The kernel prints addresses without 0x too (16 hex digits with a letter among them).
  if (/^[0-9a-f]{16}$/.test(t) && /[a-f]/.test(t)) {
    return { kind: 'request', addr: `0x${t}` };
  }
  const n = Number(t.replace(/^#/, '').replace(/[,_\s]/g, ''));
  if (t !== '' && Number.isInteger(n) && n >= 1) {
    return { kind: 'walk', index: n };
  }
  return { kind: 'invalid', text };
}

const KIND_TEXT: Readonly<Record<RequestEvent['kind'], string>> = {
  submit: 'submit',
  link: 'link',
  queue_async: 'queued',
  complete: 'complete',
  fail_link: 'link failed',
  free: 'free',
};

interface RequestPanelProps {
  readonly found: RequestFound;
  /** The walk shown in the lanes, to mark it in the list. */
  readonly current: number | undefined;
  readonly onOpenWalk: (index: number) => void;
  readonly onClose: () => void;
}

export function RequestPanel({ found, current, onOpenWalk, onClose }: RequestPanelProps) {
  if (found.kind === 'missing') {
    return (
      <div class="notice tl-request-missing" role="status" data-testid="request-missing">
        <span>{found.error.message}</span>
        <button title="Dismiss" aria-label="Dismiss" onClick={onClose}>×</button>
      </div>
    );
  }
  const r = found.request;
  return (
    <div class="tl-request panel" data-testid="request-panel" data-addr={r.addr}>
      <div class="tl-bar">
        <h3>
          Request <span class="mono">{r.addr}</span>
        </h3>
        <span class="hint">
          {formatCount(r.events)} events mention it; {formatCount(r.walkTotal)} {r.walkTotal === 1 ? 'walk' : 'walks'}, {formatCount(r.lifecycleTotal)} lifecycle events. The address is recycled: each submit starts a new life, each free ends one.
        </span>
        <span class="tl-buttons">
          <button title="Close the request" data-testid="request-close" onClick={onClose}>close</button>
        </span>
      </div>
      <div class="tl-request-cols">
        <div>
          <h4>Walks with it as req or next</h4>
          {r.walks.length === 0 ? (
            <p class="hint">No walk took or returned this request.</p>
          ) : (
            <ul class="tl-request-walks" data-testid="request-walks">
              {r.walks.map((w) => (
                <li key={w.index}>
                  <button class={w.index === current ? 'current' : ''} data-walk={w.index} title={`Open walk #${formatCount(w.index)} in the lanes`} onClick={() => { onOpenWalk(w.index); }}>
                    <span class="tl-request-walk-n">#{formatCount(w.index)}</span> <span class={`verdict-badge v-${w.verdict}`}>{w.verdict}</span>{' '}
                    <span class="mono">{formatAt(w.start)}</span>{' '}
                    <span class="hint">{w.req === r.addr ? `this request → next ${w.next}` : `req ${w.req} → this request`}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {r.walkTotal > r.walks.length ? <p class="hint">The first {formatCount(r.walks.length)} of {formatCount(r.walkTotal)} walks.</p> : null}
        </div>
        <div>
          <h4>Lifecycle</h4>
          {r.lifecycle.length === 0 ? (
            <p class="hint">No submit, link, queue, completion or free of this address was recorded (the lifecycle probes may be off).</p>
          ) : (
            <ol class="tl-request-life" data-testid="request-lifecycle">
              {r.lifecycle.map((e, i) => (
                <li key={i} data-kind={e.kind}>
                  <span class="mono" title={KIND_TEXT[e.kind]}>{formatAt(e.ts)}</span> <span>{e.text}</span>
                </li>
              ))}
            </ol>
          )}
          {r.lifecycleTotal > r.lifecycle.length ? <p class="hint">The first {formatCount(r.lifecycle.length)} of {formatCount(r.lifecycleTotal)} lifecycle events.</p> : null}
        </div>
      </div>
    </div>
  );
}
