/**
 * The backend contract. A backend turns a dataset into files for one layout, lists the files a
 * read may touch (so cache control can evict and check every one), and opens readers with fresh
 * library state. The same contract suite (test/support/contract.ts, called by one test file per backend) runs against every backend.
 *
 * Beyond those, a backend may offer optional capabilities (reading a user's own file, describing a
 * layout for reports, naming the path other readers open, a reference read). Callers that need one
 * check it with {@link requireCapability}, which names the backend and the capability when it is
 * missing: nothing outside backends/ switches on a backend's name.
 */
import type { Stats } from "node:fs";
import type { FileRange } from "../access/byte-ranges.ts";
import type { TypedArray } from "../core/dtype.ts";
import { UnsupportedError } from "../core/errors.ts";
import type { Selection } from "../core/selection.ts";
import type { ObjectStore } from "../remote/index.ts";
import type { DatasetSpec, LayoutSpec, SourceFormat } from "../scenario/types.ts";
import type { SourceInfo } from "./source-probe.ts";

export type { FileRange };

export interface MaterializeContext<L extends LayoutSpec = LayoutSpec> {
  readonly dataset: DatasetSpec;
  readonly layout: L;
  /** An empty directory the backend writes into; the cache renames it into place when done. */
  readonly dir: string;
  /** Called as bytes of the logical array are written. */
  progress(doneBytes: number, totalBytes: number): void;
}

/** Where a layout's files are in remote storage, and how to read them there. */
export interface RemoteSource {
  /** A client of the storage, used by this reader alone (its RequestLog is the reader's requests). */
  readonly store: ObjectStore;
  /** The key prefix the layout's files are under (`PREFIX/relative/path`), without a trailing slash. */
  readonly prefix: string;
  /** Most GETs in flight at once within one read. */
  readonly concurrency: number;
  /**
   * True when the objects are the layout's files in `stored.dir`, byte for byte (a server the
   * harness started over them): a backend may learn what to fetch there. Otherwise (a user's
   * bucket or HTTP server) only the objects themselves say what they hold.
   */
  readonly localCopy?: boolean;
}

/** A materialized layout: where its files are and what they hold. */
export interface Stored<L extends LayoutSpec = LayoutSpec> {
  readonly dir: string;
  readonly dataset: DatasetSpec;
  readonly layout: L;
}

/**
 * How a reader reads, as it actually does it: recorded with every case so a number names what
 * produced it. Strings are short and exact (tests pin them); `fallbacks` lists every slower path
 * taken instead of the planned one (the addon lacking a feature, decode workers that failed to
 * start), each naming what fell back, to what, and how to get the planned path.
 */
export interface BackendReadPath {
  /** What reads the bytes: "layoutbench chunk reader", "h5wasm (libhdf5 in WASM)". */
  readonly implementation: string;
  /** What decodes stored chunks: "C Blosc-LZ4 (addon)", "node:zlib", "none". */
  readonly decoder: string;
  /** Threads that read or decode at once within one read (1: the reading thread alone). */
  readonly threads: number;
  /** What the format's library does on this path: "zarrita parses metadata only". */
  readonly library: string;
  /** What layoutbench's own code does on this path. */
  readonly ours: string;
  /** Slower paths taken instead of the planned one; empty when none. */
  readonly fallbacks: readonly string[];
}

export interface Reader {
  /**
   * The selected elements in C order, as a fresh array the caller may keep. When `out` is given
   * (the dataset's dtype, exactly the selection's element count) a backend may fill and return it
   * instead: the caller then owns no new memory. The sampler passes reused buffers, because on
   * some machines the first touch of fresh memory costs more than the read being measured.
   */
  read(sel: Selection, out?: TypedArray): Promise<TypedArray>;
  /** Writes `data` (C order, the selection's shape) into the selection. Optional capability. */
  write?(sel: Selection, data: TypedArray): Promise<void>;
  /** Makes written data durable (msync / fdatasync). */
  flush?(): Promise<void>;
  /** Releases every handle and mapping, so the layout's pages can be evicted. */
  close(): Promise<void>;
  /** The path this reader's reads take, fallbacks seen so far included. Optional capability. */
  readPath?(): BackendReadPath;
  /** The path this reader's writes take (libraries, encoders, how writes become durable); writable readers only. */
  writePath?(): BackendReadPath;
}

/** A problem with a layout found before anything is written: `field` is relative to the layout. */
export interface LayoutProblem {
  readonly field: string;
  readonly message: string;
}

/**
 * Upper bounds of what materializing a layout creates, for the free space and inode check: groups
 * of `count` files of at most `bytes` each, and the folders holding them.
 */
export interface StorageFootprint {
  readonly files: readonly { readonly count: number; readonly bytes: number }[];
  readonly folders: number;
}

/**
 * The library that writes a layout's bytes, for layouts where what is installed decides it (Zarr
 * Blosc: the system's c-blosc, else numcodecs.js). Its name is part of the materialization cache
 * key, so bytes from different encoders never share an entry.
 */
export interface LayoutEncoder {
  /** Library and version, e.g. "c-blosc 1.21.3" or "numcodecs.js 0.3.2". */
  readonly name: string;
  /**
   * Present when the library the backend prefers is missing: the warning cases on the layout carry
   * (its text is the run's), and why that library could not be used.
   */
  readonly fallback?: { readonly code: "blosc-encoder-fallback"; readonly reason: string };
}

export interface Backend<L extends LayoutSpec = LayoutSpec> {
  readonly name: L["backend"];
  /**
   * Layout keys that change only how files are read, not their bytes (memmap's `advice`):
   * layouts differing only in these share one materialized copy.
   */
  readonly readOnlyParams?: readonly string[];
  /** Problems with this layout for this dataset (limitations of the library, rank mismatches). */
  check(layout: L, dataset: DatasetSpec): LayoutProblem[];
  /**
   * Why write patterns cannot run on this layout, with the way out (e.g. "… cannot write into
   * shards; remove its shards"); undefined when they can. Absent: every layout takes writes.
   */
  writeProblem?(layout: L): string | undefined;
  /**
   * Why this layout cannot be read from remote storage (HTTP, S3), with the way out; undefined
   * when it can. Absent: every layout can.
   */
  remoteProblem?(layout: L): string | undefined;
  /**
   * Optional: the library `materialize` will write this layout with, when that depends on what is
   * installed; undefined when it does not (the default).
   */
  encoder?(layout: L, dataset: DatasetSpec): LayoutEncoder | undefined;
  /** Optional: the files and folders `materialize` creates (default: one file the array's size). */
  footprint?(layout: L, dataset: DatasetSpec): StorageFootprint;
  /** Writes the dataset into `ctx.dir`, streaming: never the whole array in memory. */
  materialize(ctx: MaterializeContext<L>): Promise<void>;
  /** Every file a read may touch, as absolute paths. */
  files(stored: Stored<L>): Promise<string[]>;
  /** A reader with fresh library state (no chunk cache carried over). */
  open(stored: Stored<L>, options: { writable: boolean }): Promise<Reader>;
  /**
   * Optional: a reader of the layout's objects in remote storage (the same files, uploaded under
   * `source.prefix`), read only. Absent: the backend reads local files only.
   */
  openRemote?(stored: Stored<L>, source: RemoteSource): Promise<Reader>;
  /**
   * Optional: records, before any timed read, what remote reads of `selections` will fetch, from
   * `source` (a client of its own, whose requests are no sample's). Called at prepare for each
   * remote case; readers opened later with the same storage and prefix use what it recorded.
   */
  planRemote?(stored: Stored<L>, source: RemoteSource, selections: readonly Selection[]): Promise<void>;
  /**
   * The byte ranges of its files that reading `selections` touches, so a cold sample is flagged
   * when any page it will read is cached. Optional capability; without it, or when it returns
   * null, cold samples check the share of every file of the layout instead.
   */
  byteRanges?(stored: Stored<L>, selections: readonly Selection[]): Promise<FileRange[] | null>;

  // Optional capabilities.

  /**
   * The file or folder, relative to a stored layout's `dir`, that holds the array: what a user's
   * source is linked as inside a cache entry, and what other readers (the Python engine) open.
   */
  readonly mainFile?: string;
  /** The path another reader opens (absolute), and the array's path inside it for formats that hold several. */
  locate?(stored: Stored<L>): { path: string; datasetPath?: string };
  /** One line for reports: everything about the layout but its name, e.g. "zarr v3, chunks 256×256, zstd 3". */
  describe?(layout: L): string;
  /** The `source.format` of scenario files whose existing files this backend reads as they are. */
  readonly sourceFormat?: SourceFormat;
  /**
   * Shape, dtype and own layout (named "as-is") of a user's file at `path`, read from its header or
   * metadata; throws a SourceProblem naming `shown` when it cannot be benchmarked. Synchronous: a
   * library that loads asynchronously is loaded by {@link Backend.prepareProbe} first.
   */
  probeSource?(path: string, options: { shown: string; stats: Stats; datasetPath?: string }): SourceInfo;
  /** Loads what `probeSource` needs (seconds: only when a source of this format is probed). */
  prepareProbe?(): Promise<void>;
  /**
   * The selection read by a path independent of `open()`'s (plain positioned reads), to verify a
   * user's file against; backends without one are verified against a second read of their own.
   */
  referenceRead?(stored: Stored<L>, sel: Selection): Promise<TypedArray>;
}

/** The optional members of {@link Backend}. */
export type BackendCapability = "mainFile" | "locate" | "describe" | "sourceFormat" | "probeSource" | "prepareProbe" | "referenceRead";

/** A backend asked for a capability it does not have; names both. */
export class UnsupportedCapabilityError extends UnsupportedError {
  constructor(
    readonly backend: string,
    readonly capability: BackendCapability,
  ) {
    super(`the ${backend} backend does not support ${capability}`);
    this.name = "UnsupportedCapabilityError";
  }
}

/** Narrows `backend` to one that has `capability`, or throws an {@link UnsupportedCapabilityError}. */
export function requireCapability<B extends Backend<any>, K extends BackendCapability>(backend: B, capability: K): asserts backend is B & Required<Pick<B, K>> {
  if (backend[capability] === undefined) throw new UnsupportedCapabilityError(backend.name, capability);
}
