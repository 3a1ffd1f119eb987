/**
 * An engine is what performs a case's timed reads: layoutbench's own backends ("layoutbench"),
 * a library as a user would call it ("zarrita": zarr.get; "h5wasm": Dataset.slice), or the Python
 * reference stack ("python": NumPy/h5py/zarr-python in a subprocess; "tensorstore" through the same
 * worker where it is installed). The sample loop drives an EngineSession and owns cache control; the
 * session owns timing and verification.
 */
import type { BackendReadPath } from "../backends/types.ts";

export {
  DEFAULT_ENGINE, defaultRecommendationEngine, ENGINE_ALIASES, ENGINE_SPELLINGS, ENGINES, engineNamed, engineOf, layoutLabel,
  type EngineName,
} from "../scenario/engines.ts";
import type { EngineName } from "../scenario/engines.ts";

/**
 * The read path of a case: who read (the engine) and how (the backend's or the library's part).
 * Recorded with every case; `fallbacks` also become the case's `read-path-fallback` warnings.
 */
export interface ReadPath extends BackendReadPath {
  readonly engine: EngineName;
}

export interface IoSnapshot {
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly majorFaults: number;
}

export interface PassResult {
  /** Wall time of the timed operations only, in milliseconds. */
  readonly ms: number;
  /** I/O counted by the engine's own process, or null to let the sampler count around the pass. */
  readonly io: IoSnapshot | null;
}

export interface EngineSession {
  /** Opens with fresh library state; resolves to the milliseconds the open took. */
  open(): Promise<number>;
  /** One timed pass over the case's selections, each verified outside the timed region. */
  pass(): Promise<PassResult>;
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

/**
 * A read path in one line: "layoutbench chunk reader; C Blosc-LZ4 (addon), 2 threads; zarrita
 * parses metadata only", then any fallbacks ("; fell back: ...").
 */
export function describeReadPath(path: ReadPath): string {
  const threads = path.threads > 1 ? `, ${path.threads} threads` : "";
  const decoder = path.decoder === "none" ? "no decoding" : path.decoder;
  const fallbacks = path.fallbacks.length ? `; fell back: ${path.fallbacks.join("; ")}` : "";
  return `${path.implementation}; ${decoder}${threads}; ${path.library}${fallbacks}`;
}
