/**
 * Builds the one view model every renderer formats (as hyperfine's markup.rs owns the table):
 * groups cases by dataset, pattern and cache state, ranks layouts, attaches statistics,
 * collects warnings and the recommendation. Pure and deterministic for a seed.
 */
import { canonicalJson } from "../core/digest.ts";
import type { ReadPath } from "../engines/types.ts";
import type { CaseResult, ResultsFile } from "../run/results-types.ts";
import { summarize as summarizeCase } from "../run/summary.ts";
import { type WarningVariant, warningMessage } from "../run/warnings.ts";
import { defaultRecommendationEngine, engineOf } from "../scenario/engines.ts";
import type { CacheState, EngineName } from "../scenario/types.ts";
import { type BootstrapOptions, bootstrapSettings, medianCI } from "../stats/bootstrap.ts";
import { compareMedians } from "../stats/compare.ts";
import { classifyOutliers } from "../stats/outliers.ts";
import { deriveSeed } from "../stats/prng.ts";
import { MIN_SAMPLES, summarize } from "../stats/summary.ts";
import { contextItems } from "./context.ts";
import { chunksOf, describeLayout, describePattern, describeReadPath, layoutLabel } from "./describe.ts";
import type { DatasetView, GroupView, LayoutView, PatternView, ReportModel, RowView, WarningView } from "./model-types.ts";
import { layoutMemory, memoryVerdict, rankedLayouts, readersLabelled, rowReaders } from "./readers.ts";
import { recommend } from "./recommend.ts";
import { remoteSection } from "./remote-section.ts";
import { buildVerdict } from "./verdict.ts";

export type * from "./model-types.ts";

/** Cold first: the state most workloads worry about. */
const CACHE_ORDER: readonly CacheState[] = ["cold", "warm"];
/** A median CI wider than this share of the median (either side) earns a "noisy" warning. */
const NOISY_HALF_WIDTH = 0.25;

const ITEM_BYTES: Record<string, number> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  int64: 8,
  uint64: 8,
  float64: 8,
};

/** Bootstrap settings of a report (seed, resamples, confidence); defaults as in stats/bootstrap.ts. */
export type ReportOptions = BootstrapOptions;

/** Case order within a dataset follows the results file; the last result for an id wins. */
function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

function scopeOf(c: CaseResult): string {
  return [c.dataset.name, c.layout.name, c.pattern.name, c.cache].join(" · ");
}

/** The case's own warnings plus the ones the report adds (failure, few samples, noise). */
function reportWarnings(c: CaseResult, row: RowView): WarningView[] {
  const out: WarningView[] = c.warnings.map((w) => ({ caseId: c.id, scope: scopeOf(c), code: w.code, message: w.message }));
  const add = (v: WarningVariant) => out.push({ caseId: c.id, scope: scopeOf(c), code: v.code, message: warningMessage(v) });
  if (c.status === "failed") add({ code: "failed", error: c.error ?? "no error message recorded" });
  if (row.stats && row.stats.n < MIN_SAMPLES && !c.warnings.some((w) => w.code === "few-samples")) add({ code: "few-samples", samples: row.stats.n });
  if (row.stats && row.medianCI && !c.warnings.some((w) => w.code === "noisy")) {
    const halfWidth = Math.max(row.stats.median - row.medianCI.low, row.medianCI.high - row.stats.median) / row.stats.median;
    if (halfWidth > NOISY_HALF_WIDTH) {
      add({ code: "noisy", halfWidth });
    }
  }
  return out;
}

/** What each sample measured beside the timed reads, from the samples (files from before these figures have some of them). */
function measuredApart(c: CaseResult): Pick<RowView, "openMs" | "openBytesRead" | "returnMs" | "durableMs" | "preempted" | "involuntarySwitches" | "stealMs"> {
  const s = c.status === "ok" ? summarizeCase(c.samples, 0) : null;
  return {
    openMs: s?.openMs ?? null,
    openBytesRead: s?.openBytesRead ?? null,
    returnMs: s?.returnMs ?? null,
    durableMs: s?.durableMs ?? null,
    preempted: s?.preempted ?? null,
    involuntarySwitches: s?.involuntarySwitches ?? null,
    stealMs: s?.stealMs ?? null,
  };
}

function buildRow(c: CaseResult, settings: Required<BootstrapOptions>): RowView {
  const samplesMs = c.samples.map((s) => s.ms);
  const ok = c.status === "ok" && samplesMs.length > 0;
  const stats = ok ? summarize(samplesMs) : null;
  const rounds = c.samples.every((s) => s.round !== undefined) ? c.samples.map((s) => s.round!) : undefined;
  const ci = ok && samplesMs.length >= 2 ? medianCI(samplesMs, { ...settings, seed: deriveSeed(settings.seed, c.id) }, rounds) : null;
  const s = c.summary;
  return {
    caseId: c.id,
    rank: null,
    layout: c.layout.name,
    backend: c.layout.backend,
    status: ok ? "ok" : "failed",
    error: ok ? null : (c.error ?? (c.status === "ok" ? "no samples recorded" : "no error message recorded")),
    samplesMs,
    rounds: ok ? rounds : undefined,
    stats,
    medianCI: ci ? { low: ci.low, high: ci.high } : null,
    vsBest: null,
    outliers: ok ? classifyOutliers(samplesMs).counts : null,
    bytesRequested: s?.bytesRequested ?? null,
    bytesRead: s?.bytesRead ?? null,
    readAmplification: s && s.bytesRequested > 0 ? s.readAmplification : null,
    throughput: s && stats && stats.median > 0 ? s.bytesRequested / (stats.median / 1000) : null,
    bytesOnDisk: c.storage?.bytesOnDisk ?? null,
    compressionRatio: c.storage?.compressionRatio ?? null,
    ...measuredApart(c),
    warnings: [],
    ...rowReaders(c, { bytesRequested: s?.bytesRequested ?? null, medianCI: ci ? { low: ci.low, high: ci.high } : null }),
  };
}

/** Ranks rows by median time and compares each with the fastest. */
function rankRows(rows: RowView[], settings: Required<BootstrapOptions>): RowView[] {
  const ok = rows.filter((r) => r.stats).sort((a, b) => a.stats!.median - b.stats!.median || a.layout.localeCompare(b.layout));
  const failed = rows.filter((r) => !r.stats).sort((a, b) => a.layout.localeCompare(b.layout));
  const best = ok[0];
  const ranked = ok.map((r, i): RowView => {
    const comparable = i > 0 && r.samplesMs.length >= 2 && best.samplesMs.length >= 2 && best.stats!.median > 0;
    const vsBest = comparable
      ? compareMedians(
          r.samplesMs,
          best.samplesMs,
          { ...settings, seed: deriveSeed(settings.seed, r.caseId, best.caseId) },
          { candidate: r.rounds, baseline: best.rounds },
        )
      : null;
    return { ...r, rank: i + 1, vsBest };
  });
  return [...ranked, ...failed];
}

function patternView(c: CaseResult): PatternView {
  const p = c.pattern;
  return { name: p.name, label: p.label, kind: p.kind, description: describePattern(p), op: p.op, weight: p.weight };
}

function buildDataset(key: string, cases: CaseResult[], results: ResultsFile, settings: Required<BootstrapOptions>, warnings: WarningView[]): DatasetView {
  const first = cases[0];
  const latest = new Map(cases.map((c) => [c.id, c]));
  const unique = [...latest.values()];
  const patterns = [...groupBy(unique, (c) => c.pattern.name).values()].map((list) => patternView(list[0]));
  const caches = CACHE_ORDER.filter((state) => unique.some((c) => c.cache === state));

  const groups: GroupView[] = [];
  for (const pattern of patterns) {
    for (const cache of caches) {
      const members = unique.filter((c) => c.pattern.name === pattern.name && c.cache === cache);
      if (members.length === 0) continue;
      const rows = rankRows(
        members.map((c) => buildRow(c, settings)),
        settings,
      ).map((row) => {
        const c = latest.get(row.caseId)!;
        const own = reportWarnings(c, row);
        warnings.push(...own);
        return { ...row, warnings: own.map((w) => w.message) };
      });
      groups.push({ pattern, cache, rows });
    }
  }

  const layouts: LayoutView[] = [...groupBy(unique, (c) => c.layout.name).values()].map((list) => {
    const layout = list[0].layout;
    const storage = list.find((c) => c.storage)?.storage ?? null;
    const costByCache: Partial<Record<CacheState, number | null>> = {};
    for (const cache of caches) {
      let cost: number | null = 0;
      for (const g of groups.filter((g) => g.cache === cache && g.pattern.weight > 0)) {
        const row = g.rows.find((r) => r.layout === layout.name);
        cost = row?.stats && cost !== null ? cost + g.pattern.weight * row.stats.median : null;
      }
      costByCache[cache] = cost;
    }
    const engine = engineOf(list[0]);
    const readPaths = distinctReadPaths(list);
    return {
      name: layout.name,
      backend: layout.backend,
      engine,
      readPaths,
      readPath: readPaths.length ? readPaths.map(describeReadPath).join(" | ") : "not recorded",
      description:
        describeLayout(layout) + (storage?.encoder ? `, written by ${storage.encoder}` : "") + (engine !== "layoutbench" ? `, read by ${engine}` : ""),
      chunks: chunksOf(layout),
      bytesOnDisk: storage?.bytesOnDisk ?? null,
      files: storage?.files ?? null,
      compressionRatio: storage?.compressionRatio ?? null,
      costByCache,
      ...(() => {
        const memory = layoutMemory(groups.flatMap((g) => g.rows.filter((r) => r.layout === layout.name)));
        return memory ? { memory } : {};
      })(),
    };
  });

  const scenario = results.scenarios.find((s) => s.name === first.scenario);
  const wanted = scenario?.recommendation.cache ?? caches;
  const engine: EngineName = scenario?.recommendation.engine ?? defaultRecommendationEngine([...new Set(unique.map(engineOf))]);
  const shape = first.dataset.shape;
  const dataset = {
    key,
    scenario: first.scenario,
    name: first.dataset.name,
    shape,
    dtype: first.dataset.dtype,
    logicalBytes: shape.reduce((a, b) => a * b, 1) * (ITEM_BYTES[first.dataset.dtype] ?? 0),
    layouts,
    patterns,
    groups,
  };
  const memory = memoryVerdict(layouts, scenario?.memoryBudget, dataset.logicalBytes);
  const ranked = rankedLayouts(dataset, memory);
  const rankedOnly = ranked.names.size === layouts.length && ranked.excluded.length === 0;
  const rankedDataset = rankedOnly
    ? dataset
    : {
        ...dataset,
        layouts: layouts.filter((l) => ranked.names.has(l.name)),
        groups: groups.map((g) => ({ ...g, rows: g.rows.filter((r) => ranked.names.has(r.layout)) })),
      };
  const recommended = recommend(
    rankedDataset,
    caches.filter((c) => wanted.includes(c)),
    settings,
    engine,
  );
  const recommendation = {
    ...recommended,
    excluded: [...recommended.excluded, ...ranked.excluded],
    ...(memory ? { memory } : {}),
  };
  const readersRun = unique.some((c) => c.memory || c.readers);
  return {
    ...dataset,
    recommendation,
    verdict: buildVerdict(rankedDataset, recommendation, settings),
    ...(readersRun ? { cores: results.context.cpus } : {}),
  };
}

/** The distinct read paths of a layout's cases, in case order. */
function distinctReadPaths(cases: readonly CaseResult[]): ReadPath[] {
  const seen = new Map<string, ReadPath>();
  for (const c of cases) if (c.readPath) seen.set(canonicalJson(c.readPath), c.readPath);
  return [...seen.values()];
}

function runWarnings(results: ResultsFile): WarningView[] {
  const out: WarningView[] = [];
  const run = (v: WarningVariant) => out.push({ caseId: null, scope: "run", code: v.code, message: warningMessage(v) });
  if (results.finishedAt === null) {
    const incomplete = results.cases.filter((c) => c.warnings.some((w) => w.code === "incomplete")).length;
    run({ code: "interrupted", completed: results.cases.length - incomplete, incomplete });
  }
  if (!results.context.eviction.verified && results.cases.some((c) => c.cache === "cold")) {
    run({ code: "eviction-unverified", method: results.context.eviction.method, detail: results.context.eviction.detail });
  }
  if (results.cases.length === 0) run({ code: "interrupted", completed: null, incomplete: 0 });
  return out;
}

/**
 * The view model of a results file. `options` fixes the bootstrap (seed, resamples,
 * confidence) so the same file always gives the same report.
 */
/**
 * Reads by other engines, and from remote storage, become rows of their own, "npy (python)",
 * "zarr-lz4 (zarrita)", "zarr-lz4 (s3-100MBps-20ms)", next to
 * layoutbench's "npy": every table and chart then shows the implementations side by side with the ratio.
 */
function engineLabel(c: CaseResult): CaseResult {
  const engine = engineOf(c);
  // Reads from remote storage are rows of their own too, named by the storage's label.
  if (engine === "layoutbench" && !c.storageLocation) return c;
  return { ...c, layout: { ...c.layout, name: layoutLabel(c.layout.name, engine, c.storageLocation?.label) } };
}

export function buildReportModel(results: ResultsFile, options: ReportOptions = {}): ReportModel {
  const settings = bootstrapSettings(options);
  const warnings = runWarnings(results);
  const byDataset = groupBy(results.cases.map(engineLabel).map(readersLabelled), (c) => `${c.scenario}/${c.dataset.name}`);
  const datasets = [...byDataset].map(([key, cases]) => buildDataset(key, cases, results, settings, warnings));
  const names = results.scenarios.map((s) => s.name);
  const failed = results.cases.filter((c) => c.status === "failed").length;
  const remote = remoteSection(results.cases);
  return {
    // Only when some case read remote storage, so other reports stay as they were.
    ...(remote ? { remote } : {}),
    title: `layoutbench report: ${names.length ? names.join(", ") : "(no scenario)"}`,
    startedAt: results.startedAt,
    finishedAt: results.finishedAt,
    scenarios: results.scenarios.map((s) => ({
      name: s.name,
      description: s.description,
      file: s.file,
      hash: s.hash,
      recommendationCache: s.recommendation.cache,
      ...(s.sweeps ? { sweeps: s.sweeps } : {}),
    })),
    context: contextItems(results, settings),
    datasets,
    warnings,
    counts: { cases: results.cases.length, ok: results.cases.length - failed, failed },
    statistics: { confidence: settings.confidence, resamples: settings.resamples, seed: settings.seed },
  };
}
