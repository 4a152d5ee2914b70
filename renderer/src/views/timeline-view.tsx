/** Request timeline of one walk (being built: see issue 4). */
import type { CaptureViewProps } from './view-props.js';

export function TimelineView(p: CaptureViewProps & { readonly walk: number | undefined; readonly onOpenWalk: (index: number) => void }) {
  return <section class="placeholder">Timeline of {p.capture.name}, walk {p.walk ?? 'none'}: not built yet.</section>;
}
