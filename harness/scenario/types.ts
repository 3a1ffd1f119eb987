/**
 * The resolved scenario: what `load` returns after validation, with every default filled in.
 * Everything downstream (expansion, backends, runner, reports) reads only these types.
 */

import type { LayoutSpec, SourceFormat } from "../backends/layouts.ts";
import type { Dtype, TypedArray } from "../core/dtype.ts";
import type { Selection } from "../core/selection.ts";

export type ReaderSplit = "replicate" | "partition";

/** Who reads a case (docs/readers.md; defaults and limits in readers.ts). */
export interface ReadersSpec {
  /** Reader processes started together behind one barrier. */
  readonly processes: number;
  /** Each reader's own concurrency within one read (what it means per engine: readers.ts `threadsMeaning`). */
  readonly threads: number;
  /** replicate: every reader reads every selection; partition: the selections are divided among them. */
  readonly split: ReaderSplit;
}

import type { StorageSpec } from "./storage.ts";

export type { Shaping, StorageKind, StorageSpec } from "./storage.ts";

/**
 * Who performs a case's timed reads: layoutbench's own backends ("layoutbench", formerly "js",
 * still accepted: engines.ts), a library as a user would call it ("zarrita": zarr.get; "h5wasm":
 * Dataset.slice), or the Python stack in a subprocess ("python": NumPy/h5py/zarr-python;
 * "tensorstore", where installed). See engines/.
 */
export const ENGINES = ["layoutbench", "zarrita", "h5wasm", "python", "tensorstore"] as const;
export type EngineName = (typeof ENGINES)[number];

/** "file": the values are those of an existing file (a dataset with a `source`), not generated. */
export type GeneratorKind = "random" | "smooth" | "sequence" | "zeros" | "file";

export { SOURCE_FORMATS, type SourceFormat } from "../backends/layouts.ts";

/** The name of the one layout a dataset read from an existing file is measured as. */
export const AS_IS_LAYOUT = "as-is";

/** An existing file (or Zarr folder) benchmarked as it is, never rewritten. */
export interface DatasetSource {
  /** Absolute path of the `.npy` or `.h5` file or of the Zarr array folder. */
  readonly path: string;
  readonly format: SourceFormat;
  /** HDF5 only: the dataset's path inside the file. */
  readonly dataset?: string;
  /** The file's own layout (name "as-is"), read from its header or metadata. */
  readonly layout: LayoutSpec;
}

export interface DatasetSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  readonly generator: GeneratorKind;
  readonly seed: number;
  /**
   * Set when the data comes from an existing file; generator is then "file". For a dataset with
   * several sources it is the first (the reference) in the resolved scenario, and in each case the
   * source its layout is (absent in cases of the scenario's layouts, written from the first).
   */
  readonly source?: DatasetSource;
  /** Several existing files holding the same array, each measured as a layout named by the file (`sources:`). */
  readonly sources?: readonly DatasetSource[];
  /**
   * Values of a dataset with sources, for writing the scenario's layouts from them: set by the
   * store at materialization only (a function, so it never reaches a manifest or results file).
   */
  readonly fill?: (sel: Selection, out: TypedArray) => void;
}

// Each backend's layout vocabulary lives with the backend (backends/NAME/layout.ts, listed in
// backends/layouts.ts); its types are named here too, so everything downstream keeps reading this file.
export type { CodecSpec } from "../backends/codec-vocabulary.ts";
export type { Hdf5Layout } from "../backends/hdf5/layout.ts";
export type { BackendName, LayoutSpec } from "../backends/layouts.ts";
export type { MemmapAdvice, MemmapLayout } from "../backends/memmap/layout.ts";
export type { ZarrLayout } from "../backends/zarr/layout.ts";

export type Order = "random" | "sequential";

export type PatternShape =
  /** The whole array, read in bands along axis 0 of at most `bandBytes` each. */
  | { readonly kind: "full"; readonly bandBytes: number }
  /** `count` hyperplane bands `width` indices thick along `axis`; all other axes whole. */
  | { readonly kind: "slices"; readonly axis: number; readonly width: number; readonly count: number; readonly order: Order }
  /** `count` boxes of `shape`; random positions are unaligned unless `aligned`. */
  | { readonly kind: "tiles"; readonly shape: readonly number[]; readonly count: number; readonly order: Order; readonly aligned: boolean }
  /** `count` single elements at random positions. */
  | { readonly kind: "points"; readonly count: number }
  /** `count` distinct grid-aligned blocks of `shape` at random grid positions (clipped at the edges). */
  | { readonly kind: "chunks"; readonly shape: readonly number[]; readonly count: number }
  /** One selection over the whole array taking every `step[i]`-th index along axis i. */
  | { readonly kind: "strided"; readonly step: readonly number[] };

export type PatternSpec = PatternShape & {
  readonly name: string;
  /** As written in the scenario (`rows` and `columns` resolve to `slices`). */
  readonly label: string;
  readonly op: "read" | "write";
  /** Write patterns: rank by time to durable (msync/fdatasync) rather than time to return; both are recorded. */
  readonly flush: boolean;
  /** Read patterns: open (and close) the reader for every selection, inside the timed region. Absent means false. */
  readonly openPerAccess?: boolean;
  readonly seed: number;
  /** Share of the workload this pattern stands for, used by the recommendation (default 1). */
  readonly weight: number;
};

export type CacheState = "cold" | "warm";
export type EvictionMethod = "fadvise" | "drop_caches";

export interface Sampling {
  /** Most samples per case. */
  readonly samples: number;
  /** Fewest samples per case, even past the time budget. */
  readonly minSamples: number;
  /** Seconds per case after which sampling stops once `minSamples` are taken. */
  readonly timeBudget: number;
  /** Untimed samples before the timed ones of a warm case, in every round (never used for cold cases). */
  readonly warmup: number;
  /** Samples are taken in this many rounds across all cases; warm cases reopen and warm up each round. */
  readonly rounds: number;
  /** A warm sample repeats the pass until it has taken at least this long (the sample is the mean per pass). */
  readonly minSampleMs: number;
  /** Each round runs in a new process, so what belongs to one process shows as round-to-round spread. */
  readonly freshProcess: boolean;
}

/** The scenario lists a `sweep` entry may stand in. */
export type SweptList = "layouts" | "patterns";

/** One expanded entry's swept values, as they appear in its name (`{chunks: "256x256", codec: "lz4"}`). */
export interface SweepMember {
  readonly name: string;
  readonly values: Readonly<Record<string, string>>;
}

/** One sweep entry of the file: which fields it varies and the entries it became (scenario/sweep.ts). */
export interface SweepInfo {
  readonly list: SweptList;
  /** Index of the sweep entry in the file's list. */
  readonly at: number;
  readonly fields: readonly string[];
  readonly members: readonly SweepMember[];
}

export interface Scenario {
  readonly version: number;
  readonly file: string;
  readonly name: string;
  readonly description: string;
  /** sha256 of the canonical resolved scenario (without `file`). */
  readonly hash: string;
  readonly datasets: readonly DatasetSpec[];
  readonly layouts: readonly LayoutSpec[];
  readonly patterns: readonly PatternSpec[];
  readonly cache: readonly CacheState[];
  /** Where the layouts are read from (default: local only); sweeps already expanded, one label each. */
  readonly storage: readonly StorageSpec[];
  readonly eviction: EvictionMethod;
  readonly sampling: Sampling;
  /** Who performs the reads: layoutbench's own readers, library engines, the Python reference stack. */
  readonly engines: readonly EngineName[];
  /**
   * Which cache states the recommendation weighs (patterns carry their own weights), and whose
   * numbers it ranks (an engine of the scenario's; layoutbench unless the file says otherwise).
   */
  readonly recommendation: { readonly cache: readonly CacheState[]; readonly engine: EngineName };
  /** The file's sweep entries, when it has any (absent otherwise, so other scenarios keep their hash). */
  readonly sweeps?: readonly SweepInfo[];
  /**
   * Who reads each case (docs/readers.md): one entry per readers dimension value. Absent when the
   * file has no `readers` key: cases then read in the run's own process, as before readers existed.
   */
  readonly readers?: readonly ReadersSpec[];
  /** Bytes of anonymous memory a reader may add while reading before it is flagged (`memoryBudget`). */
  readonly memoryBudget?: number;
}

/** One dataset × layout × pattern × cache state × storage. */
export interface CaseSpec {
  readonly id: string;
  readonly scenario: Scenario;
  readonly dataset: DatasetSpec;
  readonly layout: LayoutSpec;
  readonly pattern: PatternSpec;
  readonly cache: CacheState;
  readonly storage: StorageSpec;
  readonly engine: EngineName;
  /** Who reads: DEFAULT_READERS unless the scenario lists readers. */
  readonly readers: ReadersSpec;
}
