/**
 * The Zarr backend: a group-less array in `<dir>/array.zarr`, Zarr format 3 (default) or 2, regular
 * chunks or (v3) `sharding_indexed` shards, one of the harness codecs. Reads of regular (unsharded)
 * arrays take the direct path in zarr/chunk-reader.ts (whole-chunk positional reads, decoders kept
 * per reader, copies on whole runs; much less overhead than `zarr.get`, see there); sharded arrays,
 * and arrays whose metadata that path does not cover (zarr/chunk-format.ts), are read through
 * zarrita's `zarr.get`. Writes go through `zarr.set` on a local-directory store; materialization
 * writes chunk files and shard files itself, one chunk in memory per worker, because zarrita cannot
 * write shards and writing through `zarr.set` would only add copies.
 */
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as zarr from "zarrita";
import { chunksHit } from "../access/byte-ranges.ts";
import { allocate, type Dtype, itemSize, numpyDescr, type TypedArray } from "../core/dtype.ts";
import { UnsupportedError, UserError } from "../core/errors.ts";
import { cStrides, elementCount, fitsShape, formatSelection, type Selection, selectionShape } from "../core/selection.ts";
import { MAX_CHUNKS } from "../scenario/defaults.ts";
import { describeCodec, formatShape } from "../scenario/describe.ts";
import type { DatasetSpec, ZarrLayout } from "../scenario/types.ts";
import type { Backend, BackendReadPath, FileRange, LayoutProblem, MaterializeContext, Reader, Stored } from "./types.ts";
import { boundedQueue } from "./zarr/bounded-queue.ts";
import { chunkFormat } from "./zarr/chunk-format.ts";
import { ChunkReader } from "./zarr/chunk-reader.ts";
import { checkCodec, codecEncoder, createByteCodec, registerZarrCodecs, v2Compressor, v3Codecs } from "./zarr/codecs.ts";
import { zarrFootprint } from "./zarr/footprint.ts";
import { chunkRegion, chunkValues, gridCoords, gridShape } from "./zarr/grid.ts";
import { probeZarr } from "./zarr/probe.ts";
import { registeredDecoderLabel, registeredDecoderThreads } from "./zarr/registered-decoders.ts";
import { openRemoteZarr } from "./zarr/remote-reader.ts";
import { SHARD_INDEX_CODECS, writeShard } from "./zarr/shard-writer.ts";
import { fdatasyncAll, LocalStore } from "./zarr/store.ts";

/** The array's folder inside the layout's directory. */
export const ARRAY_DIR = "array.zarr";
/** Chunks read or written at once. zarrita's default starts every chunk of a selection at once,
 * holding all of them encoded and decoded in memory; a bound keeps big reads from doing that. */
const IO_CONCURRENCY = 16;
/** Chunks (or shards) materialized at once: overlaps generating, encoding (node:zlib runs on the
 * thread pool) and writing, with only this many chunks in memory. */
const MATERIALIZE_CONCURRENCY = 4;

function check(layout: ZarrLayout, dataset: DatasetSpec): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const rank = dataset.shape.length;
  if (layout.format !== 2 && layout.format !== 3) {
    problems.push({ field: "format", message: `must be 2 or 3, got ${String(layout.format)}` });
  }
  const chunksOk = checkShape("chunks", layout.chunks, rank, problems);
  let gridOk = chunksOk;
  if (layout.shards !== null) {
    gridOk = false;
    if (layout.format === 2) {
      problems.push({ field: "shards", message: "sharding needs Zarr format 3; this layout has format 2" });
    } else if (checkShape("shards", layout.shards, rank, problems) && chunksOk) {
      gridOk = true;
      layout.shards.forEach((s, i) => {
        if (s % layout.chunks[i] !== 0) {
          problems.push({
            field: "shards",
            message: `each shard must hold a whole number of chunks: axis ${i} has shard size ${s} and chunk size ${layout.chunks[i]}`,
          });
        }
      });
    }
  }
  const chunkBytes = chunksOk ? elementCount(layout.chunks) * itemSize(dataset.dtype) : 0;
  problems.push(...checkCodec(layout.codec, dataset.dtype, chunkBytes));
  if (gridOk) problems.push(...checkFileCount(layout, dataset.shape));
  return problems;
}

/** One file per chunk (per shard when sharded): at most MAX_CHUNKS of them. */
function checkFileCount(layout: ZarrLayout, shape: readonly number[]): LayoutProblem[] {
  const field = layout.shards ? "shards" : "chunks";
  const outer = layout.shards ?? layout.chunks;
  const files = elementCount(gridShape(shape, outer));
  if (files <= MAX_CHUNKS) return [];
  return [
    {
      field,
      message:
        `${field} [${outer.join(", ")}] make ${files} ${layout.shards ? "shard" : "chunk"} files of shape [${shape.join(", ")}], ` +
        `more than the ${MAX_CHUNKS} a layout may have (one file per ${layout.shards ? "shard" : "chunk"}: creating, evicting and ` +
        `checking them would dominate the run): use larger ${field}${layout.shards ? "" : ", or shards"}`,
    },
  ];
}

/** layoutbench writes Zarr through zarrita's `zarr.set`, which writes regular chunks only. */
function writeProblem(layout: ZarrLayout): string | undefined {
  return layout.shards === null ? undefined : "layoutbench writes Zarr through zarrita, which cannot write into shards; remove its shards";
}

function checkShape(field: string, values: readonly number[], rank: number, problems: LayoutProblem[]): boolean {
  if (values.length !== rank) {
    problems.push({ field, message: `expected ${rank} numbers for a ${rank}-D array, got ${values.length}` });
    return false;
  }
  if (!values.every((n) => Number.isSafeInteger(n) && n >= 1)) {
    problems.push({ field, message: `expected positive integers, got [${values.join(", ")}]` });
    return false;
  }
  return true;
}

/** The metadata file (name and JSON) that describes the array. */
function metadataFile(dataset: DatasetSpec, layout: ZarrLayout): [string, object] {
  if (layout.format === 2) {
    return [
      ".zarray",
      {
        zarr_format: 2,
        shape: dataset.shape,
        chunks: layout.chunks,
        dtype: numpyDescr(dataset.dtype),
        compressor: v2Compressor(layout.codec),
        fill_value: 0,
        order: "C",
        filters: null,
        dimension_separator: ".",
      },
    ];
  }
  const inner = v3Codecs(layout.codec, dataset.dtype);
  return [
    "zarr.json",
    {
      zarr_format: 3,
      node_type: "array",
      shape: dataset.shape,
      data_type: dataset.dtype,
      chunk_grid: { name: "regular", configuration: { chunk_shape: layout.shards ?? layout.chunks } },
      chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
      codecs:
        layout.shards === null
          ? inner
          : [
              {
                name: "sharding_indexed",
                configuration: { chunk_shape: layout.chunks, codecs: inner, index_codecs: SHARD_INDEX_CODECS, index_location: "end" },
              },
            ],
      // zarrita writes null unless told, which the v3 spec does not allow.
      fill_value: 0,
      attributes: {},
    },
  ];
}

/** Path of a chunk (or shard) file relative to the array folder. */
function chunkKey(format: 2 | 3, coord: readonly number[]): string {
  return format === 3 ? ["c", ...coord].join("/") : coord.join(".") || "0";
}

async function materialize(ctx: MaterializeContext<ZarrLayout>): Promise<void> {
  const { dataset, layout } = ctx;
  const problems = check(layout, dataset);
  if (problems.length > 0) throw new UserError(problems.map((p) => `layout ${layout.name}: ${p.field}: ${p.message}`));
  const root = join(ctx.dir, ARRAY_DIR);
  await mkdir(root, { recursive: true });
  const [metaName, meta] = metadataFile(dataset, layout);
  const written = [join(root, metaName)];
  await writeFile(written[0], JSON.stringify(meta, null, 2));

  const codec = createByteCodec(layout.codec, dataset.dtype);
  const encode = (values: TypedArray) => codec.encode(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  const totalBytes = elementCount(dataset.shape) * itemSize(dataset.dtype);
  let doneBytes = 0;
  const advance = (bytes: number) => {
    doneBytes += bytes;
    ctx.progress(doneBytes, totalBytes);
  };
  const outer = layout.shards ?? layout.chunks;
  const dirs = new Set<string>();
  const fileFor = async (coord: number[]) => {
    const path = join(root, chunkKey(layout.format, coord));
    const dir = join(path, "..");
    if (!dirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      dirs.add(dir);
    }
    written.push(path);
    return path;
  };

  await forEachConcurrently(gridCoords(gridShape(dataset.shape, outer)), MATERIALIZE_CONCURRENCY, async (coord) => {
    const origin = coord.map((c, i) => c * outer[i]);
    const path = await fileFor(coord);
    if (layout.shards !== null) {
      await writeShard({ dataset, path, origin, shards: layout.shards, chunks: layout.chunks, encode, onChunk: advance });
      return;
    }
    const region = chunkRegion(origin, layout.chunks, dataset.shape)!;
    const values = chunkValues(dataset, region, layout.chunks);
    await writeFile(path, await encode(values));
    advance(elementCount(selectionShape(region)) * values.BYTES_PER_ELEMENT);
  });
  if (elementCount(dataset.shape) === 0) ctx.progress(0, 0);
  await fdatasyncAll(written);
}

async function forEachConcurrently<T>(items: Iterable<T>, concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  const worker = async () => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) await fn(next.value);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function files(stored: Stored<ZarrLayout>): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) out.push(path);
    }
  };
  await walk(join(stored.dir, ARRAY_DIR));
  return out.sort();
}

const queueOptions = { createQueue: () => boundedQueue(IO_CONCURRENCY) };

type ZarrArray = zarr.Array<zarr.DataType, LocalStore>;

async function open(stored: Stored<ZarrLayout>, options: { writable: boolean }): Promise<Reader> {
  registerZarrCodecs();
  const store = new LocalStore(join(stored.dir, ARRAY_DIR));
  const array: ZarrArray =
    stored.layout.format === 2 ? await zarr.open.v2(store, { kind: "array", attrs: false }) : await zarr.open.v3(store, { kind: "array" });
  const dtype = stored.dataset.dtype;
  if (array.dtype !== dtype) {
    throw new UserError(`${join(stored.dir, ARRAY_DIR)}: holds ${array.dtype} data, but dataset ${stored.dataset.name} is ${dtype}`);
  }
  const sharded = stored.layout.shards !== null;
  const format = sharded ? undefined : chunkFormat(join(stored.dir, ARRAY_DIR), stored.layout.format, dtype);
  const direct = format?.shape.every((n, i) => n === array.shape[i]) ? await ChunkReader.open(format) : undefined;
  return new ZarrReader(store, array, dtype, sharded, options.writable, direct, stored.layout);
}

/** What decodes chunks read through `zarr.get` (zarrita's registry with this backend's codecs in it). */
function zarritaGetDecoder(layout: ZarrLayout): string {
  switch (layout.codec.name) {
    case "none":
      return "none";
    case "gzip":
      return "node:zlib (registered in zarrita)";
    case "blosc":
      return registeredDecoderLabel("blosc", layout.codec.cname, "numcodecs.js Blosc (WASM)");
    case "lz4":
      return registeredDecoderLabel("lz4", undefined, "numcodecs.js LZ4 (WASM)");
    case "zstd":
      return registeredDecoderLabel("zstd", undefined, "numcodecs.js Zstd (WASM)");
  }
}

/**
 * Writes always take zarr.set: chunks the selection covers whole are encoded and written; partly
 * covered ones are read, decoded (numcodecs.js or node:zlib, as zarr.get decodes) and merged first.
 */
function zarrWritePath(layout: ZarrLayout, dtype: Dtype): BackendReadPath {
  const encoder = (() => {
    switch (layout.codec.name) {
      case "none":
        return undefined;
      case "gzip":
        return "node:zlib";
      case "blosc":
        return codecEncoder(layout.codec, dtype)?.name ?? "numcodecs.js Blosc (WASM)";
      case "lz4":
        return "numcodecs.js LZ4 (WASM)";
      case "zstd":
        return "numcodecs.js Zstd (WASM)";
    }
  })();
  return {
    implementation: "writes: zarrita zarr.set (partly covered chunks read, decoded and merged, then every touched chunk encoded and rewritten whole)",
    decoder: encoder === undefined ? "none" : `encode: ${encoder}; decode of partly covered chunks: ${zarritaGetDecoder(layout)}`,
    threads: 1,
    library: "zarrita splits the selection over chunks, merges and encodes them",
    ours: "a node:fs store writing whole chunk files; durable: fdatasync of every file written",
    fallbacks: [],
  };
}

/** The read path of a reader: the direct chunk reader, or `zarr.get` and why. */
function zarrReadPath(direct: ChunkReader | undefined, layout: ZarrLayout): BackendReadPath {
  if (direct) {
    const { decoder, threads, fallbacks } = direct.decoding();
    return {
      implementation: "layoutbench chunk reader",
      decoder,
      threads,
      library: "zarrita parses metadata only",
      ours: "whole-chunk preads into reused buffers, decoding, copies of whole runs",
      fallbacks,
    };
  }
  const why = layout.shards !== null ? "sharded array" : "metadata the direct path does not cover";
  return {
    implementation: `zarrita zarr.get (${why})`,
    decoder: zarritaGetDecoder(layout),
    threads: registeredDecoderThreads(layout.codec.name, layout.codec.name === "blosc" ? layout.codec.cname : undefined),
    library: "zarrita reads, decodes and assembles the chunks",
    ours: `a node:fs store, at most ${IO_CONCURRENCY} chunks at once, zarrita's gzip, blosc, lz4 and zstd codecs replaced (the addon decodes where it can)`,
    fallbacks: [],
  };
}

class ZarrReader implements Reader {
  #array: ZarrArray | undefined;
  /** An empty array of the dtype, whose constructor tells a caller's buffer of the right kind. */
  #empty: TypedArray | undefined;
  constructor(
    private readonly store: LocalStore,
    array: ZarrArray,
    private readonly dtype: Dtype,
    private readonly sharded: boolean,
    private readonly writable: boolean,
    /** The direct read path, when it covers this array. */
    private readonly direct: ChunkReader | undefined,
    private readonly layout: ZarrLayout,
  ) {
    this.#array = array;
  }

  readPath(): BackendReadPath {
    return zarrReadPath(this.direct, this.layout);
  }

  writePath(): BackendReadPath {
    return zarrWritePath(this.layout, this.dtype);
  }

  async read(sel: Selection, into?: TypedArray): Promise<TypedArray> {
    const array = this.#live();
    if (sel.length === 0) {
      // zarrita returns a 0-d array's value as a scalar.
      const out = allocate(this.dtype, 1);
      out[0] = (await zarr.get(array, null)) as never;
      return out;
    }
    if (!fitsShape(sel, array.shape)) {
      throw new RangeError(`selection ${formatSelection(sel)} does not fit array shape [${array.shape.join(", ")}]`);
    }
    if (this.direct) {
      // A caller's buffer is filled whole: every selected element lies in exactly one chunk.
      this.#empty ??= allocate(this.dtype, 0);
      const kind = this.#empty.constructor;
      return this.direct.read(sel, (n) => (into && into.length === n && into.constructor === kind ? into : allocate(this.dtype, n)));
    }
    const shape = selectionShape(sel);
    if (elementCount(shape) === 0) return allocate(this.dtype, 0);
    const result = await zarr.get(
      array,
      sel.map((s) => zarr.slice(s.start, s.stop, s.step)),
      queueOptions,
    );
    return toCOrder(result.data as TypedArray, result.shape, result.stride, this.dtype);
  }

  async write(sel: Selection, data: TypedArray): Promise<void> {
    const array = this.#live();
    if (this.sharded) {
      throw new UnsupportedError("zarr: cannot write into a sharded array: zarrita reads sharding_indexed but cannot write it");
    }
    if (!this.writable) throw new Error("zarr: this reader was opened read-only (open with writable: true to write)");
    const shape = selectionShape(sel);
    if (data.length !== elementCount(shape) || data.BYTES_PER_ELEMENT !== itemSize(this.dtype)) {
      throw new RangeError(`zarr write: expected ${elementCount(shape)} ${this.dtype} values, got a ${data.constructor.name} of ${data.length}`);
    }
    const chunk = { data, shape, stride: cStrides(shape) } as unknown as zarr.Chunk<zarr.DataType>;
    await zarr.set(
      array as zarr.Array<zarr.DataType, zarr.Mutable>,
      sel.map((s) => zarr.slice(s.start, s.stop, s.step)),
      chunk,
      queueOptions,
    );
    // Chunk files were rewritten (or created): reopen them on the next read.
    this.direct?.forgetFiles();
  }

  async flush(): Promise<void> {
    await this.store.flush();
  }

  async close(): Promise<void> {
    this.#array = undefined;
    this.store.close();
    await this.direct?.close();
  }

  #live(): ZarrArray {
    if (!this.#array) throw new Error("zarr: reader is closed");
    return this.#array;
  }
}

/** `data` itself when its strides are C order, else a C-order copy (zarrita keeps F order for v2 `order: "F"`). */
export function toCOrder(data: TypedArray, shape: readonly number[], stride: readonly number[], dtype: Dtype): TypedArray {
  const c = cStrides(shape);
  if (shape.every((n, i) => n === 1 || stride[i] === c[i])) return data;
  const out = allocate(dtype, data.length) as Float64Array;
  const src = data as Float64Array;
  let k = 0;
  for (const index of gridCoords(shape)) {
    let from = 0;
    for (let a = 0; a < index.length; a++) from += index[a] * stride[a];
    out[k++] = src[from];
  }
  return out as unknown as TypedArray;
}

/** The Zarr backend (see the file comment). */
/** Whole chunk (or shard) files the selections touch: a chunked read fetches whole files. */
async function byteRanges(stored: Stored<ZarrLayout>, selections: readonly Selection[]): Promise<FileRange[]> {
  const outer = stored.layout.shards ?? stored.layout.chunks;
  const paths = new Set<string>();
  for (const sel of selections) {
    const perAxis = sel.map((s, i) => chunksHit(s, outer[i]));
    let coords: number[][] = [[]];
    for (const hits of perAxis) coords = coords.flatMap((c) => hits.map((h) => [...c, h]));
    for (const c of coords) paths.add(join(stored.dir, ARRAY_DIR, chunkKey(stored.layout.format, c)));
  }
  return [...paths].map((file) => ({ file, offset: 0 }));
}

export const zarrBackend: Backend<ZarrLayout> = {
  name: "zarr",
  check,
  writeProblem,
  footprint: zarrFootprint,
  materialize,
  files,
  open,
  openRemote: (stored, source) => openRemoteZarr(stored, source, { arrayDir: ARRAY_DIR, toCOrder, decoder: zarritaGetDecoder }),
  byteRanges,
  encoder: (layout, dataset) => codecEncoder(layout.codec, dataset.dtype),
  mainFile: ARRAY_DIR,
  locate: (stored) => ({ path: join(stored.dir, ARRAY_DIR) }),
  describe: (layout) =>
    [
      `zarr v${layout.format}`,
      `chunks ${formatShape(layout.chunks)}`,
      ...(layout.shards ? [`shards ${formatShape(layout.shards)}`] : []),
      describeCodec(layout.codec),
    ].join(", "),
  sourceFormat: "zarr",
  probeSource: (path, { shown, stats }) => probeZarr(path, shown, stats),
};
