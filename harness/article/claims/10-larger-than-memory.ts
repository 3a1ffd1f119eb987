/**
 * Claim 10: chunked reads process an array larger than memory, dropping each chunk after use.
 * Not measured yet: it needs the readers dimension (per-case ΣPSS and `memoryBudget`). To measure
 * it, add scenarios/article/10-larger-than-memory.yaml (an array larger than the budget, Zarr
 * chunk by chunk vs .npy through mmap, full scan), set `scenario` below, and build
 * `LargerThanMemoryEvidence` from the results: the Zarr case's peak anonymous PSS, its chunk bytes
 * (`layout.chunks` × item size) and threads (`readers`), and the mmap case's anonymous and
 * file-backed PSS.
 */
import { formatFactor as factor, formatBytes } from "../../report/format.ts";
import { awaiting } from "../outcome.ts";
import type { Claim, Judgement, Prediction } from "../types.ts";

/** Peak anonymous memory at most this × the prediction: bounded. */
export const BOUND_TOLERANCE = 2;

/** A chunk being decoded per thread plus the one being processed: (threads + 1) × chunk bytes. */
export function predictPeakAnon(chunkBytes: number, threads: number): Prediction {
  const value = (threads + 1) * chunkBytes;
  return {
    value,
    unit: "bytes of anonymous memory",
    working: `(${threads} threads + 1) × ${formatBytes(chunkBytes)} per chunk = ${formatBytes(value)}, whatever the array's size`,
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

export const largerThanMemoryClaim: Claim = {
  id: "10-larger-than-memory",
  number: 10,
  title: "Chunks let you process arrays larger than memory",
  section: "Zarr and HDF5",
  claim:
    "Reading chunk by chunk, a program holds only the chunks it is working on and drops each after use, so its anonymous memory stays bounded however large the array; mmap's pages are file-backed and the kernel can drop them instead.",
  scenario: null,
  needs: "readers",
  rule: `holds when the chunked scan's peak anonymous memory is under half the array and at most ${BOUND_TOLERANCE}× (threads + 1) × chunk bytes; holds with a caveat when only under half the array; does not hold here otherwise.`,
  assess: () => awaiting("readers"),
};
