/**
 * Which bytes of a file a selection reads, for arrays stored as one contiguous block (a `.npy`
 * file, contiguous HDF5): cold samples check exactly these for residency. Pure.
 */
import type { Selection } from "../core/selection.ts";
import { sliceLength } from "../core/selection.ts";

/** Bytes [offset, offset + length) of a file; no length: to the end of the file. */
export interface FileRange {
  readonly file: string;
  readonly offset: number;
  readonly length?: number;
}

/** Above this many runs per selection, the caller falls back to whole files (e.g. every other element of a large array). */
export const MAX_RUNS = 1 << 20;

/**
 * The runs of bytes `sel` covers in an array of `shape` stored from `base` in C order (last axis
 * fastest) or F order (first axis fastest), adjacent runs merged. Null past MAX_RUNS runs.
 */
export function selectionRuns(
  sel: Selection,
  shape: readonly number[],
  itemSize: number,
  order: "C" | "F",
  base: number,
): { offset: number; length: number }[] | null {
  if (sel.some((s) => sliceLength(s) === 0)) return [];
  // Axes from slowest to fastest on disk.
  const axes = shape.map((_, i) => i);
  if (order === "F") axes.reverse();
  const rank = axes.length;
  const strides = new Array<number>(rank);
  let stride = itemSize;
  for (let k = rank - 1; k >= 0; k--) {
    strides[axes[k]] = stride;
    stride *= shape[axes[k]];
  }
  if (rank === 0) return [{ offset: base, length: itemSize }];
  const inner = sel[axes[rank - 1]];
  // A unit-step innermost slice is one run per outer index; otherwise one run per element.
  const runLength = inner.step === 1 ? sliceLength(inner) * itemSize : itemSize;
  const innerStarts = inner.step === 1 ? [inner.start] : Array.from({ length: sliceLength(inner) }, (_, i) => inner.start + i * inner.step);
  const outer = axes.slice(0, rank - 1);
  const outerCount = outer.reduce((n, a) => n * sliceLength(sel[a]), 1);
  if (outerCount * innerStarts.length > MAX_RUNS) return null;
  const runs: { offset: number; length: number }[] = [];
  const index = outer.map((a) => sel[a].start);
  for (let n = 0; n < outerCount; n++) {
    let offset = base;
    for (let k = 0; k < outer.length; k++) offset += index[k] * strides[outer[k]];
    for (const i of innerStarts) {
      const start = offset + i * strides[axes[rank - 1]];
      const last = runs[runs.length - 1];
      if (last && last.offset + last.length === start) last.length += runLength;
      else runs.push({ offset: start, length: runLength });
    }
    // Advance the outer index, fastest outer axis first.
    for (let k = outer.length - 1; k >= 0; k--) {
      const s = sel[outer[k]];
      index[k] += s.step;
      if (index[k] < s.stop) break;
      index[k] = s.start;
    }
  }
  return runs;
}

/**
 * Indices of the chunks along one axis that a slice touches, for chunks of `chunk` indices. Pure.
 */
export function chunksHit(s: { start: number; stop: number; step: number }, chunk: number): number[] {
  const out: number[] = [];
  if (s.stop <= s.start) return out;
  for (let c = Math.floor(s.start / chunk), last = Math.floor((s.stop - 1) / chunk); c <= last; c++) {
    const lo = c * chunk;
    const first = lo <= s.start ? s.start : s.start + Math.ceil((lo - s.start) / s.step) * s.step;
    if (first < Math.min(s.stop, lo + chunk)) out.push(c);
  }
  return out;
}
