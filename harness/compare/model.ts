/**
 * The comparison view model: two results files joined by case id, each case classified, counted
 * and ordered for reading. Every renderer (table, Markdown, JSON) formats this and nothing else.
 * Pure.
 */
import type { CaseResult, ResultsFile } from "../run/results-types.ts";
import {
  type CaseSamples,
  type CaseVerdict,
  classifyCase,
  REGRESSION_CLASSES,
  type RegressionClass,
  type RegressionRule,
  resolveRule,
} from "../stats/regression.ts";
import { compareContexts, type Difference } from "./compatibility.ts";
import type { ThresholdPolicy } from "./thresholds.ts";

/** What a run contributed to one case. */
export interface Side {
  readonly medianMs: number;
  readonly q1Ms: number;
  readonly q3Ms: number;
  readonly samples: number;
}

export interface ComparedCase {
  readonly id: string;
  readonly baseline: Side | null;
  readonly current: Side | null;
  readonly verdict: CaseVerdict;
}

export interface RunLabel {
  /** As the user gave it. */
  readonly path: string;
  readonly startedAt: string;
  readonly machine: string;
}

export interface Comparison {
  readonly baseline: RunLabel;
  readonly current: RunLabel;
  readonly rule: RegressionRule;
  readonly defaultThreshold: number;
  readonly overrides: readonly { readonly pattern: string; readonly threshold: number }[];
  readonly differences: readonly Difference[];
  /** Blocks paired when the runs were measured alternately (`layoutbench ab`); null for independent runs. */
  readonly pairedBlocks: number | null;
  readonly counts: Readonly<Record<RegressionClass, number>>;
  /** Regressions first (largest first), then improvements, failures, added, removed, insufficient, unchanged. */
  readonly cases: readonly ComparedCase[];
}

/** Which classes make `compare` exit with code 3, per `--fail-on`. */
export const FAIL_ON = {
  regressed: ["regressed"],
  any: REGRESSION_CLASSES.filter((c) => c !== "unchanged"),
  never: [],
} as const satisfies Record<string, readonly RegressionClass[]>;
export type FailOn = keyof typeof FAIL_ON;

/** True when the comparison holds a case of a class that `failOn` fails on. */
export function shouldFail(comparison: Comparison, failOn: FailOn): boolean {
  return (FAIL_ON[failOn] as readonly RegressionClass[]).some((c) => comparison.counts[c] > 0);
}

function side(c: CaseResult | undefined): Side | null {
  if (c?.status !== "ok" || !c.summary) return null;
  return { medianMs: c.summary.medianMs, q1Ms: c.summary.q1Ms, q3Ms: c.summary.q3Ms, samples: c.summary.samples };
}

function samplesOf(c: CaseResult | undefined): CaseSamples | undefined {
  return c && { status: c.status, samplesMs: c.samples.map((s) => s.ms), rounds: c.samples.map((s) => s.round), error: c.error };
}

function label(path: string, r: ResultsFile): RunLabel {
  return { path, startedAt: r.startedAt, machine: `${r.context.cpuModel} ×${r.context.cpus}, ${r.context.filesystem}, Node ${r.context.node}` };
}

/** The blocks two runs of one alternation share (`layoutbench ab`), or null when they were measured apart. */
function pairedBlocksOf(baseline: ResultsFile, current: ResultsFile): number | null {
  const a = baseline.pairing;
  const b = current.pairing;
  return a && b && a.id === b.id && a.side !== b.side ? Math.min(a.blocks, b.blocks) : null;
}

/** How far from "no change" a verdict is, for ordering: |log ratio|, 0 without a ratio. */
function distance(v: CaseVerdict): number {
  return "ratio" in v ? Math.abs(Math.log(v.ratio)) : 0;
}

export interface CompareOptions {
  readonly baselinePath: string;
  readonly currentPath: string;
  readonly thresholds: ThresholdPolicy;
  readonly rule?: Partial<RegressionRule>;
  /** Bootstrap resamples (default that of compareMedians). */
  readonly resamples?: number;
}

/**
 * Joins the runs by case id (baseline order, then cases only in the current run) and classifies
 * each case with its threshold. Deterministic: each case's bootstrap is seeded by its id.
 */
export function buildComparison(baseline: ResultsFile, current: ResultsFile, options: CompareOptions): Comparison {
  const rule = resolveRule(options.rule);
  const baselineCases = new Map(baseline.cases.map((c) => [c.id, c]));
  const currentCases = new Map(current.cases.map((c) => [c.id, c]));
  const ids = [...new Set([...baselineCases.keys(), ...currentCases.keys()])];
  const pairedBlocks = pairedBlocksOf(baseline, current);
  const compared = ids.map((id): ComparedCase => {
    const b = baselineCases.get(id);
    const c = currentCases.get(id);
    const verdict = classifyCase(samplesOf(b), samplesOf(c), {
      id,
      threshold: options.thresholds.thresholdFor(id),
      rule,
      resamples: options.resamples,
      paired: pairedBlocks !== null,
    });
    return { id, baseline: side(b), current: side(c), verdict };
  });
  const rank = new Map(REGRESSION_CLASSES.map((c, i) => [c, i]));
  const cases = compared
    .map((c, i) => ({ c, i }))
    .sort((x, y) => rank.get(x.c.verdict.class)! - rank.get(y.c.verdict.class)! || distance(y.c.verdict) - distance(x.c.verdict) || x.i - y.i)
    .map(({ c }) => c);
  const counts = Object.fromEntries(REGRESSION_CLASSES.map((k) => [k, 0])) as Record<RegressionClass, number>;
  for (const c of cases) counts[c.verdict.class]++;
  return {
    baseline: label(options.baselinePath, baseline),
    current: label(options.currentPath, current),
    rule,
    defaultThreshold: options.thresholds.defaultThreshold,
    overrides: options.thresholds.overrides.map((o) => ({ pattern: o.pattern, threshold: o.threshold })),
    differences: compareContexts(baseline, current),
    pairedBlocks,
    counts,
    cases,
  };
}
