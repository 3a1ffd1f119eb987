/**
 * What the clock adds to every timed region. A read is timed as `t0 = now(); read; ms += now() - t0`:
 * the interval holds the read plus the part of each clock call on the wrong side of its reading.
 * For reads of a microsecond that part is a tenth of the figure, while a batch of reads timed as a
 * whole pays it once. So the cost of an empty timed region, in exactly that form, is measured once
 * per process and subtracted from each timed region of a read pass (hyperfine subtracts the
 * shell's spawn time the same way; criterion fits it away by regression over iteration counts).
 *
 * The lowest batch mean is taken, not the median: under load a batch can only come out slower than
 * the clock's cost, so the lowest mean is the estimate that never subtracts time a read spent.
 */

/** Batches of empty timed regions measured; the lowest batch mean is the overhead. */
export const CALIBRATION_BATCHES = 50;
/** Empty timed regions per batch. */
export const REGIONS_PER_BATCH = 1000;

/** How the overhead was measured, recorded in the results context beside the figure. */
export const TIMER_CALIBRATION_METHOD =
  `lowest mean of ${CALIBRATION_BATCHES} batches of ${REGIONS_PER_BATCH} empty timed regions ` +
  "(t0 = now(); ms += now() - t0), subtracted once per timed region of each read pass";

/**
 * Milliseconds one empty timed region measures with `now`, the lowest of `batches` batch means.
 * Invariants: batches ≥ 1, regions ≥ 1; the result is ≥ 0 for a monotonic clock.
 */
export function calibrateTimer(now: () => number, batches = CALIBRATION_BATCHES, regions = REGIONS_PER_BATCH): number {
  let lowest = Number.POSITIVE_INFINITY;
  for (let b = 0; b < batches; b++) {
    let ms = 0;
    for (let i = 0; i < regions; i++) {
      const t0 = now();
      ms += now() - t0;
    }
    lowest = Math.min(lowest, ms / regions);
  }
  return Math.max(0, lowest);
}

/** `ms` measured over `regions` timed regions, less the clock's cost of each; never below 0. Pure. */
export function withoutTimerOverhead(ms: number, regions: number, overheadMs: number): number {
  return Math.max(0, ms - regions * overheadMs);
}

let processOverheadMs: number | undefined;

/** This process's overhead of a `performance.now()` timed region, measured on first use. */
export function processTimerOverheadMs(): number {
  processOverheadMs ??= calibrateTimer(() => performance.now());
  return processOverheadMs;
}
