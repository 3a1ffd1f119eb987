/**
 * The HDF5 backend: one dataset `/data` in `<dir>/data.h5`, contiguous or chunked, with at most one
 * filter (deflate, shuffle, or the blosc / zstd / lz4 plugins from h5wasm-plugins), through h5wasm
 * on real files.
 *
 * Materialization streams: the dataset is created empty with its full shape, then written in blocks
 * of at most `blockBytes` aligned to the chunk grid, so arrays larger than h5wasm's WASM heap (2 GiB)
 * work. Reads and writes of big selections are split the same way. Every reader opens a new h5wasm
 * File: a fresh HDF5 metadata cache, and h5wasm opens and closes the dataset on every call, so no
 * HDF5 chunk cache outlives a single read (its size cannot be set from h5wasm either).
 *
 * Read-only readers of contiguous, unfiltered datasets read the file directly, replaying libhdf5's
 * I/O (hdf5/contiguous.ts): h5wasm opens the dataset again for every selection and copies every
 * read out of the WASM heap a second time.
 */
import { open as openHandle } from "node:fs/promises";
import { join } from "node:path";
import type { File } from "h5wasm/node";
import { allocate, itemSize, type TypedArray, view } from "../core/dtype.ts";
import { UserError } from "../core/errors.ts";
import { elementCount, fitsShape, formatSelection, fullSelection, type Selection, selectionShape } from "../core/selection.ts";
import { fillRegion } from "../data/generate.ts";
import { nativeFeatureMissing } from "../native/index.ts";
import { describeCodec, formatShape } from "../scenario/describe.ts";
import type { DatasetSpec, Hdf5Layout } from "../scenario/types.ts";
import { maxEncodedBytes } from "./footprint.ts";
import { copyBox, planBlocks, selectedCount } from "./hdf5/blocks.ts";
import { hdf5ByteRanges } from "./hdf5/byte-ranges.ts";
import { type ContiguousReader, contiguousPath, SIEVE_BYTES } from "./hdf5/contiguous.ts";
import { checkHdf5Layout, filterFor } from "./hdf5/filters.ts";
import { closeFile, createDataset, DATASET_PATH, flushFile, h5, openFile, transferHyperslab } from "./hdf5/library.ts";
import { makeFilterOptional } from "./hdf5/optional-filter.ts";
import { localTarget } from "./hdf5/plan-target.ts";
import { prepareHdf5Probe, probeHdf5 } from "./hdf5/probe.ts";
import { planFromObject, planRemoteReads } from "./hdf5/remote-plan.ts";
import { openRemoteHdf5 } from "./hdf5/remote-reader.ts";
import type { Backend, BackendReadPath, MaterializeContext, Reader, StorageFootprint, Stored } from "./types.ts";

/** The file inside the layout's directory. */
export const HDF5_FILE = "data.h5";

/** Most bytes moved through the WASM heap per h5wasm call (materialization, big reads and writes). */
const DEFAULT_BLOCK_BYTES = 64 * 2 ** 20;

export interface Hdf5Options {
  /** Most bytes per h5wasm read or write call; tests lower it to exercise block-by-block paths. */
  readonly blockBytes?: number;
  /** libhdf5's sieve size replayed by remote reads of contiguous data when the layout sets none (default 64 KiB, libhdf5's). */
  readonly remoteSieveBytes?: number;
}

/** An HDF5 backend; `hdf5Backend` is the one with default options. */
export function createHdf5Backend(options: Hdf5Options = {}): Backend<Hdf5Layout> {
  const blockBytes = options.blockBytes ?? DEFAULT_BLOCK_BYTES;
  const sieveOf = (layout: Hdf5Layout) => layout.sieveBufSize ?? options.remoteSieveBytes ?? SIEVE_BYTES;
  return {
    name: "hdf5",
    // How it is read, not what is stored.
    readOnlyParams: ["sieveBufSize"],
    check: checkHdf5Layout,
    footprint,
    materialize: (ctx) => materialize(ctx, blockBytes),
    files: async (stored) => [join(stored.dir, HDF5_FILE)],
    open: (stored, { writable }) => openReader(stored, writable, blockBytes),
    openRemote: (stored, source) =>
      openRemoteHdf5(stored, source, { fileName: HDF5_FILE, decoder: hdf5FilterLabel(stored.layout), sieveBytes: sieveOf(stored.layout) }),
    planRemote: async (stored, source, selections) => {
      if (!source.localCopy) await planFromObject(stored, source.store, `${source.prefix}/${HDF5_FILE}`, sieveOf(stored.layout), selections);
    },
    byteRanges: async (stored, selections) => {
      const file = join(stored.dir, HDF5_FILE);
      // Plans remote reads now, before cold samples evict the file (remote-plan.ts).
      await planRemoteReads(stored, localTarget(file), selections);
      return hdf5ByteRanges(stored, selections, file);
    },
    mainFile: HDF5_FILE,
    locate: (stored) => ({ path: join(stored.dir, HDF5_FILE), datasetPath: stored.dataset.source?.dataset ?? DATASET_PATH }),
    describe: (layout) =>
      [
        "hdf5",
        layout.chunks ? `chunks ${formatShape(layout.chunks)}` : "contiguous",
        describeCodec(layout.codec),
        ...(layout.shuffle ? ["shuffle"] : []),
        ...(layout.sieveBufSize !== undefined ? [`sieve ${layout.sieveBufSize} B`] : []),
      ].join(", "),
    sourceFormat: "hdf5",
    probeSource: (path, { shown, stats, datasetPath }) => probeHdf5(path, shown, stats, datasetPath),
    prepareProbe: prepareHdf5Probe,
  };
}

/** The HDF5 backend with default options. */
export const hdf5Backend: Backend<Hdf5Layout> = createHdf5Backend();

/** Superblock, object headers and heaps of a one-dataset file, with room to spare. */
const HDF5_METADATA_BYTES = 1024 * 1024;
/** A chunk's entry in the chunk B-tree: key (size, filter mask, offsets) and address, rank ≤ 4. */
const HDF5_CHUNK_INDEX_BYTES = 64;

/** One file: every chunk whole (edge chunks too) and its index entry, or the contiguous data. */
function footprint(layout: Hdf5Layout, dataset: DatasetSpec): StorageFootprint {
  const size = itemSize(dataset.dtype);
  const data =
    layout.chunks === null
      ? elementCount(dataset.shape) * size
      : elementCount(gridOf(dataset.shape, layout.chunks)) * (maxEncodedBytes(layout.codec, elementCount(layout.chunks) * size) + HDF5_CHUNK_INDEX_BYTES);
  return { files: [{ count: 1, bytes: data + HDF5_METADATA_BYTES }], folders: 0 };
}

function gridOf(shape: readonly number[], chunks: readonly number[]): number[] {
  return shape.map((n, i) => Math.ceil(n / chunks[i]));
}

/** Storage unit per axis: the chunk shape, or ones for contiguous storage. */
function unitOf(layout: Hdf5Layout, rank: number): number[] {
  return layout.chunks ? [...layout.chunks] : new Array<number>(rank).fill(1);
}

async function materialize(ctx: MaterializeContext<Hdf5Layout>, blockBytes: number): Promise<void> {
  const { dataset, layout } = ctx;
  const problems = checkHdf5Layout(layout, dataset);
  if (problems.length > 0) throw new UserError(problems.map((p) => `layout ${layout.name}: ${p.field}: ${p.message}`));
  const module = await h5();
  const path = join(ctx.dir, HDF5_FILE);
  const size = itemSize(dataset.dtype);
  const totalBytes = selectedCount(fullSelection(dataset.shape)) * size;
  const filter = filterFor(layout);
  let file: File | null = openFile(module, path, "w");
  try {
    createDataset(module, file, { dtype: dataset.dtype, shape: dataset.shape, chunks: layout.chunks, filter });
    if (filter) {
      // Optional, as h5py registers filters: a chunk the filter cannot shrink is stored as it is.
      closeFile(module, file);
      file = null;
      makeFilterOptional(path, filter.id);
      file = openFile(module, path, "a");
    }
    let doneBytes = 0;
    for (const block of planBlocks(fullSelection(dataset.shape), unitOf(layout, dataset.shape.length), size, blockBytes)) {
      const count = selectedCount(block.sel);
      // Generated straight into h5wasm's heap buffer: no block-sized JS array per block (malloc aligns
      // to 8 bytes, enough for a BigInt64Array view).
      transferHyperslab(module, file, block.sel, size, "write", (heap) =>
        fillRegion(dataset, block.sel, view(dataset.dtype, heap.buffer, heap.byteOffset, count)),
      );
      doneBytes += count * size;
      ctx.progress(doneBytes, totalBytes);
    }
    if (totalBytes === 0) ctx.progress(0, 0);
  } catch (error) {
    // Keep the first error; a close after a failed create or write may fail too.
    try {
      if (file) closeFile(module, file);
    } catch {
      /* reported below */
    }
    throw error;
  }
  closeFile(module, file);
  await fdatasync(path);
}

async function openReader(stored: Stored<Hdf5Layout>, writable: boolean, blockBytes: number): Promise<Reader> {
  const module = await h5();
  const { dataset, layout } = stored;
  const path = join(stored.dir, HDF5_FILE);
  // A dataset read from an existing file (bring your own data) may live at another path in it.
  const datasetPath = dataset.source?.dataset ?? DATASET_PATH;
  const size = itemSize(dataset.dtype);
  const unit = unitOf(layout, dataset.shape.length);
  let file: ReturnType<typeof openFile> | null = openFile(module, path, writable ? "a" : "r");
  const contiguous = writable ? {} : contiguousPath(module, file, path, datasetPath, dataset.shape, size);
  let direct = contiguous.reader;
  const readPath = hdf5ReadPath(layout, direct, contiguous.missed);
  const emptyOfDtype = allocate(dataset.dtype, 0);

  const live = (sel: Selection) => {
    if (file === null) throw new Error(`HDF5 reader of ${path} is closed`);
    if (!fitsShape(sel, dataset.shape)) {
      throw new RangeError(`selection ${formatSelection(sel)} does not fit array shape [${dataset.shape.join(", ")}]`);
    }
    return file;
  };

  const reader: Reader = {
    async read(sel, into) {
      const f = live(sel);
      const count = selectedCount(sel);
      // A caller's buffer is filled whole below (every block, or the direct path's every run).
      const out = into && into.length === count && into.constructor === emptyOfDtype.constructor ? into : allocate(dataset.dtype, count);
      const outBytes = bytesOf(out);
      if (direct) {
        direct.read(sel, outBytes);
        return out;
      }
      const outShape = selectionShape(sel);
      // h5wasm 0.10 takes a step per axis ([start, stop, step] in `slice`, a hyperslab stride here),
      // so strided selections are read by libhdf5 itself, not as a bounding box subsampled in JS.
      for (const block of planBlocks(sel, unit, size, blockBytes)) {
        const blockShape = selectionShape(block.sel);
        transferHyperslab(
          module,
          f,
          block.sel,
          size,
          "read",
          (heap) =>
            copyBox(
              heap,
              blockShape,
              blockShape.map(() => 0),
              outBytes,
              outShape,
              block.offset,
              blockShape,
              size,
            ),
          datasetPath,
        );
      }
      return out;
    },
    readPath: () => readPath,
    async close() {
      if (file === null) return;
      const f = file;
      file = null;
      // The direct reader uses libhdf5's descriptor, which closing the File closes.
      direct = undefined;
      closeFile(module, f);
    },
  };
  if (!writable) return reader;

  return {
    ...reader,
    writePath: () => hdf5WritePath(layout),
    async write(sel, data) {
      const f = live(sel);
      const count = selectedCount(sel);
      const expected = allocate(dataset.dtype, 0).constructor;
      if (data.constructor !== expected || data.length !== count) {
        throw new RangeError(`write ${formatSelection(sel)}: expected ${count} elements as ${expected.name}, got ${data.length} as ${data.constructor.name}`);
      }
      const dataBytes = bytesOf(data);
      const dataShape = selectionShape(sel);
      for (const block of planBlocks(sel, unit, size, blockBytes)) {
        const blockShape = selectionShape(block.sel);
        transferHyperslab(
          module,
          f,
          block.sel,
          size,
          "write",
          (heap) =>
            copyBox(
              dataBytes,
              dataShape,
              block.offset,
              heap,
              blockShape,
              blockShape.map(() => 0),
              blockShape,
              size,
            ),
          datasetPath,
        );
      }
    },
    async flush() {
      if (file === null) throw new Error(`HDF5 reader of ${path} is closed`);
      flushFile(module, file);
      await fdatasync(path);
    },
  };
}

/**
 * The filters libhdf5 runs on a layout's chunks, in order: its own shuffle and deflate, and for any
 * other codec the plugin that `plugin` names (h5wasm's and h5py's come from different places).
 */
export function hdf5Filters(layout: Hdf5Layout, plugin: (codec: string) => string): string[] {
  const filters: string[] = [];
  if (layout.shuffle) filters.push("libhdf5 shuffle");
  if (layout.codec.name === "gzip") filters.push("libhdf5 deflate (zlib)");
  else if (layout.codec.name !== "none") filters.push(plugin(layout.codec.name));
  return filters;
}

/** What libhdf5 decodes a layout's chunks with inside h5wasm. */
export function hdf5FilterLabel(layout: Hdf5Layout): string {
  const filters = hdf5Filters(layout, (codec) => `h5wasm-plugins ${codec} filter`);
  return filters.length ? `${filters.join(" + ")} in WASM` : "none";
}

/** The read path of an HDF5 reader: direct preads (native or not), or h5wasm and, when the direct path was expected, why not. */
function hdf5ReadPath(layout: Hdf5Layout, direct: ContiguousReader | undefined, missed: string | undefined): BackendReadPath {
  if (direct) {
    const native = direct.native;
    const missing = native ? undefined : (nativeFeatureMissing("sieved-read") ?? "the addon's sieved read was not given");
    return {
      implementation: `direct preads replaying libhdf5's sieve (${native ? "addon" : "Node readSync"})`,
      decoder: "none",
      threads: 1,
      library: "h5wasm (libhdf5) opens the file; the data's address is learnt from its reads",
      ours: native
        ? "positional reads through libhdf5's descriptor, one addon call per selection"
        : "positional reads through libhdf5's descriptor, one readSync per run",
      fallbacks: missing ? [`one readSync per run instead of the addon's sieved read (20–30% slower): ${missing}`] : [],
    };
  }
  return {
    implementation: "h5wasm (libhdf5 in WASM)",
    decoder: hdf5FilterLabel(layout),
    threads: 1,
    library: "libhdf5 reads and decodes, one hyperslab per call",
    ours: "hyperslab calls through h5wasm's low-level API, copies out of the WASM heap",
    fallbacks: missed ? [`read through h5wasm instead of direct preads: ${missed}`] : [],
  };
}

/** Writes always go through libhdf5: it places, filters and indexes the chunks. */
function hdf5WritePath(layout: Hdf5Layout): BackendReadPath {
  return {
    implementation: "writes: h5wasm (libhdf5 in WASM) hyperslab writes",
    decoder: hdf5FilterLabel(layout),
    threads: 1,
    library: "libhdf5 writes one hyperslab per call, filtering the chunks it touches",
    ours: "copies each block into the WASM heap; durable: H5Fflush, then fdatasync of the file",
    fallbacks: [],
  };
}

function bytesOf(values: TypedArray): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Makes the file's data durable, so its pages are clean and eviction can drop them. */
async function fdatasync(path: string): Promise<void> {
  const handle = await openHandle(path, "r");
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
