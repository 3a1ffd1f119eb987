/**
 * Short plain-text names for scenario values, shared by the backends' layout descriptions and the
 * reports. Plain text: renderers escape it for their format.
 */
import type { CodecSpec } from "./types.ts";

/** "256×256" */
export function formatShape(shape: readonly number[]): string {
  return shape.join("×");
}

/** "uncompressed", "zstd 3", "blosc lz4 5 (byte shuffle)". */
export function describeCodec(codec: CodecSpec): string {
  switch (codec.name) {
    case "none":
      return "uncompressed";
    case "blosc":
      return `blosc ${codec.cname} ${codec.level}${codec.shuffle === "none" ? "" : ` (${codec.shuffle} shuffle)`}`;
    default:
      return `${codec.name} ${codec.level}`;
  }
}
