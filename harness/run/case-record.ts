/**
 * A case as it goes through the rounds, and the record the results file holds for it: failed,
 * finished, or incomplete (rounds still to come). Pure apart from the timestamp it is given.
 */
import type { DecodeRate } from "../backends/decode-speed.ts";
import type { ReadPath } from "../engines/types.ts";
import { isDefaultReaders } from "../scenario/readers.ts";
import type { CaseSpec } from "../scenario/types.ts";
import { type CaseMemory, withinBudget } from "./memory.ts";
import type { Prepared } from "./prepare.ts";
import { readersSummary } from "./readers-aggregate.ts";
import type { CaseResult, RecordBasis, Sample, StorageInfo, StorageLocation } from "./results-types.ts";
import { caseWarnings, summarize } from "./summary.ts";
import { warning } from "./warnings.ts";

/** One case through the rounds: what it needs to sample, and what it has taken so far. */
export interface CaseRun {
  readonly spec: CaseSpec;
  readonly index: number;
  startedAt: string;
  /** Set once the case cannot be sampled (materialization, reference reads or a pass failed). */
  failure?: CaseResult;
  prepared?: Prepared;
  /** What the case's record needs beyond its samples; set by the process that sampled it. */
  basis?: RecordBasis;
  samples: Sample[];
  /** Passes per warm sample, fixed by the first round. */
  passes?: number;
  roundsDone: number;
  /** The path the reads took, as the engine session last reported it (fallbacks of every round included). */
  readPath?: ReadPath;
  /** Cases read by reader processes: their memory at the end of the last round's reads. */
  memory?: CaseMemory;
  /** Remote cases: where the layout was read from, once its storage was reached. */
  location?: StorageLocation;
  /** Remote cases read by the chunk reader: its decoder's decode-only speed (run/decode-rate.ts). */
  decodeRate?: DecodeRate;
}

function caseBase(run: CaseRun) {
  const { spec } = run;
  return {
    id: spec.id,
    scenario: spec.scenario.name,
    dataset: spec.dataset,
    layout: spec.layout,
    pattern: spec.pattern,
    cache: spec.cache,
    engine: spec.engine,
    ...(spec.readers && !isDefaultReaders(spec.readers) ? { readers: spec.readers } : {}),
    ...(run.readPath ? { readPath: run.readPath } : {}),
    ...(run.location ? { storageLocation: run.location } : {}),
    ...(run.decodeRate ? { decodeRate: run.decodeRate } : {}),
    startedAt: run.startedAt,
  };
}

/** Marks the case failed with a one-line error. */
export function fail(run: CaseRun, error: string, storage: StorageInfo | null, finishedAt: string): void {
  run.failure = {
    ...caseBase(run),
    status: "failed",
    error,
    storage,
    samples: [],
    summary: null,
    warnings: [],
    finishedAt,
  };
}

/** The case as the results file holds it now. */
export function recordOf(run: CaseRun, evictionVerified: boolean, finishedAt: string): CaseResult {
  if (run.failure) return run.failure;
  const { spec } = run;
  const basis = run.basis!;
  const summary = summarize(run.samples, basis.bytesRequested);
  const warnings = caseWarnings(run.samples, summary, spec.cache === "cold", spec.pattern.op, evictionVerified);
  for (const fallback of run.readPath?.fallbacks ?? []) {
    warnings.push(warning({ code: "read-path-fallback", engine: run.readPath!.engine, fallback }));
  }
  if (basis.encoderFallback) {
    warnings.push(warning({ code: "blosc-encoder-fallback", encoder: basis.storage.encoder ?? "another encoder", reason: basis.encoderFallback.reason }));
  }
  if (basis.selfVerified) {
    warnings.push(warning({ code: "self-verified", format: spec.dataset.source?.format ?? "source" }));
  }
  const budget = spec.scenario.memoryBudget;
  if (budget !== undefined && run.memory && !withinBudget(run.memory, budget)) {
    warnings.push(warning({ code: "memory-budget", budget, anonBytes: run.memory.maxAnonGrowthBytes }));
  }
  const rounds = spec.scenario.sampling.rounds;
  if (run.roundsDone < rounds) {
    warnings.push(warning({ code: "incomplete", taken: run.roundsDone, planned: rounds, unit: "rounds" }));
  }
  return {
    ...caseBase(run),
    ...(run.memory ? { memory: run.memory } : {}),
    ...(() => {
      const r = readersSummary(run.samples);
      return r ? { readersSummary: r } : {};
    })(),
    status: "ok",
    storage: basis.storage,
    samples: run.samples,
    summary,
    warnings,
    finishedAt,
  };
}

/** The log line of a finished case. */
export function formatLine(r: CaseResult, index: number, total: number): string {
  const head = `[${index}/${total}] ${r.id}`;
  if (r.status === "failed" || !r.summary) return `${head}  FAILED: ${r.error}`;
  const s = r.summary;
  const mbps = s.throughput / 1e6;
  return (
    `${head}  median ${s.medianMs.toFixed(2)} ms  ${mbps >= 100 ? mbps.toFixed(0) : mbps.toFixed(1)} MB/s  ` +
    `read ${(s.bytesRead / 1024).toFixed(0)} KiB (${s.readAmplification.toFixed(s.readAmplification < 10 ? 2 : 0)}×)` +
    (r.warnings.length ? `  ⚠ ${r.warnings.map((w) => w.code).join(",")}` : "")
  );
}
