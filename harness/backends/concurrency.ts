/**
 * The thread cap of a reader process (scenario `readers[].threads`): set once by a reader process
 * before it opens a layout, read by the backends that can read or decode on several threads (the
 * Zarr chunk reader). Unset, every backend keeps its own choice, as in the run's own process.
 */
let cap: number | undefined;

/** Caps this process's readers at `threads` threads each (a reader process calls it first). */
export function capReaderThreads(threads: number): void {
  cap = threads;
}

/** `preferred`, or the cap when one is set. */
export function readerThreads(preferred: number): number {
  return cap ?? preferred;
}
