/**
 * The one uPlot wrapper (STYLE.md): the chart is created when its options change, resized by a
 * ResizeObserver (setSize), fed with setData when only the data change, and destroyed on
 * teardown. `options` must be memoised by the caller (useMemo): a new object means a new chart.
 * A drag selection is reported as an x range (`onSelect(min, max)` in x-scale units) and the
 * selection box is cleared; the caller changes its range and gives new data.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface UPlotChartProps {
  /** Width and height are ignored: the chart fills its container. */
  readonly options: Omit<uPlot.Options, 'width' | 'height'>;
  readonly data: uPlot.AlignedData;
  readonly height: number;
  readonly onSelect?: (min: number, max: number) => void;
  /** Called after each draw with the chart (for tests and for custom overlays). */
  readonly onDraw?: (u: uPlot) => void;
  readonly class?: string;
  readonly testId?: string;
}

export function UPlotChart(p: UPlotChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const onSelect = useRef(p.onSelect);
  const onDraw = useRef(p.onDraw);
  onSelect.current = p.onSelect;
  onDraw.current = p.onDraw;

  useEffect(() => {
    const el = host.current;
    if (el === null) {
      return undefined;
    }
    const width = Math.max(100, el.clientWidth);
    const u = new uPlot(
      {
        ...p.options,
        width,
        height: p.height,
        hooks: {
          ...p.options.hooks,
          setSelect: [
            ...(p.options.hooks?.setSelect ?? []),
            (self: uPlot) => {
              if (self.select.width > 2) {
                const min = self.posToVal(self.select.left, 'x');
                const max = self.posToVal(self.select.left + self.select.width, 'x');
                self.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
                onSelect.current?.(min, max);
              }
            },
          ],
          draw: [
            ...(p.options.hooks?.draw ?? []),
            (self: uPlot) => {
              onDraw.current?.(self);
            },
          ],
        },
      },
      p.data,
      el,
    );
    chart.current = u;
    const ro = new ResizeObserver(() => {
      const w = Math.max(100, el.clientWidth);
      if (w !== u.width) {
        u.setSize({ width: w, height: p.height });
      }
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      chart.current = null;
    };
    // p.data is set by the next effect; the chart is rebuilt only for new options or height.
  }, [p.options, p.height]);

  useEffect(() => {
    const u = chart.current;
    if (u !== null && u.data !== p.data) {
      u.setData(p.data);
    }
  }, [p.data]);

  return <div ref={host} class={`uplot-host ${p.class ?? ''}`} data-testid={p.testId} />;
}
