/**
 * The regular chunk grid: which chunks an array has, which region of the array each covers, and the
 * chunk's values as Zarr stores them (always the full chunk shape; the part past the array's edge
 * holds the fill value 0).
 */
import { allocate, type TypedArray } from "../../core/dtype.ts";
import { cStrides, elementCount, type Selection, slice } from "../../core/selection.ts";
import { generateRegion } from "../../data/generate.ts";
import type { DatasetSpec } from "../../scenario/types.ts";

/** Chunks along each axis. */
export function gridShape(shape: readonly number[], chunks: readonly number[]): number[] {
  return shape.map((n, i) => Math.ceil(n / chunks[i]));
}

/** Every index of a grid with `counts` cells per axis, in C order (a 0-d grid has one: []). */
export function* gridCoords(counts: readonly number[]): Generator<number[]> {
  if (counts.some((n) => n === 0)) return;
  const coord = new Array<number>(counts.length).fill(0);
  for (;;) {
    yield coord.slice();
    let a = counts.length - 1;
    while (a >= 0 && ++coord[a] === counts[a]) coord[a--] = 0;
    if (a < 0) return;
  }
}

/**
 * The array region a chunk covers, clipped to the array, with its origin at `origin` (in elements);
 * undefined when the chunk lies wholly outside (possible for inner chunks of an edge shard).
 */
export function chunkRegion(origin: readonly number[], chunks: readonly number[], shape: readonly number[]): Selection | undefined {
  if (origin.some((o, i) => o >= shape[i])) return undefined;
  return origin.map((o, i) => slice(o, Math.min(o + chunks[i], shape[i])));
}

/**
 * The values of the chunk whose region is `region`, in C order over the full `chunks` shape, as a
 * typed array that owns its whole buffer (zarrita's and our encoders read `.buffer` whole).
 */
export function chunkValues(dataset: DatasetSpec, region: Selection, chunks: readonly number[]): TypedArray {
  const values = generateRegion(dataset, region);
  const regionShape = region.map((s) => s.stop - s.start);
  if (regionShape.every((n, i) => n === chunks[i]) && values.byteOffset === 0 && values.byteLength === values.buffer.byteLength) {
    return values;
  }
  const out = allocate(dataset.dtype, elementCount(chunks));
  copyBox(values, regionShape, out, chunks);
  return out;
}

/** Copies a C-order box of shape `srcShape` into the corner of a C-order array of shape `dstShape`. */
function copyBox(src: TypedArray, srcShape: readonly number[], dst: TypedArray, dstShape: readonly number[]): void {
  const rank = srcShape.length;
  if (rank === 0 || elementCount(srcShape) === 0) {
    if (src.length > 0) (dst as Float64Array).set(src as Float64Array, 0);
    return;
  }
  const rowLength = srcShape[rank - 1];
  const dstStrides = cStrides(dstShape);
  const rows = srcShape.slice(0, rank - 1);
  let from = 0;
  for (const row of gridCoords(rows)) {
    let to = 0;
    for (let a = 0; a < rank - 1; a++) to += row[a] * dstStrides[a];
    (dst as Float64Array).set((src as Float64Array).subarray(from, from + rowLength), to);
    from += rowLength;
  }
}
