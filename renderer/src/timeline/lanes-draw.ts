/**
 * Draws the request lanes on a uPlot canvas (a draw hook): one row per task, its spans as bars —
 * the walk window as an outline, waiting for uring_lock in the wait colour, holding it in the held
 * colour, contention as a hatched strip — its marks as ticks with labels, and the walk itself as a
 * band (where the evidence bounds it) and a dashed vertical line across every lane (the legend
 * under the chart names it: a label here would cover the marks). The x scale is ns
 * since the walk's window entry.
 */
import type uPlot from 'uplot';
import type { Lane, LaneMark, LaneSpan, WalkDetail } from '../../../main/core/app/app-contract.js';
import type { ChartTheme } from '../chart/chart-theme.js';

export interface LanesPicture {
  readonly lanes: readonly Lane[];
  /** ns: x = ts − origin. */
  readonly origin: number;
  /** Where the evidence places the walk (ns, absolute), if it bounds it. */
  readonly walkSpan: { readonly from: number; readonly to: number } | undefined;
  readonly walkAt: number;
  readonly verdictColour: string;
}

export function lanesPicture(d: WalkDetail, verdictColour: string): LanesPicture {
  let walkSpan: LanesPicture['walkSpan'];
  for (const e of d.evidence) {
    if (e.type === 'walk_span') {
      walkSpan = { from: e.from, to: e.to };
    }
  }
  const walkMark = d.lanes[0]?.marks.find((m) => m.kind === 'walk');
  return {
    lanes: d.lanes,
    origin: d.row.start,
    walkSpan,
    walkAt: walkMark?.ts ?? d.row.start,
    verdictColour,
  };
}

const MARK_SHORT: { readonly [K in LaneMark['kind']]: string } = {
  walk: 'walk',
  submit: 'submit',
  link: 'link',
  queue_async: 'queue',
  complete: 'done',
  fail_link: 'fail',
  free: 'free',
  lock_call: 'lock',
  lock_acquired: 'got',
  unlock: 'unlock',
};

function spanStyle(t: ChartTheme, kind: LaneSpan['kind']): { readonly fill: string | undefined; readonly stroke: string | undefined; readonly h: number } {
  switch (kind) {
    case 'window':
      return { fill: `${t.window}1a`, stroke: t.window, h: 0.78 };
    case 'held':
      return { fill: t.held, stroke: undefined, h: 0.36 };
    case 'waited':
      return { fill: t.wait, stroke: undefined, h: 0.36 };
    case 'contended':
      return { fill: undefined, stroke: t.wait, h: 0.12 };
  }
}

/** The row (top, height) of lane i in canvas pixels. */
export function laneRow(u: uPlot, i: number, n: number): { readonly top: number; readonly h: number } {
  const h = u.bbox.height / Math.max(n, 1);
  return { top: u.bbox.top + i * h, h };
}

export function drawLanes(u: uPlot, p: LanesPicture, t: ChartTheme): void {
  const ctx = u.ctx;
  const px = devicePixelRatio;
  const { left, top, width, height } = u.bbox;
  const n = p.lanes.length;
  const xOf = (ts: number | undefined): number => (ts === undefined ? left + width + 4 * px : u.valToPos(ts - p.origin, 'x', true));
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.font = `${11 * px}px system-ui, sans-serif`;
  ctx.textBaseline = 'bottom';

  // The walk's band (evidence) behind everything.
  if (p.walkSpan !== undefined) {
    const a = xOf(p.walkSpan.from);
    const b = xOf(p.walkSpan.to);
    ctx.fillStyle = `${p.verdictColour}26`;
    ctx.fillRect(a, top, Math.max(b - a, 2 * px), height);
  }

  p.lanes.forEach((lane, i) => {
    const row = laneRow(u, i, n);
    const mid = row.top + row.h / 2;
    // Row separator.
    ctx.strokeStyle = t.grid;
    ctx.lineWidth = px;
    ctx.beginPath();
    ctx.moveTo(left, row.top + row.h);
    ctx.lineTo(left + width, row.top + row.h);
    ctx.stroke();
    for (const s of lane.spans) {
      const st = spanStyle(t, s.kind);
      const a = xOf(s.from);
      const b = xOf(s.to);
      const w = Math.max(b - a, 1.5 * px);
      const h = Math.min(row.h * st.h, s.kind === 'window' ? row.h - 6 * px : 22 * px);
      const y = s.kind === 'contended' ? mid + row.h * 0.22 : mid - h / 2;
      if (st.fill !== undefined) {
        ctx.fillStyle = st.fill;
        ctx.fillRect(a, y, w, h);
      }
      if (st.stroke !== undefined) {
        ctx.strokeStyle = st.stroke;
        ctx.lineWidth = (s.kind === 'window' ? 1.5 : 3) * px;
        ctx.setLineDash(s.kind === 'contended' ? [4 * px, 3 * px] : []);
        ctx.strokeRect(a, y, w, h);
        ctx.setLineDash([]);
      }
    }
    // Marks: a tick, and a label above it, or below where the one above would run into the last.
    const ends = [-Infinity, -Infinity];
    const reach = Math.min(row.h * 0.3, 16 * px);
    for (const m of lane.marks) {
      if (m.kind === 'walk') {
        continue;
      }
      const x = xOf(m.ts);
      ctx.strokeStyle = t.fg;
      ctx.lineWidth = 1.5 * px;
      ctx.beginPath();
      ctx.moveTo(x, mid - reach);
      ctx.lineTo(x, mid + reach);
      ctx.stroke();
      const label = MARK_SHORT[m.kind];
      const lw = ctx.measureText(label).width;
      const slot = ends.findIndex((end) => x - lw / 2 > end + 4 * px);
      if (slot >= 0) {
        ctx.fillStyle = t.muted;
        ctx.textBaseline = slot === 0 ? 'bottom' : 'top';
        ctx.fillText(label, x - lw / 2, slot === 0 ? mid - reach - px : mid + reach + px);
        ends[slot] = x + lw / 2;
      }
    }
  });

  // The walk: a vertical line over every lane, labelled at the top.
  const x = xOf(p.walkAt);
  ctx.strokeStyle = p.verdictColour;
  ctx.lineWidth = 2 * px;
  ctx.setLineDash([6 * px, 4 * px]);
  ctx.beginPath();
  ctx.moveTo(x, top);
  ctx.lineTo(x, top + height);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.restore();
}
