/**
 * The data of the time-against-bandwidth chart: per pattern, layout (the raw one included) and
 * engine the measured medians at each shaped bandwidth with their interquartile range, the
 * pattern's bytes S, the compression ratio r and D with how it was measured (decode-rate.ts: the
 * decode-only speed of the remote reads' decoder, else the warm local read). The model line is
 * t = S/(r·B) + S/D (stats/transfer-model.ts). Pure.
 */
import type { CaseResult } from "../run/results-types.ts";
import { engineOf } from "../scenario/engines.ts";
import { decodeRate, sameSeries } from "./decode-rate.ts";
import { layoutLabel } from "./describe.ts";

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
  /** The layout's name, with the engine's when it is not layoutbench. */
  readonly layout: string;
  /** Logical ÷ stored bytes. */
  readonly ratio: number;
  /** Bytes the pattern asks for per sample (S). */
  readonly bytes: number;
  /** D: logical bytes per second (Infinity: nothing to decode); null when the run measured none (decode-rate.ts). */
  readonly decodeBytesPerSecond: number | null;
  /** How D was measured: "decode only" or "warm local read"; null without D. */
  readonly decodeSource: string | null;
  readonly points: readonly SeriesPoint[];
}

const ok = (c: CaseResult) => c.status === "ok" && c.summary !== null;

/** One series per (pattern, layout, engine) with points at two or more distinct shaped bandwidths, in case order. */
export function bandwidthSeries(cases: readonly CaseResult[]): BandwidthSeries[] {
  const out: BandwidthSeries[] = [];
  const keys = [
    ...new Set(cases.filter((c) => ok(c) && c.storageLocation?.shaping?.bandwidth).map((c) => `${c.pattern.name}\n${c.layout.name}\n${engineOf(c)}`)),
  ];
  for (const key of keys) {
    const [pattern, layout, engine] = key.split("\n");
    const same = cases.filter((c) => sameSeries(c, layout, pattern, engine));
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
    const rate = decodeRate(cases, layout, pattern, engine);
    out.push({
      pattern,
      layout: layoutLabel(layout, engine),
      ratio: same.find((c) => c.storage)?.storage?.compressionRatio ?? 1,
      bytes: same[0].summary!.bytesRequested,
      decodeBytesPerSecond: rate?.bytesPerSecond ?? null,
      decodeSource: rate?.source ?? null,
      points,
    });
  }
  return out;
}
