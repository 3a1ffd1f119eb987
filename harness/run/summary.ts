/**
 * Per-case summary and warnings from raw samples. Pure.
 */
import { summarizeRemote } from "../stats/remote.ts";
import { MIN_SAMPLES, quantile, summarize as summarizeTimes } from "../stats/summary.ts";
import type { CaseSummary, Sample, Warning } from "./results-types.ts";
import { PREEMPTION_LIMIT, preemptedShare } from "./sampler.ts";
import { warning } from "./warnings.ts";

/** Median of the values present, or null when none is. */
function medianOf(values: readonly (number | undefined | null)[]): number | null {
  const present = values.filter((v): v is number => typeof v === "number");
  return present.length ? quantile(present, 0.5) : null;
}

/** Below this many samples a median and its spread say little. */
export const MIN_RELIABLE_SAMPLES = MIN_SAMPLES;
/**
 * A cold sample that checked only its files' share (no byte ranges from the backend) and found
 * more than this resident was not really cold. One that checked the bytes it reads is flagged
 * for any resident page.
 */
export const RESIDENCY_LIMIT = 0.02;

function notCold(s: Sample): boolean {
  return s.residencyOf === "ranges" ? (s.residency ?? 0) > 0 : (s.residency ?? 0) > RESIDENCY_LIMIT;
}

export function summarize(samples: readonly Sample[], bytesRequested: number): CaseSummary | null {
  if (samples.length === 0) return null;
  const times = summarizeTimes(samples.map((s) => s.ms));
  const medianMs = times.median;
  const bytesRead = quantile(
    samples.map((s) => s.bytesRead),
    0.5,
  );
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
    // Only cold samples time an open; a warm round opens once, untimed.
    openMs: medianOf(samples.map((s) => (s.residency !== null ? s.openMs : null))),
    openBytesRead: medianOf(samples.map((s) => s.openBytesRead)),
    returnMs: medianOf(samples.map((s) => s.returnMs)),
    durableMs: medianOf(samples.map((s) => s.durableMs)),
    preempted: samples.some((s) => s.sched) ? samples.filter((s) => s.sched && preemptedShare(s.sched) > PREEMPTION_LIMIT).length : null,
    involuntarySwitches: medianOf(samples.map((s) => s.sched?.involuntarySwitches)),
    stealMs: medianOf(samples.map((s) => s.sched?.stealMs)),
    // Only remote cases have it, so local summaries stay as they were.
    ...(samples.some((s) => s.remote)
      ? {
          remote: summarizeRemote(
            samples.map((s) => s.remote),
            bytesRequested,
          ),
        }
      : {}),
  };
}

export function caseWarnings(
  samples: readonly Sample[],
  summary: CaseSummary | null,
  cold: boolean,
  op: "read" | "write",
  evictionVerified: boolean,
): Warning[] {
  const warnings: Warning[] = [];
  if (summary && summary.samples < MIN_RELIABLE_SAMPLES) {
    warnings.push(warning({ code: "few-samples", samples: summary.samples }));
  }
  const preempted = samples.filter((s) => s.sched && preemptedShare(s.sched) > PREEMPTION_LIMIT);
  if (preempted.length > 0) {
    const worstShare = Math.max(...preempted.map((s) => preemptedShare(s.sched!)));
    warnings.push(warning({ code: "preempted", samples: preempted.length, total: samples.length, worstShare }));
  }
  if (!cold) return warnings;
  if (!evictionVerified) {
    warnings.push(warning({ code: "eviction-unverified" }));
  }
  const resident = samples.filter(notCold);
  if (resident.length > 0) {
    const worst = Math.max(...resident.map((s) => s.residency ?? 0));
    const of = resident.every((s) => s.residencyOf === "ranges") ? "ranges" : "files";
    warnings.push(warning({ code: "residency", resident: resident.length, samples: samples.length, worst, of, op }));
  }
  if (op === "read" && summary && summary.bytesRequested > 0 && summary.bytesRead === 0) {
    warnings.push(warning({ code: "no-storage-reads" }));
  }
  return warnings;
}
