/**
 * Short plain-text descriptions of layouts and patterns for tables and chart labels.
 * Plain text: the renderers escape it for their format.
 */
import type { CodecSpec, LayoutSpec, PatternSpec } from "../scenario/types.ts";
export { describeReadPath } from "../engines/types.ts";
import { formatBytes } from "./format.ts";

/** "256×256" */
export function formatShape(shape: readonly number[]): string {
  return shape.join("×");
}

/** "uncompressed", "zstd 3", "blosc lz4 5 (byte shuffle)". */
export function describeCodec(codec: CodecSpec): string {
  switch (codec.name) {
    case "none": return "uncompressed";
    case "blosc": return `blosc ${codec.cname} ${codec.level}${codec.shuffle === "none" ? "" : ` (${codec.shuffle} shuffle)`}`;
    default: return `${codec.name} ${codec.level}`;
  }
}

/** The layout's chunk shape, or null when it is not chunked (memmap, contiguous HDF5). */
export function chunksOf(layout: LayoutSpec): readonly number[] | null {
  return layout.backend === "memmap" ? null : layout.chunks;
}

/** Everything but the name: "zarr v3, chunks 256×256, zstd 3". */
export function describeLayout(layout: LayoutSpec): string {
  switch (layout.backend) {
    case "memmap":
      return `memmap (.npy), ${layout.order} order, advice ${layout.advice}`;
    case "zarr":
      return [
        `zarr v${layout.format}`,
        `chunks ${formatShape(layout.chunks)}`,
        ...(layout.shards ? [`shards ${formatShape(layout.shards)}`] : []),
        describeCodec(layout.codec),
      ].join(", ");
    case "hdf5":
      return [
        "hdf5",
        layout.chunks ? `chunks ${formatShape(layout.chunks)}` : "contiguous",
        describeCodec(layout.codec),
        ...(layout.shuffle ? ["shuffle"] : []),
      ].join(", ");
  }
}

/** What the pattern reads or writes: "16 random slices 1 wide along axis 0". */
export function describePattern(pattern: PatternSpec): string {
  const verb = pattern.op === "write" ? `write${pattern.flush ? " + flush" : ""}: ` : "";
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
  return verb + what;
}
