/**
 * Short plain-text descriptions of layouts and patterns for tables and chart labels.
 * Plain text: the renderers escape it for their format.
 */
import { describeLayout } from "../backends/registry.ts";
import type { ReadPath } from "../engines/types.ts";
import { formatShape } from "../scenario/describe.ts";
import { DEFAULT_ENGINE, engineNamed } from "../scenario/engines.ts";
import type { LayoutSpec, PatternSpec } from "../scenario/types.ts";
import { formatBytes } from "./format.ts";

export { describeCodec, formatShape } from "../scenario/describe.ts";
export { describeLayout };

/** The layout's chunk shape, or null when it is not chunked (memmap, contiguous HDF5). */
export function chunksOf(layout: LayoutSpec): readonly number[] | null {
  return "chunks" in layout ? layout.chunks : null;
}

/**
 * How reports name a layout read by an engine from a storage: "npy" for layoutbench on local files
 * (absent and "js", its older name, included), "npy (python)", "zarr (s3-100MBps-20ms)" and
 * "zarr (zarrita, http)" otherwise.
 */
export function layoutLabel(layoutName: string, engine: string | undefined, storage?: string): string {
  const e = engine === undefined ? DEFAULT_ENGINE : (engineNamed(engine) ?? engine);
  const parts = [...(e === DEFAULT_ENGINE ? [] : [e]), ...(storage ? [storage] : [])];
  return parts.length ? `${layoutName} (${parts.join(", ")})` : layoutName;
}

/**
 * A read path in one line: "layoutbench chunk reader; C Blosc-LZ4 (addon), 2 threads; zarrita
 * parses metadata only", then any fallbacks ("; fell back: ...").
 */
export function describeReadPath(path: ReadPath): string {
  const threads = path.threads > 1 ? `, ${path.threads} threads` : "";
  const decoder = path.decoder === "none" ? "no decoding" : path.decoder;
  const fallbacks = path.fallbacks.length ? `; fell back: ${path.fallbacks.join("; ")}` : "";
  return `${path.implementation}; ${decoder}${threads}; ${path.library}${fallbacks}`;
}

/** What the pattern reads or writes: "16 random slices 1 wide along axis 0". */
export function describePattern(pattern: PatternSpec): string {
  const verb = pattern.op === "write" ? `write${pattern.flush ? " (ranked to durable)" : ""}: ` : "";
  const what = (() => {
    switch (pattern.kind) {
      case "full":
        return `whole array in ${formatBytes(pattern.bandBytes)} bands`;
      case "slices":
        return `${pattern.count} ${pattern.order} slice${pattern.count === 1 ? "" : "s"} ${pattern.width} wide along axis ${pattern.axis}`;
      case "tiles":
        return `${pattern.count} ${pattern.order}${pattern.aligned ? " aligned" : ""} tile${pattern.count === 1 ? "" : "s"} of ${formatShape(pattern.shape)}`;
      case "points":
        return `${pattern.count} random point${pattern.count === 1 ? "" : "s"}`;
      case "chunks":
        return `${pattern.count} grid-aligned block${pattern.count === 1 ? "" : "s"} of ${formatShape(pattern.shape)}`;
      case "strided":
        return `every ${formatShape(pattern.step)}-th element`;
    }
  })();
  return verb + what + (pattern.openPerAccess ? ", opened per access" : "");
}
