/**
 * The scenario file schema: the single source of truth for what a scenario may say. It validates
 * parsed YAML and is exported as scenarios/schema.json for editors (`npm run schema`).
 * Unknown keys are errors everywhere, so a misspelt key never silently falls back to a default.
 */
import { z } from "zod";
import { DTYPES } from "../core/dtype.ts";
import { ENGINE_SPELLINGS } from "./engines.ts";
import { AS_IS_LAYOUT, SOURCE_FORMATS } from "./types.ts";
import { DEFAULTS, NAME_PATTERN, NAME_RULE } from "./defaults.ts";
import { unknownKeysMessage } from "./messages.ts";

/** A strict object whose unknown-key error lists the allowed keys and the nearest one. */
function strict<T extends z.ZodRawShape>(shape: T, description?: string) {
  const allowed = Object.keys(shape);
  const schema = z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? unknownKeysMessage(issue.keys, allowed) : undefined),
  });
  return description ? schema.describe(description) : schema;
}

const name = z.string().regex(NAME_PATTERN, { error: `expected a name of ${NAME_RULE}` });
const size = z.number().int().min(1);
const sizes = z.array(size).min(1).max(4);
const order = z.enum(["random", "sequential"]);

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
const NO_CODEC = { anyOf: [{ const: "none" }, { type: "object", properties: { name: { const: "none" } } }] };
const codecObject = strict({
  name: codecName,
  level: z.number().int().optional().describe(
    `Compression level: ${Object.entries(CODEC_LEVELS).map(([n, r]) => `${n} ${r.min}-${r.max} (default ${DEFAULTS.codecLevels[n as keyof typeof CODEC_LEVELS]})`).join(", ")}; none takes no level.`),
  cname: z.enum(["lz4", "zstd", "blosclz"]).optional().describe(`blosc only: inner compressor (default ${DEFAULTS.blosc.cname}).`),
  shuffle: z.enum(["none", "byte", "bit"]).optional().describe(`blosc only: shuffle filter (default ${DEFAULTS.blosc.shuffle}).`),
}).superRefine((c, ctx) => {
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
}).meta({
  // The same rules for editors (scenarios/schema.json): zod's JSON Schema export leaves refinements out.
  allOf: [
    ...Object.entries(CODEC_LEVELS).map(([n, r]) => ({
      if: { properties: { name: { const: n } } }, then: { properties: { level: { minimum: r.min, maximum: r.max } } },
    })),
    { if: { properties: { name: { const: "none" } } }, then: { not: { required: ["level"] } } },
    { if: { properties: { name: { not: { const: "blosc" } } } }, then: { not: { anyOf: BLOSC_ONLY.map((k) => ({ required: [k] })) } } },
  ],
});
/** A codec name alone means that codec with its default settings. */
const codec = z.union([codecName, codecObject]).describe("Compression codec: a name, or an object with settings.");

const memmapLayout = strict({
  name,
  backend: z.literal("memmap"),
  advice: z.enum(["normal", "random", "sequential"]).optional()
    .describe(`madvise() advice for the mapping; decides readahead (default ${DEFAULTS.memmap.advice}).`),
  order: z.enum(["C", "F"]).optional().describe(`Element order on disk (default ${DEFAULTS.memmap.order}).`),
}, "A NumPy .npy file read through mmap.");

const zarrLayout = strict({
  name,
  backend: z.literal("zarr"),
  format: z.union([z.literal(2), z.literal(3)]).optional().describe(`Zarr format version (default ${DEFAULTS.zarr.format}).`),
  chunks: sizes.describe("Chunk shape (the inner chunk shape when sharded)."),
  shards: sizes.optional().describe("Shard shape, a multiple of chunks (format 3 only; no write patterns)."),
  codec: codec.optional(),
}, "A Zarr array on the local filesystem.").meta({
  // Checked by the backend (with the reason) in the CLI; stated here for editors.
  if: { required: ["shards"] }, then: { properties: { format: { const: 3 } } },
});

const hdf5Layout = strict({
  name,
  backend: z.literal("hdf5"),
  chunks: sizes.nullable().optional().describe("Chunk shape; omit or null for contiguous storage."),
  codec: codec.optional(),
  shuffle: z.boolean().optional().describe("HDF5 shuffle filter (not with a codec: h5wasm writes one filter)."),
}, "An HDF5 file with one dataset.").meta({
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

export const layoutSchema = z.discriminatedUnion("backend", [memmapLayout, zarrLayout, hdf5Layout]);

const patternCommon = {
  name,
  op: z.enum(["read", "write"]).optional().describe(`Read or write the selections (default ${DEFAULTS.pattern.op}).`),
  flush: z.boolean().optional().describe("Writes: rank by time to durable (msync/fdatasync) instead of time to return; both are recorded."),
  openPerAccess: z.boolean().optional().describe("Reads: open and close the reader for every selection, timed with the read (default false: one open per sample, timed apart as openMs)."),
  seed: z.number().int().min(0).optional().describe("Seed for random positions."),
  weight: z.number().min(0).optional().describe("Share of the workload for the recommendation (default 1)."),
};

const slicing = {
  count: size.optional().describe(`How many (default ${DEFAULTS.pattern.count}).`),
  width: size.optional().describe(`Indices per band (default ${DEFAULTS.pattern.width}).`),
  order: order.optional().describe(`Positions at random or one after another (default ${DEFAULTS.pattern.order}).`),
};

export const patternSchema = z.discriminatedUnion("kind", [
  strict({ ...patternCommon, kind: z.literal("full"), bandBytes: size.optional() }, "The whole array, in bands along axis 0."),
  strict({ ...patternCommon, kind: z.literal("rows"), ...slicing }, "Bands along the first axis."),
  strict({ ...patternCommon, kind: z.literal("columns"), ...slicing }, "Bands along the last axis."),
  strict({ ...patternCommon, kind: z.literal("slices"), axis: z.number().int().min(0), ...slicing }, "Bands along any axis."),
  strict({
    ...patternCommon, kind: z.literal("tiles"), shape: sizes, count: size.optional(), order: order.optional(),
    aligned: z.boolean().optional(),
  }, "Boxes of a given shape."),
  strict({ ...patternCommon, kind: z.literal("points"), count: size.optional() }, "Single elements at random positions."),
  strict({ ...patternCommon, kind: z.literal("chunks"), shape: sizes, count: size.optional() }, "Random grid-aligned blocks."),
  strict({ ...patternCommon, kind: z.literal("strided"), step: sizes }, "Every step-th index along each axis."),
]);

const cacheState = z.enum(["cold", "warm"]);

const source = strict({
  path: z.string().min(1).max(4096).describe("The .npy or .h5 file, or the Zarr array folder; relative to the scenario file."),
  format: z.enum(SOURCE_FORMATS),
  dataset: z.string().min(1).max(1024).optional().describe("hdf5 only: the dataset's path in the file (default /data)."),
}, "An existing file, benchmarked as it is (never rewritten): shape and dtype come from its header.").meta({
  if: { properties: { format: { not: { const: "hdf5" } } } }, then: { not: { required: ["dataset"] } },
});

/** What a dataset read from a file must not say: the file decides them. */
const GENERATED_ONLY = ["shape", "dtype", "generator", "seed"] as const;

export const datasetSchema = strict({
  name,
  shape: sizes.optional().describe("1 to 4 dimensions (not with source)."),
  dtype: z.enum(DTYPES).optional().describe("Element type (not with source)."),
  generator: z.enum(["random", "smooth", "sequence", "zeros"]).optional().describe(`Content (default ${DEFAULTS.generator}).`),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  source: source.optional(),
}).superRefine((d, ctx) => {
  // Runs even when a field failed (`when`), so a missing shape is reported next to other problems.
  if (!d || typeof d !== "object") return;
  if (d.source === undefined) {
    if (d.shape === undefined) ctx.addIssue({ code: "custom", path: ["shape"], message: "missing (expected a list)" });
    if (d.dtype === undefined) ctx.addIssue({ code: "custom", path: ["dtype"], message: `missing (allowed: ${DTYPES.join(", ")})` });
    return;
  }
  const extra = GENERATED_ONLY.filter((k) => d[k] !== undefined);
  if (extra.length > 0) {
    ctx.addIssue({
      code: "custom", path: [extra[0]],
      message: `a dataset with a source takes its shape and dtype from the file and is not generated: remove ${extra.join(", ")}`,
    });
  }
  if (d.source && typeof d.source === "object" && d.source.dataset !== undefined && d.source.format !== "hdf5") {
    ctx.addIssue({ code: "custom", path: ["source", "dataset"], message: `only hdf5 sources have a dataset path; this source is ${String(d.source.format)}` });
  }
}, { when: () => true } as object).meta({
  if: { required: ["source"] },
  then: { not: { anyOf: GENERATED_ONLY.map((k) => ({ required: [k] })) } },
  else: { required: ["shape", "dtype"] },
});

const engine = z.enum(ENGINE_SPELLINGS as [string, ...string[]]);

/** The scenario file as written (before defaults). */
export const scenarioFileSchema = strict({
  $schema: z.string().optional(),
  version: z.literal(1).describe("Scenario format version."),
  name,
  description: z.string().max(2000).optional(),
  datasets: z.array(datasetSchema).min(1).max(16).describe("Names must be unique."),
  layouts: z.array(layoutSchema).min(1).max(64).optional().describe("Required unless every dataset has a source (measured as it is). Names must be unique."),
  patterns: z.array(patternSchema).min(1).max(64).describe("Names must be unique."),
  cache: z.array(cacheState).min(1).max(2).optional().describe("Cache states to measure (default both)."),
  eviction: z.enum(["fadvise", "drop_caches"]).optional()
    .describe("How cold cases empty the page cache: posix_fadvise per file, or drop_caches (root)."),
  sampling: strict({
    samples: size.max(100_000).optional(),
    minSamples: size.optional(),
    timeBudget: z.number().positive().optional().describe("Seconds per case."),
    warmup: z.number().int().min(0).max(100_000).optional()
      .describe(`Untimed samples before the timed ones of a warm case, in every round (default ${DEFAULTS.sampling.warmup}).`),
    rounds: size.max(1000).optional()
      .describe(`Rounds the samples are spread over, across all cases, so each case's samples span the run (default ${DEFAULTS.sampling.rounds}).`),
    minSampleMs: z.number().min(0).max(60_000).optional()
      .describe(`Warm samples repeat the pass until they take at least this many milliseconds; 0 means one pass per sample (default ${DEFAULTS.sampling.minSampleMs}).`),
    freshProcess: z.boolean().optional()
      .describe("Take each round in a new process, so what belongs to one process (heap, mappings, compiled code) shows as spread between rounds (default false; any scenario asking for it makes the whole run do it)."),
  }).optional(),
  recommendation: strict({
    cache: z.array(cacheState).min(1).max(2).optional().describe("Cache states the recommendation weighs (default: every one measured)."),
    engine: engine.optional()
      .describe("Whose numbers the recommendation ranks: one of the scenario's engines (default layoutbench), e.g. python for the NumPy/h5py/zarr-python stack's answer."),
  }).optional(),
  engines: z.array(engine).min(1).max(ENGINE_SPELLINGS.length).optional()
    .describe("Who reads: layoutbench (its own readers, default; js is an older name for it), zarrita (zarr.get), h5wasm (Dataset.slice), python (NumPy, h5py, zarr-python) and tensorstore (through the Python worker, where installed), on the same files."),
}).superRefine((f, ctx) => {
  if (!f || typeof f !== "object" || f.layouts !== undefined || !Array.isArray(f.datasets)) return;
  // Datasets read from files bring their own layout; generated ones need the scenario's.
  if (f.datasets.some((d) => !d || typeof d !== "object" || d.source === undefined)) {
    ctx.addIssue({ code: "custom", path: ["layouts"], message: "missing (expected a list)" });
  }
}, { when: () => true } as object).meta({
  // Rules across entries, checked in the CLI by check.ts and the backends; stated here for editors.
  allOf: [
    { if: { required: ["datasets"], properties: { datasets: { contains: { type: "object", not: { required: ["source"] } } } } }, then: { required: ["layouts"] } },
    // Datasets read from files are measured in their own layout ("as-is") and never written to.
    {
      if: { required: ["datasets"], properties: { datasets: { contains: { type: "object", required: ["source"] } } } },
      then: { properties: {
        layouts: { items: { properties: { name: { not: { const: AS_IS_LAYOUT } } } } },
        patterns: { items: { properties: { op: { not: { const: "write" } } } } },
      } },
    },
    // Zarr is written through zarrita, which cannot write shards.
    {
      if: { required: ["patterns"], properties: { patterns: { contains: { type: "object", required: ["op"], properties: { op: { const: "write" } } } } } },
      then: { properties: { layouts: { items: { not: { type: "object", required: ["backend", "shards"], properties: { backend: { const: "zarr" } } } } } } },
    },
  ],
});

export type ScenarioFile = z.infer<typeof scenarioFileSchema>;

/** The JSON Schema written to scenarios/schema.json. */
export function scenarioJsonSchema(): object {
  return z.toJSONSchema(scenarioFileSchema, { io: "input", unrepresentable: "any" });
}
