/**
 * What the backends' source probes share: the result type, the error a user can act on, and the
 * Blosc settings that Zarr metadata and HDF5 filter parameters both describe.
 */
import { DTYPES, type Dtype } from "../core/dtype.ts";
import type { CodecSpec, LayoutSpec } from "../scenario/types.ts";

/** What a source holds, read from its header or metadata. */
export interface SourceInfo {
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  /** The file's own layout, named "as-is". */
  readonly layout: LayoutSpec;
  /** Where the array is inside the file, for formats that hold several (HDF5). */
  readonly datasetPath?: string;
}

/** A source that cannot be benchmarked; `message` is one line naming the file. */
export class SourceProblem extends Error {
  /** Which of a dataset's `sources` it is about (absent for a dataset's one `source`). */
  readonly index?: number;
  constructor(message: string, index?: number) {
    super(message);
    if (index !== undefined) this.index = index;
  }
}

/**
 * Thrown by a synchronous probe whose library loads asynchronously and has not been loaded yet;
 * the caller awaits the backends' `prepareProbe` and probes again.
 */
export class ProbeNotReady extends Error {}

/** "supported: int8, ..." for messages about dtypes a probe cannot read. */
export const SUPPORTED_DTYPES = `supported: ${DTYPES.join(", ")}`;

export const SHUFFLE_NAMES = ["none", "byte", "bit"] as const;

export function bloscCodec(cname: unknown, level: unknown, shuffle: "none" | "byte" | "bit" | undefined, where: string): CodecSpec {
  if (cname !== "lz4" && cname !== "zstd" && cname !== "blosclz")
    throw new SourceProblem(`${where}: blosc cname ${JSON.stringify(cname)} is not supported (lz4, zstd, blosclz)`);
  return { name: "blosc", cname, level: typeof level === "number" ? level : 5, shuffle: shuffle ?? "byte" };
}
