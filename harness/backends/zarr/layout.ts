/**
 * The zarr backend's layout vocabulary: how a scenario file writes a Zarr layout, its defaults,
 * its resolved form and its rules for editors. Pure: imports only core/ and zod (see backends/layouts.ts).
 */
import { z } from "zod";
import { type CodecSpec, codec, resolveCodec } from "../codec-vocabulary.ts";
import { defineLayout, layoutObject, sizes } from "../layout-kit.ts";

export interface ZarrLayout {
  readonly name: string;
  readonly backend: "zarr";
  readonly format: 2 | 3;
  readonly chunks: readonly number[];
  /** Shard shape (v3 only); `chunks` is then the inner chunk shape. */
  readonly shards: readonly number[] | null;
  readonly codec: CodecSpec;
}

export const ZARR_DEFAULTS = { format: 3 } as const;

const schema = layoutObject(
  "zarr",
  {
    format: z
      .union([z.literal(2), z.literal(3)])
      .optional()
      .describe(`Zarr format version (default ${ZARR_DEFAULTS.format}).`),
    chunks: sizes.describe("Chunk shape (the inner chunk shape when sharded)."),
    shards: sizes.optional().describe("Shard shape, a multiple of chunks (format 3 only; no write patterns)."),
    codec: codec.optional(),
  },
  "A Zarr array on the local filesystem.",
).meta({
  // Checked by the backend (with the reason) in the CLI; stated here for editors.
  if: { required: ["shards"] },
  then: { properties: { format: { const: 3 } } },
});

export const zarrLayout = defineLayout({
  backend: "zarr",
  schema,
  defaults: ZARR_DEFAULTS,
  resolve: (l): ZarrLayout => ({
    name: l.name,
    backend: "zarr",
    format: l.format ?? ZARR_DEFAULTS.format,
    chunks: l.chunks,
    shards: l.shards ?? null,
    codec: resolveCodec(l.codec),
  }),
  scenarioRules: [
    // Zarr is written through zarrita, which cannot write shards.
    {
      if: { required: ["patterns"], properties: { patterns: { contains: { type: "object", required: ["op"], properties: { op: { const: "write" } } } } } },
      then: { properties: { layouts: { items: { not: { type: "object", required: ["backend", "shards"], properties: { backend: { const: "zarr" } } } } } } },
    },
  ],
});
