/**
 * Every walk of a filter in one virtualized grid: only the rows in view are drawn, their pages
 * fetched as they come into view (walk-pages.ts), so 25 thousand rows or a million scroll alike.
 *
 * Keyboard: the grid is one tab stop; Up/Down, PageUp/PageDown, Home/End move the selection and
 * keep it in view, Enter (or a double click) opens the walk in the request timeline. Rows carry
 * aria roles and indices so a screen reader reads "row 12,345 of 25,246".
 */
import type { JSX } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { WalkRow } from '../../../main/core/app/app-contract.js';
import { formatCount, formatNs, formatOffset } from '../chart/format-units.js';
import type { VirtualGeometry } from './virtual-window.js';
import { MAX_SPACER_PX, rowsPerPage, scrollTopToShow, virtualWindow } from './virtual-window.js';
import type { WalkPages } from './walk-pages.js';

export const ROW_PX = 26;
/** The column headers' row, sticky at the top of the scrolled body (so it scrolls sideways with the rows). */
const HEAD_PX = 28;

interface Column {
  readonly id: string;
  readonly title: string;
  /** What the header's tooltip explains. */
  readonly help: string;
  readonly cell: (r: WalkRow) => JSX.Element | string;
}

function addr(a: string, missing: string): JSX.Element {
  return a === 'NULL' ? <span class="muted" title="the address was never seen (events were lost, or the capture began too late)">{missing}</span> : <>{a}</>;
}

const COLUMNS: readonly Column[] = [
  { id: 'index', title: '#', help: 'Walk number, as lockscope inspect --walk N takes it', cell: (r) => formatCount(r.index) },
  { id: 'verdict', title: 'Verdict', help: 'HELD: the walker held ctx->uring_lock; NOT_HELD: it did not; UNKNOWN: it could not be proven (see the reason)', cell: (r) => <span class={`pill verdict-${r.verdict}`}>{r.verdict}</span> },
  { id: 'start', title: 'Start', help: 'When the walk window opened, in seconds since the capture began', cell: (r) => formatOffset(r.start) },
  { id: 'duration', title: 'Duration', help: 'How long the walk window stayed open', cell: (r) => (r.end === undefined ? <span class="muted" title="the window never closed in the capture">open</span> : formatNs(r.end - r.start)) },
  { id: 'ring', title: 'Ring (ctx)', help: 'The io_uring ring: its struct io_ring_ctx address', cell: (r) => addr(r.ctx, 'not seen') },
  { id: 'task', title: 'Task (tid)', help: 'The io-wq worker that walked the link', cell: (r) => <span title={`task_struct ${r.task}`}>{r.tid}</span> },
  { id: 'req', title: 'req → next', help: 'The request freed, and the linked request the walk returned', cell: (r) => <>{addr(r.req, 'not seen')} → {addr(r.next, 'not seen')}</> },
  { id: 'cpu', title: 'CPU', help: 'The CPU the walk ran on', cell: (r) => String(r.cpu) },
  { id: 'reason', title: 'Reason', help: 'Why an UNKNOWN walk could not be proven', cell: (r) => (r.reason === undefined ? '' : <span title={r.reasonText}><code>{r.reason}</code>: {r.reasonText}</span>) },
];

export interface WalkTableProps {
  readonly pages: WalkPages;
  readonly total: number;
  /** The selected row's position in the filtered list. */
  readonly selected: number;
  readonly onSelect: (i: number) => void;
  readonly onOpen: (row: WalkRow) => void;
  readonly initialScrollTop: number;
  readonly onScrolled: (scrollTop: number) => void;
  readonly label: string;
}

export function WalkTable(p: WalkTableProps) {
  const body = useRef<HTMLDivElement>(null);
  const grid = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(p.initialScrollTop);
  const [viewportPx, setViewportPx] = useState(400);

  useLayoutEffect(() => {
    const el = body.current;
    if (el === null) {
      return undefined;
    }
    el.scrollTop = p.initialScrollTop;
    setViewportPx(el.clientHeight - HEAD_PX);
    const ro = new ResizeObserver(() => {
      setViewportPx(el.clientHeight - HEAD_PX);
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
    };
  }, []); // the initial position applies once, when the table appears

  const g: VirtualGeometry = { total: p.total, rowPx: ROW_PX, viewportPx, maxPx: MAX_SPACER_PX };
  const win = virtualWindow(g, scrollTop);

  useEffect(() => {
    p.pages.want(win.first, win.count);
  }, [p.pages, win.first, win.count]);

  const select = (i: number): void => {
    if (p.total === 0) {
      return;
    }
    const to = Math.min(Math.max(0, i), p.total - 1);
    p.onSelect(to);
    const el = body.current;
    if (el !== null) {
      const st = scrollTopToShow(g, el.scrollTop, to);
      if (st !== el.scrollTop) {
        el.scrollTop = st;
        setScrollTop(el.scrollTop);
      }
    }
  };

  const onKeyDown = (e: KeyboardEvent): void => {
    if (e.altKey || e.ctrlKey || e.metaKey) {
      return; // the app's shortcuts (Alt+1 … Alt+5)
    }
    const page = rowsPerPage(g);
    const moves: Readonly<Record<string, number>> = {
      ArrowDown: p.selected + 1,
      ArrowUp: p.selected - 1,
      PageDown: p.selected + page,
      PageUp: p.selected - page,
      Home: 0,
      End: p.total - 1,
    };
    const to = moves[e.key];
    if (to !== undefined) {
      e.preventDefault();
      select(to);
      return;
    }
    if (e.key === 'Enter') {
      const row = p.pages.rowAt(p.selected);
      if (row !== undefined) {
        e.preventDefault();
        p.onOpen(row);
      }
    }
  };

  const rows: JSX.Element[] = [];
  for (let k = 0; k < win.count; k++) {
    const i = win.first + k;
    const row = p.pages.rowAt(i);
    const isSelected = i === p.selected;
    rows.push(
      <div
        key={i}
        id={`walk-pos-${i}`}
        role="row"
        aria-rowindex={i + 2}
        aria-selected={isSelected}
        class={`walk-row${isSelected ? ' selected' : ''}${row === undefined ? ' loading' : ''}${row?.verdict === 'UNKNOWN' ? ' is-unknown' : ''}`}
        data-walk={row?.index}
        data-pos={i}
        style={{ top: `${win.topPx + k * ROW_PX}px` }}
        onMouseDown={() => {
          p.onSelect(i);
        }}
        onDblClick={() => {
          if (row !== undefined) {
            p.onOpen(row);
          }
        }}
      >
        {row === undefined ? (
          <div role="gridcell" class="cell cell-loading" aria-colspan={COLUMNS.length}>
            {p.pages.failedAt(i) ? 'could not load these walks (see the notice)' : '…'}
          </div>
        ) : (
          COLUMNS.map((c) => (
            <div key={c.id} role="gridcell" class={`cell cell-${c.id}`}>
              {c.cell(row)}
            </div>
          ))
        )}
      </div>,
    );
  }

  return (
    <div
      ref={grid}
      class="walk-table"
      role="grid"
      tabIndex={0}
      aria-label={p.label}
      aria-rowcount={p.total + 1}
      aria-colcount={COLUMNS.length}
      aria-activedescendant={p.total > 0 && p.selected >= win.first && p.selected < win.first + win.count ? `walk-pos-${p.selected}` : undefined}
      onKeyDown={onKeyDown}
    >
      <div
        ref={body}
        class="walk-body"
        role="rowgroup"
        tabIndex={-1}
        onScroll={(e) => {
          const st = e.currentTarget.scrollTop;
          setScrollTop(st);
          p.onScrolled(st);
        }}
        onFocus={() => {
          // One tab stop: a click in the rows focuses the grid, which handles the keys.
          grid.current?.focus({ preventScroll: true });
        }}
      >
        <div class="walk-head" role="row" aria-rowindex={1}>
          {COLUMNS.map((c) => (
            <div key={c.id} role="columnheader" class={`cell cell-${c.id}`} title={c.help}>
              {c.title}
            </div>
          ))}
        </div>
        <div class="walk-spacer" style={{ height: `${win.spacerPx}px` }}>
          {rows}
        </div>
        {p.total === 0 ? <p class="walk-empty">No walk matches these filters.</p> : null}
      </div>
    </div>
  );
}
