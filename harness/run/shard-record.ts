/**
 * What a sharded run records beside its cases so shard files can be merged and their numbers
 * checked for comparability: the plan and the share of it, the harness, the machine's
 * fingerprint and a calibration measured at the start of the run. Types only.
 */

/** The layoutbench that took the samples: package version and, when known, the git commit. */
export interface HarnessInfo {
  readonly version: string;
  readonly commit: string | null;
}

/** The plan a shard belongs to (shard/plan.ts computes it). */
export interface PlanRef {
  /** sha256 over the scenario hashes, the harness version and the case ids. */
  readonly id: string;
  /** Cases in the whole plan (all shards). */
  readonly cases: number;
  /** sha256 over what determines the datasets' values (generated: spec and generator version; sources: path, size, mtime). */
  readonly datasetDigest: string;
  /** sha256 over the cost estimates the partition was balanced with: shards of one plan must share it. */
  readonly costDigest: string;
}

/** Shard `index` (1-based) of `count`. */
export interface ShardRef {
  readonly index: number;
  readonly count: number;
}

/** What identifies a machine for comparing numbers, without secrets (the hostname is hashed). */
export interface MachineFingerprint {
  /** First 12 hex digits of sha256 over the other fields. */
  readonly id: string;
  readonly cpuModel: string;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly kernel: string;
  /** Filesystem type of the dataset cache. */
  readonly filesystem: string;
  /** First 12 hex digits of sha256 of the hostname. */
  readonly hostHash: string;
}

/** Floors of the machine, measured at the start of a run. */
export interface Calibration {
  /** Sequential read of a cold probe file in the dataset cache, bytes per second. */
  readonly storageBytesPerS: number;
  readonly storageProbeBytes: number;
  /** Whether the probe file was confirmed evicted (mincore) before it was read. */
  readonly storageCold: boolean;
  /** Buffer copy in memory, bytes per second. */
  readonly memoryCopyBytesPerS: number;
  /** Median round trip of a 1-byte message over TCP on 127.0.0.1, microseconds. */
  readonly loopbackRoundTripUs: number;
  readonly measuredAt: string;
}

/** One machine of a merged file: which shards it ran and its calibration. */
export interface MachineRecord {
  readonly fingerprint: MachineFingerprint;
  readonly calibration: Calibration | null;
  /** "i/N" of the shards it ran (or "resume" for cases a `--resume` of the merged file added). */
  readonly shards: readonly string[];
}

/** Header fields of a sharded or merged results file. */
export interface ShardHeader {
  readonly harness?: HarnessInfo;
  readonly plan?: PlanRef;
  /** Present in a shard's own file; absent in a merged file. */
  readonly shard?: ShardRef;
  readonly machine?: MachineFingerprint;
  readonly calibration?: Calibration;
  /** Merged files: every machine whose cases it holds. */
  readonly machines?: readonly MachineRecord[];
  /** Merged files: shards of the plan that were not given to `merge` ("i/N"). */
  readonly missingShards?: readonly string[];
}

/** Per-case stamps of a sharded run: which shard and which machine took its samples. */
export interface CaseStamp {
  readonly shard?: string;
  readonly machine?: string;
}
