import type { ReadPath } from "../engines/types.ts";
/**
 * The report view model: everything any renderer shows, computed once from a results file.
 * Numbers stay numbers (renderers format them with format.ts); text is plain and unescaped.
 */
import type { WarningCode } from "../run/warnings.ts";
import type { BackendName, CacheState, EngineName, SweepInfo } from "../scenario/types.ts";
import type { Comparison, Verdict } from "../stats/compare.ts";
import type { OutlierClass } from "../stats/outliers.ts";
import type { SampleSummary } from "../stats/summary.ts";
import type { CrossoverRow } from "./bandwidth-crossover.ts";
import type { BandwidthSeries } from "./bandwidth-series.ts";

/** The remote-storage section (remote-section.ts): a table of remote cases and the crossover rows. */
export interface RemoteSectionView {
  readonly cases: {
    readonly columns: readonly { readonly title: string; readonly align: "left" | "right" }[];
    readonly rows: readonly (readonly string[])[];
    readonly kinds: readonly ("best" | "ok" | "failed")[];
  };
  /** The layout the crossovers are against (the least compressed with shaped points). */
  readonly raw: string | null;
  readonly crossovers: readonly CrossoverRow[];
  /** Per pattern and layout, the points of the time-against-bandwidth chart (at least two shaped bandwidths each). */
  readonly series?: readonly BandwidthSeries[];
}

export interface ReportModel {
  /** Present when some case read remote storage. */
  readonly remote?: RemoteSectionView | null;
  /** "layoutbench report: tiles". */
  readonly title: string;
  readonly startedAt: string;
  /** null: the run was interrupted. */
  readonly finishedAt: string | null;
  readonly scenarios: readonly ScenarioView[];
  readonly context: readonly ContextItem[];
  readonly datasets: readonly DatasetView[];
  /** Every warning of the run and its cases, run-level first. */
  readonly warnings: readonly WarningView[];
  readonly counts: { readonly cases: number; readonly ok: number; readonly failed: number };
  /** How intervals were computed, so a reader can reproduce them. */
  readonly statistics: { readonly confidence: number; readonly resamples: number; readonly seed: number };
}

export interface ScenarioView {
  readonly name: string;
  readonly description: string;
  readonly file: string;
  readonly hash: string;
  readonly recommendationCache: readonly CacheState[];
  /** The scenario's sweeps, when it has any (reports draw a heatmap per swept pair). */
  readonly sweeps?: readonly SweepInfo[];
}

/** One line of the run's context table. */
export interface ContextItem {
  readonly label: string;
  readonly value: string;
}

export type { WarningCode };

export interface WarningView {
  /** The case it belongs to, or null for the run. */
  readonly caseId: string | null;
  /** Human scope: "image · npy-random · columns · cold", or "run". */
  readonly scope: string;
  readonly code: WarningCode;
  readonly message: string;
}

export interface DatasetView {
  /** Unique within the report: scenario and dataset name. */
  readonly key: string;
  readonly scenario: string;
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  /** Array size in bytes, uncompressed. */
  readonly logicalBytes: number;
  readonly layouts: readonly LayoutView[];
  readonly patterns: readonly PatternView[];
  /** One per pattern × cache state, patterns in scenario order, cold before warm. */
  readonly groups: readonly GroupView[];
  readonly recommendation: Recommendation;
  /** The recommendation as a decision, its reasons and what would change it. */
  readonly verdict: VerdictView;
  /** Cases read by reader processes: the machine's cores, past which a scaling curve says little. */
  readonly cores?: number;
}

export interface VerdictView {
  /** The decision in one sentence: which layout, for which workload weighting, cache and reader. */
  readonly decision: string;
  /** The two numbers that decide it, with their intervals; empty without a ranking. */
  readonly why: string;
  /** One line per alternative weighting that changes the decision, then one naming those that do not. */
  readonly changes: readonly string[];
}

export interface LayoutView {
  readonly name: string;
  readonly backend: BackendName;
  /** Who read: layoutbench's own readers, a library engine, or the Python stack; the recommendation ranks one engine's layouts. */
  readonly engine: EngineName;
  /** How its cases were read (distinct paths in case order; several when fallbacks differed between cases); empty for files from before read paths. */
  readonly readPaths: readonly ReadPath[];
  /** The read paths in one line each, joined by " | "; "not recorded" for older files. */
  readonly readPath: string;
  /** "zarr v3, chunks 256×256, zstd 3". */
  readonly description: string;
  readonly chunks: readonly number[] | null;
  readonly bytesOnDisk: number | null;
  readonly files: number | null;
  readonly compressionRatio: number | null;
  /** Weighted workload cost (Σ weight × median ms) per cache state; null when a case is missing or failed. */
  readonly costByCache: Readonly<Partial<Record<CacheState, number | null>>>;
  /** Cases read by reader processes: the largest memory figures over the layout's cases. */
  readonly memory?: MemoryView;
}

export interface PatternView {
  readonly name: string;
  readonly label: string;
  /** The pattern's kind ("points", "tiles", …): some figures mean nothing for some kinds. */
  readonly kind: string;
  readonly description: string;
  readonly op: "read" | "write";
  readonly weight: number;
}

export interface GroupView {
  readonly pattern: PatternView;
  readonly cache: CacheState;
  /** Ranked: ok cases by median time, then failed ones. */
  readonly rows: readonly RowView[];
}

export interface RowView {
  readonly caseId: string;
  /** 1 = fastest; null for failed cases. */
  readonly rank: number | null;
  readonly layout: string;
  readonly backend: BackendName;
  readonly status: "ok" | "failed";
  readonly error: string | null;
  readonly samplesMs: readonly number[];
  /** Round of each sample, parallel to samplesMs; absent for runs from before rounds. Intervals resample rounds, then samples. */
  readonly rounds?: readonly number[];
  /** Summary of samplesMs (ms); null without samples. */
  readonly stats: SampleSummary | null;
  /** Bootstrap CI of the median (ms); null below 2 samples. */
  readonly medianCI: { readonly low: number; readonly high: number } | null;
  /** Median ratio to the group's fastest case, with CI and verdict; null for the fastest itself. */
  readonly vsBest: Comparison | null;
  readonly outliers: Readonly<Record<OutlierClass, number>> | null;
  readonly bytesRequested: number | null;
  readonly bytesRead: number | null;
  readonly readAmplification: number | null;
  /** Bytes per second. */
  readonly throughput: number | null;
  readonly bytesOnDisk: number | null;
  readonly compressionRatio: number | null;
  /** Median time to open the reader where it was timed (cold samples), and the bytes those opens read from storage. */
  readonly openMs: number | null;
  readonly openBytesRead: number | null;
  /** Write cases: median ms per pass to return and to durable (msync/fdatasync). */
  readonly returnMs: number | null;
  readonly durableMs: number | null;
  /** Samples flagged for losing most of their time to the scheduler or hypervisor; null when not recorded. */
  readonly preempted: number | null;
  /** Medians per sample: involuntary context switches, CPU steal in ms (every CPU). */
  readonly involuntarySwitches: number | null;
  readonly stealMs: number | null;
  readonly warnings: readonly string[];
  /** Cases read by reader processes: who read, and the layout's name without the readers label. */
  readonly readers?: ReadersView;
  /** Cases read by reader processes: their memory summed over the readers (the case's last round). */
  readonly memory?: MemoryView;
}

export interface ReadersView {
  readonly processes: number;
  readonly threads: number;
  readonly split: "replicate" | "partition";
  /** "4p1t-replicate". */
  readonly label: string;
  /** The layout's row name without the label. */
  readonly layout: string;
  /** The median's interval as throughput (bytes/s), low and high; null below 2 samples. */
  readonly throughputCI: { readonly low: number; readonly high: number } | null;
}

export interface MemoryView {
  readonly pssFileBytes: number;
  readonly pssAnonBytes: number;
  /** ΣPSS of the mappings of the layout's own files. */
  readonly pssLayoutBytes: number;
  readonly hwmBytes: number;
  /** Largest growth of one reader's anonymous memory while reading. */
  readonly maxAnonGrowthBytes: number;
  /** Growth of the readers' anonymous memory while reading, summed (Pss_Anon less each one's baseline before opening). */
  readonly anonGrowthBytes: number;
  readonly pageCacheBytes: number;
}

/** The recommendation's memory rule (docs/readers.md): layouts over the scenario's memoryBudget are not recommended. */
export interface MemoryVerdict {
  readonly budgetBytes: number;
  readonly arrayBytes: number;
  /** Per layout, its largest figures over its cases: stayed within the budget, or went over it. */
  readonly within: readonly LayoutMemory[];
  readonly over: readonly LayoutMemory[];
  /** The one-line summary reports print. */
  readonly line: string;
}

export interface LayoutMemory {
  readonly layout: string;
  readonly anonGrowthBytes: number;
  readonly fileBytes: number;
}

export interface CandidateCost {
  readonly layout: string;
  /** Σ over patterns and recommendation cache states of weight × median (ms). */
  readonly costMs: number;
  readonly low: number;
  readonly high: number;
  /** cost / the winner's cost (1 for the winner), with the bootstrap CI of that ratio. */
  readonly vsWinner: { readonly ratio: number; readonly low: number; readonly high: number; readonly verdict: Verdict };
  readonly tiedWithWinner: boolean;
}

export interface Recommendation {
  /** Whose numbers are ranked: the scenario's recommendation.engine. */
  readonly engine: EngineName;
  /** Cache states weighed (those of the scenario's `recommendation.cache` that were run). */
  readonly cache: readonly CacheState[];
  readonly weights: readonly { readonly pattern: string; readonly weight: number }[];
  /** Ranked by cost, lowest first. */
  readonly candidates: readonly CandidateCost[];
  readonly excluded: readonly { readonly layout: string; readonly reason: string }[];
  readonly winner: string | null;
  readonly runnerUp: string | null;
  /** True when the runner-up's cost ratio CI contains 1. */
  readonly tie: boolean;
  /** The recommendation in one or two sentences. */
  readonly headline: string;
  /** One or two telling facts drawn from the numbers. */
  readonly facts: readonly string[];
  /** With a memoryBudget: which layouts stayed within it (layouts over it are excluded above). */
  readonly memory?: MemoryVerdict;
}
