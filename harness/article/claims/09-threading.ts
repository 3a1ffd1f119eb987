/**
 * Claim 9: Zarr has better threading support than HDF5.
 * Not measured yet: it needs the readers dimension (`readers: {threads}`). To measure it, add
 * scenarios/article/09-threading.yaml (the same chunked array as Zarr and HDF5, full warm scan,
 * readers 1 and N threads, every engine that can), set `scenario` below, and build
 * `ThreadingEvidence` from the results: per case `readers` (threads), `layout.backend` and
 * `summary.throughput`.
 */
import { formatFactor as factor } from "../../report/format.ts";
import { awaiting } from "../outcome.ts";
import type { Claim, Judgement, Prediction } from "../types.ts";

/** Zarr's speed-up over HDF5's at least this: "better threading". */
export const THREADING_HOLDS = 1.5;
/** A speed-up that counts as using the threads at all. */
export const SPEEDUP_MIN = 1.3;

/** Zarr decodes chunks in parallel, up to the cores; HDF5's library lock serializes: 1×. */
export function predictThreading(threads: number, cores: number): Prediction {
  const value = Math.min(threads, cores);
  return {
    value,
    unit: "× speed-up of Zarr (HDF5: 1×)",
    working: `min(threads ${threads}, cores ${cores}) = ${value}× for Zarr; HDF5's global lock keeps it at 1×`,
  };
}

export interface ThreadingEvidence {
  /** Throughput with N threads ÷ with one. */
  readonly zarrSpeedup: number;
  readonly hdf5Speedup: number;
}

/** The rule, on the two formats' speed-ups with threads. */
export function judgeThreading(e: ThreadingEvidence): Judgement {
  const edge = e.zarrSpeedup / e.hdf5Speedup;
  if (e.zarrSpeedup >= SPEEDUP_MIN && edge >= THREADING_HOLDS) {
    return { verdict: "holds", because: `threads sped Zarr up ${factor(e.zarrSpeedup)} and HDF5 ${factor(e.hdf5Speedup)}` };
  }
  if (edge > 1)
    return {
      verdict: "holds with a caveat",
      because: `Zarr gains more from threads (${factor(e.zarrSpeedup)} vs ${factor(e.hdf5Speedup)}) but by under ${THREADING_HOLDS}×`,
    };
  return { verdict: "does not hold here", because: `threads sped Zarr up ${factor(e.zarrSpeedup)} and HDF5 ${factor(e.hdf5Speedup)}` };
}

export const threadingClaim: Claim = {
  id: "09-threading",
  number: 9,
  title: "Zarr has better threading support than HDF5",
  section: "Zarr and HDF5",
  claim:
    "Zarr can fetch and decompress chunks on several threads at once; the HDF5 library serializes calls behind a global lock, so extra threads do not make it read faster.",
  scenario: null,
  needs: "readers",
  rule: `holds when threads speed Zarr up at least ${SPEEDUP_MIN}× and at least ${THREADING_HOLDS}× more than HDF5; holds with a caveat when Zarr gains more but less than that; does not hold here otherwise.`,
  assess: () => awaiting("readers"),
};
