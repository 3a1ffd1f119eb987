/**
 * Zarr over remote storage (HTTP, S3): zarrita parses the metadata, read through a store whose
 * reads are GETs of the layout's objects. Arrays the direct path covers (chunk-format.ts: unsharded,
 * regular grid, a compressor chunk-decoders.ts knows) are then read by our chunk reader over the
 * store (remote-chunk-reader.ts): one whole-object GET per chunk touched, at most `concurrency` in
 * flight, decoded by the local path's decoders as they arrive. The rest, sharded arrays among them,
 * go through zarrita's `zarr.get` over the same store, at most `concurrency` chunks in flight:
 * each shard's index with a suffix range (`bytes=-N`) and its inner chunks with byte ranges
 * (zarrita's sharding codec), decoded with this backend's codecs registered in zarrita, as the
 * local zarr.get path does.
 */

import type { AbsolutePath, RangeQuery } from "zarrita";
import * as zarr from "zarrita";
import { allocate, type Dtype, type TypedArray } from "../../core/dtype.ts";
import { UserError } from "../../core/errors.ts";
import { elementCount, fitsShape, formatSelection, type Selection, selectionShape } from "../../core/selection.ts";
import { RemoteError } from "../../remote/index.ts";
import type { ZarrLayout } from "../../scenario/types.ts";
import type { BackendReadPath, Reader, RemoteSource, Stored } from "../types.ts";
import { boundedQueue } from "./bounded-queue.ts";
import { chunkFormatOf, metadataKey } from "./chunk-format.ts";
import { owned, registerZarrCodecs } from "./codecs.ts";
import { RemoteChunkReader } from "./remote-chunk-reader.ts";

/** zarrita's readable store over an object store: keys are `/`-rooted paths inside the array folder. */
class ObjectStoreReadable {
  /** Metadata documents zarrita fetched, by key: the direct path parses them without a second GET. */
  readonly metadata = new Map<string, Uint8Array>();

  constructor(
    private readonly source: RemoteSource,
    private readonly base: string,
  ) {}

  async get(key: AbsolutePath): Promise<Uint8Array | undefined> {
    const bytes = await this.#missingAsUndefined(() => this.source.store.get(this.base + key));
    if (bytes && (key === "/.zarray" || key === "/zarr.json")) this.metadata.set(key, bytes);
    return bytes;
  }

  async getRange(key: AbsolutePath, range: RangeQuery): Promise<Uint8Array | undefined> {
    const r = "suffixLength" in range ? { suffix: range.suffixLength } : { offset: range.offset, length: range.length };
    return this.#missingAsUndefined(() => this.source.store.get(this.base + key, r));
  }

  async #missingAsUndefined(read: () => Promise<Uint8Array>): Promise<Uint8Array | undefined> {
    try {
      return owned(await read());
    } catch (error) {
      // A chunk never written is a missing object: zarrita fills it with the fill value.
      if (error instanceof RemoteError && error.kind === "missing") return undefined;
      throw error;
    }
  }
}

/** What the remote reader borrows from the local backend (kept there to avoid an import cycle). */
export interface ZarrRemoteParts {
  readonly arrayDir: string;
  /** C-order copy of a zarr.get result with other strides. */
  toCOrder(data: TypedArray, shape: readonly number[], stride: readonly number[], dtype: Dtype): TypedArray;
  /** What decodes chunks read through zarr.get. */
  decoder(layout: ZarrLayout): string;
}

/** The range strategy of a layout, for the read path. */
export function zarrRangeStrategy(layout: ZarrLayout): string {
  return layout.shards !== null ? "shard index by suffix range (bytes=-N), inner chunks by byte ranges" : "one whole-object GET per chunk touched";
}

export async function openRemoteZarr(stored: Stored<ZarrLayout>, source: RemoteSource, parts: ZarrRemoteParts): Promise<Reader> {
  registerZarrCodecs();
  const base = `${source.prefix}/${parts.arrayDir}`;
  const store = new ObjectStoreReadable(source, base);
  const { layout, dataset } = stored;
  let array: zarr.Array<zarr.DataType, ObjectStoreReadable>;
  try {
    array = layout.format === 2 ? await zarr.open.v2(store, { kind: "array", attrs: false }) : await zarr.open.v3(store, { kind: "array" });
  } catch (error) {
    if (error instanceof RemoteError) throw error;
    // zarrita's own "Not found" names no place: say where the metadata was looked for.
    throw new UserError(`${source.store.label} ${base}: no Zarr v${layout.format} array there (${(error as Error).message}; 404 for its metadata)`);
  }
  if (array.dtype !== dataset.dtype) {
    throw new UserError(`${source.store.label} ${source.prefix}: holds ${array.dtype} data, but dataset ${dataset.name} is ${dataset.dtype}`);
  }
  const direct = directReader(store, base, layout, dataset.dtype, array.shape, source);
  const queue = { createQueue: () => boundedQueue(source.concurrency) };
  let open = true;
  const zarritaPath: BackendReadPath = {
    implementation: `zarrita zarr.get over ${source.store.kind} (${layout.shards !== null ? "sharded array" : "metadata the direct path does not cover"}: ${zarrRangeStrategy(layout)})`,
    decoder: parts.decoder(layout),
    threads: 1,
    library: "zarrita parses metadata, fetches through our store, decodes and assembles the chunks",
    ours: `an object-store client (${source.store.kind}), at most ${source.concurrency} GETs in flight`,
    fallbacks: [],
  };
  return {
    readPath: () => (direct ? directReadPath(direct, source) : zarritaPath),
    async read(sel: Selection, into?: TypedArray): Promise<TypedArray> {
      if (!open) throw new Error("zarr: remote reader is closed");
      if (sel.length === 0) {
        const out = allocate(dataset.dtype, 1);
        out[0] = (await zarr.get(array, null)) as never;
        return out;
      }
      if (direct) {
        if (!fitsShape(sel, array.shape)) throw new RangeError(`selection ${formatSelection(sel)} does not fit array shape [${array.shape.join(", ")}]`);
        // A caller's buffer is filled whole: every selected element lies in exactly one chunk.
        const empty = allocate(dataset.dtype, 0);
        return direct.read(sel, (n) => (into && into.length === n && into.constructor === empty.constructor ? into : allocate(dataset.dtype, n)));
      }
      if (elementCount(selectionShape(sel)) === 0) return allocate(dataset.dtype, 0);
      const result = await zarr.get(
        array,
        sel.map((s) => zarr.slice(s.start, s.stop, s.step)),
        queue,
      );
      return parts.toCOrder(result.data as TypedArray, result.shape, result.stride, dataset.dtype);
    },
    async close() {
      open = false;
      direct?.close();
      await source.store.close();
    },
  };
}

/** Our chunk reader over the store when the direct path covers the array (its metadata as zarrita fetched it), else undefined. */
function directReader(
  store: ObjectStoreReadable,
  base: string,
  layout: ZarrLayout,
  dtype: Dtype,
  shape: readonly number[],
  source: RemoteSource,
): RemoteChunkReader | undefined {
  if (layout.shards !== null) return undefined;
  const bytes = store.metadata.get(`/${metadataKey(layout.format)}`);
  if (!bytes) return undefined;
  const meta = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  const format = chunkFormatOf(base, layout.format, meta, dtype);
  return format?.shape.every((n, i) => n === shape[i]) ? new RemoteChunkReader(format, source) : undefined;
}

function directReadPath(direct: RemoteChunkReader, source: RemoteSource): BackendReadPath {
  const { decoder, threads, fallbacks } = direct.decoding();
  const { kind } = source.store;
  return {
    implementation: `layoutbench chunk reader over ${kind} (one whole-object GET per chunk touched, at most ${source.concurrency} in flight)`,
    decoder,
    threads,
    library: "zarrita parses metadata only",
    ours: `GETs of whole chunk objects through an object-store client (${kind}), each chunk decoded as it arrives while the others are in flight, copies of whole runs`,
    fallbacks,
  };
}
