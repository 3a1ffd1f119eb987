/**
 * The time-against-bandwidth view of a run with shaped remote storage: per engine, pattern and
 * compressed layout, the measured points, the model t = S/(r·B) + S/D with D measured in the same
 * run (decode-rate.ts: the decode-only speed of the remote reads' decoder, else the warm local read
 * of the same layout, pattern and engine through that decoder), and the crossover bandwidth below which the layout beats the raw one read
 * by the same engine, predicted by the model and measured (fits of t = a/B + c to each layout's
 * points). Pure.
 */
import type { CaseResult } from "../run/results-types.ts";
import { engineOf } from "../scenario/engines.ts";
import { crossoverBandwidth, fitInverseBandwidth, measuredCrossover, type TransferModel } from "../stats/transfer-model.ts";
import { decodeRate, sameSeries } from "./decode-rate.ts";
import { layoutLabel } from "./describe.ts";

export interface BandwidthPoint {
  readonly bandwidth: number;
  readonly seconds: number;
}

export interface CrossoverRow {
  readonly pattern: string;
  /** The layout's name, with the engine's when it is not layoutbench ("blosc-lz4 (zarrita)"). */
  readonly layout: string;
  readonly engine: string;
  /** Logical ÷ stored bytes. */
  readonly ratio: number;
  /** D: logical bytes per second (Infinity: nothing to decode; null when the run measured none, decode-rate.ts). */
  readonly decodeBytesPerSecond: number | null;
  /** How D was measured: "decode only" or "warm local read"; null without D. */
  readonly decodeSource: string | null;
  readonly points: readonly BandwidthPoint[];
  /** Bytes per second; Infinity: wins at every bandwidth; null: never, or not computable. */
  readonly predicted: number | null;
  readonly measured: number | null;
}

function pointsOf(cases: readonly CaseResult[], layout: string, pattern: string, engine: string): BandwidthPoint[] {
  return cases
    .filter((c) => sameSeries(c, layout, pattern, engine) && c.storageLocation?.shaping?.bandwidth)
    .map((c) => ({ bandwidth: c.storageLocation!.shaping!.bandwidth!, seconds: c.summary!.medianMs / 1000 }))
    .sort((a, b) => a.bandwidth - b.bandwidth);
}

/** One row per (engine, pattern, layout other than `raw`) that has shaped remote points. */
export function bandwidthCrossovers(cases: readonly CaseResult[], raw: string): CrossoverRow[] {
  const rows: CrossoverRow[] = [];
  const engines = [...new Set(cases.map(engineOf))];
  const patterns = [...new Set(cases.map((c) => c.pattern.name))];
  for (const engine of engines) {
    for (const pattern of patterns) {
      const rawPoints = pointsOf(cases, raw, pattern, engine);
      const rawRatio = cases.find((c) => c.layout.name === raw && c.storage)?.storage?.compressionRatio ?? 1;
      const rawSpeed = decodeRate(cases, raw, pattern, engine)?.bytesPerSecond;
      const rawModel: TransferModel = { ratio: rawRatio, decodeBytesPerSecond: rawSpeed ?? Infinity };
      const layouts = [
        ...new Set(cases.filter((c) => c.pattern.name === pattern && engineOf(c) === engine && c.layout.name !== raw).map((c) => c.layout.name)),
      ];
      for (const layout of layouts) {
        const points = pointsOf(cases, layout, pattern, engine);
        if (points.length === 0) continue;
        const ratio = cases.find((c) => c.layout.name === layout && c.storage)?.storage?.compressionRatio ?? 1;
        const rate = decodeRate(cases, layout, pattern, engine);
        const speed = rate?.bytesPerSecond ?? null;
        const predicted = speed === null ? null : crossoverBandwidth({ ratio, decodeBytesPerSecond: speed }, rawModel);
        const distinct = (p: readonly BandwidthPoint[]) => new Set(p.map((x) => x.bandwidth)).size >= 2;
        const measured = distinct(points) && distinct(rawPoints) ? measuredCrossover(fitInverseBandwidth(points), fitInverseBandwidth(rawPoints)) : null;
        rows.push({
          pattern,
          layout: layoutLabel(layout, engine),
          engine,
          ratio,
          decodeBytesPerSecond: speed,
          decodeSource: rate?.source ?? null,
          points,
          predicted,
          measured,
        });
      }
    }
  }
  return rows;
}

/** `123 MB/s`, `never`, `always`. */
export function formatBandwidth(b: number | null): string {
  if (b === null) return "never";
  if (b === Infinity) return "always";
  return b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB/s` : `${(b / 1e6).toFixed(b >= 1e8 ? 0 : 1)} MB/s`;
}
