/**
 * The scenario file schema: the single source of truth for what a scenario may say. It validates
 * parsed YAML and is exported as scenarios/schema.json for editors (`npm run schema`).
 * Unknown keys are errors everywhere, so a misspelt key never silently falls back to a default.
 */
import { z } from "zod";
import { name, size, sizes, strict } from "../backends/layout-kit.ts";
import { LAYOUTS, layoutSchemas, SOURCE_KEYS, type SourceKeyShape } from "../backends/layouts.ts";
import { DTYPES } from "../core/dtype.ts";
import { DEFAULTS } from "./defaults.ts";
import { ENGINE_SPELLINGS, REMOTE_ENGINES } from "./engines.ts";
import { memoryBudgetSchema, readersSchema } from "./readers.ts";
import { storageRules, storageSchema } from "./storage-schema.ts";
import { AS_IS_LAYOUT, SOURCE_FORMATS } from "./types.ts";

export { CODEC_LEVELS } from "../backends/codec-vocabulary.ts";

const order = z.enum(["random", "sequential"]);

/** One member per backend, from each backend's layout vocabulary (backends/layouts.ts). */
export const layoutSchema = z.discriminatedUnion("backend", layoutSchemas);

const patternCommon = {
  name,
  op: z.enum(["read", "write"]).optional().describe(`Read or write the selections (default ${DEFAULTS.pattern.op}).`),
  flush: z.boolean().optional().describe("Writes: rank by time to durable (msync/fdatasync) instead of time to return; both are recorded."),
  openPerAccess: z
    .boolean()
    .optional()
    .describe("Reads: open and close the reader for every selection, timed with the read (default false: one open per sample, timed apart as openMs)."),
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
  strict(
    {
      ...patternCommon,
      kind: z.literal("tiles"),
      shape: sizes,
      count: size.optional(),
      order: order.optional(),
      aligned: z.boolean().optional(),
    },
    "Boxes of a given shape.",
  ),
  strict({ ...patternCommon, kind: z.literal("points"), count: size.optional() }, "Single elements at random positions."),
  strict({ ...patternCommon, kind: z.literal("chunks"), shape: sizes, count: size.optional() }, "Random grid-aligned blocks."),
  strict({ ...patternCommon, kind: z.literal("strided"), step: sizes }, "Every step-th index along each axis."),
]);

const cacheState = z.enum(["cold", "warm"]);

/** Per source key that only one format has: its rule for editors. */
const sourceKeyRules = SOURCE_KEYS.map((k) => ({
  if: { properties: { format: { not: { const: k.format } } } },
  then: { not: { required: [k.key] } },
}));
const source = strict(
  {
    path: z.string().min(1).max(4096).describe("The .npy or .h5 file, or the Zarr array folder; relative to the scenario file."),
    format: z.enum(SOURCE_FORMATS),
    ...(Object.fromEntries(SOURCE_KEYS.map((k) => [k.key, k.schema])) as SourceKeyShape),
  },
  "An existing file, benchmarked as it is (never rewritten): shape and dtype come from its header.",
).meta(sourceKeyRules.length === 1 ? sourceKeyRules[0] : { allOf: sourceKeyRules });

/** One of a dataset's several sources: a file and the name of the layout it is measured as. */
const namedSource = strict(
  {
    name: name.describe("The layout's name in results and reports (e.g. npy, h5, zarr); unique among the scenario's layouts."),
    path: z.string().min(1).max(4096).describe("The .npy or .h5 file, or the Zarr array folder; relative to the scenario file."),
    format: z.enum(SOURCE_FORMATS),
    ...(Object.fromEntries(SOURCE_KEYS.map((k) => [k.key, k.schema])) as SourceKeyShape),
  },
  "An existing file holding the dataset's array, measured as it is; the first source is the one the others' values are checked against.",
).meta(sourceKeyRules.length === 1 ? sourceKeyRules[0] : { allOf: sourceKeyRules });

/** What a dataset read from a file must not say: the file decides them. */
const GENERATED_ONLY = ["shape", "dtype", "generator", "seed"] as const;

export const datasetSchema = strict({
  name,
  shape: sizes.optional().describe("1 to 4 dimensions (not with source)."),
  dtype: z.enum(DTYPES).optional().describe("Element type (not with source)."),
  generator: z.enum(["random", "smooth", "sequence", "zeros"]).optional().describe(`Content (default ${DEFAULTS.generator}).`),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional(),
  source: source.optional(),
  sources: z
    .array(namedSource)
    .min(1)
    .max(16)
    .optional()
    .describe(
      "Several existing files holding the same array (same shape and dtype), each measured as a layout of this dataset, next to the scenario's layouts written from the first one's values.",
    ),
})
  .superRefine(
    (d, ctx) => {
      // Runs even when a field failed (`when`), so a missing shape is reported next to other problems.
      if (!d || typeof d !== "object") return;
      if (d.source !== undefined && d.sources !== undefined) {
        ctx.addIssue({ code: "custom", path: ["sources"], message: "a dataset has either one source or a list of sources: move source into sources" });
        return;
      }
      if (d.source === undefined && d.sources === undefined) {
        if (d.shape === undefined) ctx.addIssue({ code: "custom", path: ["shape"], message: "missing (expected a list)" });
        if (d.dtype === undefined) ctx.addIssue({ code: "custom", path: ["dtype"], message: `missing (allowed: ${DTYPES.join(", ")})` });
        return;
      }
      const extra = GENERATED_ONLY.filter((k) => d[k] !== undefined);
      if (extra.length > 0) {
        ctx.addIssue({
          code: "custom",
          path: [extra[0]],
          message: `a dataset with a source takes its shape and dtype from the file and is not generated: remove ${extra.join(", ")}`,
        });
      }
      const given =
        d.source !== undefined ? [{ at: ["source"], s: d.source }] : (Array.isArray(d.sources) ? d.sources : []).map((s, i) => ({ at: ["sources", i], s }));
      for (const { at, s } of given) {
        if (!s || typeof s !== "object") continue;
        for (const k of SOURCE_KEYS) {
          if ((s as Record<string, unknown>)[k.key] !== undefined && s.format !== k.format) {
            ctx.addIssue({
              code: "custom",
              path: [...at, k.key],
              message: `only ${k.format} sources have ${k.what}; this source is ${String(s.format)}`,
            });
          }
        }
      }
    },
    { when: () => true } as object,
  )
  .meta({
    if: { anyOf: [{ required: ["source"] }, { required: ["sources"] }] },
    then: { not: { anyOf: [...GENERATED_ONLY.map((k) => ({ required: [k] })), { required: ["source", "sources"] }] } },
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
  storage: storageSchema.optional(),
  eviction: z.enum(["fadvise", "drop_caches"]).optional().describe("How cold cases empty the page cache: posix_fadvise per file, or drop_caches (root)."),
  sampling: strict({
    samples: size.max(100_000).optional(),
    minSamples: size.optional(),
    timeBudget: z.number().positive().optional().describe("Seconds per case."),
    warmup: z
      .number()
      .int()
      .min(0)
      .max(100_000)
      .optional()
      .describe(`Untimed samples before the timed ones of a warm case, in every round (default ${DEFAULTS.sampling.warmup}).`),
    rounds: size
      .max(1000)
      .optional()
      .describe(`Rounds the samples are spread over, across all cases, so each case's samples span the run (default ${DEFAULTS.sampling.rounds}).`),
    minSampleMs: z
      .number()
      .min(0)
      .max(60_000)
      .optional()
      .describe(
        `Warm samples repeat the pass until they take at least this many milliseconds; 0 means one pass per sample (default ${DEFAULTS.sampling.minSampleMs}).`,
      ),
    freshProcess: z
      .boolean()
      .optional()
      .describe(
        "Take each round in a new process, so what belongs to one process (heap, mappings, compiled code) shows as spread between rounds (default false; any scenario asking for it makes the whole run do it).",
      ),
  }).optional(),
  recommendation: strict({
    cache: z.array(cacheState).min(1).max(2).optional().describe("Cache states the recommendation weighs (default: every one measured)."),
    engine: engine
      .optional()
      .describe(
        "Whose numbers the recommendation ranks: one of the scenario's engines (default layoutbench), e.g. python for the NumPy/h5py/zarr-python stack's answer.",
      ),
  }).optional(),
  engines: z
    .array(engine)
    .min(1)
    .max(ENGINE_SPELLINGS.length)
    .optional()
    .describe(
      "Who reads: layoutbench (its own readers, default; js is an older name for it), zarrita (zarr.get), h5wasm (Dataset.slice), python (NumPy, h5py, zarr-python) and tensorstore (through the Python worker, where installed), on the same files.",
    ),
  readers: z
    .array(readersSchema)
    .min(1)
    .max(16)
    .optional()
    .describe(
      "Reader processes and threads, one case per entry (default: one process, one thread, in the run's own process). With this key every read case runs in reader processes and gets memory figures; see docs/readers.md.",
    ),
  memoryBudget: memoryBudgetSchema.optional(),
})
  .superRefine(
    (f, ctx) => {
      if (!f || typeof f !== "object" || f.layouts !== undefined || !Array.isArray(f.datasets)) return;
      // Datasets read from files bring their own layout; generated ones need the scenario's.
      if (f.datasets.some((d) => !d || typeof d !== "object" || (d.source === undefined && d.sources === undefined))) {
        ctx.addIssue({ code: "custom", path: ["layouts"], message: "missing (expected a list)" });
      }
    },
    { when: () => true } as object,
  )
  .meta({
    // Rules across entries, checked in the CLI by check.ts and the backends; stated here for editors.
    allOf: [
      {
        if: {
          required: ["datasets"],
          properties: { datasets: { contains: { type: "object", not: { anyOf: [{ required: ["source"] }, { required: ["sources"] }] } } } },
        },
        then: { required: ["layouts"] },
      },
      // Datasets read from files are measured in their own layout ("as-is") and never written to.
      {
        if: {
          required: ["datasets"],
          properties: { datasets: { contains: { type: "object", anyOf: [{ required: ["source"] }, { required: ["sources"] }] } } },
        },
        then: {
          properties: {
            layouts: { items: { properties: { name: { not: { const: AS_IS_LAYOUT } } } } },
            patterns: { items: { properties: { op: { not: { const: "write" } } } } },
          },
        },
      },
      // The backends' own rules across entries (which layouts cannot take write patterns).
      ...LAYOUTS.flatMap((l) => l.scenarioRules ?? []),
      // What remote storage cannot take (storage-check.ts).
      ...storageRules(Object.keys(REMOTE_ENGINES).filter((e) => REMOTE_ENGINES[e as keyof typeof REMOTE_ENGINES] !== true)),
    ],
  });

export type ScenarioFile = z.infer<typeof scenarioFileSchema>;

/**
 * A `sweep` entry of layouts or patterns, for editors: the file's loader expands it (sweep.ts) into
 * entries that are then checked like any other, so here only its form is stated.
 */
function sweepEntry(what: string, example: string): object {
  return {
    type: "object",
    required: ["sweep"],
    description: `Stands for one ${what} per combination of the swept values, e.g. ${example}; the other keys are shared by all of them.`,
    properties: {
      sweep: {
        type: "object",
        minProperties: 1,
        not: { anyOf: [{ required: ["name"] }, { required: ["sweep"] }] },
        additionalProperties: { type: "array", minItems: 1 },
        description: "Field → list of the values to try. A field that takes a list (chunks, shape, step) is given a list of lists: [[256, 256], [1024, 64]].",
      },
      name: {
        type: "string",
        description:
          'The names of the entries: a template with {field} placeholders ("zarr-{chunks}-{codec}"), or a prefix; default: the backend or kind, then each swept value.',
      },
    },
  };
}

/** The JSON Schema written to scenarios/schema.json. */
export function scenarioJsonSchema(): object {
  const schema = z.toJSONSchema(scenarioFileSchema, { io: "input", unrepresentable: "any" }) as {
    properties: Record<string, { items: object }>;
    patternProperties?: object;
  };
  // Top-level x- keys are ignored by the loader: a place for what anchors (&base) refer to.
  schema.patternProperties = { "^x-": { description: "Not read: a place for YAML anchors (x-base: &base {...}), merged with <<: *base." } };
  const { layouts, patterns } = schema.properties;
  layouts.items = { anyOf: [sweepEntry("layout", "{sweep: {chunks: [[256, 256], [2048, 128]], codec: [lz4, zstd]}, backend: zarr}"), layouts.items] };
  patterns.items = { anyOf: [sweepEntry("pattern", "{sweep: {shape: [[64, 64], [512, 512]]}, kind: tiles}"), patterns.items] };
  return schema;
}
