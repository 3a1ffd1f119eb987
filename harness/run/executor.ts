/**
 * Runs every case of one or more scenarios: writes every (dataset, layout) first, then samples
 * the cases in rounds (round 1 of every case, then round 2, ...) so each case's samples span the
 * whole run and a passing burst of load shows up as spread in every case rather than as a shift
 * of one. The results file is rewritten after every round of every case: a case still missing
 * rounds carries an `incomplete` warning, which `run --resume` replaces. A failed case is data:
 * it is recorded with its error and the run goes on.
 */
import { rmSync } from "node:fs";
import { backendFor } from "../backends/registry.ts";
import type { Backend, Stored } from "../backends/types.ts";
import type { Selection } from "../core/selection.ts";
import { evictFiles } from "../cache/evict.ts";
import { residency } from "../cache/residency.ts";
import { acquireRunLock } from "../store/lock.ts";
import { ensureMaterialized, logicalBytes, removeStaleScratch, scratchCopy, type Materialized } from "../store/materialize.ts";
import { expandPattern, requestedBytes } from "../access/patterns.ts";
import { itemSize } from "../core/dtype.ts";
import { jsSession, OutputPool } from "../engines/js.ts";
import { pythonAvailable, pythonSupport, startPythonWorker, type PythonWorker } from "../engines/python.ts";
import { pythonSession } from "../engines/python-session.ts";
import { verifierFor, type SelectionVerifier } from "../engines/verify.ts";
import { UserError, VerificationError } from "../core/errors.ts";
import { expandCases } from "../scenario/expand.ts";
import type { CaseSpec, EvictionMethod, Scenario } from "../scenario/types.ts";
import { collectContext } from "./context.ts";
import { readIoCounters } from "./io-counters.ts";
import { progressBar } from "./progress.ts";
import { ResultsWriter } from "./results-file.ts";
import { RESULTS_KIND, RESULTS_VERSION, type CaseResult, type RecordBasis, type ResultsFile, type RunContext, type Sample, type StorageInfo } from "./results-types.ts";
import { perRound, sampleRound, type CaseEnv, type RoundPlan } from "./sampler.ts";
import { roundInFreshProcess } from "./fresh-process.ts";
import { caseWarnings, encoderFallbackWarning, summarize } from "./summary.ts";

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
    ...(m.manifest.encoder ? { encoder: m.manifest.encoder.name } : {}),
  };
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
    // Write cases' copies left by a killed run: nothing else can be using them while we hold the lock.
    for (const dir of removeStaleScratch(options.cacheRoot)) options.log(`removed ${dir}: a scratch copy left by an earlier run`);
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
}

/** Buffers shared by every case of the run: where reads go, and where expected values are generated. */
export interface Pools {
  readonly outputs: OutputPool;
  readonly expected: OutputPool;
}

interface Prepared {
  readonly m: Materialized;
  readonly storage: StorageInfo;
  readonly backend: Backend;
  readonly selections: readonly Selection[];
  readonly verifier: SelectionVerifier;
  readonly files: readonly string[];
}

async function runCases(
  cases: readonly CaseSpec[], python: PythonWorker | null, writer: ResultsWriter, context: RunContext, options: RunOptions,
): Promise<ResultsFile> {
  const env = realEnv(context.eviction.method);
  // Every layout is written before anything is timed, so no sample shares the machine with writing.
  const materialized = await materializeAll(cases, options);
  const pools: Pools = { outputs: new OutputPool(), expected: new OutputPool() };
  const runs: CaseRun[] = cases.map((spec, i) => ({ spec, index: i + 1, startedAt: "", samples: [], roundsDone: 0 }));
  const roundsOf = (spec: CaseSpec) => spec.scenario.sampling.rounds;
  const totalRounds = Math.max(0, ...cases.map(roundsOf));
  // A run of one round (a block of `layoutbench ab`) is already a process of its own.
  const fresh = totalRounds > 1 && cases.some((c) => c.scenario.sampling.freshProcess);
  const finished = (run: CaseRun) => {
    const record = recordOf(run, context.eviction.verified);
    writer.put(record);
    if (run.failure || run.roundsDone === roundsOf(run.spec)) options.log(formatLine(record, run.index, runs.length));
  };
  let stopped = false;
  for (let round = 1; round <= totalRounds && !stopped; round++) {
    if (options.interrupted?.()) break;
    if (totalRounds > 1) options.log(`round ${round} of ${totalRounds}${fresh ? " (fresh process)" : ""}`);
    const due = runs.filter((run) => !run.failure && round <= roundsOf(run.spec));
    if (fresh) {
      for (const run of due) if (round === 1) run.startedAt = new Date().toISOString();
      stopped = await roundInFreshProcess(round, due, context, options, async (run, reply) => {
        if (reply.failure) run.failure = reply.failure;
        else if (reply.error) fail(run, reply.error, null);
        else {
          run.samples.push(...reply.samples);
          run.passes = reply.passes;
          run.roundsDone = round;
          run.basis = reply.basis;
        }
        finished(run);
      });
      continue;
    }
    for (const run of due) {
      if (options.interrupted?.()) { stopped = true; break; }
      await sampleCaseRound(run, round, materialized, env, python, pools, options);
      finished(run);
    }
  }
  return writer.finish(stopped || (options.interrupted?.() ?? false));
}

export async function materializeAll(cases: readonly CaseSpec[], options: Pick<RunOptions, "cacheRoot" | "rematerialize" | "interrupted">): Promise<Map<string, Materialized | Error>> {
  const materialized = new Map<string, Materialized | Error>();
  for (const spec of cases) {
    const key = materializedKey(spec);
    if (materialized.has(key)) continue;
    if (options.interrupted?.()) break;
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
  return materialized;
}

function materializedKey(spec: CaseSpec): string {
  return `${spec.scenario.name}/${spec.dataset.name}/${spec.layout.name}`;
}

/** Takes one round of samples of a case; a failure is recorded in `run.failure`, never thrown. */
export async function sampleCaseRound(
  run: CaseRun, round: number, materialized: Map<string, Materialized | Error>, env: CaseEnv,
  python: PythonWorker | null, pools: Pools, options: Pick<RunOptions, "cacheRoot" | "interrupted">,
): Promise<void> {
  const { spec } = run;
  if (round === 1 && !run.startedAt) run.startedAt = new Date().toISOString();
  const m = materialized.get(materializedKey(spec));
  if (!m) return fail(run, "the run stopped before this case's layout was written", null);
  if (m instanceof Error) return fail(run, `materialization failed: ${m.message}`, null);
  const storage = storageInfo(m);
  // Validation refuses these; a write here would go through the link into the user's file.
  if (spec.dataset.source && spec.pattern.op === "write") return fail(run, `dataset ${spec.dataset.name} is read from a file: write patterns cannot run on it`, storage);
  let stored: Stored | null = null;
  try {
    const prepared = run.prepared ?? (run.prepared = await prepare(spec, m, pools.expected));
    run.basis ??= {
      storage: prepared.storage,
      bytesRequested: requestedBytes(prepared.selections, itemSize(spec.dataset.dtype)),
      selfVerified: prepared.verifier.kind === "self",
      ...(prepared.m.manifest.encoder?.fallback ? { encoderFallback: prepared.m.manifest.encoder.fallback } : {}),
    };
    stored = spec.pattern.op === "write" ? scratchCopy(options.cacheRoot, m.stored) : m.stored;
    const session = spec.engine === "python"
      ? pythonSession(spec, python!, stored, prepared.selections, prepared.verifier)
      : jsSession(spec, prepared.backend, stored, prepared.selections, env.now, prepared.verifier, pools.outputs);
    const { sampling } = spec.scenario;
    const plan: RoundPlan = {
      round,
      samples: perRound(sampling.samples, sampling.rounds)[round - 1],
      minSamples: perRound(sampling.minSamples, sampling.rounds)[round - 1],
      timeBudget: sampling.timeBudget / sampling.rounds,
      passes: run.passes,
    };
    const files = stored === m.stored ? prepared.files : await prepared.backend.files(stored);
    const taken = await sampleRound(spec, session, files, env, plan, { shouldStop: options.interrupted });
    run.samples.push(...taken.samples);
    run.passes = taken.passes;
    run.roundsDone = round;
  } catch (err) {
    const message = (err as Error).message.split("\n")[0];
    if (err instanceof VerificationError && spec.dataset.source) {
      return fail(run, `${message}; did ${spec.dataset.source.path} change during the run?`, storage);
    }
    if (err instanceof VerificationError) {
      return fail(run, `${message}; the cached layout in ${m.stored.dir} may be damaged: run again with --rematerialize`, storage);
    }
    return fail(run, message, storage);
  } finally {
    if (stored && stored !== m.stored) rmSync(stored.dir, { recursive: true, force: true });
  }
}

/** What every round of a case shares: selections, the verifier (reference reads happen here, before any timed or evicted sample) and the file list. */
async function prepare(spec: CaseSpec, m: Materialized, expected: OutputPool): Promise<Prepared> {
  const storage = storageInfo(m);
  const backend = backendFor(spec.layout);
  const selections = expandPattern(spec.pattern, spec.dataset.shape, itemSize(spec.dataset.dtype));
  const verifier = await verifierFor(spec.dataset, backend, m.stored, selections, expected);
  return { m, storage, backend, selections, verifier, files: await backend.files(m.stored) };
}

function fail(run: CaseRun, error: string, storage: StorageInfo | null): void {
  run.failure = {
    ...caseBase(run), status: "failed", error, storage, samples: [], summary: null, warnings: [],
    peakRssBytes: process.resourceUsage().maxRSS * 1024, finishedAt: new Date().toISOString(),
  };
}

function caseBase(run: CaseRun) {
  const { spec } = run;
  return {
    id: spec.id, scenario: spec.scenario.name, dataset: spec.dataset, layout: spec.layout, pattern: spec.pattern,
    cache: spec.cache, engine: spec.engine, startedAt: run.startedAt,
  };
}

/** The case as the results file holds it now: failed, finished, or incomplete (rounds still to come). */
function recordOf(run: CaseRun, evictionVerified: boolean): CaseResult {
  if (run.failure) return run.failure;
  const { spec } = run;
  const basis = run.basis!;
  const summary = summarize(run.samples, basis.bytesRequested);
  const warnings = caseWarnings(run.samples, summary, spec.cache === "cold", spec.pattern.op, evictionVerified);
  if (basis.selfVerified) {
    warnings.push({ code: "self-verified", message: `data read from ${spec.dataset.source?.format} files is checked against a second read through the same library, not an independent reader` });
  }
  if (basis.encoderFallback) warnings.push(encoderFallbackWarning(basis.storage.encoder ?? "another encoder", basis.encoderFallback.reason));
  const rounds = spec.scenario.sampling.rounds;
  if (run.roundsDone < rounds) {
    warnings.push({ code: "incomplete", message: `${run.roundsDone} of ${rounds} rounds taken: the run stopped before this case finished; run --resume samples it again` });
  }
  return {
    ...caseBase(run), status: "ok", storage: basis.storage, samples: run.samples, summary, warnings,
    peakRssBytes: process.resourceUsage().maxRSS * 1024, finishedAt: new Date().toISOString(),
  };
}
