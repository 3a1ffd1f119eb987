/**
 * Every default a scenario can leave out, named in one place, except a layout's: each backend's
 * layout vocabulary (backends/NAME/layout.ts) names its own, the codecs' are in
 * backends/codec-vocabulary.ts. The schema documents them and resolve.ts applies them; changing
 * one changes results, so it changes the scenario hash too.
 */
export const DEFAULTS = {
  seed: 0,
  generator: "random",
  pattern: { count: 1, width: 1, order: "random", aligned: false, op: "read", weight: 1, flush: false },
  /** Full scans read in bands so arrays larger than memory can be scanned. */
  fullBandBytes: 256 * 1024 * 1024,
  cache: ["cold", "warm"],
  /** Cases read the local files unless a scenario lists other storage. */
  storage: ["local"],
  eviction: "fadvise",
  /**
   * Samples are taken in rounds across all cases (round 1 of every case, then round 2, ...) so
   * each case's samples span the run and a burst of load cannot land on one case alone (asv
   * interleaves rounds for the same reason). A warm sample repeats the pass until it has taken at
   * least minSampleMs, so sub-millisecond reads are not at the mercy of one interrupt.
   */
  sampling: { samples: 10, minSamples: 3, timeBudget: 60, warmup: 1, rounds: 3, minSampleMs: 10, freshProcess: false },
} as const;

export { NAME_PATTERN, NAME_RULE } from "../core/names.ts";

/**
 * The largest scenario file accepted: 64 KiB is four times the largest possible scenario
 * (16 datasets, 64 layouts, 64 patterns) written out in block style with comments.
 */
export const MAX_SCENARIO_BYTES = 64 * 1024;
/**
 * Most YAML tokens (keys, values, punctuation, line breaks) per file, counted before parsing:
 * parsing time grows with the token count (a file of nothing but `1,` is the worst case), and a real
 * scenario has 0.3-0.5 tokens per byte, so this bounds the worst file's parse without refusing any
 * real one.
 */
export const MAX_YAML_TOKENS = 32 * 1024;
/** YAML aliases allowed per file: guards against alias-expansion ("billion laughs") bombs. */
export const MAX_YAML_ALIASES = 100;
/** Deepest YAML nesting accepted, aliases expanded (a scenario needs 5: file → layouts → layout →
 * codec → level); bounds the recursion of everything that walks the parsed data. */
export const MAX_YAML_DEPTH = 32;
/** The most elements a dataset may have (2^50: 8 PiB of float64 is already absurd). */
export const MAX_ELEMENTS = 2 ** 50;
/**
 * The most bytes a generated dataset may hold (64 TiB): every layout of it is written out in full in
 * the dataset cache, and no single machine's disk takes much more. Existing files (sources) are not
 * limited: they are read where they are.
 */
export const MAX_DATASET_BYTES = 64 * 2 ** 40;
/**
 * The most chunks a generated layout may have (Zarr: chunk or shard files; HDF5: chunks in its one
 * file). Each is created, indexed, evicted and checked per cold sample; past ten million that work
 * dominates the run, and the files alone exhaust the inodes of a typical filesystem.
 */
export const MAX_CHUNKS = 10_000_000;
/** The most selections one pattern may make per sample (count, or the bands of a full scan): each
 * is held in memory, and a million reads per sample is already far past a useful benchmark. */
export const MAX_SELECTIONS = 1_000_000;
