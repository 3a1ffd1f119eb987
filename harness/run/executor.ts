/**
 * Runs every case of one or more scenarios: materializes each (dataset, layout) once, samples each
 * case, and appends it to the results file as soon as it is finished. A failed case is data: it is
 * recorded with its error and the run goes on.
 */
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { backendFor } from "../backends/registry.ts";
import type { Stored } from "../backends/types.ts";
import { evictFiles } from "../cache/evict.ts";
import { residency } from "../cache/residency.ts";
import { acquireRunLock } from "../data/lock.ts";
import { ensureMaterialized, logicalBytes, type Materialized } from "../data/materialize.ts";
import { expandPattern, requestedBytes } from "../access/patterns.ts";
import { itemSize } from "../data/dtype.ts";
import { jsSession } from "../engines/js.ts";
import { pythonAvailable, pythonSupport, startPythonWorker, type PythonWorker } from "../engines/python.ts";
import { pythonSession } from "../engines/python-session.ts";
import { verifierFor } from "../engines/verify.ts";
import { UserError, VerificationError } from "../errors.ts";
import { expandCases } from "../scenario/expand.ts";
import type { CaseSpec, EvictionMethod, Scenario } from "../scenario/types.ts";
import { collectContext } from "./context.ts";
import { readIoCounters } from "./io-counters.ts";
import { progressBar } from "./progress.ts";
import { ResultsWriter } from "./results-file.ts";
import { RESULTS_KIND, RESULTS_VERSION, type CaseResult, type ResultsFile, type RunContext, type StorageInfo } from "./results-types.ts";
import { sampleCase, type CaseEnv } from "./sampler.ts";
import { caseWarnings, summarize } from "./summary.ts";

export interface RunOptions {
  readonly cacheRoot: string;
  readonly resultsPath: string;
  readonly filter: (id: string) => boolean;
  readonly rematerialize?: boolean;
  /** One line per finished case. */
  readonly log: (line: string) => void;
  /** Cases already finished (resume): they are kept and not run again. */
  readonly done?: readonly CaseResult[];
  /** Polled between samples and cases; true ends the run early, keeping what finished. */
  readonly interrupted?: () => boolean;
}

export function realEnv(method: EvictionMethod): CaseEnv {
  return {
    now: () => performance.now(),
    io: () => {
      const io = readIoCounters();
      return { readBytes: io.readBytes, writeBytes: io.writeBytes, majorFaults: io.majorFaults };
    },
    evict: async (files) => evictFiles(files, method),
    residency: (files) => residency(files).fraction,
  };
}

function storageInfo(m: Materialized): StorageInfo {
  const logical = logicalBytes(m.stored.dataset);
  return {
    bytesOnDisk: m.manifest.bytesOnDisk,
    files: m.manifest.files.length,
    compressionRatio: m.manifest.bytesOnDisk > 0 ? logical / m.manifest.bytesOnDisk : 0,
  };
}

/** Write cases work on a private copy, so the cached layout is never modified. */
function scratchCopy(cacheRoot: string, stored: Stored): Stored {
  const dir = join(cacheRoot, `.scratch-${process.pid}-${randomBytes(4).toString("hex")}`);
  cpSync(stored.dir, dir, { recursive: true });
  rmSync(join(dir, "manifest.json"), { force: true });
  return { ...stored, dir };
}

function formatLine(r: CaseResult, index: number, total: number): string {
  const head = `[${index}/${total}] ${r.id}`;
  if (r.status === "failed" || !r.summary) return `${head}  FAILED: ${r.error}`;
  const s = r.summary;
  const mbps = s.throughput / 1e6;
  return `${head}  median ${s.medianMs.toFixed(2)} ms  ${mbps >= 100 ? mbps.toFixed(0) : mbps.toFixed(1)} MB/s  ` +
    `read ${(s.bytesRead / 1024).toFixed(0)} KiB (${s.readAmplification.toFixed(s.readAmplification < 10 ? 2 : 0)}×)` +
    (r.warnings.length ? `  ⚠ ${r.warnings.map((w) => w.code).join(",")}` : "");
}

export async function runScenarios(scenarios: readonly Scenario[], options: RunOptions): Promise<ResultsFile> {
  const release = acquireRunLock(options.cacheRoot, `run ${scenarios.map((s) => s.name).join(", ")}`);
  try {
    return await runLocked(scenarios, options);
  } finally {
    release();
  }
}

async function runLocked(scenarios: readonly Scenario[], options: RunOptions): Promise<ResultsFile> {
  const method = scenarios.some((s) => s.eviction === "drop_caches") ? "drop_caches" : "fadvise";
  const context = await collectContext(options.cacheRoot, method);
  const doneIds = new Set((options.done ?? []).map((c) => c.id));
  const wanted = scenarios.flatMap(expandCases).filter((c) => options.filter(c.id) && !doneIds.has(c.id));
  const python = wanted.some((c) => c.engine === "python") ? await startPython() : null;
  try {
    const writer = new ResultsWriter(options.resultsPath, {
      kind: RESULTS_KIND, version: RESULTS_VERSION, startedAt: new Date().toISOString(), context,
      scenarios: scenarios.map((s) => ({ file: s.file, name: s.name, description: s.description, hash: s.hash, recommendation: s.recommendation })),
    }, options.done ?? []);
    return await runCases(supportedCases(wanted, python, options.log), python, writer, context, options);
  } finally {
    await python?.quit();
  }
}

/** Starts the reference engine, or explains in one line what to install. */
async function startPython(): Promise<PythonWorker> {
  const available = await pythonAvailable();
  if (!available.ok) throw new UserError(`engines: python: ${available.reason}`);
  return startPythonWorker();
}

/** Python cases for layouts the reference stack cannot read are left out, each reason said once. */
function supportedCases(cases: readonly CaseSpec[], python: PythonWorker | null, log: (line: string) => void): CaseSpec[] {
  const said = new Set<string>();
  return cases.filter((c) => {
    if (c.engine !== "python" || !python) return true;
    const reason = pythonSupport(c.layout, { op: c.pattern.op, versions: python.versions });
    if (!reason) return true;
    const key = `${c.layout.name}: ${reason}`;
    if (!said.has(key)) log(`python engine skips ${key}`);
    said.add(key);
    return false;
  });
}

async function runCases(
  cases: readonly CaseSpec[], python: PythonWorker | null, writer: ResultsWriter, context: RunContext, options: RunOptions,
): Promise<ResultsFile> {
  const env = realEnv(context.eviction.method);
  const materialized = new Map<string, Materialized | Error>();
  let index = 0;

  for (const spec of cases) {
    if (options.interrupted?.()) break;
    index++;
    const startedAt = new Date().toISOString();
    const key = `${spec.scenario.name}/${spec.dataset.name}/${spec.layout.name}`;
    if (!materialized.has(key)) {
      const bar = progressBar(`materializing ${spec.dataset.name} as ${spec.layout.name}`);
      try {
        const m = await ensureMaterialized(options.cacheRoot, spec.dataset, spec.layout, {
          progress: (d, t) => bar.update(d, t), rematerialize: options.rematerialize,
        });
        bar.end(m.created ? `written in ${m.manifest.seconds.toFixed(1)} s, ${(m.manifest.bytesOnDisk / 2 ** 20).toFixed(1)} MiB on disk` : `reusing ${m.stored.dir}`);
        materialized.set(key, m);
      } catch (err) {
        bar.end(`failed: ${(err as Error).message}`);
        materialized.set(key, err as Error);
      }
    }
    const result = await runOne(spec, materialized.get(key)!, env, python, context.eviction.verified, options, startedAt);
    writer.add(result);
    options.log(formatLine(result, index, cases.length));
  }
  return writer.finish(options.interrupted?.() ?? false);
}

async function runOne(
  spec: CaseSpec, m: Materialized | Error, env: CaseEnv, python: PythonWorker | null, evictionVerified: boolean,
  options: RunOptions, startedAt: string,
): Promise<CaseResult> {
  const base = {
    id: spec.id, scenario: spec.scenario.name, dataset: spec.dataset, layout: spec.layout, pattern: spec.pattern,
    cache: spec.cache, engine: spec.engine, startedAt,
  };
  const failed = (error: string, storage: StorageInfo | null): CaseResult => ({
    ...base, status: "failed", error, storage, samples: [], summary: null, warnings: [],
    peakRssBytes: process.resourceUsage().maxRSS * 1024, finishedAt: new Date().toISOString(),
  });
  if (m instanceof Error) return failed(`materialization failed: ${m.message}`, null);
  const storage = storageInfo(m);
  // Validation refuses these; a write here would go through the link into the user's file.
  if (spec.dataset.source && spec.pattern.op === "write") return failed(`dataset ${spec.dataset.name} is read from a file: write patterns cannot run on it`, storage);
  const backend = backendFor(spec.layout);
  const stored = spec.pattern.op === "write" ? scratchCopy(options.cacheRoot, m.stored) : m.stored;
  try {
    const itemBytes = itemSize(spec.dataset.dtype);
    const selections = expandPattern(spec.pattern, spec.dataset.shape, itemBytes);
    // Reference reads of a dataset read from a file happen here, before any timed or evicted sample.
    const verifier = await verifierFor(spec.dataset, backend, stored, selections);
    const session = spec.engine === "python"
      ? pythonSession(spec, python!, stored, selections, verifier)
      : jsSession(spec, backend, stored, selections, env.now, verifier);
    const samples = await sampleCase(spec, session, await backend.files(stored), env, { shouldStop: options.interrupted });
    const summary = summarize(samples, requestedBytes(selections, itemBytes));
    const warnings = caseWarnings(samples, summary, spec.cache === "cold", spec.pattern.op, evictionVerified);
    if (verifier.kind === "self") {
      warnings.push({ code: "self-verified", message: `data read from ${spec.dataset.source?.format} files is checked against a second read through the same library, not an independent reader` });
    }
    return {
      ...base, status: "ok", storage, samples, summary, warnings,
      peakRssBytes: process.resourceUsage().maxRSS * 1024, finishedAt: new Date().toISOString(),
    };
  } catch (err) {
    const message = (err as Error).message.split("\n")[0];
    if (err instanceof VerificationError && spec.dataset.source) {
      return failed(`${message}; did ${spec.dataset.source.path} change during the run?`, storage);
    }
    if (err instanceof VerificationError) {
      return failed(`${message}; the cached layout in ${m.stored.dir} may be damaged: run again with --rematerialize`, storage);
    }
    return failed(message, storage);
  } finally {
    if (stored !== m.stored) rmSync(stored.dir, { recursive: true, force: true });
  }
}
