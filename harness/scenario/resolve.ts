/**
 * Fills every default into a validated scenario file, producing the resolved Scenario that the
 * rest of the harness reads. Pure: no I/O.
 */

import { layoutVocabulary } from "../backends/layouts.ts";
import { canonicalJson, sha256 } from "../core/digest.ts";
import { DEFAULTS } from "./defaults.ts";
import { DEFAULT_ENGINE, defaultRecommendationEngine, engineNamed } from "./engines.ts";
import { parseBytes, readersLabel, resolveReaders } from "./readers.ts";
import type { ScenarioFile } from "./schema.ts";
import { resolveStorage, type StorageEntry } from "./storage.ts";
import type { DatasetSource, DatasetSpec, EngineName, LayoutSpec, PatternShape, PatternSpec, Sampling, Scenario, SweepInfo } from "./types.ts";

type FileLayout = NonNullable<ScenarioFile["layouts"]>[number];
type FilePattern = ScenarioFile["patterns"][number];
type FileDataset = ScenarioFile["datasets"][number];

/** What a dataset's source holds, read by load.ts (the only I/O of loading) before resolution. */
export interface ProbedSource {
  readonly source: DatasetSource;
  readonly shape: readonly number[];
  readonly dtype: DatasetSpec["dtype"];
  /** A dataset with `sources`: every one, its layout named as the file names it (the first is `source`). */
  readonly sources?: readonly DatasetSource[];
}

function resolveDataset(d: FileDataset, probed: ProbedSource | undefined): DatasetSpec {
  if (d.source || d.sources) {
    if (!probed) throw new Error(`dataset ${d.name}: its source was not read before resolution`);
    return {
      name: d.name,
      shape: probed.shape,
      dtype: probed.dtype,
      generator: "file",
      seed: 0,
      source: probed.source,
      ...(probed.sources ? { sources: probed.sources } : {}),
    };
  }
  // The schema guarantees shape and dtype when there is no source.
  return { name: d.name, shape: d.shape!, dtype: d.dtype!, generator: d.generator ?? DEFAULTS.generator, seed: d.seed ?? DEFAULTS.seed };
}

/** Each backend's layout vocabulary fills in its own defaults. */
function resolveLayout(l: FileLayout): LayoutSpec {
  return (layoutVocabulary(l.backend).resolve as (file: FileLayout) => LayoutSpec)(l);
}

function resolveShape(p: FilePattern): PatternShape {
  const d = DEFAULTS.pattern;
  switch (p.kind) {
    case "full":
      return { kind: "full", bandBytes: p.bandBytes ?? DEFAULTS.fullBandBytes };
    case "rows":
    case "columns":
    case "slices":
      return {
        kind: "slices",
        // -1 stands for "the last axis" until the dataset's rank is known (see axisFor).
        axis: p.kind === "rows" ? 0 : p.kind === "columns" ? -1 : p.axis,
        width: p.width ?? d.width,
        count: p.count ?? d.count,
        order: p.order ?? d.order,
      };
    case "tiles":
      return { kind: "tiles", shape: p.shape, count: p.count ?? d.count, order: p.order ?? d.order, aligned: p.aligned ?? d.aligned };
    case "points":
      return { kind: "points", count: p.count ?? d.count };
    case "chunks":
      return { kind: "chunks", shape: p.shape, count: p.count ?? d.count };
    case "strided":
      return { kind: "strided", step: p.step };
  }
}

function resolvePattern(p: FilePattern): PatternSpec {
  const d = DEFAULTS.pattern;
  return {
    ...resolveShape(p),
    name: p.name,
    label: p.kind,
    op: p.op ?? d.op,
    flush: p.flush ?? d.flush,
    seed: p.seed ?? DEFAULTS.seed,
    weight: p.weight ?? d.weight,
    // Only when set, so scenarios without it keep their hash.
    ...(p.openPerAccess ? { openPerAccess: true } : {}),
  };
}

/** The pattern as it applies to a dataset of `rank` dimensions (`columns` = the last axis). */
export function patternFor(pattern: PatternSpec, rank: number): PatternSpec {
  return pattern.kind === "slices" && pattern.axis < 0 ? { ...pattern, axis: rank + pattern.axis } : pattern;
}

/** `sources[i]`: what dataset i's source holds (datasets with a source only). */
export function resolveScenario(
  file: ScenarioFile,
  path: string,
  sources: readonly (ProbedSource | undefined)[] = [],
  sweeps: readonly SweepInfo[] = [],
): Scenario {
  const s = DEFAULTS.sampling;
  const samples = file.sampling?.samples ?? s.samples;
  const sampling: Sampling = {
    samples,
    // Only the default gives way to a small `samples`; a minSamples the file gives is checked (check.ts).
    minSamples: file.sampling?.minSamples ?? Math.min(s.minSamples, samples),
    timeBudget: file.sampling?.timeBudget ?? s.timeBudget,
    warmup: file.sampling?.warmup ?? s.warmup,
    rounds: file.sampling?.rounds ?? Math.min(s.rounds, samples),
    minSampleMs: file.sampling?.minSampleMs ?? s.minSampleMs,
    freshProcess: file.sampling?.freshProcess ?? s.freshProcess,
  };
  const datasets: DatasetSpec[] = file.datasets.map((d, i) => resolveDataset(d, sources[i]));
  const cache = file.cache ?? [...DEFAULTS.cache];
  const engines = [...new Set((file.engines ?? [DEFAULT_ENGINE]).map((e) => engineNamed(e)!))];
  const body = {
    version: file.version,
    name: file.name,
    description: file.description ?? "",
    datasets,
    layouts: (file.layouts ?? []).map(resolveLayout),
    patterns: file.patterns.map(resolvePattern),
    cache,
    storage: resolveStorage((file.storage ?? DEFAULTS.storage) as readonly StorageEntry[]),
    eviction: file.eviction ?? DEFAULTS.eviction,
    sampling,
    engines,
    recommendation: {
      cache: file.recommendation?.cache ?? cache,
      engine: file.recommendation?.engine ? engineNamed(file.recommendation.engine)! : defaultRecommendationEngine(engines),
    },
    ...(sweeps.length > 0 ? { sweeps } : {}),
    // Only when given, so scenarios without them keep their hash. Entries that resolve alike are one case.
    ...(file.readers ? { readers: uniqueReaders(file.readers.map(resolveReaders)) } : {}),
    ...(file.memoryBudget !== undefined ? { memoryBudget: parseBytes(file.memoryBudget)! } : {}),
  };
  return { ...body, file: path, hash: sha256(canonicalJson(hashedForm(body))) };
}

function uniqueReaders<T extends Parameters<typeof readersLabel>[0]>(list: readonly T[]): T[] {
  const seen = new Set<string>();
  return list.filter((r) => !seen.has(readersLabel(r)) && seen.add(readersLabel(r)) !== undefined);
}

/**
 * What the hash covers: everything but the description, with the engines spelled as before they
 * were renamed ("js"), the recommendation's engine left out when it is the default one and the
 * storage left out when it is local only, so the scenarios of existing baselines keep their hashes
 * and stay comparable.
 */
function hashedForm(body: Omit<Scenario, "file" | "hash">): object {
  const { description: _description, engines, recommendation, storage, ...rest } = body;
  const legacy = (e: EngineName) => (e === DEFAULT_ENGINE ? "js" : e);
  return {
    ...rest,
    ...(storage.length === 1 && storage[0].kind === "local" ? {} : { storage }),
    engines: engines.map(legacy),
    recommendation: recommendation.engine === defaultRecommendationEngine(engines) ? { cache: recommendation.cache } : recommendation,
  };
}
