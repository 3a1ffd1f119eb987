/**
 * The memmap backend: one NumPy `.npy` file (C or Fortran order), memory-mapped whole with the
 * layout's madvise hint. Reads copy the selected elements out of the mapping, so every byte the
 * selection touches is faulted in through the page cache exactly as NumPy's `np.load(mmap_mode=)`
 * would, readahead included: that is the behaviour this backend exists to measure.
 */
import { closeSync, fdatasyncSync, fstatSync, openSync, type Stats, writeSync } from "node:fs";
import { join } from "node:path";
import { selectionRuns } from "../access/byte-ranges.ts";
import { allocate, type Dtype, itemSize, view } from "../core/dtype.ts";
import { cStrides, elementCount, fitsShape, formatSelection, fStrides, type Selection, selectionShape, slice, sliceLength } from "../core/selection.ts";
import { fillRegion } from "../data/generate.ts";
import { copyStrided, madvise, map, msync, PLAN_HEADER, unmap } from "../native/index.ts";
import type { MemmapLayout } from "../scenario/types.ts";
import { AS_IS_LAYOUT } from "../scenario/types.ts";
import { openDownloaded } from "./memmap/download.ts";
import { formatNpyHeader, NpyFormatError, type NpyHeader, readNpyHeader, readNpyRegion } from "./npy.ts";
import { type SourceInfo, SourceProblem, SUPPORTED_DTYPES } from "./source-probe.ts";
import type { Backend, BackendReadPath, FileRange, MaterializeContext, Reader, Stored } from "./types.ts";

/** The one file of a memmap layout. */
export const NPY_FILE = "data.npy";
/** Most bytes generated and written per step while materializing. */
const BAND_BYTES = 64 * 1024 * 1024;

/** Stores a dataset as `data.npy` and reads it through a shared memory mapping. */
export const memmapBackend: Backend<MemmapLayout> = {
  name: "memmap",
  // Advice changes how the file is read, not its bytes: layouts differing only in advice share a file.
  readOnlyParams: ["advice", "remote"],
  // Every dtype and rank maps to a .npy file; advice and order are already validated by the schema.
  check: () => [],
  remoteProblem: (layout) =>
    layout.remote === "download"
      ? undefined
      : "mmap needs a file on a local filesystem, and an object behind HTTP or in S3 is not one; add remote: download to download it to local disk and map it (the download is timed in every sample)",
  // One file: the header, then every element.
  footprint: (layout, dataset) => ({
    files: [
      { count: 1, bytes: formatNpyHeader(dataset.dtype, dataset.shape, layout.order === "F").length + elementCount(dataset.shape) * itemSize(dataset.dtype) },
    ],
    folders: 0,
  }),
  materialize,
  files: async (stored) => [join(stored.dir, NPY_FILE)],
  open: async (stored, options) => openReader(stored, options.writable),
  // Validation lets only `remote: download` layouts read remote storage (remoteProblem above).
  openRemote: (stored, source) => openDownloaded(stored, source, NPY_FILE, async (local) => openReader(local, false)),
  mainFile: NPY_FILE,
  locate: (stored) => ({ path: join(stored.dir, NPY_FILE) }),
  describe: (layout) => `memmap (.npy), ${layout.order} order, advice ${layout.advice}`,
  sourceFormat: "npy",
  probeSource: (path, { shown, stats }) => probeNpy(path, shown, stats),
  referenceRead: async (stored, sel) => readNpyRegion(join(stored.dir, NPY_FILE), sel, stored.dataset),
  byteRanges: async (stored, selections) => {
    const path = join(stored.dir, NPY_FILE);
    const fd = openSync(path, "r");
    let dataOffset: number;
    try {
      dataOffset = readHeader(fd, path).dataOffset;
    } finally {
      closeSync(fd);
    }
    const ranges: FileRange[] = [];
    for (const sel of selections) {
      const runs = selectionRuns(sel, stored.dataset.shape, itemSize(stored.dataset.dtype), stored.layout.order, dataOffset);
      if (!runs) return null;
      for (const r of runs) ranges.push({ file: path, offset: r.offset, length: r.length });
    }
    return ranges;
  },
};

/** What a user's `.npy` file holds; its layout is a memmap one in the file's own order. */
function probeNpy(path: string, shown: string, st: Stats): SourceInfo {
  if (!st.isFile()) throw new SourceProblem(`${shown} is not a file; format npy expects a .npy file`);
  const fd = openSync(path, "r");
  try {
    let header: NpyHeader;
    try {
      header = readNpyHeader(fd);
    } catch (err) {
      throw new SourceProblem(`${shown} is not a readable .npy file: ${(err as Error).message}`);
    }
    if (!header.dtype) throw new SourceProblem(`${shown} holds dtype '${header.descr}', which layoutbench cannot read (${SUPPORTED_DTYPES}, little-endian)`);
    const needed = header.dataOffset + header.shape.reduce((a, b) => a * b, 1) * itemSize(header.dtype);
    if (st.size < needed) throw new SourceProblem(`${shown} has ${st.size} bytes, its header promises ${needed}: the file is truncated`);
    return {
      shape: header.shape,
      dtype: header.dtype,
      layout: { name: AS_IS_LAYOUT, backend: "memmap", advice: "normal", order: header.fortranOrder ? "F" : "C" },
    };
  } finally {
    closeSync(fd);
  }
}
/** The one read path: the addon's copy is required (there is no slower path to fall back to). */
export const MEMMAP_READ_PATH: BackendReadPath = {
  implementation: "addon mmap + native strided copy",
  decoder: "none",
  threads: 1,
  library: "no library: layoutbench parses the .npy header",
  ours: "maps the file with the layout's madvise, copies each selection in one native call",
  fallbacks: [],
};

/** The one write path: the same native copy into the shared mapping, made durable by msync. */
export const MEMMAP_WRITE_PATH: BackendReadPath = {
  implementation: "writes: addon mmap + native strided copy into the shared mapping",
  decoder: "none",
  threads: 1,
  library: "no library: layoutbench parses the .npy header",
  ours: "copies each selection into the mapping in one native call; durable: msync of the mapping",
  fallbacks: [],
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
        copyStrided(block, out, boxPlan(size, cStrides(counts), fStrides(counts), counts));
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
      outer.forEach((a, k) => {
        sel[a] = slice(index[k], index[k] + 1);
      });
      sel[axes[p]] = slice(b, Math.min(b + width, shape[axes[p]]));
      yield sel;
    }
    let k = outer.length - 1;
    while (k >= 0 && ++index[k] === shape[outer[k]]) index[k--] = 0;
    if (k < 0) return;
  }
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off, position + off);
}

/** Reads the header with pread: touching the mapping would fault in a whole readahead window. */
function readHeader(fd: number, path: string): NpyHeader {
  try {
    return readNpyHeader(fd);
  } catch (err) {
    if (err instanceof NpyFormatError) throw new Error(`${path}: ${err.message}`);
    throw err;
  }
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
  const rank = shape.length;
  const size = itemSize(dataset.dtype);
  const fileBytes = (layout.order === "C" ? cStrides(shape) : fStrides(shape)).map((s) => s * size);
  const data = view(dataset.dtype, buffer, header.dataOffset, elementCount(shape));
  // Everything per selection that does not depend on it is fixed here, at open: one copy plan
  // filled in place by every read and write, so a read allocates nothing and crosses into the
  // addon once (a warm read of one row or point is a few microseconds; per-call costs show).
  const plan = new Float64Array(PLAN_HEADER + 3 * rank);
  plan[0] = size;
  plan[1] = rank;
  let closed = false;

  /**
   * Fills `plan` to copy `sel` between the file and a C-order array of the selection's elements
   * (the file is the source when `fromFile`); returns the element count.
   */
  function place(sel: Selection, verb: string, fromFile: boolean): number {
    if (closed) throw new Error(`memmap reader for ${path} is closed`);
    if (!fitsShape(sel, shape)) throw new RangeError(`cannot ${verb} ${formatSelection(sel)}: it does not fit shape [${shape.join(", ")}]`);
    let n = 1;
    let first = 0;
    for (let a = rank - 1; a >= 0; a--) {
      const s = sel[a];
      const count = sliceLength(s);
      const p = PLAN_HEADER + 3 * a;
      plan[p] = count;
      plan[fromFile ? p + 1 : p + 2] = s.step * fileBytes[a];
      plan[fromFile ? p + 2 : p + 1] = n * size;
      first += s.start * fileBytes[a];
      n *= count;
    }
    plan[fromFile ? 2 : 3] = first;
    plan[fromFile ? 3 : 2] = 0;
    return n;
  }

  return {
    async read(sel, into) {
      const n = place(sel, "read", true);
      const out = into && into.length === n && into.constructor === data.constructor ? into : allocate(dataset.dtype, n);
      if (n > 0) copyStrided(data, out, plan);
      return out;
    },
    async write(sel, values) {
      if (!writable) throw new Error(`memmap reader for ${path} was opened read-only; open it with { writable: true } to write`);
      const n = place(sel, "write", false);
      if (values.constructor !== data.constructor || values.length !== n) {
        throw new TypeError(
          `write ${formatSelection(sel)}: expected a ${data.constructor.name} of ${n} elements, got a ${values.constructor.name} of ${values.length}`,
        );
      }
      if (n > 0) copyStrided(values, data, plan);
    },
    async flush() {
      if (writable && buffer.byteLength > 0) msync(buffer);
    },
    readPath: () => MEMMAP_READ_PATH,
    writePath: () => MEMMAP_WRITE_PATH,
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

/** A copyStrided plan for a box of `counts` elements of `size` bytes; strides in elements, no offsets. */
function boxPlan(size: number, srcStrides: readonly number[], dstStrides: readonly number[], counts: readonly number[]): Float64Array {
  const plan = new Float64Array(PLAN_HEADER + 3 * counts.length);
  plan[0] = size;
  plan[1] = counts.length;
  counts.forEach((n, a) => {
    plan.set([n, srcStrides[a] * size, dstStrides[a] * size], PLAN_HEADER + 3 * a);
  });
  return plan;
}
