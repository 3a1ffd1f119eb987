/**
 * The memmap backend: one NumPy `.npy` file (C or Fortran order), memory-mapped whole with the
 * layout's madvise hint. Reads copy the selected elements out of the mapping, so every byte the
 * selection touches is faulted in through the page cache exactly as NumPy's `np.load(mmap_mode=)`
 * would, readahead included: that is the behaviour this backend exists to measure.
 */
import { closeSync, fdatasyncSync, fstatSync, openSync, readSync, writeSync } from "node:fs";
import { join } from "node:path";
import { allocate, itemSize, view, type Dtype, type TypedArray } from "../data/dtype.ts";
import { fillRegion } from "../data/generate.ts";
import { cStrides, elementCount, fitsShape, formatSelection, fStrides, selectionShape, slice, type Selection } from "../access/selection.ts";
import type { MemmapLayout } from "../scenario/types.ts";
import type { Backend, MaterializeContext, Reader, Stored } from "./types.ts";
import { formatNpyHeader, NPY_PREFIX_BYTES, npyHeaderLength, parseNpyHeader, type NpyHeader } from "./npy.ts";
import { madvise, map, msync, unmap } from "../native/index.ts";

/** The one file of a memmap layout. */
export const NPY_FILE = "data.npy";
/** Most bytes generated and written per step while materializing. */
const BAND_BYTES = 64 * 1024 * 1024;

/** Stores a dataset as `data.npy` and reads it through a shared memory mapping. */
export const memmapBackend: Backend<MemmapLayout> = {
  name: "memmap",
  // Advice changes how the file is read, not its bytes: layouts differing only in advice share a file.
  readOnlyParams: ["advice"],
  // Every dtype and rank maps to a .npy file; advice and order are already validated by the schema.
  check: () => [],
  materialize,
  files: async (stored) => [join(stored.dir, NPY_FILE)],
  open: async (stored, options) => openReader(stored, options.writable),
};

/** Logical axes from slowest to fastest varying in the file. */
function storageAxes(rank: number, order: "C" | "F"): number[] {
  const axes = Array.from({ length: rank }, (_, i) => i);
  return order === "C" ? axes : axes.reverse();
}

async function materialize(ctx: MaterializeContext<MemmapLayout>): Promise<void> {
  const { dataset, layout } = ctx;
  const shape = dataset.shape;
  const size = itemSize(dataset.dtype);
  const total = elementCount(shape) * size;
  const fileStrides = layout.order === "C" ? cStrides(shape) : fStrides(shape);
  const header = formatNpyHeader(dataset.dtype, shape, layout.order === "F");
  const fd = openSync(join(ctx.dir, NPY_FILE), "w");
  try {
    writeAll(fd, header, 0);
    ctx.progress(0, total);
    // Blocks contiguous in the file: fixed indices on the outer storage axes, a band along axis
    // `axes[p]`, whole inner axes; p is the outermost axis whose hyperplane fits in a band.
    const axes = storageAxes(shape.length, layout.order);
    const budget = Math.max(1, Math.floor(BAND_BYTES / size));
    let p = 0;
    let inner = 1;
    for (; p < axes.length; p++) {
      inner = elementCount(axes.slice(p + 1).map((a) => shape[a]));
      if (inner <= budget) break;
    }
    const width = p < axes.length ? Math.max(1, Math.min(shape[axes[p]], Math.floor(budget / inner))) : 1;
    const scratch = allocate(dataset.dtype, total === 0 ? 0 : width * inner);
    const transposed = layout.order === "F" ? allocate(dataset.dtype, scratch.length) : scratch;
    let done = 0;
    for (const sel of bands(shape, axes, p, width)) {
      const counts = selectionShape(sel);
      const n = elementCount(counts);
      const block = scratch.subarray(0, n);
      fillRegion(dataset, sel, block);
      let out = block;
      if (layout.order === "F") {
        // The generator yields C order; the file wants the block in F order.
        out = transposed.subarray(0, n);
        copyBox(block, 0, cStrides(counts), out, 0, fStrides(counts), counts);
      }
      const first = sel.reduce((acc, s, a) => acc + s.start * fileStrides[a], 0);
      writeAll(fd, new Uint8Array(out.buffer, out.byteOffset, out.byteLength), header.length + first * size);
      done += out.byteLength;
      ctx.progress(done, total);
    }
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Selections of the blocks to write, in file order. */
function* bands(shape: readonly number[], axes: number[], p: number, width: number): Generator<Selection> {
  if (elementCount(shape) === 0) return;
  if (shape.length === 0) return yield [];
  const outer = axes.slice(0, p);
  const index = outer.map(() => 0);
  for (;;) {
    for (let b = 0; b < shape[axes[p]]; b += width) {
      const sel = shape.map((n) => slice(0, n));
      outer.forEach((a, k) => (sel[a] = slice(index[k], index[k] + 1)));
      sel[axes[p]] = slice(b, Math.min(b + width, shape[axes[p]]));
      yield sel;
    }
    let k = outer.length - 1;
    while (k >= 0 && ++index[k] === shape[outer[k]]) index[k--] = 0;
    if (k < 0) return;
  }
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off, position + off);
}

/** Reads the header with pread: touching the mapping would fault in a whole readahead window. */
function readHeader(fd: number, path: string): NpyHeader {
  const prefix = Buffer.alloc(NPY_PREFIX_BYTES);
  readSync(fd, prefix, 0, prefix.length, 0);
  const bytes = Buffer.alloc(npyHeaderLength(prefix));
  if (readSync(fd, bytes, 0, bytes.length, 0) !== bytes.length) throw new Error(`${path}: truncated .npy header`);
  return parseNpyHeader(bytes);
}

function openReader(stored: Stored<MemmapLayout>, writable: boolean): Reader {
  const { dataset, layout } = stored;
  const path = join(stored.dir, NPY_FILE);
  const fd = openSync(path, writable ? "r+" : "r");
  let buffer: ArrayBuffer;
  let header: NpyHeader;
  try {
    header = readHeader(fd, path);
    checkHeader(path, header, dataset.dtype, dataset.shape, layout.order);
    const size = fstatSync(fd).size;
    const needed = header.dataOffset + elementCount(dataset.shape) * itemSize(dataset.dtype);
    if (size < needed) throw new Error(`${path}: file has ${size} bytes, the header promises ${needed}`);
    buffer = map(fd, size, writable);
    if (buffer.byteLength > 0) madvise(buffer, layout.advice);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  const shape = dataset.shape;
  const fileStrides = layout.order === "C" ? cStrides(shape) : fStrides(shape);
  const data = view(dataset.dtype, buffer, header.dataOffset, elementCount(shape));
  let closed = false;

  /** Element offset of the selection's first element and the file stride of each selected axis. */
  function place(sel: Selection, verb: string): { offset: number; strides: number[]; counts: number[] } {
    if (closed) throw new Error(`memmap reader for ${path} is closed`);
    if (!fitsShape(sel, shape)) throw new RangeError(`cannot ${verb} ${formatSelection(sel)}: it does not fit shape [${shape.join(", ")}]`);
    return {
      offset: sel.reduce((acc, s, a) => acc + s.start * fileStrides[a], 0),
      strides: sel.map((s, a) => s.step * fileStrides[a]),
      counts: selectionShape(sel),
    };
  }

  return {
    async read(sel, into) {
      const { offset, strides, counts } = place(sel, "read");
      const n = elementCount(counts);
      const out = into && into.length === n ? into : allocate(dataset.dtype, n);
      copyBox(data, offset, strides, out, 0, cStrides(counts), counts);
      return out;
    },
    async write(sel, values) {
      if (!writable) throw new Error(`memmap reader for ${path} was opened read-only; open it with { writable: true } to write`);
      const { offset, strides, counts } = place(sel, "write");
      if (values.constructor !== data.constructor || values.length !== elementCount(counts)) {
        throw new TypeError(`write ${formatSelection(sel)}: expected a ${data.constructor.name} of ${elementCount(counts)} elements, got a ${values.constructor.name} of ${values.length}`);
      }
      copyBox(values, 0, cStrides(counts), data, offset, strides, counts);
    },
    async flush() {
      if (writable && buffer.byteLength > 0) msync(buffer);
    },
    async close() {
      if (closed) return;
      closed = true;
      // Unmap first: a live mapping pins the file's pages, and cold eviction would then fail.
      unmap(buffer);
      closeSync(fd);
    },
  };
}

function checkHeader(path: string, header: NpyHeader, dtype: Dtype, shape: readonly number[], order: "C" | "F"): void {
  const want = `${dtype} (${shape.join(", ")}) ${order} order`;
  const got = `${header.dtype ?? header.descr} (${header.shape.join(", ")}) ${header.fortranOrder ? "F" : "C"} order`;
  if (want !== got) throw new Error(`${path}: holds ${got}, the layout expects ${want}; delete the stale cache entry`);
}

// ---- N-d strided copy -----------------------------------------------------------------------------

interface Axis { n: number; s: number; d: number }

/**
 * Copies a box of `counts` elements from `src` (starting element `srcOffset`, element strides
 * `srcStrides`) to `dst` likewise. Elements move as 8/16/32-bit words, never as JS numbers, so
 * NaN payloads survive and the store stays monomorphic per word size. Runs contiguous in both
 * arrays are copied with `set(subarray)`; other axes are visited with the smallest source stride
 * innermost, so a mapped file is walked in file order.
 */
function copyBox(src: TypedArray, srcOffset: number, srcStrides: readonly number[], dst: TypedArray, dstOffset: number, dstStrides: readonly number[], counts: readonly number[]): void {
  const size = src.BYTES_PER_ELEMENT;
  const aligned = (a: TypedArray) => a.byteOffset % Math.min(size, 4) === 0;
  const wordBytes = aligned(src) && aligned(dst) ? Math.min(size, 4) : 1;
  const k = size / wordBytes; // words per element
  let axes: Axis[] = counts.map((n, i) => ({ n, s: srcStrides[i] * k, d: dstStrides[i] * k }));
  if (axes.some((a) => a.n === 0)) return;
  if (k > 1) axes.push({ n: k, s: 1, d: 1 });
  axes = axes.filter((a) => a.n > 1).sort((a, b) => b.s - a.s);
  const merged: Axis[] = [];
  for (const a of axes) {
    const prev = merged[merged.length - 1];
    if (prev && prev.s === a.n * a.s && prev.d === a.n * a.d) merged[merged.length - 1] = { n: prev.n * a.n, s: a.s, d: a.d };
    else merged.push({ ...a });
  }
  const s = words(src, wordBytes);
  const d = words(dst, wordBytes);
  let so = srcOffset * k;
  let dO = dstOffset * k;
  const last = merged.pop() ?? { n: 1, s: 1, d: 1 };
  const contiguous = last.s === 1 && last.d === 1;
  const index = merged.map(() => 0);
  for (;;) {
    if (contiguous) d.set(s.subarray(so, so + last.n), dO);
    else for (let i = 0, si = so, di = dO; i < last.n; i++, si += last.s, di += last.d) d[di] = s[si];
    // Odometer over the outer axes, moving both offsets incrementally.
    let a = merged.length - 1;
    for (; a >= 0; a--) {
      const ax = merged[a];
      if (++index[a] < ax.n) { so += ax.s; dO += ax.d; break; }
      index[a] = 0;
      so -= (ax.n - 1) * ax.s;
      dO -= (ax.n - 1) * ax.d;
    }
    if (a < 0) return;
  }
}

function words(a: TypedArray, wordBytes: number): Uint8Array | Uint16Array | Uint32Array {
  const n = a.byteLength / wordBytes;
  if (wordBytes === 4) return new Uint32Array(a.buffer, a.byteOffset, n);
  if (wordBytes === 2) return new Uint16Array(a.buffer, a.byteOffset, n);
  return new Uint8Array(a.buffer, a.byteOffset, n);
}
