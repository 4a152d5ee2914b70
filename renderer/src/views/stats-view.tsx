/**
 * The Statistics view: what the added mutex costs. For every timing metric (uring_lock hold and
 * wait, walk-window duration, contention, chain latency) its numbers, histogram and CDF, per ring
 * and per task — for the open capture (A) and, when the user picks one, a second open capture (B)
 * overlaid, with the ratio B / A: the performance-regression report (e.g. 6.1 unpatched vs 7.2
 * patched). The numbers are the engine's (captureStats), the same as `analyze --json`'s timing.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { CaptureInfo, CaptureStats } from '../../../main/core/app/app-contract.js';
import { TIMING_METRICS } from '../../../main/core/analysis/timing-stats.js';
import { api, onAppEvent } from '../bridge.js';
import { formatCount } from '../chart/format-units.js';
import { ComparisonSummary } from '../stats/comparison-summary.js';
import { MetricCard } from '../stats/metric-card.js';
import type { Side } from '../stats/stats-sides.js';
import type { CaptureViewProps } from './view-props.js';

type Loaded = { readonly state: 'loading' } | { readonly state: 'ready'; readonly stats: CaptureStats } | { readonly state: 'failed'; readonly message: string };

/**
 * The stats of one capture, fetched when its id changes and again when it grows (a live session's
 * capture); a late answer for another capture is ignored, and the old numbers stay up while new
 * ones for the same capture are on their way.
 */
function useCaptureStats(capture: CaptureInfo | undefined, notify: CaptureViewProps['notify']): Loaded | undefined {
  const [loaded, setLoaded] = useState<{ readonly id: string; readonly value: Loaded } | undefined>(undefined);
  const captureId = capture?.id;
  const bytes = capture?.bytes;
  useEffect(() => {
    if (captureId === undefined) {
      return undefined;
    }
    let live = true;
    setLoaded((old) => (old?.id === captureId ? old : { id: captureId, value: { state: 'loading' } }));
    void api.getStats({ captureId }).then((r) => {
      if (!live) {
        return;
      }
      if (r.ok) {
        setLoaded({ id: captureId, value: { state: 'ready', stats: r.value } });
      } else {
        notify(r.error);
        setLoaded({ id: captureId, value: { state: 'failed', message: r.error.message } });
      }
    });
    return () => {
      live = false;
    };
  }, [captureId, bytes, notify]);
  return captureId === undefined ? undefined : loaded?.id === captureId ? loaded.value : { state: 'loading' };
}

function useOpenCaptures(): readonly CaptureInfo[] {
  const [list, setList] = useState<readonly CaptureInfo[]>([]);
  useEffect(() => {
    void api.listCaptures({}).then((r) => {
      if (r.ok) {
        setList(r.value);
      }
    });
    return onAppEvent((e) => {
      if (e.name === 'captures') {
        setList(e.payload as readonly CaptureInfo[]);
      }
    });
  }, []);
  return list;
}

export function StatsView(p: CaptureViewProps) {
  const captures = useOpenCaptures();
  const [compareId, setCompareId] = useState<string | undefined>(undefined);
  const others = captures.filter((c) => c.id !== p.capture.id);
  const compare = others.find((c) => c.id === compareId);
  const a = useCaptureStats(p.capture, p.notify);
  const b = useCaptureStats(compare, p.notify);

  const sides = useMemo(() => {
    const out: Side[] = [];
    if (a?.state === 'ready') {
      out.push({ id: 'a', name: p.capture.name, stats: a.stats });
      if (compare !== undefined && b?.state === 'ready') {
        out.push({ id: 'b', name: compare.name, stats: b.stats });
      }
    }
    return out;
  }, [a, b, p.capture.name, compare]);

  const ready = a?.state === 'ready' && (compare === undefined || b?.state === 'ready');
  const bad = sides.reduce((n, s) => n + s.stats.badDurations, 0);
  return (
    <section class="stats-view" data-capture={p.capture.name} data-state={ready ? 'ready' : 'loading'} data-compare={compare?.name ?? ''}>
      <header class="stats-head">
        <div class="stats-which">
          <h2>What the lock costs</h2>
          {[
            { id: 'a', name: p.capture.name, loaded: a },
            ...(compare === undefined ? [] : [{ id: 'b', name: compare.name, loaded: b }]),
          ].map((s) => (
            <p key={s.id} class="stats-capture" data-side={s.id}>
              {compare !== undefined ? <span class={`side-tag side-${s.id}`}>{s.id.toUpperCase()}</span> : null}
              <strong>{s.name}</strong>{' '}
              <span class="muted">
                {s.loaded?.state === 'ready' ? s.loaded.stats.origin : s.loaded?.state === 'failed' ? s.loaded.message : 'loading…'}
              </span>
            </p>
          ))}
        </div>
        <label class="stats-compare">
          Compare with{' '}
          <select
            data-testid="stats-compare"
            value={compare?.id ?? ''}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setCompareId(v === '' ? undefined : v);
            }}
          >
            <option value="">no other capture</option>
            {others.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      </header>
      <p class="stats-about">
        Durations from the capture's probes, in log histograms: counts, min, max and mean are exact; p50, p90 and p99 are within 0.8 %. The
        same numbers as <code>lockscope analyze --json</code> (timing).
        {compare !== undefined ? ' B / A above ×1 means B takes longer (or has more samples).' : ' Pick a second open capture to compare, e.g. unpatched against patched.'}
        {bad > 0 ? ` ${formatCount(bad)} durations were left out (negative or absurd: CPU clocks that disagree).` : ''}
      </p>
      {a?.state === 'failed' ? <p class="empty">{a.message}</p> : null}
      {sides[0] !== undefined && sides[1] !== undefined ? <ComparisonSummary metrics={TIMING_METRICS} a={sides[0]} b={sides[1]} /> : null}
      {sides.length === 0 ? <p class="empty">Loading statistics…</p> : TIMING_METRICS.map((m) => <MetricCard key={m} metric={m} sides={sides} />)}
    </section>
  );
}
