/**
 * Claim 9: Zarr has better threading support than HDF5.
 * Scenario: scenarios/article/09-threading.yaml (Blosc-LZ4 Zarr, full warm read by one process
 * with 1, 2 and 4 threads).
 * Reads: per case `readers.threads` and samples' `ms` (speed-up = time with 1 thread ÷ with N),
 * `summary.throughput`, and `context.cpus` (the speed-up is capped by the cores). HDF5 is not in
 * the scenario: layoutbench refuses HDF5 with threads > 1 at validate (h5wasm is single-threaded),
 * so its speed-up is not measured and the rule says so.
 */
import { formatFactor as factor, formatRate } from "../../report/format.ts";
import type { ResultsFile } from "../../run/results-types.ts";
import { barChart } from "../chart.ts";
import { caseWhere, ratioOfCases } from "../evidence.ts";
import { assessFrom, intervalText } from "../outcome.ts";
import type { Claim, ClaimOutcome, Interval, Judgement, Prediction } from "../types.ts";

const SCENARIO = "article-09-threading";
const THREADS = [1, 2, 4] as const;
/** Why HDF5's speed-up is not measured here. */
export const HDF5_UNMEASURED = "layoutbench's HDF5 reader is h5wasm, libhdf5 in single-threaded WebAssembly, and validate refuses HDF5 with threads > 1";

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
  /** null: not measured (HDF5 with threads cannot run here). */
  readonly hdf5Speedup: number | null;
}

/** The rule, on the two formats' speed-ups with threads. */
export function judgeThreading(e: ThreadingEvidence): Judgement {
  if (e.hdf5Speedup === null) {
    // Only Zarr's side is measured: it can show Zarr uses threads, not that it does better than HDF5.
    if (e.zarrSpeedup >= SPEEDUP_MIN) {
      return { verdict: "holds with a caveat", because: `threads sped Zarr up ${factor(e.zarrSpeedup)}; HDF5's speed-up was not measured: ${HDF5_UNMEASURED}` };
    }
    return {
      verdict: "does not hold here",
      because: `threads sped Zarr up only ${factor(e.zarrSpeedup)} (under ${SPEEDUP_MIN}×); HDF5's speed-up was not measured: ${HDF5_UNMEASURED}`,
    };
  }
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

interface Measured extends ThreadingEvidence {
  readonly threads: number;
  readonly cores: number;
  /** Speed-up over one thread, per thread count (1 included), and throughput. */
  readonly points: readonly { readonly threads: number; readonly speedup: Interval; readonly throughput: number }[];
}

function evidence(results: ResultsFile): Measured {
  const cases = THREADS.map((t) => caseWhere(results, SCENARIO, `${t} thread${t === 1 ? "" : "s"}`, (c) => (c.readers?.threads ?? 1) === t));
  const points = cases.map((c, i) => ({ threads: THREADS[i], speedup: ratioOfCases(cases[0], c), throughput: c.summary!.throughput }));
  const last = points[points.length - 1];
  return { zarrSpeedup: last.speedup.value, hdf5Speedup: null, threads: last.threads, cores: results.context.cpus, points };
}

function present(e: Measured): ClaimOutcome {
  const prediction = predictThreading(e.threads, e.cores);
  const last = e.points[e.points.length - 1];
  return {
    status: "measured",
    prediction,
    measurement: {
      label: `Zarr (Blosc-LZ4) full warm read, time with 1 thread ÷ with ${e.threads}, on ${e.cores} cores`,
      interval: last.speedup,
      unit: "×",
      details: [
        ...e.points.map(
          (p) =>
            `${p.threads} thread${p.threads === 1 ? "" : "s"}: ${formatRate(p.throughput)}, ${factor(p.speedup.value)} one thread's speed (interval ${intervalText(p.speedup)})`,
        ),
        `HDF5 not measured with threads: ${HDF5_UNMEASURED}`,
        `the machine has ${e.cores} cores, shared with other work: the speed-up cannot exceed ${Math.min(e.threads, e.cores)}×`,
      ],
    },
    judgement: judgeThreading(e),
    chart: barChart({
      title: `Claim 9: Zarr (Blosc-LZ4) full read with 1, 2 and 4 threads, warm, ${e.cores} cores`,
      subtitle: [
        "speed-up over one thread; whisker: 95% interval; HDF5 with threads > 1 is refused here (h5wasm), so it has no bars",
        "dashed: min(threads, cores)",
      ],
      axis: "speed-up over one thread (×)",
      bars: e.points.map((p) => ({
        label: `Zarr, ${p.threads} thread${p.threads === 1 ? "" : "s"}`,
        value: p.speedup.value,
        low: p.speedup.low,
        high: p.speedup.high,
        group: "Zarr",
        text: factor(p.speedup.value),
      })),
      prediction: { value: prediction.value, label: `predicted ${factor(prediction.value)}` },
    }),
  };
}

export const threadingClaim: Claim = {
  id: "09-threading",
  number: 9,
  title: "Zarr has better threading support than HDF5",
  section: "Zarr and HDF5",
  claim:
    "Zarr can fetch and decompress chunks on several threads at once; the HDF5 library serializes calls behind a global lock, so extra threads do not make it read faster.",
  scenario: "scenarios/article/09-threading.yaml",
  rule: `holds when threads speed Zarr up at least ${SPEEDUP_MIN}× and at least ${THREADING_HOLDS}× more than HDF5; holds with a caveat when Zarr gains more but less than that, or when only Zarr could be measured and it gains at least ${SPEEDUP_MIN}×; does not hold here otherwise.`,
  assess: (results) => assessFrom(results, SCENARIO, () => evidence(results), present),
};
