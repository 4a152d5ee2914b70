/** What each proof means, in the words `lockscope inspect` uses (main/core/report/format-walk.ts). */
import type { LockProof, WalkProof } from '../../../main/core/analysis/verdict.js';

export const LOCK_PROOF_TEXT: { readonly [P in LockProof]: string } = {
  owner_at_walk: 'probed at the walk itself: the mutex owner word',
  span_between_snapshots: 'lock state between the last snapshot showing the link and the first showing NULL',
};

export const WALK_PROOF_TEXT: { readonly [P in WalkProof]: string } = {
  return_matches_link: 'the window returned the request req->link held at entry',
  link_cleared_in_window: 'req->link snapshots went from the next request to NULL inside the window',
};
