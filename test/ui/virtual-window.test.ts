/** The verdicts table's virtual window: which rows to draw and where, for 25 thousand rows and for a million. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VirtualGeometry } from '../../renderer/src/verdicts/virtual-window.js';
import { listPosAt, MAX_SPACER_PX, rowsPerPage, scrollTopFor, scrollTopToShow, virtualWindow } from '../../renderer/src/verdicts/virtual-window.js';

const ROW = 26;
const VIEW = 600;

function geometry(total: number): VirtualGeometry {
  return { total, rowPx: ROW, viewportPx: VIEW, maxPx: MAX_SPACER_PX };
}

/** Where row i's top is drawn relative to the viewport's top, at a scroll position. */
function rowTopInView(g: VirtualGeometry, scrollTop: number, i: number): number | undefined {
  const w = virtualWindow(g, scrollTop, 0);
  if (i < w.first || i >= w.first + w.count) {
    return undefined;
  }
  return w.topPx + (i - w.first) * g.rowPx - scrollTop;
}

describe('virtual window', () => {
  it('25 thousand rows: a natural spacer, rows where their position puts them, a screenful drawn', () => {
    const g = geometry(25_245);
    const w = virtualWindow(g, 100 * ROW, 4);
    assert.equal(w.spacerPx, 25_245 * ROW);
    assert.equal(w.first, 96);
    assert.equal(w.topPx, 96 * ROW);
    assert.ok(w.count >= VIEW / ROW && w.count <= VIEW / ROW + 10, `${w.count} rows drawn`);
    assert.equal(rowTopInView(g, 100 * ROW + 13, 100), -13);
  });

  it('a million rows: the spacer is capped, the first and the last row are reachable and aligned', () => {
    const g = geometry(1_000_000);
    const top = virtualWindow(g, 0, 0);
    assert.equal(top.spacerPx, MAX_SPACER_PX);
    assert.equal(top.first, 0);
    assert.equal(rowTopInView(g, 0, 0), 0);
    const maxScroll = MAX_SPACER_PX - VIEW;
    const bottom = virtualWindow(g, maxScroll, 0);
    assert.equal(bottom.first + bottom.count, 1_000_000, 'the last row is drawn');
    const lastTop = rowTopInView(g, maxScroll, 999_999);
    assert.ok(lastTop !== undefined);
    assert.ok(Math.abs(lastTop + ROW - VIEW) < 1e-6, `the last row's bottom is the viewport's bottom (${lastTop})`);
    // Scrolling past the end changes nothing.
    assert.deepEqual(virtualWindow(g, maxScroll + 5000, 0), bottom);
  });

  it('a million rows: the list position moves monotonically with the scroll bar, and back', () => {
    const g = geometry(1_000_000);
    let last = -1;
    for (let st = 0; st <= MAX_SPACER_PX - VIEW; st += 99_991) {
      const pos = listPosAt(g, st);
      assert.ok(pos > last);
      last = pos;
      assert.ok(Math.abs(scrollTopFor(g, pos) - st) < 1e-6);
    }
  });

  for (const total of [0, 1, 10, 25_245, 1_000_000]) {
    it(`${total} rows: scrollTopToShow brings any row fully into view (even after the browser rounds the scroll position)`, () => {
      const g = geometry(total);
      const ratio = Math.max(1, (total * ROW - VIEW) / (Math.min(total * ROW, MAX_SPACER_PX) - VIEW));
      for (const i of [0, 1, 2, Math.floor(total / 3), total - 2, total - 1].filter((x) => x >= 0 && x < total)) {
        for (const from of [0, MAX_SPACER_PX]) {
          const st = Math.round(scrollTopToShow(g, from, i));
          const at = rowTopInView(g, st, i);
          assert.ok(at !== undefined, `row ${i} drawn`);
          // Within the viewport, give or take what one scroll pixel moves the list.
          assert.ok(at >= -ratio && at + ROW <= VIEW + ratio, `row ${i} at ${at} px`);
        }
      }
      // A row already in view does not scroll.
      if (total > 5) {
        assert.equal(scrollTopToShow(g, 0, 3), 0);
      }
    });
  }

  it('nothing to draw for an empty list; PageDown moves a screenful less one', () => {
    assert.deepEqual(virtualWindow(geometry(0), 0), { first: 0, count: 0, topPx: 0, spacerPx: 0 });
    assert.equal(rowsPerPage(geometry(100)), Math.floor(VIEW / ROW) - 1);
    assert.equal(rowsPerPage({ total: 100, rowPx: ROW, viewportPx: 10, maxPx: MAX_SPACER_PX }), 1);
  });
});
