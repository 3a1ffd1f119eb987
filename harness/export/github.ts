/**
 * Export for the common GitHub benchmark action (benchmark-action/github-action-benchmark), tool
 * "customSmallerIsBetter": a JSON array of `{name, unit, value, range?, extra?}`, one entry per
 * case that has samples. Pure.
 */
import { formatBytes, formatFactor, formatMs, sig3 } from "../report/format.ts";
import type { ResultsFile } from "../run/results-types.ts";

export interface GithubBenchmarkEntry {
  /** The case id: scenario/dataset/layout/pattern/cache. */
  readonly name: string;
  readonly unit: "ms";
  /** Median sample time in milliseconds. */
  readonly value: number;
  /** "± x": half the interquartile range, in ms (the action shows it next to the value). */
  readonly range: string;
  /** Sample count, IQR, bytes read and read amplification, as one line. */
  readonly extra: string;
}

/** Six significant digits: more than timings deserve, fewer than float noise shows. */
function round(x: number): number {
  return Number(x.toPrecision(6));
}

/** Entries for every finished case with a summary; failed cases have no value and are left out. */
function githubBenchmarkEntries(results: ResultsFile): GithubBenchmarkEntry[] {
  return results.cases.flatMap((c) => {
    const s = c.summary;
    if (c.status !== "ok" || !s) return [];
    return [
      {
        name: c.id,
        unit: "ms" as const,
        value: round(s.medianMs),
        range: `± ${sig3((s.q3Ms - s.q1Ms) / 2)}`,
        extra: `${s.samples} samples, IQR ${formatMs(s.q1Ms)} – ${formatMs(s.q3Ms)}, read ${formatBytes(s.bytesRead)} (${formatFactor(s.readAmplification)} of ${formatBytes(s.bytesRequested)} requested), ${c.cache} cache`,
      },
    ];
  });
}

export function githubBenchmarkJson(results: ResultsFile): string {
  return JSON.stringify(githubBenchmarkEntries(results), null, 2) + "\n";
}
