/**
 * Verdicts: what the capture shows in one sentence, the counts that back it, and every walk in a
 * table that filters by verdict, ring, task and time. Enter (or a double click) on a walk opens it
 * in the request timeline. The numbers are the engine's, the same `lockscope analyze --json` prints.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { CaptureSummary, WalkRow } from '../../../main/core/app/app-contract.js';
import { api } from '../bridge.js';
import type { TableFilter } from '../verdicts/table-filter.js';
import { filterKey, placeOf, rememberPlace, walkQuery } from '../verdicts/table-filter.js';
import { VerdictSummary } from '../verdicts/verdict-summary.js';
import { WalkFilterBar } from '../verdicts/walk-filter-bar.js';
import { WalkPages } from '../verdicts/walk-pages.js';
import { WalkTable } from '../verdicts/walk-table.js';
import type { CaptureViewProps } from './view-props.js';

export interface VerdictsViewProps extends CaptureViewProps {
  readonly onOpenWalk: (index: number) => void;
}

export function VerdictsView(p: VerdictsViewProps) {
  // One capture's table state per mount: switching tabs starts from that capture's own place.
  return <CaptureVerdicts key={p.capture.id} {...p} />;
}

function CaptureVerdicts({ capture, notify, onOpenWalk }: VerdictsViewProps) {
  const [data, setData] = useState<CaptureSummary | undefined>(undefined);
  const [failed, setFailed] = useState<string | undefined>(undefined);
  const start = placeOf(capture.id);
  const [filter, setFilter] = useState<TableFilter>(start.filter);
  const [selected, setSelected] = useState(start.selected);
  // Where the table is scrolled: kept, not state, so scrolling draws only the table.
  const scrollTop = useRef(start.scrollTop);
  const [, setArrived] = useState(0);

  // The summary again whenever the capture changes (a live session's capture grows).
  useEffect(() => {
    let live = true;
    void api.getSummary({ captureId: capture.id }).then((r) => {
      if (!live) {
        return;
      }
      if (r.ok) {
        setData(r.value);
        setFailed(undefined);
      } else {
        setFailed(r.error.message);
        notify(r.error);
      }
    });
    return () => {
      live = false;
    };
  }, [capture.id, capture.bytes, notify]);

  const key = filterKey(filter);
  const previous = useRef<{ readonly key: string; readonly pages: WalkPages } | undefined>(undefined);
  const pages = useMemo(() => {
    const made = new WalkPages(
      (offset, limit) => api.queryWalks(walkQuery(capture.id, filter, offset, limit)),
      () => {
        setArrived((n) => n + 1);
      },
      notify,
    );
    // The capture grew under the same filter: show what was there until the new rows arrive.
    if (previous.current?.key === key) {
      made.carryFrom(previous.current.pages);
    }
    previous.current = { key, pages: made };
    return made;
    // A new set of pages for each filter and each growth of the capture (`filter` is in `key`).
  }, [capture.id, capture.bytes, key, notify]);
  useEffect(() => {
    pages.want(0, 1);
    return () => {
      pages.dispose();
    };
  }, [pages]);

  useEffect(() => {
    rememberPlace(capture.id, { filter, selected, scrollTop: scrollTop.current });
  }, [capture.id, filter, selected]);

  const changeFilter = (f: TableFilter): void => {
    if (filterKey(f) !== filterKey(filter)) {
      setFilter(f);
      setSelected(0);
      scrollTop.current = 0;
    }
  };

  const open = (row: WalkRow): void => {
    onOpenWalk(row.index);
  };

  if (data === undefined) {
    return (
      <section class="verdicts" data-capture={capture.name}>
        <p class={failed === undefined ? 'loading-note' : 'failed-note'}>{failed ?? `Reading the verdicts of ${capture.name}…`}</p>
      </section>
    );
  }
  const total = pages.total;
  return (
    <section class="verdicts" data-capture={capture.name}>
      <VerdictSummary
        data={data}
        verdict={filter.verdict}
        onVerdict={(v) => {
          changeFilter({ ...filter, verdict: v });
        }}
      />
      <WalkFilterBar summary={data.summary} filter={filter} onFilter={changeFilter} total={total} />
      {total === undefined ? (
        <div class="walk-table walk-table-waiting">Counting the walks…</div>
      ) : (
        <WalkTable
          key={key}
          pages={pages}
          total={total}
          selected={Math.min(selected, Math.max(0, total - 1))}
          onSelect={setSelected}
          onOpen={open}
          initialScrollTop={scrollTop.current}
          onScrolled={(st) => {
            scrollTop.current = st;
            rememberPlace(capture.id, { filter, selected, scrollTop: st });
          }}
          label={`Walks of ${capture.name}`}
        />
      )}
    </section>
  );
}
