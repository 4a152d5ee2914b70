/** One walk's timeline with its evidence, as terminal text (`lockscope inspect --walk`). Pure. */
import type { Evidence, WalkRecord } from '../analysis/verdict.js';
import { UNKNOWN_REASON_TEXT } from '../analysis/verdict.js';
import { assertUnreachable } from '../util/assert-unreachable.js';
import type { Addr } from '../util/addr.js';
import { formatRelSeconds } from '../util/time.js';
import type { RelNs } from '../util/time.js';

const PROOF_TEXT = {
  owner_at_walk: 'probed at the walk itself: the mutex owner word',
  span_between_snapshots: 'lock state between the last snapshot showing the link and the first showing NULL',
  return_matches_link: 'the window returned the request req->link held at entry',
  link_cleared_in_window: 'req->link snapshots went from the next request to NULL inside the window',
} as const;

export interface ChainNeighbours {
  /** The walk that led to this request (its next is this req), if seen. */
  readonly previous: WalkRecord | undefined;
  /** The walk of the next request (its req is this next), if seen. */
  readonly following: WalkRecord | undefined;
}

function evidenceLine(e: Evidence, fmt: (a: Addr) => string, at: (t: RelNs) => string): string {
  switch (e.type) {
    case 'entry':
      return `${at(e.ts)}  enter ${e.site}: req->link ${fmt(e.link)}, lock owner word ${fmt(e.owner)}, walker task ${fmt(e.task)} → ${e.state} (${e.basis})`;
    case 'lock_op':
      return `${at(e.ts)}  ${e.op.padEnd(8)} ${e.api} ${fmt(e.lock)}: req->link ${e.link === undefined ? 'not read' : fmt(e.link)}`;
    case 'exit':
      return `${at(e.ts)}  return: next request ${fmt(e.next)}`;
    case 'walk_span':
      return e.state === 'unknown'
        ? `${at(e.from)} … ${at(e.to)}  the walk happened here; the lock state over this span is not known`
        : `${at(e.from)} … ${at(e.to)}  the walk happened here; the events show the lock ${e.state === 'held' ? 'held' : 'not held'} throughout`;
    case 'coverage':
      return `             miss counters of ${e.probes} probes unchanged between their readings at ${e.from} and ${e.to} ns`;
    default:
      return assertUnreachable(e);
  }
}

export function formatWalk(w: WalkRecord, fmt: (a: Addr) => string, chain: ChainNeighbours): string {
  const at = (t: RelNs): string => `${formatRelSeconds(t)}s`;
  const v = w.verdict;
  const lines: string[] = [];
  lines.push(`Walk #${w.index} under rule ${w.rule}: ${v.verdict}`);
  if (v.verdict === 'UNKNOWN') {
    lines.push(`  why: ${UNKNOWN_REASON_TEXT[v.reason]} [${v.reason}]: ${v.detail}`);
  } else {
    lines.push(`  lock proof: ${PROOF_TEXT[v.proof]}`);
  }
  if (w.walkProof !== undefined) {
    lines.push(`  walk proof: ${PROOF_TEXT[w.walkProof]}`);
  }
  lines.push(`  ${w.site} on cpu ${w.cpu}, tid ${w.tid} (task ${fmt(w.task)}); req ${fmt(w.req)} → next ${fmt(w.next)}; ring ctx ${fmt(w.ctx)}, uring_lock ${fmt(w.lock)}`);
  lines.push('');
  lines.push('  Timeline (seconds since capture base):');
  for (const e of v.evidence) {
    lines.push(`    ${evidenceLine(e, fmt, at)}`);
  }
  lines.push('');
  const prev = chain.previous === undefined ? 'not seen' : `walk #${chain.previous.index} (req ${fmt(chain.previous.req)} returned this request)`;
  const next = chain.following === undefined ? 'not seen' : `walk #${chain.following.index} (of the next request, ${fmt(chain.following.req)})`;
  lines.push(`  chain: previous ${prev}; next ${next}`);
  return lines.join('\n');
}
