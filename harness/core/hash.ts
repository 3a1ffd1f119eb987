/**
 * Integer hashing and a seeded PRNG: the only sources of randomness in the harness, so that dataset
 * content and access patterns are identical on every machine and every run.
 *
 * `hash32` is exactly MurmurHash3_x86_32 of two little-endian 32-bit words, so any other language can
 * reproduce it (e.g. Python `mmh3.hash(struct.pack("<II", a, b), seed, signed=False)`).
 * Everything uses `Math.imul` and 32-bit integer ops only: no floating-point rounding can differ.
 */

/** 2^32, for splitting indices and seeds into 32-bit halves. */
export const TWO_POW_32 = 4294967296;

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * MurmurHash3_x86_32 of the 8 bytes `a`, `b` (two 32-bit words, each little-endian) with `seed`.
 * Arguments are taken modulo 2^32 (any integer-valued number works); returns an unsigned 32-bit value.
 * Dataset generators pass (index-hi, index-lo): the hi word changes rarely, so its block is mixed once
 * per row and only `finalize(mixBlock(h, lo), 8)` runs per element.
 */
export function hash32(seed: number, a: number, b: number): number {
  return finalize(mixBlock(mixBlock(seed, a), b), 8);
}

/** One MurmurHash3_x86_32 body step: mixes the 32-bit block `k` into the state `h` (int32 result). */
export function mixBlock(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = Math.imul((k << 15) | (k >>> 17), C2);
  h ^= k;
  return (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
}

/** MurmurHash3_x86_32 finalizer (fmix32 after xoring the key length): spreads every bit over all 32. */
export function finalize(h: number, byteLength: number): number {
  h ^= byteLength;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Folds a string (UTF-16 code units) into a 32-bit key, e.g. to give each pattern its own stream. */
function hashString(text: string, seed = 0): number {
  let h = hash32(seed, text.length, 0x5354524e);
  for (let i = 0; i < text.length; i++) h = hash32(h, text.charCodeAt(i), i);
  return h;
}

/**
 * Folds a seed (any safe integer, negative included) and a 32-bit tag into a 32-bit hash key.
 * Both halves of the seed count, so seeds that differ only above bit 31 still give different keys.
 */
export function seedKey(seed: number, tag: number): number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  return hash32(tag, seed >>> 0, Math.floor(seed / TWO_POW_32) >>> 0);
}

/**
 * A counter-based PRNG: output i is `hash32(key, i)`. Counter-based rather than a state recurrence
 * so the sequence is obviously platform-independent and cannot fall into a short cycle.
 */
export class Prng {
  private readonly key: number;
  private counter = 0;

  /** `stream` separates independent sequences that share a seed (e.g. the pattern's name). */
  constructor(seed: number, stream = "") {
    this.key = seedKey(seed, hashString(stream));
  }

  /** Uniform in [0, 2^32). */
  nextUint32(): number {
    const c = this.counter++;
    return hash32(this.key, c >>> 0, Math.floor(c / TWO_POW_32) >>> 0);
  }

  /** Uniform in [0, 1) with 53 random bits (the same recipe as numpy's `random_sample`). */
  nextFloat(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * Uniform integer in [0, maxExclusive), for 1 <= maxExclusive <= 2^53. Rejection sampling removes
   * the modulo bias, which matters for positions on long axes (a biased start favours low indices).
   */
  nextInt(maxExclusive: number): number {
    if (!Number.isSafeInteger(maxExclusive) || maxExclusive < 1) {
      throw new RangeError(`nextInt bound must be an integer in 1..2^53, got ${maxExclusive}`);
    }
    if (maxExclusive <= TWO_POW_32) {
      const limit = TWO_POW_32 - (TWO_POW_32 % maxExclusive);
      let x = this.nextUint32();
      while (x >= limit) x = this.nextUint32();
      return x % maxExclusive;
    }
    const range = 9007199254740992;
    const limit = range - (range % maxExclusive);
    let x = this.nextFloat() * range;
    while (x >= limit) x = this.nextFloat() * range;
    return x % maxExclusive;
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /**
   * `k` distinct integers from [0, n) in random order: a partial Fisher–Yates shuffle of the virtual
   * array 0..n-1 that stores only displaced entries, so memory is O(k) even when n is 2^40.
   */
  sampleDistinct(n: number, k: number): number[] {
    if (!Number.isSafeInteger(n) || !Number.isSafeInteger(k) || k < 0 || k > n) {
      throw new RangeError(`cannot sample ${k} distinct integers from [0, ${n})`);
    }
    const displaced = new Map<number, number>();
    const result = new Array<number>(k);
    for (let i = 0; i < k; i++) {
      const j = i + this.nextInt(n - i);
      const atJ = displaced.get(j) ?? j;
      displaced.set(j, displaced.get(i) ?? i);
      result[i] = atJ;
    }
    return result;
  }
}
