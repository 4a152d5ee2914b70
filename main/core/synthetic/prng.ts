/**
 * A small seeded PRNG (mulberry32), so that a synthetic capture replays exactly from its seed
 * (the tests use it too, through test/support/prng.ts).
 */

export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number;
  /** true with probability `p`. */
  chance(p: number): boolean;
}

export function mulberry32(seed: number): Prng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  const chance = (p: number): boolean => next() < p;
  return { next, int, chance };
}

/** An independent stream derived from `seed` and a stream number (so that options that add
 * randomness, such as injected misses, leave the rest of the simulation unchanged). */
export function substream(seed: number, stream: number): Prng {
  return mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b)) >>> 0);
}
