/**
 * Where a selection meets the chunk grid, and copying the selected part of one decoded chunk into
 * the selection's C-order result. Pure: no I/O.
 */

import type { Slice } from "../../core/selection.ts";
import { cStrides } from "../../core/selection.ts";
import { copyStrided, PLAN_HEADER } from "../../native/index.ts";

/** The part of one chunk (along one axis) that a slice selects. */
export interface AxisPart {
  /** Chunk index along the axis. */
  readonly chunk: number;
  /** First selected index inside the chunk. */
  readonly from: number;
  /** Selected indices in the chunk. */
  readonly count: number;
  /** The slice's step. */
  readonly step: number;
  /** Position of the first of them in the result along this axis. */
  readonly outAt: number;
}

/** The chunks along one axis (chunk length `chunk`) holding indices of `s`, in order; none for an empty slice. */
export function intersect(s: Slice, chunk: number): AxisPart[] {
  const parts: AxisPart[] = [];
  let outAt = 0;
  for (let i = s.start; i < s.stop; ) {
    const k = Math.floor(i / chunk);
    const hi = Math.min(s.stop, (k + 1) * chunk);
    const count = Math.ceil((hi - i) / s.step);
    parts.push({ chunk: k, from: i - k * chunk, count, step: s.step, outAt });
    outAt += count;
    i += count * s.step;
  }
  return parts;
}

/** One plan per rank, refilled for every copy (copies are synchronous). */
const plans = new Map<number, Float64Array>();

/**
 * Copies the part `parts` (one per axis) of a decoded chunk `src` (C order, shape `srcShape`) into
 * `dst` (C order, shape `dstShape`), elements of `item` bytes, in one native strided copy (which
 * merges axes contiguous in both buffers into long runs, as the .npy reader's copies do).
 */
export function copySelected(
  src: Uint8Array,
  srcShape: readonly number[],
  dst: Uint8Array,
  dstShape: readonly number[],
  parts: readonly AxisPart[],
  item: number,
): void {
  const rank = parts.length;
  if (rank === 0) {
    dst.set(src.subarray(0, item));
    return;
  }
  const srcStrides = byteStrides(srcShape, item);
  const dstStrides = byteStrides(dstShape, item);
  let plan = plans.get(rank);
  if (!plan) {
    plan = new Float64Array(PLAN_HEADER + 3 * rank);
    plans.set(rank, plan);
  }
  let s = 0,
    d = 0;
  for (let a = 0; a < rank; a++) {
    const part = parts[a];
    s += part.from * srcStrides[a];
    d += part.outAt * dstStrides[a];
    const at = PLAN_HEADER + 3 * a;
    plan[at] = part.count;
    plan[at + 1] = part.step * srcStrides[a];
    plan[at + 2] = dstStrides[a];
  }
  plan[0] = item;
  plan[1] = rank;
  plan[2] = s;
  plan[3] = d;
  copyStrided(src, dst, plan);
}

/** C-order strides in bytes. */
function byteStrides(shape: readonly number[], item: number): number[] {
  return cStrides(shape).map((stride) => stride * item);
}

/** Shortest selected run worth reading straight into the result (shorter ones go through a copy). */
const MIN_SCATTER_RUN = 512;
/** Linux's IOV_MAX: most buffers one readv takes. */
const MAX_PIECES = 1024;

/**
 * How to read an uncompressed chunk file whole with one `readv` so that its selected runs land in
 * the result: pieces in file order, each `["out", at, length]` (into the result's bytes) or
 * `["junk", 0, length]` (bytes not selected), adding up to `chunkBytes`; `junk` is the longest
 * junk piece. Undefined when the runs are short or many, or cover under a quarter of the chunk.
 */
export function scatterPlan(
  srcShape: readonly number[],
  dstShape: readonly number[],
  parts: readonly AxisPart[],
  item: number,
  chunkBytes: number,
): { pieces: ["out" | "junk", number, number][]; junk: number } | undefined {
  const rank = parts.length;
  if (rank === 0 || parts[rank - 1].step !== 1) return undefined;
  let inner = rank - 1;
  let run = parts[rank - 1].count * item;
  while (inner > 0 && parts[inner].count === srcShape[inner] && parts[inner].count === dstShape[inner] && parts[inner - 1].step === 1) {
    inner--;
    run *= parts[inner].count;
  }
  const runs = parts.slice(0, inner).reduce((acc, p) => acc * p.count, 1);
  if (run < MIN_SCATTER_RUN || 2 * runs + 1 > MAX_PIECES || 4 * run * runs < chunkBytes) return undefined;
  const srcStrides = byteStrides(srcShape, item);
  const dstStrides = byteStrides(dstShape, item);
  let s = 0,
    d = 0;
  for (let a = 0; a < rank; a++) {
    s += parts[a].from * srcStrides[a];
    d += parts[a].outAt * dstStrides[a];
  }
  const pieces: ["out" | "junk", number, number][] = [];
  const index = new Array<number>(inner).fill(0);
  let filePos = 0,
    junk = 0;
  for (;;) {
    if (s > filePos) {
      pieces.push(["junk", 0, s - filePos]);
      junk = Math.max(junk, s - filePos);
    }
    pieces.push(["out", d, run]);
    filePos = s + run;
    let a = inner - 1;
    for (; a >= 0; a--) {
      s += parts[a].step * srcStrides[a];
      d += dstStrides[a];
      if (++index[a] < parts[a].count) break;
      s -= parts[a].count * parts[a].step * srcStrides[a];
      d -= parts[a].count * dstStrides[a];
      index[a] = 0;
    }
    if (a < 0) break;
  }
  if (chunkBytes > filePos) {
    pieces.push(["junk", 0, chunkBytes - filePos]);
    junk = Math.max(junk, chunkBytes - filePos);
  }
  return { pieces, junk };
}
