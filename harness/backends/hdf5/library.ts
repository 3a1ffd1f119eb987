/**
 * The few h5wasm calls the HDF5 backend needs, each with its HDF5 status checked.
 *
 * Why not `Dataset.slice` / `write_slice` / `Group.create_dataset`:
 * - `slice` and `write_slice` drop libhdf5's status: a read that fails (a filter plugin that cannot be
 *   loaded) returns whatever the heap buffer held, and a failed write passes silently. The embind
 *   functions they wrap (`get_dataset_data` / `set_dataset_data`, with the same count/offset/stride
 *   hyperslab, steps included) return the status, so we call those.
 * - `create_dataset` needs the whole array's values at once, in the WASM heap (at most 2 GiB). Calling
 *   the embind `create_dataset` with a null data pointer creates the dataset (H5Dcreate2, with its
 *   shape, chunks and filter) and then fails only its initial H5Dwrite ("no input buffer"), which is
 *   what we want: values are then written block by block. That expected failure's error stack is
 *   captured, not printed; the dataset is checked to exist with the wanted filter afterwards.
 *
 * Files are real host files: h5wasm/node is built with NODERAWFS, so HDF5's sec2 driver reads with
 * `fs.readSync` on a real descriptor, and reads go through the OS page cache like any other reader.
 * `H5Fclose` closes that descriptor; nothing stays in a virtual file system.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { File } from "h5wasm/node";
import type { Dtype } from "../../core/dtype.ts";
import type { Selection } from "../../core/selection.ts";
import { selectedCount } from "./blocks.ts";

export type H5Module = Awaited<typeof import("h5wasm/node").default.ready>;

/** Path of the one dataset inside `data.h5`. */
export const DATASET_PATH = "/data";

const H5_DTYPE: Record<Dtype, string> = {
  int8: "<b",
  int16: "<h",
  int32: "<i",
  int64: "<q",
  uint8: "<B",
  uint16: "<H",
  uint32: "<I",
  uint64: "<Q",
  float32: "<f",
  float64: "<d",
};

/** How libhdf5 starts an error stack it prints. */
const HDF5_DIAG = "HDF5-DIAG";

let loaded: Promise<H5Module> | undefined;
/** The h5wasm package, imported on first use: compiling its WebAssembly takes seconds and ~600 MiB. */
let h5wasm: typeof import("h5wasm/node") | undefined;

function lib(): typeof import("h5wasm/node") {
  if (!h5wasm) throw new Error("h5wasm used before h5() loaded it");
  return h5wasm;
}

/**
 * The initialized h5wasm module, with the h5wasm-plugins folder first on HDF5's plugin search path.
 * HDF5 dlopens a plugin (blosc, zstd, lz4) the first time a dataset needs its filter. A host
 * HDF5_PLUGIN_PATH does reach h5wasm (it replaces the default paths); ours goes before it because a
 * path set for h5py holds native plugins that WASM cannot load.
 */
export function h5(): Promise<H5Module> {
  loaded ??= import("h5wasm/node").then(async (pkg) => {
    h5wasm = pkg;
    const module = await pkg.default.ready;
    const folder = pluginFolder();
    if (!module.get_plugin_search_paths().includes(folder)) module.insert_plugin_search_path(folder, 0);
    return module;
  });
  return loaded;
}

/** The folder of compiled filter plugins shipped in the h5wasm-plugins package. */
function pluginFolder(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("h5wasm-plugins/package.json")), "plugins");
}

/** Minimal view of Emscripten's FS.write, enough to intercept what libhdf5 prints on stderr. */
interface WritableFs {
  write(stream: { fd: number }, buffer: Uint8Array, offset: number, length: number, position?: number, canOwn?: boolean): number;
}

/**
 * Runs one synchronous h5wasm call and returns what libhdf5 printed on stderr meanwhile (its error
 * stack, "HDF5-DIAG: ..."), instead of letting it reach the terminal.
 */
function capturingStderr<T>(module: H5Module, call: () => T): { value: T; stderr: string } {
  const fs = module.FS as unknown as WritableFs;
  const original = fs.write;
  const parts: string[] = [];
  fs.write = function (stream, buffer, offset, length, ...rest) {
    if (stream.fd === 2) {
      parts.push(Buffer.from(buffer.buffer, buffer.byteOffset + offset, length).toString("utf8"));
      return length;
    }
    return original.call(this, stream, buffer, offset, length, ...rest);
  };
  try {
    return { value: call(), stderr: parts.join("") };
  } finally {
    fs.write = original;
  }
}

/** The innermost messages of an HDF5 error stack, e.g. `H5Z_find(): required filter 32015 is not registered`. */
function hdf5ErrorSummary(stderr: string): string {
  const lines = [...stderr.matchAll(/#\d+: .* in (\S+\(\)): (.*)$/gm)].map((m) => `${m[1]}: ${m[2]}`);
  return lines.length === 0 ? stderr.trim() || "no message from libhdf5" : lines.slice(-2).join("; ");
}

/** Opens `path` for reading ("r") or reading and writing ("a"); throws when libhdf5 cannot. */
export function openFile(module: H5Module, path: string, mode: "r" | "a" | "w"): File {
  const { value: file, stderr } = capturingStderr(module, () => new (lib().default.File)(path, mode));
  if (file.file_id < 0n) throw new Error(`HDF5 cannot open ${path} (mode ${mode}): ${hdf5ErrorSummary(stderr)}`);
  return file;
}

/** Closes a file, releasing its descriptor; throws when libhdf5 reports an error (unflushed data). */
export function closeFile(module: H5Module, file: File): void {
  const { value: status, stderr } = capturingStderr(module, () => file.close());
  if (status < 0 || stderr.includes(HDF5_DIAG)) throw new Error(`HDF5 failed to close ${file.filename}: ${hdf5ErrorSummary(stderr)}`);
}

export interface CreateOptions {
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly chunks: readonly number[] | null;
  readonly filter: { readonly id: number; readonly cdValues: readonly number[] } | null;
}

/** Creates the empty dataset `/data` (no values written) and checks it has the wanted filter. */
export function createDataset(module: H5Module, file: File, options: CreateOptions): void {
  const { shape, chunks, filter } = options;
  // Fixed size, as h5py creates by default: HDF5 then refuses chunks longer than the array (checkHdf5Layout says so first).
  const metadata = {
    ...lib().dtype_to_metadata(H5_DTYPE[options.dtype]),
    shape: shape.map(BigInt),
    maxshape: shape.map(BigInt),
    chunks: chunks === null ? null : chunks.map(BigInt),
    compression: filter?.id ?? 0,
    compression_opts: filter ? [...filter.cdValues] : [],
    track_order: false,
  };
  const { stderr } = capturingStderr(module, () =>
    // The h5wasm typings declare chunks as number[]; the embind function takes BigInts, as create_dataset passes.
    module.create_dataset(file.file_id, DATASET_PATH, 0n, metadata as unknown as Parameters<H5Module["create_dataset"]>[3]),
  );
  const exists = capturingStderr(module, () => module.get_type(file.file_id, DATASET_PATH)).value === module.H5O_TYPE_DATASET;
  if (!exists) throw new Error(`HDF5 could not create ${DATASET_PATH} in ${file.filename}: ${hdf5ErrorSummary(stderr)}`);
  const ids = datasetFilters(module, file).map((f) => f.id);
  const wanted = filter ? [filter.id] : [];
  if (ids.join() !== wanted.join()) {
    throw new Error(`HDF5 created ${DATASET_PATH} in ${file.filename} with filters [${ids.join(", ")}] instead of [${wanted.join(", ")}]`);
  }
}

/** The filters of `/data` as stored in the file (id, name, cd_values as the plugin completed them). */
export function datasetFilters(module: H5Module, file: File): { id: number; name: string; cd_values: number[] }[] {
  return module.get_dataset_filters(file.file_id, DATASET_PATH);
}

/** count, offset and stride of a selection; null for a 0-D array (HDF5 cannot select a hyperslab of a scalar). */
function hyperslab(sel: Selection): [bigint[] | null, bigint[] | null, bigint[] | null] {
  if (sel.length === 0) return [null, null, null];
  return [sel.map((s) => BigInt(Math.ceil((s.stop - s.start) / s.step))), sel.map((s) => BigInt(s.start)), sel.map((s) => BigInt(s.step))];
}

/**
 * Moves the elements of `sel` between `/data` and a heap buffer: `io(heapBytes)` fills the buffer
 * before a write or reads it after a read. The buffer is freed before returning.
 */
export function transferHyperslab(
  module: H5Module,
  file: File,
  sel: Selection,
  itemBytes: number,
  direction: "read" | "write",
  io: (heap: Uint8Array) => void,
  datasetPath: string = DATASET_PATH,
): void {
  const nbytes = selectedCount(sel) * itemBytes;
  if (nbytes === 0) return;
  const ptr = module._malloc(nbytes);
  if (ptr === 0) throw new Error(`h5wasm could not allocate ${nbytes} bytes in its WASM heap (at most ${module.MAXIMUM_MEMORY})`);
  try {
    const [count, offset, stride] = hyperslab(sel);
    if (direction === "write") io(module.HEAPU8.subarray(ptr, ptr + nbytes));
    const { value: status, stderr } = capturingStderr(module, () =>
      direction === "read"
        ? module.get_dataset_data(file.file_id, datasetPath, count, offset, stride, BigInt(ptr))
        : module.set_dataset_data(file.file_id, datasetPath, count, offset, stride, BigInt(ptr)),
    );
    // h5wasm closes the dataset at the end of each call, flushing its chunk cache: a filter that fails
    // then only shows as an error stack on stderr, with a success status.
    if (status < 0 || stderr.includes(HDF5_DIAG)) {
      throw new Error(`HDF5 ${direction} of ${datasetPath} in ${file.filename} failed: ${hdf5ErrorSummary(stderr)}`);
    }
    // Read HEAPU8 again: the heap may have grown (and its old buffer been detached) during the call.
    if (direction === "read") io(module.HEAPU8.subarray(ptr, ptr + nbytes));
  } finally {
    module._free(ptr);
  }
}

/** Writes buffered metadata and raw data of the file to the OS (not to disk: fdatasync does that). */
export function flushFile(module: H5Module, file: File): void {
  const { value: status, stderr } = capturingStderr(module, () => module.flush(file.file_id));
  if (status < 0 || stderr.includes(HDF5_DIAG)) throw new Error(`HDF5 failed to flush ${file.filename}: ${hdf5ErrorSummary(stderr)}`);
}
