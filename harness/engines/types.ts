/**
 * An engine is what performs a case's timed reads: layoutbench's own backends ("layoutbench"),
 * a library as a user would call it ("zarrita": zarr.get; "h5wasm": Dataset.slice), or the Python
 * reference stack ("python": NumPy/h5py/zarr-python in a subprocess; "tensorstore" through the same
 * worker where it is installed). The sample loop drives an EngineSession and owns cache control; the
 * session owns timing and verification.
 */
import type { BackendReadPath } from "../backends/types.ts";
import type { EngineName } from "../scenario/types.ts";
import type { RemoteCounts } from "../stats/remote.ts";

/**
 * The read path of a case: who read (the engine) and how (the backend's or the library's part).
 * Recorded with every case; `fallbacks` also become the case's `read-path-fallback` warnings.
 */
export interface ReadPath extends BackendReadPath {
  readonly engine: EngineName;
  /** Reads of remote storage: from where, how many GETs at once, and how bytes were asked for. Absent: local files. */
  readonly storage?: { readonly kind: "http" | "s3"; readonly label: string; readonly concurrency: number; readonly ranges: string };
}

/**
 * The requests of one pass (or sample) to remote storage, as the client saw them. With several
 * passes per sample, counts and bytes are means per pass; the times are over every request.
 */
export type RemoteSample = RemoteCounts;

export interface IoSnapshot {
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly majorFaults: number;
}

export interface PassResult {
  /** Wall time of the timed operations only, in milliseconds (for writes: the time `flush` ranks). */
  readonly ms: number;
  /** I/O counted by the engine's own process, or null to let the sampler count around the pass. */
  readonly io: IoSnapshot | null;
  /**
   * Write passes: milliseconds until the writes returned, and until they were durable (the
   * returns plus msync/fdatasync; null when the backend cannot flush).
   */
  readonly write?: { readonly returnMs: number; readonly durableMs: number | null };
  /**
   * Read passes timed in this process: how many timed regions `ms` adds up, so the sampler can
   * subtract the clock's own cost of each (run/timer-overhead.ts). Absent: nothing is subtracted.
   */
  readonly timedRegions?: number;
  /** Reads of remote storage: the requests the pass sent. */
  readonly remote?: RemoteSample;
}

export interface EngineSession {
  /** True when the engine counts I/O in its own process (PassResult.io), so the sampler's counters see none of it. */
  readonly ownIo?: boolean;
  /** Opens with fresh library state; resolves to the milliseconds the open took. */
  open(): Promise<number>;
  /** One timed pass over the case's selections, each verified outside the timed region. */
  pass(): Promise<PassResult>;
  /**
   * `count` passes in one call, their results added up: what `count` calls of pass() would return,
   * without a call and an await between passes. Optional; the sampler's warm samples use it.
   */
  passes?(count: number): Promise<PassResult>;
  /** After the last sample, with the session open: e.g. read back and verify what was written. */
  finish(): Promise<void>;
  /** Releases every handle and mapping (a live mapping pins pages against eviction). */
  close(): Promise<void>;
  /**
   * The path the session's reads took, fallbacks seen so far included; kept after close. Undefined
   * before the first open.
   */
  readPath?(): ReadPath | undefined;
}
