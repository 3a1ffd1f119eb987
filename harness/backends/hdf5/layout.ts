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
  /**
   * libhdf5's data sieve buffer in bytes (H5Pset_sieve_buf_size; h5py's
   * `PropFAID.set_sieve_buf_size`), as the direct ranged path replays it for contiguous data on
   * remote storage. Absent: libhdf5's default, 64 KiB. h5wasm cannot set it, so validation allows
   * another size only where that path is the one reading (storage-check.ts).
   */
  readonly sieveBufSize?: number;
}

export const HDF5_DEFAULTS = { shuffle: false } as const;

/** libhdf5's default sieve buffer size, which h5py and h5wasm keep. */
export const DEFAULT_SIEVE_BUF_SIZE = 64 * 1024;
/** Bounds of `sieveBufSize`: below 1 KiB every run costs a request; 64 MiB is more than any read here needs. */
export const SIEVE_LIMITS = { min: 1024, max: 64 * 2 ** 20 } as const;

/** Whether `layout` asks for a sieve size other than the default that it may have (contiguous, in range). */
export function setsSieve(layout: Hdf5Layout): boolean {
  const bytes = layout.sieveBufSize;
  return (
    bytes !== undefined &&
    bytes !== DEFAULT_SIEVE_BUF_SIZE &&
    layout.chunks === null &&
    Number.isSafeInteger(bytes) &&
    bytes >= SIEVE_LIMITS.min &&
    bytes <= SIEVE_LIMITS.max
  );
}

const SIZE_UNITS: Readonly<Record<string, number>> = { B: 1, KiB: 1024, MiB: 2 ** 20 };
const SIZE_TEXT = /^(\d+)\s*(B|KiB|MiB)$/;

/** Bytes of a size written as a number of bytes or `16KiB`, `1MiB`, `512B`. */
export function sizeBytes(value: number | string): number {
  if (typeof value === "number") return value;
  const m = SIZE_TEXT.exec(value.trim());
  return m ? Number(m[1]) * SIZE_UNITS[m[2]] : Number.NaN;
}

const schema = layoutObject(
  "hdf5",
  {
    chunks: sizes.nullable().optional().describe("Chunk shape; omit or null for contiguous storage."),
    codec: codec.optional(),
    shuffle: z.boolean().optional().describe("HDF5 shuffle filter (not with a codec: h5wasm writes one filter)."),
    sieveBufSize: z
      .union([z.number().int(), z.string().regex(SIZE_TEXT, { error: "expected a size such as 16KiB, 1MiB or 4096B (units B, KiB, MiB)" })])
      .optional()
      .describe(
        "libhdf5's data sieve buffer (H5Pset_sieve_buf_size), e.g. 16KiB; default 64KiB. Contiguous layouts read by the layoutbench engine from remote storage only: h5wasm cannot set it.",
      ),
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
    // Only when set, so layouts without it keep their scenario hash.
    ...(l.sieveBufSize !== undefined ? { sieveBufSize: sizeBytes(l.sieveBufSize) } : {}),
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
