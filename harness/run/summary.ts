/**
 * Per-case summary and warnings from raw samples. Pure.
 */
import { MIN_SAMPLES, quantile, summarize as summarizeTimes } from "../stats/summary.ts";
import type { CaseSummary, Sample, Warning } from "./results-types.ts";
import { warning } from "./warnings.ts";

/** Below this many samples a median and its spread say little. */
export const MIN_RELIABLE_SAMPLES = MIN_SAMPLES;
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

export function caseWarnings(
  samples: readonly Sample[], summary: CaseSummary | null, cold: boolean, op: "read" | "write", evictionVerified: boolean,
): Warning[] {
  const warnings: Warning[] = [];
  if (summary && summary.samples < MIN_RELIABLE_SAMPLES) {
    warnings.push(warning({ code: "few-samples", samples: summary.samples }));
  }
  if (!cold) return warnings;
  if (!evictionVerified) {
    warnings.push(warning({ code: "eviction-unverified" }));
  }
  const resident = samples.filter((s) => (s.residency ?? 0) > RESIDENCY_LIMIT);
  if (resident.length > 0) {
    const worst = Math.max(...resident.map((s) => s.residency ?? 0));
    warnings.push(warning({ code: "residency", resident: resident.length, samples: samples.length, worst }));
  }
  if (op === "read" && summary && summary.bytesRequested > 0 && summary.bytesRead === 0) {
    warnings.push(warning({ code: "no-storage-reads" }));
  }
  return warnings;
}
