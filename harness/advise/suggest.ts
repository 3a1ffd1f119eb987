/**
 * The chunk-shape advisor: for a dataset and the scenario's weighted read patterns, every candidate
 * chunk shape is costed from first principles (predict.ts), the best overall and the best for each
 * pattern are proposed, each with one line of reasoning, with a contiguous file as the baseline.
 *
 * The cost of one round of the workload is Σ over patterns of weight × (bytes read + CHUNK_COST_BYTES
 * per chunk touched): bytes read stand for transfer and decoding, and the per-chunk term for what
 * every chunk costs whatever its size (a request or file open, an index lookup, a decoder call).
 * Pure.
 */
import { expandPattern } from "../access/patterns.ts";
import { itemSize } from "../core/dtype.ts";
import { elementCount, type Selection } from "../core/selection.ts";
import { patternFor } from "../scenario/resolve.ts";
import type { DatasetSpec, PatternSpec } from "../scenario/types.ts";
import { type ChunkLimits, candidateChunks, DEFAULT_LIMITS, gridCount } from "./candidates.ts";
import { type Cost, chunkedCost, contiguousCost } from "./predict.ts";

/** What touching one more chunk costs, in bytes of transfer: ~0.1 ms of fixed cost at ~640 MB/s. */
export const CHUNK_COST_BYTES = 64 * 1024;
/** Selections per pattern costed (random positions: a sample of this many stands for the rest). */
export const MAX_COSTED_SELECTIONS = 2000;
/** Most chunk shapes proposed. */
export const MAX_PROPOSED = 5;

export interface PatternCost {
  readonly pattern: string;
  readonly weight: number;
  /** Per selection, averaged. */
  readonly unitsPerSelection: number;
  readonly bytesReadPerSelection: number;
  readonly bytesRequestedPerSelection: number;
  readonly amplification: number;
}

export interface Proposal {
  readonly chunks: readonly number[];
  readonly chunkBytes: number;
  readonly gridChunks: number;
  /** Σ weight × (bytes read + CHUNK_COST_BYTES × chunks) per round of the workload, all selections. */
  readonly cost: number;
  /** Σ weight × bytes read / Σ weight × bytes requested. */
  readonly amplification: number;
  readonly patterns: readonly PatternCost[];
  /** Why it is proposed: "best overall", "best for rows". */
  readonly because: readonly string[];
}

export interface Advice {
  readonly dataset: DatasetSpec;
  readonly candidates: number;
  /** Best first. */
  readonly proposals: readonly Proposal[];
  /** The same patterns on a contiguous C-order file (pages of 4 KiB), or null past the run limit. */
  readonly contiguous: { readonly amplification: number; readonly patterns: readonly PatternCost[] } | null;
}

interface Costed {
  readonly pattern: PatternSpec;
  readonly selections: readonly Selection[];
  /** Selections the pattern makes / selections costed. */
  readonly scale: number;
}

function patternCost(c: Costed, cost: Cost): PatternCost {
  const n = Math.max(1, cost.selections);
  return {
    pattern: c.pattern.name,
    weight: c.pattern.weight,
    unitsPerSelection: cost.units / n,
    bytesReadPerSelection: cost.bytesRead / n,
    bytesRequestedPerSelection: cost.bytesRequested / n,
    amplification: cost.bytesRequested > 0 ? cost.bytesRead / cost.bytesRequested : 0,
  };
}

function weighted(costed: readonly Costed[], costs: readonly Cost[]): { cost: number; amplification: number } {
  let cost = 0;
  let read = 0;
  let requested = 0;
  costs.forEach((k, i) => {
    const w = costed[i].pattern.weight * costed[i].scale;
    cost += w * (k.bytesRead + CHUNK_COST_BYTES * k.units);
    read += w * k.bytesRead;
    requested += w * k.bytesRequested;
  });
  return { cost, amplification: requested > 0 ? read / requested : 0 };
}

/** Proposals for `dataset` under the read patterns of `patterns` (writes are not costed). */
export function adviseChunks(dataset: DatasetSpec, patterns: readonly PatternSpec[], limits: ChunkLimits = DEFAULT_LIMITS): Advice {
  const bytes = itemSize(dataset.dtype);
  const costed: Costed[] = patterns
    .filter((p) => p.op === "read" && p.weight > 0)
    .map((p) => {
      const all = expandPattern(patternFor(p, dataset.shape.length), dataset.shape, bytes);
      const selections = all.slice(0, MAX_COSTED_SELECTIONS);
      return { pattern: p, selections, scale: all.length / Math.max(1, selections.length) };
    });
  const shapes = candidateChunks(dataset.shape, bytes, limits);
  const all = shapes.map((chunks) => {
    const costs = costed.map((c) => chunkedCost(c.selections, chunks, bytes));
    const w = weighted(costed, costs);
    return { chunks, costs, ...w };
  });
  const byCost = [...all].sort((a, b) => a.cost - b.cost || compareShapes(a.chunks, b.chunks));
  const picked = new Map<string, { entry: (typeof all)[number]; because: string[] }>();
  const pick = (entry: (typeof all)[number] | undefined, because: string) => {
    if (!entry) return;
    const key = entry.chunks.join("x");
    const p = picked.get(key);
    if (p) p.because.push(because);
    else if (picked.size < MAX_PROPOSED) picked.set(key, { entry, because: [because] });
  };
  pick(byCost[0], "best overall");
  costed.forEach((c, i) => {
    const best = [...all].sort((a, b) => patternCostOf(a.costs[i]) - patternCostOf(b.costs[i]) || a.cost - b.cost || compareShapes(a.chunks, b.chunks))[0];
    pick(best, `best for ${c.pattern.name}`);
  });
  for (const entry of byCost.slice(1)) {
    if (picked.size >= Math.min(MAX_PROPOSED, 3)) break;
    pick(entry, "next best overall");
  }
  const proposals = [...picked.values()]
    .map(({ entry, because }) => ({
      chunks: entry.chunks,
      chunkBytes: elementCount(entry.chunks) * bytes,
      gridChunks: gridCount(dataset.shape, entry.chunks),
      cost: entry.cost,
      amplification: entry.amplification,
      patterns: entry.costs.map((k, i) => patternCost(costed[i], k)),
      because,
    }))
    .sort((a, b) => a.cost - b.cost || compareShapes(a.chunks, b.chunks));
  const flat = costed.map((c) => contiguousCost(c.selections, dataset.shape, bytes));
  const contiguous = flat.every((k) => k !== null)
    ? { amplification: weighted(costed, flat as Cost[]).amplification, patterns: (flat as Cost[]).map((k, i) => patternCost(costed[i], k)) }
    : null;
  return { dataset, candidates: shapes.length, proposals, contiguous };
}

function patternCostOf(k: Cost): number {
  return k.bytesRead + CHUNK_COST_BYTES * k.units;
}

/** Larger chunks first among equals, then by axis: a stable order. */
function compareShapes(a: readonly number[], b: readonly number[]): number {
  const size = elementCount(b) - elementCount(a);
  if (size !== 0) return size;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return b[i] - a[i];
  return 0;
}
