/** Statistics of a capture (being built: see issue 4). */
import type { CaptureViewProps } from './view-props.js';

export function StatsView(p: CaptureViewProps) {
  return <section class="placeholder">Statistics of {p.capture.name}: not built yet.</section>;
}
