/**
 * A plan: the cases of one or more scenarios (after `--filter`), each with its stable id and
 * estimated cost, and the plan id that every shard of it records. The id covers what decides which
 * cases exist (the scenario hashes, the harness version and the case ids), sorted, so the order of
 * the scenario files on the command line does not change it. Pure.
 */
import { canonicalJson, sha256 } from "../core/digest.ts";
import { GENERATOR_VERSION } from "../data/generate.ts";
import type { PlanRef } from "../run/shard-record.ts";
import type { DatasetSpec, Scenario } from "../scenario/types.ts";
import type { CaseCost } from "./cost.ts";
import { partition } from "./partition.ts";

export const PLAN_KIND = "layoutbench-plan";
export const PLAN_VERSION = 1;

export interface PlannedCase extends CaseCost {
  readonly scenario: string;
}

export interface Plan {
  readonly kind: typeof PLAN_KIND;
  readonly version: number;
  readonly id: string;
  readonly harness: string;
  readonly scenarios: readonly { readonly name: string; readonly file: string; readonly hash: string }[];
  readonly datasetDigest: string;
  readonly costDigest: string;
  readonly totalCostMs: number;
  readonly cases: readonly PlannedCase[];
}

export function planId(scenarioHashes: readonly string[], harnessVersion: string, caseIds: readonly string[]): string {
  return sha256(canonicalJson({ scenarios: [...scenarioHashes].sort(), harness: harnessVersion, cases: [...caseIds].sort() }));
}

/** Identifies a source file's content for the dataset digest (the caller stats it: size and mtime). */
export type SourceStamp = (path: string) => string;

/** sha256 over what determines every dataset's values: generated ones by their spec, sources by their file's stamp. */
export function datasetDigest(datasets: readonly DatasetSpec[], sourceStamp: SourceStamp): string {
  const parts = datasets.map((d) =>
    d.source
      ? { source: d.source.path, format: d.source.format, dataset: d.source.dataset ?? null, stamp: sourceStamp(d.source.path) }
      : { shape: d.shape, dtype: d.dtype, generator: d.generator, seed: d.seed, generatorVersion: GENERATOR_VERSION },
  );
  return sha256(canonicalJson(parts.map((p) => canonicalJson(p)).sort()));
}

/** sha256 over the costs a partition is balanced with (rounded to a microsecond so re-reading a plan file keeps it). */
export function costDigest(costs: readonly { id: string; costMs: number }[]): string {
  const rows = costs.map((c) => [c.id, Math.round(c.costMs * 1000)] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return sha256(canonicalJson(rows));
}

export function buildPlan(scenarios: readonly Scenario[], costs: readonly CaseCost[], harnessVersion: string, sourceStamp: SourceStamp): Plan {
  const scenarioOf = (id: string) => id.slice(0, id.indexOf("/"));
  const datasets = scenarios.flatMap((s) => s.datasets.filter((d) => costs.some((c) => c.id.startsWith(`${s.name}/${d.name}/`))));
  return {
    kind: PLAN_KIND,
    version: PLAN_VERSION,
    id: planId(
      scenarios.map((s) => s.hash),
      harnessVersion,
      costs.map((c) => c.id),
    ),
    harness: harnessVersion,
    scenarios: scenarios.map((s) => ({ name: s.name, file: s.file, hash: s.hash })),
    datasetDigest: datasetDigest(datasets, sourceStamp),
    costDigest: costDigest(costs),
    totalCostMs: costs.reduce((a, c) => a + c.costMs, 0),
    cases: costs.map((c) => ({ ...c, scenario: scenarioOf(c.id) })),
  };
}

/** What a shard's results file records of its plan. */
export function planRef(plan: Plan): PlanRef {
  return { id: plan.id, cases: plan.cases.length, datasetDigest: plan.datasetDigest, costDigest: plan.costDigest };
}

/** The case ids of shard `index` of `count` (1-based). */
export function shardCaseIds(plan: Plan, index: number, count: number): string[] {
  return partition(plan.cases, count)[index - 1];
}

/** Plain text: one line per case (id, estimated seconds, source of the estimate), then totals. */
export function formatPlan(plan: Plan, shards?: number): string {
  const width = Math.max(2, ...plan.cases.map((c) => c.id.length));
  const lines = [`plan ${plan.id.slice(0, 12)}: ${plan.cases.length} cases, estimated ${(plan.totalCostMs / 1000).toFixed(1)} s of sampling`];
  lines.push(`${"id".padEnd(width)}  ${"est. s".padStart(8)}  from`);
  for (const c of plan.cases) lines.push(`${c.id.padEnd(width)}  ${(c.costMs / 1000).toFixed(2).padStart(8)}  ${c.from}`);
  if (shards) {
    const parts = partition(plan.cases, shards);
    const cost = new Map(plan.cases.map((c) => [c.id, c.costMs]));
    parts.forEach((ids, i) => {
      const ms = ids.reduce((a, id) => a + (cost.get(id) ?? 0), 0);
      lines.push(`shard ${i + 1}/${shards}: ${ids.length} case${ids.length === 1 ? "" : "s"}, estimated ${(ms / 1000).toFixed(1)} s`);
    });
  }
  return lines.join("\n");
}
