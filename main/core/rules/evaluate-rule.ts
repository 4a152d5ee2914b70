/** Turns the lock state at a walk into a verdict under a rule's requirement (three-valued). */
import type { LockAtWalk } from '../analysis/assess-walk.js';
import type { Evidence, Verdict } from '../analysis/verdict.js';
import type { LockRequirement, LockRole } from './rule.js';

export function evaluateRequirement(req: LockRequirement, lockAt: (role: LockRole) => LockAtWalk): Verdict {
  if ('held' in req) {
    const a = lockAt(req.held);
    switch (a.state) {
      case 'held':
        return { verdict: 'HELD', proof: a.proof, evidence: a.evidence };
      case 'not_held':
        return { verdict: 'NOT_HELD', proof: a.proof, evidence: a.evidence };
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
