/**
 * One walk with everything that decides it, for the request timeline view: its row, proofs,
 * evidence (addresses as hex), chain neighbours, the text `lockscope inspect --walk N` prints, and
 * the lanes of the tasks around it (lock-spans.ts). Pure.
 *
 * Neighbours follow inspect-command.ts exactly: the previous walk is the latest walk decided
 * before this one whose `next` is this walk's `req`, if it ended before this one started; the
 * following walk is the first decided after it on `req === this.next` that started after this
 * one ended.
 */
import type { Evidence, WalkRecord } from '../analysis/verdict.js';
import { formatWalk } from '../report/format-walk.js';
import { assertUnreachable } from '../util/assert-unreachable.js';
import type { Addr } from '../util/addr.js';
import type { AppResult, EvidenceView, WalkDetail } from './app-contract.js';
import type { CaptureAnalysis } from './capture-analysis.js';
import { captureIndex } from './capture-index.js';
import { laneRange, walkLanes } from './lock-spans.js';
import { walkRow } from './walk-rows.js';

export function evidenceView(e: Evidence, fmt: (a: Addr) => string): EvidenceView {
  switch (e.type) {
    case 'entry':
      return { type: 'entry', ts: e.ts, site: e.site, link: fmt(e.link), owner: fmt(e.owner), task: fmt(e.task), state: e.state, basis: e.basis };
    case 'lock_op':
      return { type: 'lock_op', ts: e.ts, op: e.op, api: e.api, lock: fmt(e.lock), link: e.link === undefined ? undefined : fmt(e.link) };
    case 'exit':
      return { type: 'exit', ts: e.ts, next: fmt(e.next) };
    case 'walk_span':
      return { type: 'walk_span', from: e.from, to: e.to, state: e.state };
    case 'coverage':
      return { type: 'coverage', probes: e.probes, from: e.from, to: e.to };
    default:
      return assertUnreachable(e);
  }
}

export interface ChainRecords {
  readonly previous: WalkRecord | undefined;
  readonly following: WalkRecord | undefined;
}

/** The chain neighbours of walk `self` among `records` (by index, holes allowed), as inspect finds them. */
export function chainNeighbours(records: readonly (WalkRecord | undefined)[], self: WalkRecord): ChainRecords {
  let latest: WalkRecord | undefined;
  for (let i = 0; i < self.index - 1 && i < records.length; i++) {
    const p = records[i];
    if (p !== undefined && p.next !== 0 && p.next === self.req) {
      latest = p;
    }
  }
  const previous = latest !== undefined && (latest.end ?? latest.start) <= self.start ? latest : undefined;
  let following: WalkRecord | undefined;
  for (let i = self.index; i < records.length; i++) {
    const f = records[i];
    if (f !== undefined && f.req === self.next && f.start >= (self.end ?? self.start)) {
      following = f;
      break;
    }
  }
  return { previous, following };
}

function detailOf(w: WalkRecord): string | undefined {
  return w.verdict.verdict === 'UNKNOWN' ? w.verdict.detail : undefined;
}

export function walkDetail(analysis: CaptureAnalysis, index: number, fmt: (a: Addr) => string, name: string): AppResult<WalkDetail> {
  const rule = analysis.ruleIds()[0];
  const records = rule === undefined ? [] : analysis.walks(rule);
  const w = rule === undefined ? undefined : analysis.walk(rule, index);
  if (w === undefined) {
    const n = records.length;
    return {
      ok: false,
      error: { code: 'not_found', message: n === 0 ? `${name}: no walk #${index}; this capture has no walks` : `${name}: no walk #${index}; this capture has walks #1 to #${n}` },
    };
  }
  const chain = chainNeighbours(records, w);
  const ix = captureIndex(analysis);
  const range = laneRange(w);
  const v = w.verdict;
  return {
    ok: true,
    value: {
      row: walkRow(w, fmt),
      walkProof: w.walkProof,
      lockProof: v.verdict === 'UNKNOWN' ? undefined : v.proof,
      detail: detailOf(w),
      evidence: v.evidence.map((e) => evidenceView(e, fmt)),
      previous: chain.previous?.index,
      following: chain.following?.index,
      fromNs: range.fromNs,
      toNs: range.toNs,
      lanes: walkLanes({ batches: analysis.batches, extents: ix.extents, walk: w, range, captureEnd: ix.maxTs, fmt }),
      text: formatWalk(w, fmt, chain),
    },
  };
}
