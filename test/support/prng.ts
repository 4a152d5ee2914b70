/** The core's seeded PRNG (mulberry32), plus random bytes, so that randomized tests replay exactly from their seed. */
import type { Prng as CorePrng } from '../../main/core/synthetic/prng.js';
import { mulberry32 as coreMulberry32 } from '../../main/core/synthetic/prng.js';

export interface Prng extends CorePrng {
  /** `n` uniform bytes. */
  bytes(n: number): Uint8Array;
}

export function mulberry32(seed: number): Prng {
  const core = coreMulberry32(seed);
  const bytes = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = core.int(0, 255);
    }
    return out;
  };
  return { ...core, bytes };
}
