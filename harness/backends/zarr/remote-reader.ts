/**
 * Zarr over remote storage (HTTP, S3): zarrita parses the metadata and runs `zarr.get` over a store
 * whose reads are GETs of the layout's objects, at most `concurrency` chunks in flight. Unsharded
 * arrays fetch each chunk touched with one whole-object GET; sharded ones read each shard's index
 * with a suffix range (`bytes=-N`) and its inner chunks with byte ranges (zarrita's sharding codec).
 * Chunks decode with this backend's codecs registered in zarrita, as the local zarr.get path does.
 */

import type { AbsolutePath, RangeQuery } from "zarrita";
import * as zarr from "zarrita";
import { allocate, type Dtype, type TypedArray } from "../../core/dtype.ts";
import { UserError } from "../../core/errors.ts";
import { elementCount, type Selection, selectionShape } from "../../core/selection.ts";
import { RemoteError } from "../../remote/index.ts";
import type { ZarrLayout } from "../../scenario/types.ts";
import type { BackendReadPath, Reader, RemoteSource, Stored } from "../types.ts";
import { boundedQueue } from "./bounded-queue.ts";
import { owned, registerZarrCodecs } from "./codecs.ts";

/** zarrita's readable store over an object store: keys are `/`-rooted paths inside the array folder. */
class ObjectStoreReadable {
  constructor(
    private readonly source: RemoteSource,
    private readonly base: string,
  ) {}

  async get(key: AbsolutePath): Promise<Uint8Array | undefined> {
    return this.#missingAsUndefined(() => this.source.store.get(this.base + key));
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
  const store = new ObjectStoreReadable(source, `${source.prefix}/${parts.arrayDir}`);
  const { layout, dataset } = stored;
  let array: zarr.Array<zarr.DataType, ObjectStoreReadable>;
  try {
    array = layout.format === 2 ? await zarr.open.v2(store, { kind: "array", attrs: false }) : await zarr.open.v3(store, { kind: "array" });
  } catch (error) {
    if (error instanceof RemoteError) throw error;
    // zarrita's own "Not found" names no place: say where the metadata was looked for.
    throw new UserError(
      `${source.store.label} ${source.prefix}/${parts.arrayDir}: no Zarr v${layout.format} array there (${(error as Error).message}; 404 for its metadata)`,
    );
  }
  if (array.dtype !== dataset.dtype) {
    throw new UserError(`${source.store.label} ${source.prefix}: holds ${array.dtype} data, but dataset ${dataset.name} is ${dataset.dtype}`);
  }
  const queue = { createQueue: () => boundedQueue(source.concurrency) };
  let open = true;
  const readPath: BackendReadPath = {
    implementation: `zarrita zarr.get over ${source.store.kind} (${zarrRangeStrategy(layout)})`,
    decoder: parts.decoder(layout),
    threads: 1,
    library: "zarrita parses metadata, fetches through our store, decodes and assembles the chunks",
    ours: `an object-store client (${source.store.kind}), at most ${source.concurrency} GETs in flight`,
    fallbacks: [],
  };
  return {
    readPath: () => readPath,
    async read(sel: Selection): Promise<TypedArray> {
      if (!open) throw new Error("zarr: remote reader is closed");
      if (sel.length === 0) {
        const out = allocate(dataset.dtype, 1);
        out[0] = (await zarr.get(array, null)) as never;
        return out;
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
      await source.store.close();
    },
  };
}
