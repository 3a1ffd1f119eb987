/**
 * Estimated cost of each case, in milliseconds of sampling, to balance shards. From an earlier run
 * when it measured the case (the time its samples took), else from a model of the bytes the case
 * moves: samples × (a fixed cost per sample + bytes per sample ÷ a rate for its cache state and
 * operation). The model only has to rank cases and keep their ratios roughly right; the constants
 * are named here and documented in docs/sharded-runs.md. Pure.
 */
import { expandPattern, requestedBytes } from "../access/patterns.ts";
import { itemSize } from "../core/dtype.ts";
import type { CaseResult } from "../run/results-types.ts";
import type { CaseSpec } from "../scenario/types.ts";

/** The model's constants: rates a cold read from local disk and a warm read from the page cache reach on a small machine. */
export const COST_MODEL = {
  coldReadBytesPerS: 100e6,
  warmReadBytesPerS: 1e9,
  writeBytesPerS: 200e6,
  /** Eviction, residency check, open and verification around a cold sample. */
  coldSampleMs: 20,
  warmSampleMs: 2,
} as const;

export interface CaseCost {
  readonly id: string;
  readonly costMs: number;
  /** Bytes one sample asks for. */
  readonly bytesPerSample: number;
  readonly samples: number;
  readonly from: "results" | "model";
}

/** Milliseconds the model gives a case that moves `bytes` per sample. */
export function modelCostMs(spec: Pick<CaseSpec, "cache" | "pattern">, samples: number, bytes: number): number {
  const m = COST_MODEL;
  const rate = spec.pattern.op === "write" ? m.writeBytesPerS : spec.cache === "cold" ? m.coldReadBytesPerS : m.warmReadBytesPerS;
  const fixed = spec.cache === "cold" ? m.coldSampleMs : m.warmSampleMs;
  return samples * (fixed + (bytes / rate) * 1000);
}

/** Milliseconds an earlier run spent on a case's timed reads and opens; undefined when it has no samples. */
export function measuredCostMs(result: CaseResult): number | undefined {
  if (result.samples.length === 0) return undefined;
  return result.samples.reduce((sum, s) => sum + s.ms * (s.passes ?? 1) + s.openMs, 0);
}

/** Each case's cost: measured in `earlier` (by case id) when there, else modelled. */
export function estimateCosts(cases: readonly CaseSpec[], earlier: ReadonlyMap<string, CaseResult> = new Map()): CaseCost[] {
  return cases.map((spec) => {
    const samples = spec.scenario.sampling.samples;
    const bytesPerSample = requestedBytes(expandPattern(spec.pattern, spec.dataset.shape, itemSize(spec.dataset.dtype)), itemSize(spec.dataset.dtype));
    const before = earlier.get(spec.id);
    const measured = before ? measuredCostMs(before) : undefined;
    if (measured !== undefined && before) {
      // An earlier run with fewer samples (e.g. --samples) is scaled to this plan's count.
      const costMs = (measured / before.samples.length) * samples;
      return { id: spec.id, costMs, bytesPerSample, samples, from: "results" };
    }
    return { id: spec.id, costMs: modelCostMs(spec, samples, bytesPerSample), bytesPerSample, samples, from: "model" };
  });
}
