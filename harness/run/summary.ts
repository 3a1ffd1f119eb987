/**
 * Per-case summary and warnings from raw samples. Pure.
 */
import { MIN_SAMPLES, quantile, summarize as summarizeTimes } from "../stats/summary.ts";
import type { CaseSummary, Sample, Warning } from "./results-types.ts";

/** Below this many samples a median and its spread say little. */
const MIN_RELIABLE_SAMPLES = MIN_SAMPLES;
/** A cold sample with more of its files resident than this was not really cold. */
export const RESIDENCY_LIMIT = 0.02;

export function summarize(samples: readonly Sample[], bytesRequested: number): CaseSummary | null {
  if (samples.length === 0) return null;
  const times = summarizeTimes(samples.map((s) => s.ms));
  const medianMs = times.median;
  const bytesRead = quantile(samples.map((s) => s.bytesRead), 0.5);
  const residencies = samples.map((s) => s.residency).filter((r): r is number => r !== null);
  return {
    samples: times.n,
    medianMs,
    meanMs: times.mean,
    minMs: times.min,
    maxMs: times.max,
    q1Ms: times.q1,
    q3Ms: times.q3,
    bytesRequested,
    bytesRead,
    readAmplification: bytesRequested > 0 ? bytesRead / bytesRequested : 0,
    throughput: medianMs > 0 ? bytesRequested / (medianMs / 1000) : 0,
    maxResidency: residencies.length ? Math.max(...residencies) : null,
  };
}

/** Zarr Blosc chunks written by `encoder` because the system's c-blosc could not be used (`reason`). */
export function encoderFallbackWarning(encoder: string, reason: string): Warning {
  return {
    code: "blosc-encoder-fallback",
    message: `Blosc chunks written by ${encoder}, not the system's c-blosc 1 (${reason}): ` +
      "readable everywhere, but not the frames zarr-python writes; apt-get install libblosc1 to write those",
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
    warnings.push({ code: "residency", message: `${resident.length} of ${samples.length} cold samples found up to ${(worst * 100).toFixed(0)}% of the files resident before the ${op}: eviction not effective` });
  }
  if (op === "read" && summary && summary.bytesRequested > 0 && summary.bytesRead === 0) {
    warnings.push({ code: "no-storage-reads", message: "cold samples read no bytes from storage: the data came from a cache the harness could not evict" });
  }
  return warnings;
}
