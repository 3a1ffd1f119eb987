/**
 * What an HDF5 layout may ask for, and the one HDF5 filter (id + cd_values) each codec becomes.
 *
 * h5wasm 0.10 sets at most one filter per dataset when writing (its `create_dataset` calls
 * `H5Pset_filter` once; the raw `H5Pset_*` calls are not exported from its WASM module), and it
 * cannot set a chunk-cache size. So everything that would need a second filter is refused here
 * with the reason and a way out, never replaced by something else. It registers that filter
 * mandatory; hdf5/optional-filter.ts makes it optional afterwards, as h5py registers filters.
 */

import { itemSize } from "../../core/dtype.ts";
import { elementCount } from "../../core/selection.ts";
import { MAX_CHUNKS } from "../../scenario/defaults.ts";
import type { CodecSpec, DatasetSpec, Hdf5Layout } from "../../scenario/types.ts";
import type { LayoutProblem } from "../types.ts";
import { DEFAULT_SIEVE_BUF_SIZE, SIEVE_LIMITS } from "./layout.ts";

/** HDF5 filter ids: built-in deflate and shuffle, and the registered plugin filters from h5wasm-plugins. */
export const FILTER_ID = { deflate: 1, shuffle: 2, blosc: 32001, lz4: 32004, zstd: 32015 } as const;

/** One HDF5 filter as `H5Pset_filter` takes it. */
export interface FilterSpec {
  readonly id: number;
  /** Client data; the plugins fill in the zeros (blosc's version, type size, chunk size) themselves. */
  readonly cdValues: readonly number[];
}

/** Codes of the blosc filter's cd_values[5] (shuffle) and cd_values[6] (compressor), from blosc.h. */
const BLOSC_SHUFFLE = { none: 0, byte: 1, bit: 2 } as const;
const BLOSC_COMPRESSOR = { blosclz: 0, lz4: 1, zstd: 5 } as const;

const LEVELS = {
  gzip: { min: 0, max: 9 },
  zstd: { min: 1, max: 22 },
  blosc: { min: 0, max: 9 },
} as const;

/** The lz4 level means LZ4's acceleration elsewhere in the harness (1 = LZ4's default). */
const LZ4_DEFAULT_ACCELERATION = 1;

/**
 * Largest chunk accepted. h5wasm's WASM heap is at most 2 GiB, and a filtered read or write holds a
 * chunk, its filtered copy and the selection's buffer in it at once.
 */
const MAX_CHUNK_BYTES = 512 * 2 ** 20;

/** Problems with `layout` for `dataset`; fields are relative to the layout. */
export function checkHdf5Layout(layout: Hdf5Layout, dataset: DatasetSpec): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const rank = dataset.shape.length;
  const { codec, chunks } = layout;
  if (chunks !== null) {
    if (rank === 0) {
      problems.push({ field: "chunks", message: "HDF5 cannot chunk a 0-D array; use chunks: null" });
    } else if (chunks.length !== rank) {
      problems.push({ field: "chunks", message: `expected ${rank} numbers for a ${rank}-D array, got ${chunks.length}` });
    } else if (!chunks.every((n) => Number.isSafeInteger(n) && n >= 1)) {
      problems.push({ field: "chunks", message: `expected positive integers, got [${chunks.join(", ")}]` });
    } else if (chunks.some((c, i) => c > dataset.shape[i])) {
      // As libhdf5 does for a fixed-size dataset (h5py raises "Chunk shape must not be greater than data shape").
      const axis = chunks.findIndex((c, i) => c > dataset.shape[i]);
      problems.push({
        field: "chunks",
        message:
          `chunks [${chunks.join(", ")}] are larger than the array [${dataset.shape.join(", ")}] on axis ${axis} ` +
          `(${chunks[axis]} > ${dataset.shape[axis]}); HDF5 does not allow chunks larger than a fixed-size dataset (h5py refuses them too): ` +
          `use chunks of at most [${dataset.shape.join(", ")}]`,
      });
    } else {
      const bytes = elementCount(chunks) * itemSize(dataset.dtype);
      const count = elementCount(dataset.shape.map((n, i) => Math.ceil(n / chunks[i])));
      if (count > MAX_CHUNKS) {
        problems.push({
          field: "chunks",
          message:
            `chunks [${chunks.join(", ")}] make ${count} chunks of shape [${dataset.shape.join(", ")}], more than the ` +
            `${MAX_CHUNKS} a layout may have (libhdf5 writes and indexes each one): use larger chunks`,
        });
      }
      if (bytes > MAX_CHUNK_BYTES) {
        problems.push({
          field: "chunks",
          message:
            `a chunk of [${chunks.join(", ")}] ${dataset.dtype} holds ${bytes} bytes; h5wasm works in a WASM heap ` +
            `of at most 2 GiB, so chunks may hold at most ${MAX_CHUNK_BYTES} bytes: use smaller chunks`,
        });
      }
    }
  } else if (codec.name !== "none") {
    problems.push({
      field: "codec",
      message: `HDF5 filters need chunked storage: ${codec.name} cannot compress a contiguous dataset (chunks: null); give chunks or use codec none`,
    });
  }
  if (layout.shuffle) {
    if (chunks === null) {
      problems.push({
        field: "shuffle",
        message: "HDF5 filters need chunked storage: shuffle cannot apply to a contiguous dataset (chunks: null); give chunks or set shuffle: false",
      });
    } else if (codec.name !== "none") {
      const instead = codec.name === "blosc" ? "use blosc's own shuffle (codec shuffle: byte) instead" : "use blosc with shuffle: byte instead";
      problems.push({
        field: "shuffle",
        message: `h5wasm writes one filter per dataset: shuffle together with ${codec.name} is not possible; ${instead}`,
      });
    }
  }
  problems.push(...checkCodec(codec), ...checkSieve(layout));
  return problems;
}

function checkSieve(layout: Hdf5Layout): LayoutProblem[] {
  const bytes = layout.sieveBufSize;
  if (bytes === undefined) return [];
  if (!Number.isSafeInteger(bytes) || bytes < SIEVE_LIMITS.min || bytes > SIEVE_LIMITS.max) {
    return [{ field: "sieveBufSize", message: `${bytes} bytes is out of range: allowed 1KiB (${SIEVE_LIMITS.min}) to 64MiB (${SIEVE_LIMITS.max})` }];
  }
  if (layout.chunks !== null && bytes !== DEFAULT_SIEVE_BUF_SIZE) {
    return [
      {
        field: "sieveBufSize",
        message:
          "applies to contiguous datasets only here: chunked data is read by libhdf5 itself (h5wasm), which keeps its default 64 KiB sieve buffer; use chunks: null or drop sieveBufSize",
      },
    ];
  }
  return [];
}

function checkCodec(codec: CodecSpec): LayoutProblem[] {
  if (codec.name === "none") return [];
  if (codec.name === "lz4") {
    return codec.level === LZ4_DEFAULT_ACCELERATION
      ? []
      : [
          {
            field: "codec.level",
            message:
              `the HDF5 lz4 filter (id ${FILTER_ID.lz4}) has no level: it always compresses like LZ4 acceleration ` +
              `${LZ4_DEFAULT_ACCELERATION}; use level ${LZ4_DEFAULT_ACCELERATION}, or blosc with cname lz4 for levels`,
          },
        ];
  }
  const problems: LayoutProblem[] = [];
  const range = LEVELS[codec.name];
  if (!Number.isInteger(codec.level) || codec.level < range.min || codec.level > range.max) {
    problems.push({
      field: "codec.level",
      message: `${codec.name} level must be an integer from ${range.min} to ${range.max}, got ${codec.level}`,
    });
  }
  if (codec.name === "blosc") {
    if (!Object.hasOwn(BLOSC_COMPRESSOR, codec.cname)) {
      problems.push({ field: "codec.cname", message: `blosc cname must be lz4, zstd or blosclz, got ${String(codec.cname)}` });
    }
    if (!Object.hasOwn(BLOSC_SHUFFLE, codec.shuffle)) {
      problems.push({ field: "codec.shuffle", message: `blosc shuffle must be none, byte or bit, got ${String(codec.shuffle)}` });
    }
  }
  return problems;
}

/** The filter a checked layout writes, or null for none. */
export function filterFor(layout: Hdf5Layout): FilterSpec | null {
  const { codec } = layout;
  switch (codec.name) {
    case "none":
      return layout.shuffle ? { id: FILTER_ID.shuffle, cdValues: [] } : null;
    case "gzip":
      return { id: FILTER_ID.deflate, cdValues: [codec.level] };
    case "zstd":
      return { id: FILTER_ID.zstd, cdValues: [codec.level] };
    case "lz4":
      // cd_values[0] is the LZ4 block size; 0 means the filter's default (1 GiB, so one block per chunk).
      return { id: FILTER_ID.lz4, cdValues: [0] };
    case "blosc":
      return {
        id: FILTER_ID.blosc,
        cdValues: [0, 0, 0, 0, codec.level, BLOSC_SHUFFLE[codec.shuffle], BLOSC_COMPRESSOR[codec.cname]],
      };
  }
}

/** Whether a filter id needs a plugin from h5wasm-plugins (as opposed to being built into libhdf5). */
export function isPluginFilter(id: number): boolean {
  return id >= 256;
}
