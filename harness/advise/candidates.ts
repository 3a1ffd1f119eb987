/**
 * Candidate chunk shapes for an array: per axis, powers of two below its length and the length
 * itself, every combination whose chunk holds between the size limits and whose grid has few
 * enough chunks (every chunk is a file or an index entry). Pure.
 */
import { elementCount } from "../core/selection.ts";

export interface ChunkLimits {
  /** Smallest chunk, in bytes (smaller ones spend more on per-chunk overhead than on data). */
  readonly minBytes: number;
  /** Largest chunk, in bytes (a point read decodes a whole chunk). */
  readonly maxBytes: number;
  /** Most chunks in the grid (Zarr v2 writes one file per chunk). */
  readonly maxChunks: number;
}

export const DEFAULT_LIMITS: ChunkLimits = { minBytes: 64 * 1024, maxBytes: 16 * 2 ** 20, maxChunks: 1_000_000 };

/** Sides tried along an axis of `n`: 1, 2, 4, … below n, and n (every other power for 3-D and up). */
export function sidesFor(n: number, rank: number): number[] {
  const step = rank >= 3 ? 4 : 2;
  const out: number[] = [];
  for (let s = 1; s < n; s *= step) out.push(s);
  out.push(n);
  return out;
}

/** Number of chunks of `chunk` in an array of `shape`. */
export function gridCount(shape: readonly number[], chunk: readonly number[]): number {
  return shape.reduce((n, len, i) => n * Math.ceil(len / chunk[i]), 1);
}

/** Every candidate within `limits`; an array smaller than the smallest chunk gets itself as one chunk. */
export function candidateChunks(shape: readonly number[], itemBytes: number, limits: ChunkLimits = DEFAULT_LIMITS): number[][] {
  if (elementCount(shape) * itemBytes <= limits.minBytes) return [[...shape]];
  let combos: number[][] = [[]];
  for (const n of shape) combos = combos.flatMap((prefix) => sidesFor(n, shape.length).map((s) => [...prefix, s]));
  const fits = combos.filter((c) => gridCount(shape, c) <= limits.maxChunks && elementCount(c) * itemBytes <= limits.maxBytes);
  const within = fits.filter((c) => elementCount(c) * itemBytes >= limits.minBytes);
  // No shape reaches the smallest size within the grid limit: the largest that fit.
  return within.length > 0 ? within : fits.sort((a, b) => elementCount(b) - elementCount(a)).slice(0, 8);
}
