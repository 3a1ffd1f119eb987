/**
 * Pure judging for `npm run bench:engines`: the harness's time over the Python stack's per case,
 * and ranking inversions between layouts, each from bootstrap intervals of ratios of medians
 * (stats/compare.ts), never from point medians alone: two runs of the same cases ranked by medians
 * showed different single inversions, both noise.
 */

import type { SchedCounters } from "../run/results-types.ts";
import { PREEMPTION_LIMIT, preemptedShare } from "../run/sampler.ts";
import { DEFAULT_SEED } from "../stats/bootstrap.ts";
import { type Comparison, compareMedians } from "../stats/compare.ts";
import { deriveSeed } from "../stats/prng.ts";

/** One case's timings as the judging needs them. */
export interface EngineCase {
  readonly layout: string;
  readonly pattern: string;
  readonly cache: string;
  readonly engine: string;
  readonly samplesMs: readonly number[];
  /** Round of each sample, for the two-stage bootstrap (see stats/bootstrap.ts). */
  readonly rounds?: readonly number[];
}

/** "within": the interval of harness ÷ Python lies at or under the target; "outside": above it. */
export type TargetVerdict = "within" | "outside" | "unclear";

export interface RatioRow {
  readonly layout: string;
  readonly pattern: string;
  readonly cache: string;
  readonly harnessMs: number | null;
  readonly pythonMs: number | null;
  /** median(harness) / median(python) with its interval; null when either side lacks 2 samples. */
  readonly ratio: Comparison | null;
  readonly verdict: TargetVerdict | null;
}

export interface Inversion {
  readonly pattern: string;
  readonly cache: string;
  /** The layout the Python stack finds faster. */
  readonly faster: string;
  readonly slower: string;
  /** median(slower) / median(faster) for each engine: above 1 for Python, below 1 for the harness. */
  readonly python: Comparison;
  readonly harness: Comparison;
}

/** A recorded sample as the judging reads it. */
export interface TimedSample {
  readonly ms: number;
  readonly round?: number;
  readonly sched?: SchedCounters;
}

/**
 * The samples the scheduler left alone: a sample whose reader waited on the run queue (or lost to
 * steal) for more than PREEMPTION_LIMIT of its wall time — the ones reports flag "preempted" —
 * measured the machine's load, not the read. Samples without scheduler counters are kept.
 */
export function unpreempted<T extends TimedSample>(samples: readonly T[]): T[] {
  return samples.filter((s) => !s.sched || preemptedShare(s.sched) <= PREEMPTION_LIMIT);
}

const median = (v: readonly number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** `candidate / baseline` with a seeded interval, or null when either has fewer than 2 samples. */
function ratioOf(candidate: EngineCase | undefined, baseline: EngineCase | undefined, seed: number): Comparison | null {
  if (!candidate || !baseline || candidate.samplesMs.length < 2 || baseline.samplesMs.length < 2) return null;
  if (baseline.samplesMs.some((v) => v <= 0)) return null;
  return compareMedians(candidate.samplesMs, baseline.samplesMs, { seed }, { candidate: candidate.rounds, baseline: baseline.rounds });
}

const keyOf = (c: { layout: string; pattern: string; cache: string }, engine: string) => `${c.layout}\u0000${c.pattern}\u0000${c.cache}\u0000${engine}`;

/**
 * Per (layout, pattern, cache) the two engines hold: the ratio harness ÷ python with its interval
 * and whether it lies within `target`. Rows keep the order of first appearance.
 */
export function engineRatios(cases: readonly EngineCase[], target: number, harness = "layoutbench", python = "python"): RatioRow[] {
  const byKey = new Map(cases.map((c) => [keyOf(c, c.engine), c]));
  const rows: RatioRow[] = [];
  const seen = new Set<string>();
  for (const c of cases) {
    const key = keyOf(c, "");
    if (seen.has(key)) continue;
    seen.add(key);
    const js = byKey.get(keyOf(c, harness));
    const py = byKey.get(keyOf(c, python));
    if (!js && !py) continue;
    const ratio = ratioOf(js, py, deriveSeed(DEFAULT_SEED, "ratio", key));
    const verdict = ratio === null ? null : ratio.high <= target ? "within" : ratio.low > target ? "outside" : "unclear";
    rows.push({
      layout: c.layout,
      pattern: c.pattern,
      cache: c.cache,
      harnessMs: js?.samplesMs.length ? median(js.samplesMs) : null,
      pythonMs: py?.samplesMs.length ? median(py.samplesMs) : null,
      ratio,
      verdict,
    });
  }
  return rows;
}

/**
 * Pairs of layouts (same pattern and cache) the two engines rank in opposite orders with
 * confidence: the interval of one layout's time over the other's lies above 1 for one engine and
 * below 1 for the other. Each pair is judged once.
 */
export function rankingInversions(cases: readonly EngineCase[], harness = "layoutbench", python = "python"): Inversion[] {
  const byKey = new Map(cases.map((c) => [keyOf(c, c.engine), c]));
  const groups = new Map<string, Set<string>>();
  for (const c of cases) {
    const g = `${c.pattern}\u0000${c.cache}`;
    if (!groups.has(g)) groups.set(g, new Set());
    groups.get(g)!.add(c.layout);
  }
  const inversions: Inversion[] = [];
  for (const [g, layoutSet] of groups) {
    const [pattern, cache] = g.split("\u0000");
    const layouts = [...layoutSet];
    for (let i = 0; i < layouts.length; i++) {
      for (let j = i + 1; j < layouts.length; j++) {
        const at = (layout: string, engine: string) => byKey.get(keyOf({ layout, pattern, cache }, engine));
        const [a, b] = [layouts[i], layouts[j]];
        const py = ratioOf(at(b, python), at(a, python), deriveSeed(DEFAULT_SEED, "inversion", python, g, a, b));
        const js = ratioOf(at(b, harness), at(a, harness), deriveSeed(DEFAULT_SEED, "inversion", harness, g, a, b));
        if (!py || !js) continue;
        if (py.low > 1 && js.high < 1) inversions.push({ pattern, cache, faster: a, slower: b, python: py, harness: js });
        else if (py.high < 1 && js.low > 1) {
          inversions.push({ pattern, cache, faster: b, slower: a, python: invert(py), harness: invert(js) });
        }
      }
    }
  }
  return inversions;
}

/** The same comparison the other way round (a/b instead of b/a). */
function invert(c: Comparison): Comparison {
  const verdict = c.verdict === "faster" ? "slower" : c.verdict === "slower" ? "faster" : "tie";
  return { ratio: 1 / c.ratio, low: 1 / c.high, high: 1 / c.low, confidence: c.confidence, verdict };
}
