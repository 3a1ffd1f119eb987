/**
 * The size-vs-cost Pareto front of a dataset's layouts: a layout is on the front when no other
 * layout is at most as large on disk and at most as costly, and strictly better in one of the
 * two. Everything off the front is beaten on both counts by some layout on it. Pure.
 */
import type { DatasetView } from "./model-types.ts";

export interface ParetoPoint {
  readonly layout: string;
  readonly bytesOnDisk: number;
  /** Expected workload cost (ms) under the recommendation's weighting, with its interval. */
  readonly costMs: number;
  readonly low: number;
  readonly high: number;
  readonly onFront: boolean;
}

function dominates(a: { bytesOnDisk: number; costMs: number }, b: { bytesOnDisk: number; costMs: number }): boolean {
  return a.bytesOnDisk <= b.bytesOnDisk && a.costMs <= b.costMs && (a.bytesOnDisk < b.bytesOnDisk || a.costMs < b.costMs);
}

/** Marks each point as on the front or not; order is kept. Two identical points are both on it. */
export function paretoFront<P extends { readonly bytesOnDisk: number; readonly costMs: number }>(points: readonly P[]): (P & { onFront: boolean })[] {
  return points.map((p) => ({ ...p, onFront: !points.some((q) => q !== p && dominates(q, p)) }));
}

/**
 * The ranked layouts of the recommendation that have a size on disk, smallest first, with the
 * front marked. Empty when fewer than two layouts qualify (a front of one says nothing).
 */
export function datasetPareto(dataset: DatasetView): ParetoPoint[] {
  const bytes = new Map(dataset.layouts.map((l) => [l.name, l.bytesOnDisk]));
  const points = dataset.recommendation.candidates
    .filter((c) => bytes.get(c.layout) != null)
    .map((c) => ({ layout: c.layout, bytesOnDisk: bytes.get(c.layout)!, costMs: c.costMs, low: c.low, high: c.high }));
  if (points.length < 2) return [];
  return paretoFront(points).sort((a, b) => a.bytesOnDisk - b.bytesOnDisk || a.costMs - b.costMs || a.layout.localeCompare(b.layout));
}
