/**
 * The hdf5 backend's layout vocabulary: how a scenario file writes an HDF5 layout, its defaults,
 * its resolved form, its rules for editors, and the dataset path an HDF5 source may name. Pure:
 * imports only core/ and zod (see backends/layouts.ts).
 */
import { z } from "zod";
import { type CodecSpec, codec, NO_CODEC, resolveCodec } from "../codec-vocabulary.ts";
import { defineLayout, layoutObject, sizes } from "../layout-kit.ts";

export interface Hdf5Layout {
  readonly name: string;
  readonly backend: "hdf5";
  /** null: contiguous storage. */
  readonly chunks: readonly number[] | null;
  readonly codec: CodecSpec;
  readonly shuffle: boolean;
}

export const HDF5_DEFAULTS = { shuffle: false } as const;

const schema = layoutObject(
  "hdf5",
  {
    chunks: sizes.nullable().optional().describe("Chunk shape; omit or null for contiguous storage."),
    codec: codec.optional(),
    shuffle: z.boolean().optional().describe("HDF5 shuffle filter (not with a codec: h5wasm writes one filter)."),
  },
  "An HDF5 file with one dataset.",
).meta({
  // Checked by the backend (with the reason) in the CLI; stated here for editors.
  allOf: [
    // Filters need chunked storage.
    { if: { not: { required: ["chunks"], properties: { chunks: { type: "array" } } } }, then: { properties: { codec: NO_CODEC, shuffle: { const: false } } } },
    // One filter per dataset.
    { if: { required: ["shuffle"], properties: { shuffle: { const: true } } }, then: { properties: { codec: NO_CODEC } } },
    // The HDF5 lz4 filter has no level.
    { properties: { codec: { if: { type: "object", properties: { name: { const: "lz4" } } }, then: { properties: { level: { const: 1 } } } } } },
  ],
});

export const hdf5Layout = defineLayout({
  backend: "hdf5",
  schema,
  defaults: HDF5_DEFAULTS,
  resolve: (l): Hdf5Layout => ({
    name: l.name,
    backend: "hdf5",
    chunks: l.chunks ?? null,
    codec: resolveCodec(l.codec),
    shuffle: l.shuffle ?? HDF5_DEFAULTS.shuffle,
  }),
  sourceKeys: {
    format: "hdf5",
    keys: {
      dataset: {
        schema: z.string().min(1).max(1024).optional().describe("hdf5 only: the dataset's path in the file (default /data)."),
        what: "a dataset path",
      },
    },
  },
});
