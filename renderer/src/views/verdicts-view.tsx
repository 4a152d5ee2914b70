/** Verdicts: every walk of the capture in a table (being built: see issue 4). */
import type { CaptureViewProps } from './view-props.js';

export function VerdictsView(p: CaptureViewProps & { readonly onOpenWalk: (index: number) => void }) {
  return <section class="placeholder">Verdicts of {p.capture.name}: not built yet.</section>;
}
