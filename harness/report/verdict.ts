/**
 * The recommendation as a person acts on it: the decision in one sentence, the two numbers that
 * decide it, and what would change it. "What would change it" re-runs the recommendation on the
 * same results with each alternative weighting (another cache state, the workload reduced to one
 * pattern, another reader) and reports those whose decision differs. Pure and deterministic.
 */
import type { CacheState, EngineName } from "../scenario/types.ts";
import type { BootstrapOptions } from "../stats/bootstrap.ts";
import { formatBytes, formatFactor, formatInterval, formatMs } from "./format.ts";
import type { PatternView, Recommendation, VerdictView } from "./model-types.ts";
import { type DatasetInput, IMPLEMENTATION, recommend } from "./recommend.ts";

/** One way of weighing the same results differently. */
export interface Alternative {
  /** "warm cache only", "only rows", "read by python". */
  readonly label: string;
  readonly cache: readonly CacheState[];
  /** Pattern name → weight; patterns not listed weigh 0. */
  readonly weights: ReadonlyMap<string, number>;
  readonly engine: EngineName;
}

function cacheText(cache: readonly CacheState[]): string {
  return cache.length === 1 ? `${cache[0]} cache` : `${cache.join(" and ")} cache`;
}

function weightsText(rec: Recommendation): string {
  return rec.weights.map((w) => `${w.pattern} ×${w.weight}`).join(", ");
}

/** "a", "a or b", "a, b or c" (with `word` "and": "a and b"). */
function either(names: readonly string[], word = "or"): string {
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} ${word} ${names[names.length - 1]}`;
}

function ci(confidence: number): string {
  return `${Math.round(confidence * 100)}% CI`;
}

/** The layouts tied with the winner, winner first. */
function tiedLayouts(rec: Recommendation): string[] {
  return rec.candidates.filter((c) => c.tiedWithWinner).map((c) => c.layout);
}

/** What settles a tie: the smallest of the tied layouts on disk, when sizes are known and differ. */
function sizeTieBreak(dataset: DatasetInput, tied: readonly string[]): string {
  const sized = dataset.layouts.filter((l) => tied.includes(l.name) && l.bytesOnDisk !== null).sort((a, b) => a.bytesOnDisk! - b.bytesOnDisk!);
  if (sized.length < 2 || sized[0].bytesOnDisk === sized[sized.length - 1].bytesOnDisk) return "";
  const [smallest, ...rest] = sized;
  const others = rest.map((l) => formatBytes(l.bytesOnDisk!)).join(", ");
  return `; ${smallest.name} is ${sized.length === 2 ? "smaller" : "the smallest"} on disk (${formatBytes(smallest.bytesOnDisk!)} vs ${others})`;
}

function decisionOf(dataset: DatasetInput, rec: Recommendation): string {
  const [first, second] = rec.candidates;
  if (!first) return rec.headline;
  const scope = `for ${weightsText(rec)} in the ${cacheText(rec.cache)}, read by ${IMPLEMENTATION[rec.engine]}`;
  if (!second) return `Use ${first.layout} for ${dataset.name}, the only layout with complete results ${scope}.`;
  if (!rec.tie) return `Use ${first.layout} for ${dataset.name}: the lowest expected cost ${scope}.`;
  const tied = tiedLayouts(rec);
  return `Use either ${either(tied)} for ${dataset.name}: a statistical tie on expected cost ${scope}${sizeTieBreak(dataset, tied)}.`;
}

function whyOf(rec: Recommendation, confidence: number): string {
  const [first, second] = rec.candidates;
  if (!first) return "";
  const cost = `${first.layout} costs ${formatMs(first.costMs)} (${ci(confidence)} ${formatInterval(first.low, first.high, formatMs)}) per round of the workload`;
  if (!second) return `${cost}.`;
  const v = second.vsWinner;
  const ratio = `${formatFactor(v.ratio)} as much (${ci(confidence)} ${formatInterval(v.low, v.high, formatFactor)})`;
  return rec.tie ? `${cost}; ${second.layout} costs ${ratio}, an interval that contains 1.` : `${cost}; the runner-up, ${second.layout}, costs ${ratio}.`;
}

/** The decision as a comparable key: the winner, or the tied set. */
function decisionKey(rec: Recommendation): string {
  return rec.tie ? `tie:${tiedLayouts(rec).sort().join(",")}` : `win:${rec.winner}`;
}

/** What an alternative weighting decides, in a clause. */
function outcomeOf(rec: Recommendation, confidence: number): string {
  const [first, second] = rec.candidates;
  if (rec.tie) return `a tie between ${either(tiedLayouts(rec), "and")}`;
  if (!second) return `use ${first.layout}, the only layout with complete results`;
  const v = second.vsWinner;
  return `use ${first.layout} (${second.layout} costs ${formatFactor(v.ratio)} as much, ${ci(confidence)} ${formatInterval(v.low, v.high, formatFactor)})`;
}

function withWeights(dataset: DatasetInput, weights: ReadonlyMap<string, number>): DatasetInput {
  const reweigh = (p: PatternView): PatternView => ({ ...p, weight: weights.get(p.name) ?? 0 });
  return { ...dataset, patterns: dataset.patterns.map(reweigh), groups: dataset.groups.map((g) => ({ ...g, pattern: reweigh(g.pattern) })) };
}

const sameCache = (a: readonly CacheState[], b: readonly CacheState[]) => a.length === b.length && a.every((c) => b.includes(c));

/**
 * The alternatives worth trying for a recommendation: each other combination of the cache states
 * that were run, the workload reduced to each single pattern, and each other engine that read
 * the dataset. The recommendation's own weighting is left out.
 */
export function alternativesOf(dataset: DatasetInput, rec: Recommendation): Alternative[] {
  const weights = new Map(rec.weights.map((w) => [w.pattern, w.weight]));
  const caches = (["cold", "warm"] as const).filter((c) => dataset.groups.some((g) => g.cache === c));
  const cacheSets: CacheState[][] = [...caches.map((c) => [c]), ...(caches.length > 1 ? [[...caches]] : [])];
  const out: Alternative[] = [];
  for (const cache of cacheSets) {
    if (!sameCache(cache, rec.cache))
      out.push({ label: cache.length === 1 ? `${cache[0]} cache only` : `${cacheText(cache)} weighed together`, cache, weights, engine: rec.engine });
  }
  for (const p of dataset.patterns) {
    const alone = rec.weights.length === 1 && rec.weights[0].pattern === p.name;
    if (!alone && dataset.patterns.length > 1) out.push({ label: `only ${p.name}`, cache: rec.cache, weights: new Map([[p.name, 1]]), engine: rec.engine });
  }
  const engines = [...new Set(dataset.layouts.map((l) => l.engine))].filter((e) => e !== rec.engine).sort();
  for (const engine of engines) out.push({ label: `read by ${engine}`, cache: rec.cache, weights, engine });
  return out;
}

/** The verdict of `rec` on `dataset`; alternatives are recommended with the same bootstrap settings. */
export function buildVerdict(dataset: DatasetInput, rec: Recommendation, settings: Required<BootstrapOptions>): VerdictView {
  const decision = decisionOf(dataset, rec);
  const why = whyOf(rec, settings.confidence);
  if (!rec.winner) return { decision, why, changes: [] };
  const key = decisionKey(rec);
  const changes: string[] = [];
  const unchanged: string[] = [];
  for (const alt of alternativesOf(dataset, rec)) {
    const other = recommend(withWeights(dataset, alt.weights), alt.cache, settings, alt.engine);
    if (!other.winner) continue;
    // Another reader ranks its own rows ("npy (python)"): compare the layouts, not the labels.
    const sameDecision = alt.engine === rec.engine ? decisionKey(other) === key : decisionKey(other).replace(/ \([^)]*\)/g, "") === key;
    if (sameDecision) unchanged.push(alt.label);
    else changes.push(`${alt.label}: ${outcomeOf(other, settings.confidence)}.`);
  }
  if (unchanged.length) changes.push(`${changes.length ? "Unchanged" : "Nothing tried changes it"}: ${unchanged.join(", ")}.`);
  return { decision, why, changes };
}
