/**
 * The recommendation for one dataset: rank layouts by the expected cost of the workload,
 *   cost(layout) = Σ over weighted patterns and recommendation cache states of weight × median,
 * with uncertainty from a joint bootstrap: in resample b every case's median is redrawn
 * (seeded by its id) and the costs of all layouts are recomputed, so the ratio of two layouts'
 * costs in the same resample gives an interval for "how much better". Each cache state in the
 * scenario's `recommendation.cache` counts once (equally).
 */
import type { CacheState, EngineName } from "../scenario/types.ts";
import { type BootstrapOptions, percentileInterval, resampleMedians } from "../stats/bootstrap.ts";
import { ratioDistribution, verdictOf } from "../stats/compare.ts";
import { createRng, deriveSeed } from "../stats/prng.ts";
import { pickFacts } from "./facts.ts";
import { formatBytes, formatFactor, formatInterval, formatMs } from "./format.ts";
import type { CandidateCost, DatasetView, GroupView, Recommendation } from "./model-types.ts";

/** A dataset before its recommendation and verdict are attached. */
export type DatasetInput = Omit<DatasetView, "recommendation" | "verdict">;

function cacheText(cache: readonly CacheState[]): string {
  return cache.length === 1 ? `${cache[0]} cache only` : `${cache.join(" and ")} cache`;
}

/** Per-layout bootstrap cost distributions, or the reasons a layout cannot be ranked. */
function costDistributions(dataset: DatasetInput, weighted: readonly GroupView[], settings: Required<BootstrapOptions>, engine: EngineName) {
  const costs = new Map<string, { point: number; draws: Float64Array }>();
  const excluded: { layout: string; reason: string }[] = [];
  // Other engines' rows show what a format costs through another implementation; the choice is
  // between layouts, as read by one implementation.
  for (const layout of dataset.layouts.filter((l) => l.engine === engine)) {
    const missing: string[] = [];
    const draws = new Float64Array(settings.resamples);
    let point = 0;
    for (const group of weighted) {
      const row = group.rows.find((r) => r.layout === layout.name);
      const where = `${group.pattern.name}/${group.cache}`;
      if (!row?.stats) {
        missing.push(row ? `failed on ${where}` : `no result for ${where}`);
        continue;
      }
      const w = group.pattern.weight;
      point += w * row.stats.median;
      // A single sample has no spread to resample: it enters every resample as is.
      const medians =
        row.samplesMs.length >= 2
          ? resampleMedians(row.samplesMs, settings.resamples, createRng(deriveSeed(settings.seed, "recommend", row.caseId)), row.rounds)
          : new Float64Array(settings.resamples).fill(row.stats.median);
      for (let b = 0; b < draws.length; b++) draws[b] += w * medians[b];
    }
    if (missing.length) excluded.push({ layout: layout.name, reason: missing.join(", ") });
    else costs.set(layout.name, { point, draws });
  }
  return { costs, excluded };
}

/** Who the recommendation is for, as the headline says it. */
export const IMPLEMENTATION: Record<EngineName, string> = {
  layoutbench: "layoutbench's own readers",
  zarrita: "zarrita (zarr.get)",
  h5wasm: "h5wasm (Dataset.slice)",
  python: "NumPy, h5py and zarr-python",
  tensorstore: "tensorstore",
};

function headline(dataset: DatasetInput, rec: Omit<Recommendation, "headline" | "facts">, confidence: number): string {
  const body = headlineBody(dataset, rec, confidence);
  return rec.candidates.length ? `${body} Read by ${IMPLEMENTATION[rec.engine]}.` : body;
}

function headlineBody(dataset: DatasetInput, rec: Omit<Recommendation, "headline" | "facts">, confidence: number): string {
  const ci = `${Math.round(confidence * 100)}% CI`;
  const [first, second] = rec.candidates;
  if (rec.cache.length === 0) return `No recommendation for ${dataset.name}: none of the cache states in the scenario's recommendation.cache was run.`;
  if (rec.weights.length === 0) return `No recommendation for ${dataset.name}: every pattern has weight 0.`;
  if (!first)
    return `No recommendation for ${dataset.name}: no layout read by ${IMPLEMENTATION[rec.engine]} has results for every weighted pattern in the ${cacheText(rec.cache)}${rec.excluded.length ? ` (${rec.excluded.map((e) => `${e.layout}: ${e.reason}`).join("; ")})` : ""}.`;
  const weights = rec.weights.map((w) => `${w.pattern} ×${w.weight}`).join(", ");
  const cost = `expected cost ${formatMs(first.costMs)} (${ci} ${formatInterval(first.low, first.high, formatMs)}) for one round of the workload (${weights}; ${cacheText(rec.cache)})`;
  if (!second) return `Use ${first.layout} for ${dataset.name}, the only layout with complete results: ${cost}.`;
  const ratio = `${formatFactor(second.vsWinner.ratio)} as much (${ci} ${formatInterval(second.vsWinner.low, second.vsWinner.high, formatFactor)})`;
  if (!rec.tie) return `Use ${first.layout} for ${dataset.name}: ${cost}. The runner-up, ${second.layout}, costs ${ratio}.`;
  const tied = rec.candidates.filter((c) => c.tiedWithWinner).map((c) => c.layout);
  const sizes = dataset.layouts.filter((l) => tied.includes(l.name) && l.bytesOnDisk !== null).sort((a, b) => a.bytesOnDisk! - b.bytesOnDisk!);
  const smallest = sizes.length > 1 ? ` ${sizes[0].name} is the smallest on disk (${formatBytes(sizes[0].bytesOnDisk!)}).` : "";
  return (
    `Statistical tie for ${dataset.name} between ${tied.join(", ")}: ${second.layout} costs ${ratio} of ${first.layout}, an interval that contains 1. ` +
    `${first.layout} has the lowest median cost, ${cost}; choose among the tied layouts on other grounds.${smallest}`
  );
}

/**
 * Ranks the dataset's layouts, as read by `engine`, by expected workload cost over `cache` (the scenario's
 * recommendation cache states that were run). Layouts with a failed or missing weighted case
 * are excluded with the reason. Deterministic for `settings.seed`.
 */
export function recommend(
  dataset: DatasetInput,
  cache: readonly CacheState[],
  settings: Required<BootstrapOptions>,
  engine: EngineName = "layoutbench",
): Recommendation {
  const weighted = dataset.groups.filter((g) => cache.includes(g.cache) && g.pattern.weight > 0);
  const weights = dataset.patterns.filter((p) => p.weight > 0).map((p) => ({ pattern: p.name, weight: p.weight }));
  const { costs, excluded } = weighted.length ? costDistributions(dataset, weighted, settings, engine) : { costs: new Map(), excluded: [] };
  const ranked = [...costs].sort(([a, x], [b, y]) => x.point - y.point || a.localeCompare(b));
  const winner = ranked[0];
  const candidates: CandidateCost[] = ranked.map(([layout, { point, draws }]) => {
    const { low, high } = percentileInterval(draws, settings.confidence);
    const ratio = percentileInterval(ratioDistribution(draws, winner[1].draws), settings.confidence);
    const vsWinner =
      layout === winner[0]
        ? { ratio: 1, low: 1, high: 1, verdict: "tie" as const }
        : { ratio: point / winner[1].point, low: ratio.low, high: ratio.high, verdict: verdictOf(ratio.low, ratio.high) };
    return { layout, costMs: point, low, high, vsWinner, tiedWithWinner: vsWinner.low <= 1 };
  });
  const base = {
    engine,
    cache,
    weights,
    candidates,
    excluded,
    winner: candidates[0]?.layout ?? null,
    runnerUp: candidates[1]?.layout ?? null,
    tie: candidates.length > 1 && candidates[1].tiedWithWinner,
  };
  return { ...base, headline: headline(dataset, base, settings.confidence), facts: pickFacts(dataset) };
}
