/**
 * Claim 10: chunked reads process an array larger than memory, dropping each chunk after use.
 * Scenario: scenarios/article/10-larger-than-memory.yaml (an array larger than `memoryBudget`, Zarr
 * read chunk by chunk in bands vs .npy through mmap, full read, cold, one reader process each).
 * Reads: the Zarr case's `memory.maxAnonGrowthBytes` (anonymous PSS growth over the reader's
 * baseline when its reads ended), `layout.chunks` × item size, `readers.threads` and the pattern's
 * `bandBytes`; the .npy case's `memory` (anonymous growth and `pssLayoutBytes`, file-backed); the
 * dataset's shape and dtype; the scenario's `memoryBudget`.
 */
import { itemSize } from "../../core/dtype.ts";
import { elementCount } from "../../core/selection.ts";
import { formatFactor as factor, formatBytes } from "../../report/format.ts";
import type { ResultsFile } from "../../run/results-types.ts";
import { barChart } from "../chart.ts";
import { caseWhere, MissingEvidence } from "../evidence.ts";
import { assessFrom } from "../outcome.ts";
import type { Claim, ClaimOutcome, Judgement, Prediction } from "../types.ts";

const SCENARIO = "article-10-larger-than-memory";
const ZARR = "zarr-blosc-lz4";
const NPY = "npy";
const MIB = 1024 * 1024;

/** Peak anonymous memory at most this × the prediction: bounded. */
export const BOUND_TOLERANCE = 2;

/**
 * A chunk being decoded per thread plus the one being processed: (threads + 1) × chunk bytes, plus
 * the band the read returns when it reads in bands.
 */
export function predictPeakAnon(chunkBytes: number, threads: number, bandBytes = 0): Prediction {
  const value = (threads + 1) * chunkBytes + bandBytes;
  const band = bandBytes > 0 ? ` + a ${formatBytes(bandBytes)} band` : "";
  return {
    value,
    unit: "bytes of anonymous memory",
    working: `(${threads} threads + 1) × ${formatBytes(chunkBytes)} per chunk${band} = ${formatBytes(value)}, whatever the array's size`,
  };
}

export interface LargerThanMemoryEvidence {
  readonly arrayBytes: number;
  readonly zarrPeakAnon: number;
  /** Anonymous memory of the mmap scan ÷ the array: near 0 when its pages stay file-backed. */
  readonly mmapAnonShare: number;
}

/** The rule: Zarr's anonymous memory stays near the prediction, far under the array. */
export function judgeLargerThanMemory(predicted: number, e: LargerThanMemoryEvidence): Judgement {
  const over = e.zarrPeakAnon / predicted;
  if (e.zarrPeakAnon >= e.arrayBytes / 2) {
    return {
      verdict: "does not hold here",
      because: `the chunked scan held ${formatBytes(e.zarrPeakAnon)} anonymous memory for a ${formatBytes(e.arrayBytes)} array`,
    };
  }
  if (over <= BOUND_TOLERANCE) {
    return {
      verdict: "holds",
      because: `the chunked scan peaked at ${formatBytes(e.zarrPeakAnon)} anonymous memory (${factor(over)} the prediction) for a ${formatBytes(e.arrayBytes)} array`,
    };
  }
  return {
    verdict: "holds with a caveat",
    because: `the chunked scan stayed under half the array but peaked at ${factor(over)} the prediction (${formatBytes(e.zarrPeakAnon)})`,
  };
}

interface Measured extends LargerThanMemoryEvidence {
  readonly chunkBytes: number;
  readonly threads: number;
  readonly bandBytes: number;
  readonly budget: number | undefined;
  readonly zarrHwm: number;
  readonly mmapAnon: number;
  readonly mmapFile: number;
}

function evidence(results: ResultsFile): Measured {
  const zarr = caseWhere(results, SCENARIO, `layout ${ZARR}`, (c) => c.layout.name === ZARR);
  const npy = caseWhere(results, SCENARIO, `layout ${NPY}`, (c) => c.layout.name === NPY);
  if (!zarr.memory || !npy.memory) throw new MissingEvidence(`${SCENARIO}: a case has no memory figures (memoryBudget runs cases in reader processes)`);
  const chunks = (zarr.layout as { chunks?: readonly number[] }).chunks;
  if (!chunks) throw new MissingEvidence(`layout ${ZARR} of ${SCENARIO} has no chunks`);
  const item = itemSize(zarr.dataset.dtype);
  const arrayBytes = elementCount(zarr.dataset.shape) * item;
  return {
    arrayBytes,
    zarrPeakAnon: zarr.memory.maxAnonGrowthBytes,
    mmapAnonShare: npy.memory.maxAnonGrowthBytes / arrayBytes,
    chunkBytes: elementCount(chunks) * item,
    threads: zarr.readers?.threads ?? 1,
    bandBytes: zarr.pattern.kind === "full" ? Math.min(zarr.pattern.bandBytes, arrayBytes) : 0,
    budget: results.scenarios.find((s) => s.name === SCENARIO)?.memoryBudget,
    zarrHwm: zarr.memory.sum.hwmBytes,
    mmapAnon: npy.memory.maxAnonGrowthBytes,
    mmapFile: npy.memory.sum.pssLayoutBytes,
  };
}

function present(e: Measured): ClaimOutcome {
  const prediction = predictPeakAnon(e.chunkBytes, e.threads, e.bandBytes);
  const value = e.zarrPeakAnon;
  const mib = (b: number) => b / MIB;
  return {
    status: "measured",
    prediction,
    // Memory is read once per case, when its reads end: no interval.
    measurement: {
      label: `anonymous memory the chunked Zarr read added (PSS when its reads ended) for a ${formatBytes(e.arrayBytes)} array`,
      interval: { value, low: value, high: value },
      unit: "bytes",
      details: [
        `memoryBudget ${e.budget === undefined ? "none" : formatBytes(e.budget)}; the Zarr reader's peak RSS (VmHWM, Node included) ${formatBytes(e.zarrHwm)}`,
        `.npy through mmap: ${formatBytes(e.mmapAnon)} anonymous (${factor(e.mmapAnonShare)} the array) and ${formatBytes(e.mmapFile)} file-backed PSS of the mapped file, which the kernel may drop`,
        "anonymous memory is measured when the reads end (smaps_rollup), not sampled during them",
      ],
    },
    judgement: judgeLargerThanMemory(prediction.value, e),
    chart: barChart({
      title: `Claim 10: a ${formatBytes(e.arrayBytes)} array read whole, one process, cold`,
      subtitle: [
        "anonymous memory added by the read and file-backed PSS of the mapping, when the reads ended",
        "dashed: the predicted bound for the chunked read",
      ],
      axis: "MiB",
      bars: [
        { label: "Zarr chunked: anonymous", value: mib(e.zarrPeakAnon), group: "anonymous", text: formatBytes(e.zarrPeakAnon) },
        { label: ".npy mmap: anonymous", value: mib(e.mmapAnon), group: "anonymous", text: formatBytes(e.mmapAnon) },
        { label: ".npy mmap: file-backed", value: mib(e.mmapFile), group: "file-backed (page cache)", text: formatBytes(e.mmapFile) },
        ...(e.budget === undefined ? [] : [{ label: "memoryBudget", value: mib(e.budget), group: "budget", text: formatBytes(e.budget) }]),
      ],
      prediction: { value: mib(prediction.value), label: `bound ${formatBytes(prediction.value)}` },
    }),
  };
}

export const largerThanMemoryClaim: Claim = {
  id: "10-larger-than-memory",
  number: 10,
  title: "Chunks let you process arrays larger than memory",
  section: "Zarr and HDF5",
  claim:
    "Reading chunk by chunk, a program holds only the chunks it is working on and drops each after use, so its anonymous memory stays bounded however large the array; mmap's pages are file-backed and the kernel can drop them instead.",
  scenario: "scenarios/article/10-larger-than-memory.yaml",
  rule: `holds when the chunked scan's peak anonymous memory is under half the array and at most ${BOUND_TOLERANCE}× (threads + 1) × chunk bytes; holds with a caveat when only under half the array; does not hold here otherwise.`,
  assess: (results) => assessFrom(results, SCENARIO, () => evidence(results), present),
};
