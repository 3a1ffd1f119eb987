/**
 * One run out of its blocks: `layoutbench ab` measures each side of an alternation as a series of
 * one-round runs (blocks), and this joins a side's block files into one results file whose samples
 * carry their block as `round`, so `compare` can pair block k of one side with block k of the
 * other. Pure.
 */
import type { CaseResult, Pairing, ResultsFile, Sample, Warning } from "../run/results-types.ts";
import { caseWarnings, summarize } from "../run/summary.ts";
import { warning } from "../run/warnings.ts";

/** Warnings a block's record knows and its samples do not (the rest are recomputed over all blocks). */
const CARRIED: ReadonlySet<Warning["code"]> = new Set(["self-verified", "read-path-fallback", "blosc-encoder-fallback"]);

/**
 * Joins `blocks` (block 1 first) of one side. `planned` is the number of blocks the alternation
 * set out to take: with fewer, the file reads as unfinished and every case says so.
 * Invariants: at least one block; every block measured the same scenarios.
 */
export function mergeBlocks(blocks: readonly ResultsFile[], pairing: Omit<Pairing, "blocks">, planned: number): ResultsFile {
  if (blocks.length === 0) throw new RangeError("mergeBlocks: no blocks to merge");
  const first = blocks[0];
  const verified = blocks.every((b) => b.context.eviction.verified);
  const ids = [...new Set(blocks.flatMap((b) => b.cases.map((c) => c.id)))];
  const cases = ids.map((id) =>
    mergeCase(
      blocks.map((b) => b.cases.find((c) => c.id === id)),
      planned,
      verified,
    ),
  );
  const last = blocks[blocks.length - 1];
  return {
    kind: first.kind,
    version: first.version,
    startedAt: first.startedAt,
    finishedAt: blocks.length === planned ? last.finishedAt : null,
    pairing: { ...pairing, blocks: blocks.length },
    context: { ...first.context, eviction: { ...first.context.eviction, verified } },
    scenarios: first.scenarios,
    cases,
  };
}

/** One case over the blocks (`records[k]` is block k + 1's record, undefined where it is missing). */
function mergeCase(records: readonly (CaseResult | undefined)[], planned: number, evictionVerified: boolean): CaseResult {
  const present = records.filter((r): r is CaseResult => r !== undefined);
  const base = present[0];
  const failedAt = records.findIndex((r) => r?.status === "failed");
  const finishedAt = present[present.length - 1].finishedAt;
  if (failedAt >= 0) {
    const failed = records[failedAt]!;
    return { ...failed, error: `block ${failedAt + 1}: ${failed.error}`, startedAt: base.startedAt, finishedAt };
  }
  const samples: Sample[] = records.flatMap((r, k) => (r ? r.samples.map((s) => ({ ...s, round: k + 1 })) : []));
  const summary = summarize(samples, base.summary?.bytesRequested ?? 0);
  const warnings = caseWarnings(samples, summary, base.cache === "cold", base.pattern.op, evictionVerified);
  const carried = new Map(
    present
      .flatMap((r) => r.warnings)
      .filter((w) => CARRIED.has(w.code))
      .map((w) => [`${w.code}: ${w.message}`, w]),
  );
  warnings.push(...carried.values());
  // A fallback in any block is a fallback of the merged case.
  const fallbacks = [...new Set(present.flatMap((r) => r.readPath?.fallbacks ?? []))];
  const readPath = base.readPath && { ...base.readPath, fallbacks };
  const taken = records.filter((r) => r && !r.warnings.some((w) => w.code === "incomplete")).length;
  if (taken < planned) {
    warnings.push(warning({ code: "incomplete", taken, planned, unit: "blocks" }));
  }
  return { ...base, ...(readPath ? { readPath } : {}), samples, summary, warnings, finishedAt };
}
