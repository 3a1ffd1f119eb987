/**
 * Short plain-text descriptions of layouts and patterns for tables and chart labels.
 * Plain text: the renderers escape it for their format.
 */
import { describeLayout } from "../backends/registry.ts";
import { formatShape } from "../scenario/describe.ts";
import type { EngineName, LayoutSpec, PatternSpec } from "../scenario/types.ts";
import { formatBytes } from "./format.ts";

export { describeCodec, formatShape } from "../scenario/describe.ts";
export { describeLayout };

/** The layout's chunk shape, or null when it is not chunked (memmap, contiguous HDF5). */
export function chunksOf(layout: LayoutSpec): readonly number[] | null {
  return "chunks" in layout ? layout.chunks : null;
}

/** How reports name a layout read by an engine: "npy" for the harness, "npy (python)" otherwise. */
export function layoutLabel(layoutName: string, engine: EngineName | undefined): string {
  return !engine || engine === "js" ? layoutName : `${layoutName} (${engine})`;
}

/** What the pattern reads or writes: "16 random slices 1 wide along axis 0". */
export function describePattern(pattern: PatternSpec): string {
  const verb = pattern.op === "write" ? `write${pattern.flush ? " (ranked to durable)" : ""}: ` : "";
  const what = (() => {
    switch (pattern.kind) {
      case "full": return `whole array in ${formatBytes(pattern.bandBytes)} bands`;
      case "slices": return `${pattern.count} ${pattern.order} slice${pattern.count === 1 ? "" : "s"} ${pattern.width} wide along axis ${pattern.axis}`;
      case "tiles": return `${pattern.count} ${pattern.order}${pattern.aligned ? " aligned" : ""} tile${pattern.count === 1 ? "" : "s"} of ${formatShape(pattern.shape)}`;
      case "points": return `${pattern.count} random point${pattern.count === 1 ? "" : "s"}`;
      case "chunks": return `${pattern.count} grid-aligned block${pattern.count === 1 ? "" : "s"} of ${formatShape(pattern.shape)}`;
      case "strided": return `every ${formatShape(pattern.step)}-th element`;
    }
  })();
  return verb + what + (pattern.openPerAccess ? ", opened per access" : "");
}
