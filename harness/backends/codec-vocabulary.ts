/**
 * The compression codecs layouts may name (Zarr's and HDF5's): the resolved type, the schema of
 * how a scenario file writes one, the defaults and resolve. Pure: imports only core/ and zod.
 */
import { z } from "zod";
import { strict } from "./layout-kit.ts";

export type CodecSpec =
  | { readonly name: "none" }
  | { readonly name: "gzip"; readonly level: number }
  | { readonly name: "zstd"; readonly level: number }
  | { readonly name: "lz4"; readonly level: number }
  | {
      readonly name: "blosc";
      readonly cname: "lz4" | "zstd" | "blosclz";
      readonly level: number;
      readonly shuffle: "none" | "byte" | "bit";
    };

/** What a codec leaves out; changing one changes results, so it changes the scenario hash too. */
export const CODEC_DEFAULTS = {
  codec: "none",
  codecLevels: { gzip: 5, zstd: 3, lz4: 1, blosc: 5 },
  blosc: { cname: "lz4", shuffle: "byte" },
} as const;

const codecName = z.enum(["none", "gzip", "zstd", "lz4", "blosc"]);
/** Levels each codec takes (lz4's is LZ4's acceleration); the backends may narrow them (HDF5's lz4 has none). */
export const CODEC_LEVELS = {
  gzip: { min: 0, max: 9, note: "" },
  zstd: { min: 1, max: 22, note: "" },
  lz4: { min: 1, max: 65537, note: " (the level is LZ4's acceleration: 1 = best ratio, higher = faster)" },
  blosc: { min: 0, max: 9, note: "" },
} as const;
/** Keys only blosc takes. */
const BLOSC_ONLY = ["cname", "shuffle"] as const;
/** A codec that compresses nothing, in either spelling (for rules written as JSON Schema). */
export const NO_CODEC = { anyOf: [{ const: "none" }, { type: "object", properties: { name: { const: "none" } } }] };
const codecObject = strict({
  name: codecName,
  level: z
    .number()
    .int()
    .optional()
    .describe(
      `Compression level: ${Object.entries(CODEC_LEVELS)
        .map(([n, r]) => `${n} ${r.min}-${r.max} (default ${CODEC_DEFAULTS.codecLevels[n as keyof typeof CODEC_LEVELS]})`)
        .join(", ")}; none takes no level.`,
    ),
  cname: z.enum(["lz4", "zstd", "blosclz"]).optional().describe(`blosc only: inner compressor (default ${CODEC_DEFAULTS.blosc.cname}).`),
  shuffle: z.enum(["none", "byte", "bit"]).optional().describe(`blosc only: shuffle filter (default ${CODEC_DEFAULTS.blosc.shuffle}).`),
})
  .superRefine((c, ctx) => {
    if (c.name !== "none" && c.level !== undefined) {
      const r = CODEC_LEVELS[c.name];
      if (c.level < r.min || c.level > r.max) {
        ctx.addIssue({ code: "custom", path: ["level"], message: `${c.name} level must be an integer from ${r.min} to ${r.max}${r.note}, got ${c.level}` });
      }
    }
    if (c.name === "none" && c.level !== undefined) ctx.addIssue({ code: "custom", path: ["level"], message: "codec none takes no level: remove level" });
    if (c.name !== "blosc") {
      for (const key of BLOSC_ONLY) {
        if (c[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: `only blosc takes ${key}; this codec is ${c.name}: remove ${key}` });
      }
    }
  })
  .meta({
    // The same rules for editors (scenarios/schema.json): zod's JSON Schema export leaves refinements out.
    allOf: [
      ...Object.entries(CODEC_LEVELS).map(([n, r]) => ({
        if: { properties: { name: { const: n } } },
        then: { properties: { level: { minimum: r.min, maximum: r.max } } },
      })),
      { if: { properties: { name: { const: "none" } } }, then: { not: { required: ["level"] } } },
      { if: { properties: { name: { not: { const: "blosc" } } } }, then: { not: { anyOf: BLOSC_ONLY.map((k) => ({ required: [k] })) } } },
    ],
  });
/** A codec name alone means that codec with its default settings. */
export const codec = z.union([codecName, codecObject]).describe("Compression codec: a name, or an object with settings.");

/** A codec as a scenario file writes it. */
export type FileCodec = z.output<typeof codec>;

export function resolveCodec(codec: FileCodec | undefined): CodecSpec {
  const c = typeof codec === "string" || codec === undefined ? { name: codec ?? CODEC_DEFAULTS.codec } : codec;
  switch (c.name) {
    case "none":
      return { name: "none" };
    case "gzip":
    case "zstd":
    case "lz4":
      return { name: c.name, level: c.level ?? CODEC_DEFAULTS.codecLevels[c.name] };
    case "blosc":
      return {
        name: "blosc",
        cname: c.cname ?? CODEC_DEFAULTS.blosc.cname,
        level: c.level ?? CODEC_DEFAULTS.codecLevels.blosc,
        shuffle: c.shuffle ?? CODEC_DEFAULTS.blosc.shuffle,
      };
  }
}
