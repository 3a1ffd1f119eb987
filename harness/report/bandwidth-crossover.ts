/**
 * The time-against-bandwidth view of a run with shaped remote storage: per pattern and compressed
 * layout, the measured points, the model t = S/(r·B) + S/D with D measured in the same run (the
 * warm local case of the same layout and pattern: its bytes requested ÷ its median time), and the
 * crossover bandwidth below which the layout beats the raw one, predicted by the model and
 * measured (fits of t = a/B + c to each layout's points). Pure.
 */
import type { CaseResult } from "../run/results-types.ts";
import { crossoverBandwidth, fitInverseBandwidth, measuredCrossover, type TransferModel } from "../stats/transfer-model.ts";

export interface BandwidthPoint {
  readonly bandwidth: number;
  readonly seconds: number;
}

export interface CrossoverRow {
  readonly pattern: string;
  readonly layout: string;
  /** Logical ÷ stored bytes. */
  readonly ratio: number;
  /** Logical bytes per second of the warm local case (null when the run has none). */
  readonly decodeBytesPerSecond: number | null;
  readonly points: readonly BandwidthPoint[];
  /** Bytes per second; Infinity: wins at every bandwidth; null: never, or not computable. */
  readonly predicted: number | null;
  readonly measured: number | null;
}

const ok = (c: CaseResult) => c.status === "ok" && c.summary !== null;

function localSpeed(cases: readonly CaseResult[], layout: string, pattern: string): number | null {
  const local = cases.find((c) => ok(c) && !c.storageLocation && c.cache === "warm" && c.layout.name === layout && c.pattern.name === pattern);
  if (!local?.summary || local.summary.medianMs <= 0) return null;
  return local.summary.bytesRequested / (local.summary.medianMs / 1000);
}

function pointsOf(cases: readonly CaseResult[], layout: string, pattern: string): BandwidthPoint[] {
  return cases
    .filter((c) => ok(c) && c.layout.name === layout && c.pattern.name === pattern && c.storageLocation?.shaping?.bandwidth)
    .map((c) => ({ bandwidth: c.storageLocation!.shaping!.bandwidth!, seconds: c.summary!.medianMs / 1000 }))
    .sort((a, b) => a.bandwidth - b.bandwidth);
}

/** One row per (pattern, layout other than `raw`) that has shaped remote points. */
export function bandwidthCrossovers(cases: readonly CaseResult[], raw: string): CrossoverRow[] {
  const rows: CrossoverRow[] = [];
  const patterns = [...new Set(cases.map((c) => c.pattern.name))];
  for (const pattern of patterns) {
    const rawPoints = pointsOf(cases, raw, pattern);
    const rawRatio = cases.find((c) => c.layout.name === raw && c.storage)?.storage?.compressionRatio ?? 1;
    const rawSpeed = localSpeed(cases, raw, pattern);
    const rawModel: TransferModel = { ratio: rawRatio, decodeBytesPerSecond: rawSpeed ?? Infinity };
    const layouts = [...new Set(cases.filter((c) => c.pattern.name === pattern && c.layout.name !== raw).map((c) => c.layout.name))];
    for (const layout of layouts) {
      const points = pointsOf(cases, layout, pattern);
      if (points.length === 0) continue;
      const ratio = cases.find((c) => c.layout.name === layout && c.storage)?.storage?.compressionRatio ?? 1;
      const speed = localSpeed(cases, layout, pattern);
      const predicted = speed === null ? null : crossoverBandwidth({ ratio, decodeBytesPerSecond: speed }, rawModel);
      const distinct = (p: readonly BandwidthPoint[]) => new Set(p.map((x) => x.bandwidth)).size >= 2;
      const measured = distinct(points) && distinct(rawPoints) ? measuredCrossover(fitInverseBandwidth(points), fitInverseBandwidth(rawPoints)) : null;
      rows.push({ pattern, layout, ratio, decodeBytesPerSecond: speed, points, predicted, measured });
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
