/**
 * Splitting big selections into blocks that fit h5wasm's WASM heap, and copying blocks in and out of
 * C-order buffers. Pure: no I/O.
 *
 * Every h5wasm read or write goes through a buffer in the WASM heap (at most 2 GiB), so an array or
 * selection larger than that must be moved block by block. Block boundaries lie on the chunk grid
 * (multiples of the chunk shape from index 0), so each chunk is written whole by exactly one block and
 * a split read decompresses no chunk twice along the split axes. Blocks are cut along axis 0 first, then
 * axis 1, ..., so they are as long in the fast axes as the byte limit allows.
 */
import { cStrides, elementCount, type Selection, selectionShape, slice, sliceLength } from "../../core/selection.ts";

/** One block of a selection, and where its elements go in the selection's C-order result. */
export interface Block {
  readonly sel: Selection;
  /** Index of the block's first element along each axis of the selection's result. */
  readonly offset: readonly number[];
}

/**
 * Cuts `sel` into blocks of at most `maxBytes` bytes of selected elements (a block of one `unit` per
 * axis may exceed it). `unit` is the chunk shape, or all ones for contiguous storage. Returns the
 * blocks in C order of the block grid; none when the selection is empty.
 */
export function planBlocks(sel: Selection, unit: readonly number[], itemBytes: number, maxBytes: number): Block[] {
  const counts = selectionShape(sel);
  if (counts.some((n) => n === 0)) return [];
  // Per axis: span of one block in array coordinates (aligned to the chunk grid), or null for uncut.
  const spans: (number | null)[] = sel.map(() => null);
  const perBlock = counts.slice();
  for (let a = 0; a < sel.length && elementCount(perBlock) * itemBytes > maxBytes; a++) {
    const others = (elementCount(perBlock) / perBlock[a]) * itemBytes;
    const wanted = Math.max(1, Math.floor(maxBytes / others)) * sel[a].step;
    const span = Math.max(unit[a], Math.floor(wanted / unit[a]) * unit[a]);
    // A chunk longer than the selection on this axis: cutting here cannot help, try the next axis.
    if (span >= sel[a].stop - sel[a].start) continue;
    spans[a] = span;
    perBlock[a] = Math.ceil(span / sel[a].step);
  }
  const pieces = sel.map((s, a) => axisPieces(s, spans[a]));
  const blocks: Block[] = [];
  const index = pieces.map(() => 0);
  for (;;) {
    blocks.push({ sel: index.map((i, a) => pieces[a][i].slice), offset: index.map((i, a) => pieces[a][i].offset) });
    let a = pieces.length - 1;
    while (a >= 0 && ++index[a] === pieces[a].length) index[a--] = 0;
    if (a < 0) return blocks;
  }
}

/** The parts of one axis' slice that fall into grid cells of `span` (all of it when span is null). */
function axisPieces(s: Selection[number], span: number | null): { slice: Selection[number]; offset: number }[] {
  if (span === null) return [{ slice: s, offset: 0 }];
  const out: { slice: Selection[number]; offset: number }[] = [];
  for (let cell = Math.floor(s.start / span); cell * span < s.stop; cell++) {
    const lo = Math.max(s.start, cell * span);
    const hi = Math.min(s.stop, (cell + 1) * span);
    const skip = Math.ceil((lo - s.start) / s.step);
    const first = s.start + skip * s.step;
    if (first < hi) out.push({ slice: slice(first, hi, s.step), offset: skip });
  }
  return out;
}

/**
 * Copies a box of `box` elements between two C-order byte buffers: from `src` (shape `srcShape`,
 * box starting at `srcOffset`) to `dst` (shape `dstShape`, box at `dstOffset`). Trailing axes that
 * the box covers whole in both buffers are copied as one run.
 */
export function copyBox(
  src: Uint8Array,
  srcShape: readonly number[],
  srcOffset: readonly number[],
  dst: Uint8Array,
  dstShape: readonly number[],
  dstOffset: readonly number[],
  box: readonly number[],
  itemBytes: number,
): void {
  const rank = box.length;
  if (elementCount(box) === 0) return;
  if (rank === 0) {
    dst.set(src.subarray(0, itemBytes));
    return;
  }
  // Merge trailing axes into one run while the box spans them fully in both buffers.
  let runAxis = rank - 1;
  while (runAxis > 0 && box[runAxis] === srcShape[runAxis] && box[runAxis] === dstShape[runAxis]) runAxis--;
  const run = elementCount(box.slice(runAxis)) * itemBytes;
  const srcStrides = cStrides(srcShape).map((s) => s * itemBytes);
  const dstStrides = cStrides(dstShape).map((s) => s * itemBytes);
  const index = new Array<number>(runAxis).fill(0);
  for (;;) {
    let s = 0,
      d = 0;
    for (let a = 0; a <= runAxis; a++) {
      const i = a < runAxis ? index[a] : 0;
      s += (srcOffset[a] + i) * srcStrides[a];
      d += (dstOffset[a] + i) * dstStrides[a];
    }
    dst.set(src.subarray(s, s + run), d);
    let a = runAxis - 1;
    while (a >= 0 && ++index[a] === box[a]) index[a--] = 0;
    if (a < 0) return;
  }
}

/** Number of elements a selection covers (0 when any axis is empty). */
export function selectedCount(sel: Selection): number {
  return sel.reduce((acc, s) => acc * sliceLength(s), 1);
}
