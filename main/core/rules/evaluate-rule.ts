/** Turns the lock state at a walk into a verdict under a rule's requirement (three-valued). */
import type { LockAtWalk } from '../analysis/assess-walk.js';
import { NO_EVIDENCE } from '../analysis/assess-walk.js';
import type { Evidence, LockProof, Verdict } from '../analysis/verdict.js';
import type { LockRequirement, LockRole } from './rule.js';

/** Definite verdicts without evidence are all alike: shared, so that a summary makes none per walk. */
const BARE: { readonly [V in 'HELD' | 'NOT_HELD']: { readonly [P in LockProof]: Verdict } } = {
  HELD: {
    owner_at_walk: Object.freeze({ verdict: 'HELD', proof: 'owner_at_walk', evidence: NO_EVIDENCE }),
    span_between_snapshots: Object.freeze({ verdict: 'HELD', proof: 'span_between_snapshots', evidence: NO_EVIDENCE }),
  },
  NOT_HELD: {
    owner_at_walk: Object.freeze({ verdict: 'NOT_HELD', proof: 'owner_at_walk', evidence: NO_EVIDENCE }),
    span_between_snapshots: Object.freeze({ verdict: 'NOT_HELD', proof: 'span_between_snapshots', evidence: NO_EVIDENCE }),
  },
};

export function evaluateRequirement(req: LockRequirement, lockAt: (role: LockRole) => LockAtWalk): Verdict {
  if ('held' in req) {
    const a = lockAt(req.held);
    switch (a.state) {
      case 'held':
        return a.evidence.length === 0 ? BARE.HELD[a.proof] : { verdict: 'HELD', proof: a.proof, evidence: a.evidence };
      case 'not_held':
        return a.evidence.length === 0 ? BARE.NOT_HELD[a.proof] : { verdict: 'NOT_HELD', proof: a.proof, evidence: a.evidence };
      case 'unknown':
        return { verdict: 'UNKNOWN', reason: a.reason, detail: a.detail, evidence: a.evidence };
    }
  }
  const parts = ('all' in req ? req.all : req.any).map((r) => evaluateRequirement(r, lockAt));
  const evidence: Evidence[] = parts.flatMap((p) => p.evidence);
  // all: any NOT_HELD decides; any: any HELD decides. Otherwise every part must agree.
  const decisive = 'all' in req ? 'NOT_HELD' : 'HELD';
  const hit = parts.find((p) => p.verdict === decisive);
  if (hit !== undefined) {
    return { ...hit, evidence };
  }
  const firstUnknown = parts.find((p) => p.verdict === 'UNKNOWN');
  if (firstUnknown !== undefined) {
    return { ...firstUnknown, evidence };
  }
  const first = parts[0];
  if (first === undefined) {
    throw new Error('empty requirement list');
  }
  return { ...first, evidence };
}
