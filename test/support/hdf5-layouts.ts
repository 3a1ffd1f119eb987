/** HDF5 layouts shared by the HDF5 test files: the backend contract's and the h5py cross-checks'. */
import type { CodecSpec, Hdf5Layout } from "../../harness/scenario/types.ts";

export const layout = (name: string, codec: CodecSpec, chunks: number[] | null = [], shuffle = false): Hdf5Layout => ({
  name,
  backend: "hdf5",
  chunks,
  codec,
  shuffle,
});
export const blosc = (cname: "lz4" | "zstd" | "blosclz", shuffle: "none" | "byte" | "bit", level = 5): CodecSpec => ({ name: "blosc", cname, level, shuffle });

export const CONTIGUOUS = layout("contiguous", { name: "none" }, null);
export const CHUNKED: Hdf5Layout[] = [
  layout("chunked", { name: "none" }),
  layout("shuffle-only", { name: "none" }, [], true),
  layout("gzip-1", { name: "gzip", level: 1 }),
  layout("gzip-6", { name: "gzip", level: 6 }),
  layout("zstd-3", { name: "zstd", level: 3 }),
  layout("lz4", { name: "lz4", level: 1 }),
];
/** Compressible data, so the chunks go through blosc (chunks it cannot shrink are tested apart). */
export const BLOSC: Hdf5Layout[] = [
  layout("blosc-lz4-byte", blosc("lz4", "byte")),
  layout("blosc-zstd-bit", blosc("zstd", "bit")),
  layout("blosc-blosclz-none", blosc("blosclz", "none")),
];
