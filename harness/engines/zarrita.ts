/**
 * The zarrita engine: Zarr layouts read with `zarr.get` through zarrita's own store and codecs, as
 * a JavaScript user would call it: `FileSystemStore` from @zarrita/storage, `zarr.open`, then one
 * `zarr.get(array, [zarr.slice(...), ...])` per selection, default options. Beside the layoutbench
 * engine (whose chunk reader only lets zarrita parse metadata) it shows what the library itself costs.
 *
 * zarrita's codec registry is global, and the zarr backend replaces its gzip, zlib and blosc
 * entries (to encode with node:zlib and to honour Blosc's shuffle when writing). A session puts
 * zarrita's own entries back while it is open (codecs are looked up at an array's first read) and
 * restores the backend's at close; sessions never overlap.
 */
import { join } from "node:path";
import { FetchStore } from "@zarrita/storage";
import FileSystemStore from "@zarrita/storage/fs";
import * as zarr from "zarrita";
import type { Stored } from "../backends/types.ts";
import { ZARRITA_DEFAULT_CODECS } from "../backends/zarr/codecs.ts";
import { ARRAY_DIR, toCOrder } from "../backends/zarr.ts";
import { allocate, type TypedArray } from "../core/dtype.ts";
import type { Selection } from "../core/selection.ts";
import type { CodecSpec, LayoutSpec } from "../scenario/types.ts";
import type { LibraryEngine, LibraryHandle } from "./library-session.ts";
import type { ReadPath } from "./types.ts";

/** Why the zarrita engine cannot run this case, or undefined when it can. */
export function zarritaSupport(layout: LayoutSpec, op: "read" | "write"): string | undefined {
  if (op === "write") return "the zarrita engine only reads; write patterns run in the layoutbench engine only";
  if (layout.backend !== "zarr") return `zarrita reads Zarr only; layout ${layout.name} is ${layout.backend}`;
  return undefined;
}

/** What zarrita's own registry decodes a codec with. */
function zarritaDecoder(codec: CodecSpec): string {
  switch (codec.name) {
    case "none":
      return "none";
    case "gzip":
      return "zarrita GzipCodec (DecompressionStream)";
    case "blosc":
      return "numcodecs.js Blosc (WASM)";
    case "lz4":
      return "numcodecs.js LZ4 (WASM)";
    case "zstd":
      return "numcodecs.js Zstd (WASM)";
  }
}

export function zarritaReadPath(layout: LayoutSpec): ReadPath {
  return {
    engine: "zarrita",
    implementation: "zarrita zarr.get",
    decoder: layout.backend === "zarr" ? zarritaDecoder(layout.codec) : "none",
    threads: 1,
    library: "zarrita reads (FileSystemStore of @zarrita/storage), decodes and assembles the chunks",
    ours: "nothing in the timed read; verification after it",
    fallbacks: [],
  };
}

/** Puts zarrita's own codecs in its registry; returns what restores the entries it replaced. */
function useZarritaCodecs(): () => void {
  const replaced: [string, unknown][] = [];
  for (const [name, entry] of ZARRITA_DEFAULT_CODECS) {
    const current = zarr.registry.get(name);
    if (current !== entry) {
      replaced.push([name, current]);
      zarr.registry.set(name, entry);
    }
  }
  return () => {
    for (const [name, entry] of replaced) {
      if (entry === undefined) zarr.registry.delete(name);
      else zarr.registry.set(name, entry as Parameters<typeof zarr.registry.set>[1]);
    }
  };
}

/**
 * The engine reading remote storage: zarrita's FetchStore at `baseUrl` (the layout's array folder)
 * sending through `fetch` (our request layer and its log), wrapped in zarrita's range coalescing.
 */
export interface ZarritaRemote {
  readonly kind: "http" | "s3";
  /** A fresh client per open: its base URL (ending in `/`), its fetch, and what ends its connections. */
  client(): { readonly baseUrl: string; readonly fetch: (request: Request) => Promise<Response>; close(): Promise<void> };
}

/** zarrita's coalescing gap: ranges of one object less than this apart are fetched as one. */
const COALESCE_BYTES = 32 * 1024;

export function zarritaEngine(stored: Stored, remote?: ZarritaRemote): LibraryEngine {
  const { dataset, layout } = stored;
  const root = join(stored.dir, ARRAY_DIR);
  const path = zarritaReadPath(layout);
  return {
    name: "zarrita engine",
    readPath: remote
      ? {
          ...path,
          library: `zarrita reads (FetchStore over ${remote.kind}, withRangeCoalescing ${COALESCE_BYTES / 1024} KiB gap, suffix requests), decodes and assembles the chunks`,
        }
      : path,
    async open(): Promise<LibraryHandle> {
      const restore = useZarritaCodecs();
      let array: zarr.Array<zarr.DataType, zarr.Readable>;
      const client = remote?.client();
      try {
        const store = client
          ? zarr.withRangeCoalescing(new FetchStore(new URL(ARRAY_DIR + "/", client.baseUrl).href, { fetch: client.fetch, useSuffixRequest: true }), {
              coalesceSize: COALESCE_BYTES,
            })
          : new FileSystemStore(root);
        array = await zarr.open(store, { kind: "array" });
      } catch (error) {
        restore();
        throw new Error(`zarrita engine: cannot open ${client ? new URL(ARRAY_DIR + "/", client.baseUrl).href : root}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      // Strides of the last result: zarrita keeps F order for v2 arrays stored in F order.
      let last: { shape: number[]; stride: number[] } | null = null;
      return {
        async read(sel: Selection) {
          const result = await zarr.get(
            array,
            sel.map((s) => zarr.slice(s.start, s.stop, s.step)),
          );
          // A 0-d selection comes back as a scalar.
          if (typeof result !== "object" || result === null || !("data" in result)) {
            last = null;
            const one = allocate(dataset.dtype, 1);
            one[0] = result as never;
            return one;
          }
          last = { shape: result.shape, stride: result.stride };
          return result.data as TypedArray;
        },
        settle(_sel, data) {
          return last ? toCOrder(data, last.shape, last.stride, dataset.dtype) : data;
        },
        close() {
          restore();
          void client?.close();
        },
      };
    },
  };
}
