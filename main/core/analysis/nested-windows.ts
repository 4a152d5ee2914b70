/** Nested walk windows, and a small list helper the analyzer shares. */
import type { WalkAssessment } from './assess-walk.js';

/**
 * An io_req_find_next probe nested in the window of the same request: the direct reading at the
 * walk decides, unless the enclosing window's own definite answer disagrees.
 */
export function combineNested(outer: WalkAssessment, inner: WalkAssessment): WalkAssessment {
  if (inner.kind === 'no_walk') {
    return outer;
  }
  if (outer.kind === 'no_walk') {
    return inner;
  }
  const evidence = [...outer.lock.evidence, ...inner.lock.evidence];
  if (inner.lock.state === 'unknown') {
    return { ...outer, lock: { ...outer.lock, evidence } };
  }
  if (outer.lock.state !== 'unknown' && outer.lock.state !== inner.lock.state) {
    return {
      kind: 'walk',
      walkProof: outer.walkProof,
      lock: { state: 'unknown', reason: 'conflicting_evidence', detail: `the probe at the walk says ${inner.lock.state}, the enclosing window says ${outer.lock.state}`, evidence },
    };
  }
  return { kind: 'walk', walkProof: outer.walkProof ?? inner.walkProof, lock: { ...inner.lock, evidence } };
}

export function findLastIndex<T>(list: readonly T[], pred: (t: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) {
    const v = list[i];
    if (v !== undefined && pred(v)) {
      return i;
    }
  }
  return -1;
}
