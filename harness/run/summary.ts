/**
 * Per-case summary and warnings from raw samples. Pure.
 */
import { quantileSorted } from "simple-statistics";
import type { CaseSummary, Sample, Warning } from "./results-types.ts";

/** Below this many samples a median and its spread say little. */
export const MIN_RELIABLE_SAMPLES = 5;
/** A cold sample with more of its files resident than this was not really cold. */
export const RESIDENCY_LIMIT = 0.02;

function medianOf(values: readonly number[]): number {
  return quantileSorted([...values].sort((a, b) => a - b), 0.5);
}

export function summarize(samples: readonly Sample[], bytesRequested: number): CaseSummary | null {
  if (samples.length === 0) return null;
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const medianMs = quantileSorted(ms, 0.5);
  const bytesRead = medianOf(samples.map((s) => s.bytesRead));
  const residencies = samples.map((s) => s.residency).filter((r): r is number => r !== null);
  return {
    samples: ms.length,
    medianMs,
    meanMs: ms.reduce((a, b) => a + b, 0) / ms.length,
    minMs: ms[0],
    maxMs: ms[ms.length - 1],
    q1Ms: quantileSorted(ms, 0.25),
    q3Ms: quantileSorted(ms, 0.75),
    bytesRequested,
    bytesRead,
    readAmplification: bytesRequested > 0 ? bytesRead / bytesRequested : 0,
    throughput: medianMs > 0 ? bytesRequested / (medianMs / 1000) : 0,
    maxResidency: residencies.length ? Math.max(...residencies) : null,
  };
}

export function caseWarnings(
  samples: readonly Sample[], summary: CaseSummary | null, cold: boolean, op: "read" | "write", evictionVerified: boolean,
): Warning[] {
  const warnings: Warning[] = [];
  if (summary && summary.samples < MIN_RELIABLE_SAMPLES) {
    warnings.push({ code: "few-samples", message: `only ${summary.samples} samples (fewer than ${MIN_RELIABLE_SAMPLES}): raise sampling.samples or sampling.timeBudget for a reliable median` });
  }
  if (!cold) return warnings;
  if (!evictionVerified) {
    warnings.push({ code: "eviction-unverified", message: "page-cache eviction could not be verified on this filesystem: cold numbers may be warm" });
  }
  const resident = samples.filter((s) => (s.residency ?? 0) > RESIDENCY_LIMIT);
  if (resident.length > 0) {
    const worst = Math.max(...resident.map((s) => s.residency ?? 0));
    warnings.push({ code: "residency", message: `${resident.length} of ${samples.length} cold samples found up to ${(worst * 100).toFixed(0)}% of the files resident before the read: eviction not effective` });
  }
  if (op === "read" && summary && summary.bytesRequested > 0 && summary.bytesRead === 0) {
    warnings.push({ code: "no-storage-reads", message: "cold samples read no bytes from storage: the data came from a cache the harness could not evict" });
  }
  return warnings;
}
