/**
 * The results file: one per run, versioned, rewritten atomically after every finished case so an
 * interrupted run keeps what it finished. Reports and comparisons read only this.
 */
import type { DecodeRate } from "../backends/decode-speed.ts";
import type { LayoutEncoder } from "../backends/types.ts";
import type { ReadPath, RemoteSample } from "../engines/types.ts";
import type { CacheState, CodecSpec, DatasetSpec, EngineName, EvictionMethod, LayoutSpec, PatternSpec, ReadersSpec, SweepInfo } from "../scenario/types.ts";
import type { CaseMemory } from "./memory.ts";
import type { CaseStamp, ShardHeader } from "./shard-record.ts";
import type { WarningCode } from "./warnings.ts";

export const RESULTS_VERSION = 1;
export const RESULTS_KIND = "layoutbench-results";

export interface RunContext {
  readonly hostname: string;
  readonly platform: string;
  readonly kernel: string;
  readonly arch: string;
  readonly cpuModel: string;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly node: string;
  /** Versions of the storage and support libraries that shaped the numbers. */
  readonly libraries: Readonly<Record<string, string>>;
  /** Filesystem type of the dataset cache (from /proc/mounts), e.g. ext4. */
  readonly filesystem: string;
  /** Block device readahead in KiB for that filesystem, when it can be read. */
  readonly readaheadKiB: number | null;
  readonly pageSize: number;
  readonly eviction: {
    readonly method: EvictionMethod;
    /** True when a probe file was evicted and mincore confirmed it left the page cache. */
    readonly verified: boolean;
    readonly detail: string;
  };
  /**
   * The clock's own cost per timed region, subtracted from each timed read (run/timer-overhead.ts);
   * absent in files from before it was measured.
   */
  readonly timer?: { readonly overheadMs: number; readonly method: string };
}

export interface Sample {
  /** Wall time of the timed operation, in milliseconds. */
  readonly ms: number;
  /** Bytes read from storage during the timed operation (/proc/self/io read_bytes). */
  readonly bytesRead: number;
  /** Bytes written to storage during the timed operation (/proc/self/io write_bytes). */
  readonly bytesWritten: number;
  readonly majorFaults: number;
  /**
   * Cold samples: fraction resident just before the timed operation, of the pages the reads will
   * touch (`residencyOf: "ranges"`) or of every page of the layout's files (absent).
   */
  readonly residency: number | null;
  readonly residencyOf?: "ranges";
  /** Milliseconds to open the reader (not part of `ms`). */
  readonly openMs: number;
  /** Round of the run the sample was taken in (1-based); absent in files from before rounds. */
  readonly round?: number;
  /**
   * Passes the sample repeated (warm samples of short reads); `ms`, `bytesRead`, `bytesWritten`
   * and `majorFaults` are then means per pass. Absent means 1.
   */
  readonly passes?: number;
  /** The process that took the sample, when rounds run in fresh processes (sampling.freshProcess). */
  readonly pid?: number;
  /** Cold samples of the js engine: bytes read from storage while opening (headers, metadata). */
  readonly openBytesRead?: number;
  /** Write samples: milliseconds per pass until the writes returned. */
  readonly returnMs?: number;
  /** Write samples: milliseconds per pass until the data was durable (returns plus msync/fdatasync); absent when the backend cannot flush. */
  readonly durableMs?: number;
  /** What the scheduler and hypervisor took during the sample (all passes, verification included). */
  readonly sched?: SchedCounters;
  /** Cases on remote storage: the requests the timed reads sent (per pass, like the other counters). */
  readonly remote?: RemoteSample;
  /** Cases read by reader processes: each reader's own figures (the sample's are the group's). */
  readonly readers?: readonly ReaderSample[];
}

/** Per-reader times of a case read by reader processes (readers-aggregate.ts). */
export interface ReadersSummary {
  /** Per reader, the median over samples of its own read time (ms per pass). */
  readonly readerMedianMs: readonly number[];
  /** The slowest reader's median. */
  readonly slowestReaderMs: number;
  /** Every reader's read times over every sample: quartiles, ms. */
  readonly readerQ1Ms: number;
  readonly readerMedianOfAllMs: number;
  readonly readerQ3Ms: number;
  /** Largest gap between the first and the last reader's start in one sample, ms (how well the barrier lined them up). */
  readonly maxStartSpreadMs: number;
}

/** One reader process's part of a sample. */
export interface ReaderSample {
  /** Its own timed read milliseconds per pass. */
  readonly ms: number;
  /** When it started after the first reader did, ms. */
  readonly startMs: number;
  /** Bytes it read from storage per pass (its /proc/PID/io read_bytes). */
  readonly bytesRead: number;
  /** Selections it read per pass: all of the pattern's (replicate) or its part (partition). */
  readonly selections: number;
}

/**
 * Where a case's layout was read from, when not the local filesystem: the storage's kind and label
 * (as in the case id), how it was shaped, and its endpoint. Never credentials.
 */
export interface StorageLocation {
  readonly kind: "http" | "s3";
  readonly label: string;
  /** True for a server layoutbench started on loopback; false for the user's own endpoint. */
  readonly managed: boolean;
  /** The shaping asked for, and how it was applied (e.g. "userspace token bucket in a proxy"); null when none. */
  readonly shaping: {
    readonly bandwidth: number | null;
    readonly bandwidthText: string | null;
    readonly latencyMs: number | null;
    readonly concurrency: number | null;
    readonly how: string;
  } | null;
  /** The endpoint without credentials, e.g. `http://127.0.0.1:41234/` or `s3://bucket/prefix (endpoint)`. */
  readonly endpoint: string;
  /** What cold and warm mean on this storage (what is cached where). */
  readonly cacheMeaning?: string;
}

/** Scheduler counters over one sample. */
export interface SchedCounters {
  /** Wall time the counters cover, ms. */
  readonly wallMs: number;
  /** Time the sampling thread waited runnable on a run queue, ms. */
  readonly runDelayMs: number;
  /** CPU steal over every CPU of the machine, ms (the hypervisor ran someone else). */
  readonly stealMs: number;
  /** Involuntary context switches of the process. */
  readonly involuntarySwitches: number;
  /** CPUs the steal is summed over. */
  readonly cpus: number;
}

export interface CaseSummary {
  readonly samples: number;
  readonly medianMs: number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly q1Ms: number;
  readonly q3Ms: number;
  /** Bytes the pattern asks for (elements × item size), per sample. */
  readonly bytesRequested: number;
  /** Median over samples of bytes read from storage. */
  readonly bytesRead: number;
  /** bytesRead / bytesRequested. */
  readonly readAmplification: number;
  /** bytesRequested / median time, in bytes per second. */
  readonly throughput: number;
  /** Largest residency seen before a cold sample (null for warm cases). */
  readonly maxResidency: number | null;
  /** Median time to open the reader, over samples that opened it timed (cold); absent in older files. */
  readonly openMs?: number | null;
  /** Median bytes read from storage by those opens (js engine); null when not counted. */
  readonly openBytesRead?: number | null;
  /** Write cases: median time per pass until the writes returned, and until they were durable. */
  readonly returnMs?: number | null;
  readonly durableMs?: number | null;
  /** Cases on remote storage: medians over samples of their requests, and transfer amplification. */
  readonly remote?: RemoteSummary | null;
  /** Samples that lost more than PREEMPTION_LIMIT of their time to the scheduler or hypervisor; null when not recorded. */
  readonly preempted?: number | null;
  /** Medians per sample of involuntary context switches and of CPU steal (ms, every CPU). */
  readonly involuntarySwitches?: number | null;
  readonly stealMs?: number | null;
}

/** Medians over a remote case's samples. */
export interface RemoteSummary {
  readonly requests: number;
  readonly bytesTransferred: number;
  /** bytesTransferred ÷ bytesRequested (the pattern's bytes): what the wire carried per byte asked for. */
  readonly transferAmplification: number;
  readonly medianTtfbMs: number | null;
  readonly p95TtfbMs: number | null;
  readonly peakInFlight: number;
  /** Share of requests over a reused connection (0..1). */
  readonly connectionReuse: number;
  readonly retries: number;
}

export interface Warning {
  /** Every code, with its cause and remedy, is in warnings.ts. */
  readonly code: Exclude<WarningCode, "failed" | "interrupted">;
  readonly message: string;
}

export interface StorageInfo {
  /** Sum of the sizes of the layout's files, in bytes. */
  readonly bytesOnDisk: number;
  readonly files: number;
  /** Logical array bytes / bytes on disk. */
  readonly compressionRatio: number;
  /**
   * The library that wrote the files, for layouts where what is installed decides it (Zarr Blosc:
   * "c-blosc 1.21.3", or "numcodecs.js 0.3.2" without c-blosc); absent for the others.
   */
  readonly encoder?: string;
}

export interface CaseResult extends CaseStamp {
  readonly id: string;
  readonly scenario: string;
  readonly dataset: DatasetSpec;
  readonly layout: LayoutSpec;
  readonly pattern: PatternSpec;
  readonly cache: CacheState;
  /**
   * Who performed the reads; absent in files from before engines existed, and "js" (the old name)
   * in files from before the rename, both meaning layoutbench (read it with `engineOf`).
   */
  readonly engine?: EngineName | "js";
  /** How the reads were made, as they actually were (fallbacks included); absent in older files. */
  readonly readPath?: ReadPath;
  /** Who read, when not one process with one thread (docs/readers.md). */
  readonly readers?: ReadersSpec;
  /** Cases read by reader processes: per-reader times (the summary's are the group's). */
  readonly readersSummary?: ReadersSummary;
  /** Cases read by reader processes: each reader's memory and their sums, from the case's last round. */
  readonly memory?: CaseMemory;
  /**
   * Where the layout was read from; absent for the local filesystem (the default, so records from
   * before storage existed read the same). `storage` below is the layout's files, wherever read.
   */
  readonly storageLocation?: StorageLocation;
  /**
   * Remote cases read by the Zarr chunk reader: D of the bandwidth model, the decode-only speed of
   * the decoder their read path names, measured in this run (bytesPerSecond null: stored raw).
   */
  readonly decodeRate?: DecodeRate;
  readonly status: "ok" | "failed";
  /** Present when status is "failed". */
  readonly error?: string;
  readonly storage: StorageInfo | null;
  readonly samples: readonly Sample[];
  readonly summary: CaseSummary | null;
  readonly warnings: readonly Warning[];
  readonly startedAt: string;
  readonly finishedAt: string;
}

export interface ScenarioInfo {
  readonly file: string;
  readonly name: string;
  readonly description: string;
  readonly hash: string;
  /**
   * Cache states the recommendation weighs (pattern weights travel with each case's pattern) and
   * the engine whose numbers it ranks (absent in older files: layoutbench).
   */
  readonly recommendation: { readonly cache: readonly CacheState[]; readonly engine?: EngineName };
  /** The scenario's sweeps (absent without any): which layouts a sweep made, and their values. */
  readonly sweeps?: readonly SweepInfo[];
  /** The scenario's memoryBudget in bytes, when it has one. */
  readonly memoryBudget?: number;
}

/**
 * A run measured alternately with others (`layoutbench ab`): it was taken in blocks of one round
 * each, block k of every run side by side in time, so each sample's `round` is its block and
 * `compare` pairs the blocks of two runs that share the pairing id.
 */
export interface Pairing {
  /** Shared by every run measured in the same alternation. */
  readonly id: string;
  /** Which run of the alternation this is, e.g. "baseline" or "current". */
  readonly side: string;
  /** The layoutbench tree that took this run's samples. */
  readonly tree: string;
  /** Blocks every run of the alternation finished (the samples' rounds are 1..blocks). */
  readonly blocks: number;
}

export interface ResultsFile extends ShardHeader {
  readonly kind: typeof RESULTS_KIND;
  readonly version: number;
  readonly startedAt: string;
  /** null while running, and for an interrupted run (finish it with `run --resume`). */
  readonly finishedAt: string | null;
  /** Present when the run was measured alternately with another (`layoutbench ab`). */
  readonly pairing?: Pairing;
  readonly context: RunContext;
  readonly scenarios: readonly ScenarioInfo[];
  readonly cases: readonly CaseResult[];
}

export type { CodecSpec, RemoteSample };

/** What a case's record needs beyond its samples, small enough to come back from a round worker. */
export interface RecordBasis {
  readonly storage: StorageInfo;
  readonly bytesRequested: number;
  /** Data read from files is checked against a second read through the same library. */
  readonly selfVerified: boolean;
  /** The layout was written by a fallback encoder (see LayoutEncoder): the warning its cases carry. */
  readonly encoderFallback?: LayoutEncoder["fallback"];
}
