/**
 * A seeded pseudo-random generator for resampling. Bootstrap intervals must be reproducible:
 * the same results file and seed give the same report, byte for byte, so snapshots stay stable
 * and two people looking at one run see the same intervals. `Math.random` cannot be seeded.
 */

/** Returns uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * mulberry32: 32 bits of state, passes the statistical tests that matter for drawing resample
 * indices, and is a few lines long. Not for cryptography.
 */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Derives a 32-bit seed from parts (FNV-1a over their text). Seeding each case by its id makes
 * a case's resamples independent of the order cases are processed in.
 */
export function deriveSeed(...parts: readonly (string | number)[]): number {
  let hash = 0x811c9dc5;
  const text = parts.join("\u0000");
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
