/**
 * The backend contract. A backend turns a dataset into files for one layout, lists the files a
 * read may touch (so cache control can evict and check every one), and opens readers with fresh
 * library state. The same contract suite (test/support/contract.ts, called by one test file per backend) runs against every backend.
 */
import type { TypedArray } from "../data/dtype.ts";
import type { Selection } from "../access/selection.ts";
import type { DatasetSpec, LayoutSpec } from "../scenario/types.ts";

export interface MaterializeContext<L extends LayoutSpec = LayoutSpec> {
  readonly dataset: DatasetSpec;
  readonly layout: L;
  /** An empty directory the backend writes into; the cache renames it into place when done. */
  readonly dir: string;
  /** Called as bytes of the logical array are written. */
  progress(doneBytes: number, totalBytes: number): void;
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
}

/** A problem with a layout found before anything is written: `field` is relative to the layout. */
export interface LayoutProblem {
  readonly field: string;
  readonly message: string;
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
  /** Writes the dataset into `ctx.dir`, streaming: never the whole array in memory. */
  materialize(ctx: MaterializeContext<L>): Promise<void>;
  /** Every file a read may touch, as absolute paths. */
  files(stored: Stored<L>): Promise<string[]>;
  /** A reader with fresh library state (no chunk cache carried over). */
  open(stored: Stored<L>, options: { writable: boolean }): Promise<Reader>;
}
