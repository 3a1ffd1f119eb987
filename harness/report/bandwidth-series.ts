/**
 * The data of the time-against-bandwidth chart: per pattern and layout (the raw one included) the
 * measured medians at each shaped bandwidth with their interquartile range, the pattern's bytes S,
 * the compression ratio r and D, the logical bytes per second of the warm local case of the same
 * layout and pattern (reading and decoding: the only decode speed a run measures today). The model
 * line is t = S/(r·B) + S/D (stats/transfer-model.ts). Pure.
 */
import type { CaseResult } from "../run/results-types.ts";

export interface SeriesPoint {
  /** Bytes per second. */
  readonly bandwidth: number;
  /** Median, first and third quartile of the samples, in seconds. */
  readonly seconds: number;
  readonly low: number;
  readonly high: number;
}

export interface BandwidthSeries {
  readonly pattern: string;
  readonly layout: string;
  /** Logical ÷ stored bytes. */
  readonly ratio: number;
  /** Bytes the pattern asks for per sample (S). */
  readonly bytes: number;
  /** D: logical bytes per second of the warm local case; null when the run has none. */
  readonly decodeBytesPerSecond: number | null;
  readonly points: readonly SeriesPoint[];
}

const ok = (c: CaseResult) => c.status === "ok" && c.summary !== null;

/** One series per (pattern, layout) with points at two or more distinct shaped bandwidths, in case order. */
export function bandwidthSeries(cases: readonly CaseResult[]): BandwidthSeries[] {
  const out: BandwidthSeries[] = [];
  const keys = [...new Set(cases.filter((c) => ok(c) && c.storageLocation?.shaping?.bandwidth).map((c) => `${c.pattern.name}\n${c.layout.name}`))];
  for (const key of keys) {
    const [pattern, layout] = key.split("\n");
    const same = cases.filter((c) => ok(c) && c.pattern.name === pattern && c.layout.name === layout);
    const points = same
      .filter((c) => c.storageLocation?.shaping?.bandwidth)
      .map((c) => ({
        bandwidth: c.storageLocation!.shaping!.bandwidth!,
        seconds: c.summary!.medianMs / 1000,
        low: c.summary!.q1Ms / 1000,
        high: c.summary!.q3Ms / 1000,
      }))
      .sort((a, b) => a.bandwidth - b.bandwidth);
    if (new Set(points.map((p) => p.bandwidth)).size < 2) continue;
    const local = same.find((c) => !c.storageLocation && c.cache === "warm" && c.summary!.medianMs > 0);
    out.push({
      pattern,
      layout,
      ratio: same.find((c) => c.storage)?.storage?.compressionRatio ?? 1,
      bytes: same[0].summary!.bytesRequested,
      decodeBytesPerSecond: local ? local.summary!.bytesRequested / (local.summary!.medianMs / 1000) : null,
      points,
    });
  }
  return out;
}
