/**
 * The read paths of the Python worker's engines: what reads and decodes each layout there, with the
 * versions the worker reported. Pure.
 */
import { hdf5Filters } from "../backends/hdf5.ts";
import type { LayoutSpec } from "../scenario/types.ts";
import type { PythonVersions } from "./python.ts";
import type { ReadPath } from "./types.ts";

const OURS = "nothing in the timed read: the worker times and hashes each read, layoutbench checks the digests";

/** How numcodecs (C) decodes a Zarr codec, and on how many threads. */
function numcodecsDecoder(layout: LayoutSpec & { backend: "zarr" }, v: PythonVersions): { decoder: string; threads: number } {
  switch (layout.codec.name) {
    case "none":
      return { decoder: "none", threads: 1 };
    case "gzip":
      return { decoder: "numcodecs GZip (zlib)", threads: 1 };
    case "lz4":
      return { decoder: "numcodecs LZ4 (C)", threads: 1 };
    case "zstd":
      return { decoder: "numcodecs Zstd (C)", threads: 1 };
    case "blosc":
      return { decoder: "numcodecs Blosc (C-Blosc)", threads: v.bloscThreads ?? 1 };
  }
}

/** What libhdf5 (as h5py loads it) decodes an HDF5 layout's chunks with. */
function hdf5Decoder(layout: LayoutSpec & { backend: "hdf5" }): string {
  const filters = hdf5Filters(layout, (codec) => `HDF5 ${codec} filter plugin (C)`);
  return filters.length ? filters.join(" + ") : "none";
}

/** The python engine's read path for a layout. */
export function pythonReadPath(layout: LayoutSpec, v: PythonVersions): ReadPath {
  const base = { engine: "python" as const, ours: OURS, fallbacks: [] };
  switch (layout.backend) {
    case "memmap":
      return {
        ...base,
        implementation: `numpy.memmap (numpy ${v.numpy ?? "?"})`,
        decoder: "none",
        threads: 1,
        library: "np.load(mmap_mode='r') maps the file; np.copyto copies each selection into a reused array",
      };
    case "zarr":
      return {
        ...base,
        implementation: `zarr-python ${v.zarr ?? "?"} + numcodecs ${v.numcodecs ?? "?"}`,
        ...numcodecsDecoder(layout, v),
        library: "zarr-python reads each chunk file whole and decodes it; get_basic_selection copies into a reused array",
      };
    case "hdf5":
      return {
        ...base,
        implementation: `h5py ${v.h5py ?? "?"} (libhdf5 ${v.hdf5 ?? "?"})`,
        decoder: hdf5Decoder(layout),
        threads: 1,
        library: "libhdf5 reads through its sieve buffer (contiguous) or chunk cache (chunked); read_direct into a reused array",
      };
  }
}

/** Why tensorstore cannot read here (it is optional: the worker reports whether it imports). */
export function tensorstoreSupport(versions: PythonVersions | undefined): string {
  if (!versions || versions.tensorstore === null) return "tensorstore is not installed (pip install tensorstore)";
  return `tensorstore ${versions.tensorstore} imports, but this version of layoutbench has no tensorstore reader yet`;
}
