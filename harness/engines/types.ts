/**
 * An engine is what performs a case's timed reads: the harness's own backends ("js") or the
 * Python reference stack ("python", NumPy/h5py/zarr-python in a subprocess). The sample loop
 * drives an EngineSession and owns cache control; the session owns timing and verification.
 */
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
}

export interface EngineSession {
  /** True when the engine counts I/O in its own process (PassResult.io), so the sampler's counters see none of it. */
  readonly ownIo?: boolean;
  /** Opens with fresh library state; resolves to the milliseconds the open took. */
  open(): Promise<number>;
  /** One timed pass over the case's selections, each verified outside the timed region. */
  pass(): Promise<PassResult>;
  /** After the last sample, with the session open: e.g. read back and verify what was written. */
  finish(): Promise<void>;
  /** Releases every handle and mapping (a live mapping pins pages against eviction). */
  close(): Promise<void>;
}
