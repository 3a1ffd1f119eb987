/**
 * What a cache entry's manifest.json records: the dataset and layout it holds, its files, and for
 * a dataset read from a file, the source as it was when linked.
 */
import type { LayoutEncoder } from "../backends/types.ts";
import type { DatasetSpec, LayoutSpec } from "../scenario/types.ts";

export const MANIFEST = "manifest.json";

export interface Manifest {
  readonly key: string;
  readonly createdAt: string;
  readonly dataset: DatasetSpec;
  readonly layout: LayoutSpec;
  /** The library that wrote the files, for layouts where what is installed decides it (Zarr Blosc). */
  readonly encoder?: LayoutEncoder;
  /** Paths relative to the entry folder, with sizes. */
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
  readonly bytesOnDisk: number;
  readonly seconds: number;
  /** Datasets read from a file: the linked source, with the size and mtime it had when linked. */
  readonly source?: { readonly path: string; readonly bytes: number; readonly files: number; readonly mtimeMs: number };
}
