/**
 * The backend contract. A backend turns a dataset into files for one layout, lists the files a
 * read may touch (so cache control can evict and check every one), and opens readers with fresh
 * library state. The same contract suite (test/support/contract.ts, called by one test file per backend) runs against every backend.
 */
import type { TypedArray } from "../data/dtype.ts";
import type { Selection } from "../access/selection.ts";
import type { FileRange } from "../access/byte-ranges.ts";

export type { FileRange };
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
  /**
   * The byte ranges of its files that reading `selections` touches, so a cold sample is flagged
   * when any page it will read is cached. Optional capability; without it, or when it returns
   * null, cold samples check the share of every file of the layout instead.
   */
  byteRanges?(stored: Stored<L>, selections: readonly Selection[]): Promise<FileRange[] | null>;
}
