/**
 * The request timeline (issue 4, view 4). Top: the whole capture as walks per bucket by verdict
 * with the uring_lock hold-time envelope; drag to zoom (the engine decimates the new range to the
 * chart's width), pan, reset. Below: one walk — the lanes of the tasks on its uring_lock around
 * it, a lock-state chart sharing their cursor, and beside them the verdict, proofs, evidence and
 * chain. The picker takes a walk number or a request address; an address lists that request's
 * walks (a click opens one) and its lifecycle above the lanes. With no walk chosen it shows the first NOT_HELD walk (or else the first walk) and says so.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import type { TimelineSeries, WalkDetail } from '../../../main/core/app/app-contract.js';
import { api } from '../bridge.js';
import { UPlotChart } from '../chart/uplot-chart.js';
import { chartTheme } from '../chart/chart-theme.js';
import { formatCount, formatNs } from '../chart/format-units.js';
import { lanesPicture } from '../timeline/lanes-draw.js';
import { lanesOptions } from '../timeline/lanes-options.js';
import { lockStateData, lockStateOptions } from '../timeline/lock-state.js';
import type { PickTarget } from '../timeline/overview-options.js';
import { hasHolds, holdData, holdOptions, walksData, walksOptions } from '../timeline/overview-options.js';
import type { TimeRange } from '../timeline/time-range.js';
import { panRange, selectionRange, zoomRange } from '../timeline/time-range.js';
import { useThemeKey } from '../chart/use-theme-key.js';
import { formatAt, WalkPanel } from '../timeline/walk-panel.js';
import type { RequestFound } from '../timeline/request-panel.js';
import { parsePick, RequestPanel } from '../timeline/request-panel.js';
import type { CaptureViewProps } from './view-props.js';

export interface TimelineViewProps extends CaptureViewProps {
  readonly walk: number | undefined;
  readonly onOpenWalk: (index: number) => void;
}

export function TimelineView(p: TimelineViewProps) {
  return <TimelineBody key={p.capture.id} {...p} />;
}

/** A walk shown because none was chosen, and why that one. */
interface DefaultWalk {
  readonly index: number | undefined;
  readonly note: string;
}

function verdictColour(t: ReturnType<typeof chartTheme>, v: WalkDetail['row']['verdict']): string {
  return v === 'HELD' ? t.held : v === 'NOT_HELD' ? t.notHeld : t.unknown;
}

function TimelineBody(p: TimelineViewProps) {
  const themeKey = useThemeKey();
  const theme = useMemo(() => chartTheme(), [themeKey]);
  const captureId = p.capture.id;

  // The overview: the range asked for (undefined: the whole capture) and what came back.
  const [range, setRange] = useState<TimeRange | undefined>(undefined);
  const [series, setSeries] = useState<TimelineSeries | undefined>(undefined);
  const [whole, setWhole] = useState<TimeRange | undefined>(undefined);
  const overviewBox = useRef<HTMLDivElement>(null);
  const seriesAsked = useRef(0);
  useEffect(() => {
    const n = ++seriesAsked.current;
    const width = overviewBox.current?.clientWidth ?? 1000;
    const buckets = Math.max(100, Math.min(4000, Math.round(width - 140)));
    void api.getTimeline({ captureId, fromNs: range?.from, toNs: range?.to, buckets }).then((r) => {
      if (n !== seriesAsked.current) {
        return;
      }
      if (!r.ok) {
        p.notify(r.error);
        return;
      }
      setSeries(r.value);
      if (range === undefined) {
        setWhole({ from: r.value.fromNs, to: r.value.toNs });
      }
    });
  }, [captureId, range]);

  // The walk: chosen, or the first NOT_HELD, or the first.
  const [fallback, setFallback] = useState<DefaultWalk | undefined>(undefined);
  useEffect(() => {
    if (p.walk !== undefined || fallback !== undefined) {
      return;
    }
    const q = { captureId, ctx: undefined, tid: undefined, fromNs: undefined, toNs: undefined, offset: 0, limit: 1 };
    void (async () => {
      const nh = await api.queryWalks({ ...q, verdict: 'NOT_HELD' });
      const first = nh.ok && nh.value.rows[0] !== undefined ? nh.value.rows[0] : undefined;
      if (first !== undefined) {
        setFallback({ index: first.index, note: `No walk chosen: showing the first NOT_HELD walk, #${formatCount(first.index)}.` });
        return;
      }
      const all = await api.queryWalks({ ...q, verdict: 'ALL' });
      const any = all.ok ? all.value.rows[0] : undefined;
      setFallback(any === undefined ? { index: undefined, note: 'This capture has no walks to show.' } : { index: any.index, note: `No walk chosen and none is NOT_HELD: showing the first walk, #${formatCount(any.index)}.` });
    })();
  }, [captureId, p.walk]);
  const walkIndex = p.walk ?? fallback?.index;

  const [detail, setDetail] = useState<WalkDetail | undefined>(undefined);
  const [laneRange, setLaneRange] = useState<TimeRange | undefined>(undefined);
  const walkAsked = useRef(0);
  useEffect(() => {
    if (walkIndex === undefined) {
      return;
    }
    const n = ++walkAsked.current;
    void api.getWalk({ captureId, index: walkIndex }).then((r) => {
      if (n !== walkAsked.current) {
        return;
      }
      if (!r.ok) {
        p.notify(r.error);
        return;
      }
      setDetail(r.value);
      setLaneRange({ from: r.value.fromNs, to: r.value.toNs });
    });
  }, [captureId, walkIndex]);

  const [pick, setPick] = useState('');
  // A request address looked up from the picker: its walks and lifecycle, or why there are none.
  const [request, setRequest] = useState<RequestFound | undefined>(undefined);
  const requestAsked = useRef(0);
  const openPicked = (e: Event): void => {
    e.preventDefault();
    const picked = parsePick(pick);
    switch (picked.kind) {
      case 'walk':
        p.onOpenWalk(picked.index);
        return;
      case 'request': {
        const n = ++requestAsked.current;
        void api.findRequest({ captureId, addr: picked.addr }).then((r) => {
          if (n !== requestAsked.current) {
            return;
          }
          if (r.ok) {
            setRequest({ kind: 'found', request: r.value });
          } else if (r.error.code === 'not_found' || r.error.code === 'bad_request') {
            setRequest({ kind: 'missing', addr: picked.addr, error: r.error });
          } else {
            p.notify(r.error);
          }
        });
        return;
      }
      case 'invalid':
        setRequest({ kind: 'missing', addr: picked.text, error: { code: 'bad_request', message: `"${picked.text}" is neither a walk number (like 1234) nor a request address (0x followed by up to 16 hex digits, like 0xffff888012345678).` } });
        return;
    }
  };

  const walkS = detail === undefined ? undefined : detail.row.start / 1e9;
  // A click on a bucket opens its first NOT_HELD walk, or else its first walk.
  const bucketPick = useRef<PickTarget>({ current: undefined }).current;
  bucketPick.current = (s: number): void => {
    if (series === undefined) {
      return;
    }
    const k = Math.floor((s * 1e9 - series.fromNs) / series.bucketNs);
    const from = series.fromNs + Math.max(0, k) * series.bucketNs;
    const q = { captureId, ctx: undefined, tid: undefined, fromNs: from, toNs: from + series.bucketNs, offset: 0, limit: 1 };
    void (async () => {
      const nh = await api.queryWalks({ ...q, verdict: 'NOT_HELD' });
      const row = nh.ok && nh.value.rows[0] !== undefined ? nh.value.rows[0] : await api.queryWalks({ ...q, verdict: 'ALL' }).then((r) => (r.ok ? r.value.rows[0] : undefined));
      if (row !== undefined) {
        p.onOpenWalk(row.index);
      }
    })();
  };
  const wOptions = useMemo(() => walksOptions(theme, { walkS }, bucketPick), [theme, walkS, bucketPick]);
  const hOptions = useMemo(() => holdOptions(theme, { walkS }), [theme, walkS]);
  const wData = useMemo(() => (series === undefined ? undefined : walksData(series)), [series]);
  const hData = useMemo(() => (series === undefined || !hasHolds(series) ? undefined : holdData(series)), [series]);
  const zoomTo = (a: number, b: number): void => {
    setRange(selectionRange(a * 1e9, b * 1e9));
  };
  const bounds = whole ?? (series === undefined ? undefined : { from: series.fromNs, to: series.toNs });
  const shown = series === undefined ? undefined : { from: series.fromNs, to: series.toNs };
  const moveOverview = (f: (r: TimeRange, b: TimeRange) => TimeRange): void => {
    if (shown !== undefined && bounds !== undefined) {
      setRange(f(shown, bounds));
    }
  };

  return (
    <section class="timeline" data-testid="timeline">
      <div class="tl-overview panel" ref={overviewBox}>
        <div class="tl-bar">
          <h3>Walks over the capture</h3>
          {series === undefined ? (
            <span class="hint">loading…</span>
          ) : (
            <span class="hint" data-testid="overview-range" data-from={series.fromNs} data-to={series.toNs}>
              {formatAt(series.fromNs)} – {formatAt(series.toNs)} ({formatNs(series.toNs - series.fromNs)} shown, {formatCount(series.eventsInRange)} events, {formatCount(series.t.length)} buckets of {formatNs(series.bucketNs)})
            </span>
          )}
          <span class="tl-buttons">
            <button title="Earlier" aria-label="Pan the overview earlier" data-testid="overview-left" onClick={() => { moveOverview((r, b) => panRange(r, -0.5, b)); }}>◀</button>
            <button title="Later" aria-label="Pan the overview later" data-testid="overview-right" onClick={() => { moveOverview((r, b) => panRange(r, 0.5, b)); }}>▶</button>
            <button title="Zoom out ×2" data-testid="overview-out" onClick={() => { moveOverview((r, b) => zoomRange(r, 2, b)); }}>−</button>
            <button title="The whole capture" data-testid="overview-reset" disabled={range === undefined} onClick={() => { setRange(undefined); }}>reset</button>
          </span>
        </div>
        {wData === undefined ? null : <UPlotChart options={wOptions} data={wData} height={180} testId="overview" onSelect={zoomTo} />}
        {hData === undefined ? (
          series === undefined ? null : <p class="hint tl-help" data-testid="no-holds">No uring_lock hold in this range: no task took a walk's uring_lock while the probes saw it.</p>
        ) : (
          <UPlotChart options={hOptions} data={hData} height={170} testId="overview-holds" onSelect={zoomTo} />
        )}
        <p class="hint tl-help">Click a bar to open its first NOT_HELD walk (or else its first walk); drag across a chart to zoom in (the engine folds the range into one bucket per pixel, keeping each bucket's extremes). Bars: walks per bucket by verdict. Band: the shortest to the longest uring_lock hold taken in each bucket. Dashed line: the walk shown below.</p>
      </div>

      <div class="tl-walkbar">
        <form onSubmit={openPicked} class="walk-pick">
          <label>
            walk # or request{' '}
            <input data-testid="walk-input" type="text" size={20} spellcheck={false} title="A walk number (1234) or a request address (0xffff…): the walks and lifecycle of that request" placeholder={walkIndex === undefined ? '0xffff… or 1234' : `${String(walkIndex)} or 0xffff…`} value={pick} onInput={(e) => { setPick(e.currentTarget.value); }} />
          </label>
          <button type="submit" data-testid="walk-go">show</button>
        </form>
        {p.walk === undefined && fallback !== undefined ? <span class="hint" data-testid="default-walk-note">{fallback.note}</span> : null}
      </div>

      {request === undefined ? null : <RequestPanel found={request} current={walkIndex} onOpenWalk={p.onOpenWalk} onClose={() => { requestAsked.current++; setRequest(undefined); }} />}

      {detail === undefined ? null : (
        <WalkSection key={detail.row.index} detail={detail} theme={theme} laneRange={laneRange ?? { from: detail.fromNs, to: detail.toNs }} setLaneRange={setLaneRange} capture={p.capture} onOpenWalk={p.onOpenWalk} />
      )}
    </section>
  );
}

interface WalkSectionProps {
  readonly detail: WalkDetail;
  readonly theme: ReturnType<typeof chartTheme>;
  readonly laneRange: TimeRange;
  readonly setLaneRange: (r: TimeRange) => void;
  readonly capture: TimelineViewProps['capture'];
  readonly onOpenWalk: (index: number) => void;
}

function WalkSection({ detail: d, theme, laneRange: r, setLaneRange, capture, onOpenWalk }: WalkSectionProps) {
  const picture = useMemo(() => lanesPicture(d, verdictColour(theme, d.row.verdict)), [d, theme]);
  const options = useMemo(() => lanesOptions(theme, picture), [theme, picture]);
  const origin = d.row.start;
  const lanesData = useMemo<uPlot.AlignedData>(() => [[r.from - origin, r.to - origin], [null, null]], [r, origin]);
  const stepped = useMemo(() => uPlot.paths.stepped?.({ align: 1 }), []);
  const stateOptions = useMemo(() => lockStateOptions(theme, stepped), [theme, stepped]);
  const stateData = useMemo(() => lockStateData(d.lanes, r, origin), [d, r, origin]);
  const bounds = { from: d.fromNs - (d.toNs - d.fromNs) * 4, to: d.toNs + (d.toNs - d.fromNs) * 4 };
  const select = (a: number, b: number): void => {
    setLaneRange(selectionRange(a + origin, b + origin));
  };
  return (
    <div class="tl-walk">
      <div class="tl-lanes panel" data-testid="lanes-panel" data-lanes={d.lanes.length}>
        <div class="tl-bar">
          <h3>
            Request timeline of walk #{formatCount(d.row.index)} <span class={`verdict-badge v-${d.row.verdict}`}>{d.row.verdict}</span>
          </h3>
          <span class="hint" data-testid="lanes-range">
            {formatNs(r.to - r.from)} shown from {formatAt(r.from)}
          </span>
          <span class="tl-buttons">
            <button title="Earlier" aria-label="Pan the lanes earlier" onClick={() => { setLaneRange(panRange(r, -0.5, bounds)); }}>◀</button>
            <button title="Later" aria-label="Pan the lanes later" onClick={() => { setLaneRange(panRange(r, 0.5, bounds)); }}>▶</button>
            <button title="Zoom out ×2" onClick={() => { setLaneRange(zoomRange(r, 2, bounds)); }}>−</button>
            <button title="The window with its margins" data-testid="lanes-reset" onClick={() => { setLaneRange({ from: d.fromNs, to: d.toNs }); }}>reset</button>
          </span>
        </div>
        <UPlotChart options={options} data={lanesData} height={Math.max(160, 70 + 64 * d.lanes.length)} testId="lanes" onSelect={select} />
        <UPlotChart options={stateOptions} data={stateData} height={130} testId="lock-state" onSelect={select} />
        <ul class="tl-legend">
          <li><i class="sw sw-window" />walk window ({d.row.site} entry … return)</li>
          <li><i class="sw sw-wait" />waiting for uring_lock (call → acquired)</li>
          <li><i class="sw sw-held" />holding uring_lock (acquired → unlock)</li>
          <li><i class="sw sw-contended" />contended</li>
          <li><i class="sw sw-walk" style={{ borderColor: picture.verdictColour }} />the walk ({picture.walkSpan === undefined ? 'entry probe' : 'band: where the evidence places it'})</li>
          <li><i class="sw sw-tick" />lock call, got, unlock; request submit, link, queue, done, fail, free</li>
        </ul>
        {d.lanes.length > 1 ? null : <p class="hint">No other task touched this uring_lock in the range shown.</p>}
      </div>
      <WalkPanel detail={d} capture={capture} onOpenWalk={onOpenWalk} />
    </div>
  );
}
