/**
 * The round loop: round 1 of every case, then round 2, ... so each case's samples span the whole
 * run and a passing burst of load shows up as spread in every case rather than as a shift of
 * one. Every round of every case ends in the results file; a failure is recorded, never thrown.
 */
import { rmSync } from "node:fs";
import { requestedBytes } from "../access/patterns.ts";
import type { Stored } from "../backends/types.ts";
import { itemSize } from "../core/dtype.ts";
import { VerificationError } from "../core/errors.ts";
import { OutputPool } from "../engines/output-pool.ts";
import type { PythonWorker } from "../engines/python.ts";
import { mergeReadPaths } from "../engines/read-path.ts";
import type { EngineSession } from "../engines/types.ts";
import type { CaseSpec } from "../scenario/types.ts";
import { type Materialized, scratchCopy } from "../store/materialize.ts";
import { type CaseRun, fail, formatLine, recordOf } from "./case-record.ts";
import { remoteDecodeRate } from "./decode-rate.ts";
import type { RunDeps, RunOptions } from "./deps.ts";
import { sessionFor } from "./engines-start.ts";
import type { RunProgress } from "./eta.ts";
import { roundInFreshProcess } from "./fresh-process.ts";
import { firstSourceCase, materializeAll, materializedKey, type Pools, prepare, storageInfo } from "./prepare.ts";
import { groupRequestedBytes, readsInReaderProcesses, sampleReadersRound } from "./readers-round.ts";
import { planRemoteFor, remoteSessionFor } from "./remote-session.ts";
import { type RemoteStorages, startStorages } from "./remote-storage.ts";
import type { ResultsWriter } from "./results-file.ts";
import type { ResultsFile, RunContext } from "./results-types.ts";
import { type CaseEnv, perRound, type RoundPlan, sampleRound } from "./sampler.ts";

/** Samples every case in rounds, writing each case's record after each of its rounds. */
export async function runCases(
  cases: readonly CaseSpec[],
  python: PythonWorker | null,
  writer: ResultsWriter,
  context: RunContext,
  options: RunOptions,
  deps: RunDeps,
): Promise<ResultsFile> {
  const env = deps.sampleEnv(context.eviction.method);
  // Every layout is written before anything is timed, so no sample shares the machine with writing.
  const materialized = await materializeAll(cases, options, deps);
  const pools: Pools = { outputs: new OutputPool(), expected: new OutputPool() };
  const runs: CaseRun[] = cases.map((spec, i) => ({ spec, index: i + 1, startedAt: "", samples: [], roundsDone: 0 }));
  const roundsOf = (spec: CaseSpec) => spec.scenario.sampling.rounds;
  const totalRounds = Math.max(0, ...cases.map(roundsOf));
  // A run of one round (a block of `layoutbench ab`) is already a process of its own.
  const fresh = totalRounds > 1 && cases.some((c) => c.scenario.sampling.freshProcess);
  // The round under way, for the progress line (runRounds advances it).
  const at = { round: 1 };
  const finished = (run: CaseRun) => {
    const record = recordOf(run, context.eviction.verified, deps.timestamp());
    writer.put(record);
    options.progress?.(progressOf(runs, run, at.round, totalRounds, roundsOf));
    if (run.failure || run.roundsDone === roundsOf(run.spec)) options.log(formatLine(record, run.index, runs.length));
  };
  // Servers for remote cases start once the layouts exist, and stop however the rounds end.
  const remote = await startStorages(cases, materialized, materializedKey, options.cacheRoot, options.log);
  try {
    return await runRounds(
      runs,
      { materialized, env, python, pools, deps, cacheRoot: options.cacheRoot, interrupted: options.interrupted, remote },
      fresh,
      totalRounds,
      roundsOf,
      finished,
      writer,
      context,
      options,
      at,
    );
  } finally {
    await remote.stop();
  }
}

async function runRounds(
  runs: CaseRun[],
  round: RoundContext,
  fresh: boolean,
  totalRounds: number,
  roundsOf: (spec: CaseSpec) => number,
  finished: (run: CaseRun) => void,
  writer: ResultsWriter,
  context: RunContext,
  options: RunOptions,
  at: { round: number },
): Promise<ResultsFile> {
  const { deps } = round;
  if (fresh) {
    for (const run of runs) {
      if (run.spec.storage.kind === "local") continue;
      fail(run, "remote storage is not measured with sampling.freshProcess in this version; leave freshProcess out", null, deps.timestamp());
      finished(run);
    }
  }
  let stopped = false;
  options.progress?.(progressOf(runs, null, 1, totalRounds, roundsOf));
  for (let r = 1; r <= totalRounds && !stopped; r++) {
    at.round = r;
    if (options.interrupted?.()) break;
    if (totalRounds > 1) options.log(`round ${r} of ${totalRounds}${fresh ? " (fresh process)" : ""}`);
    const due = runs.filter((run) => !run.failure && r <= roundsOf(run.spec));
    if (fresh) {
      for (const run of due) if (r === 1) run.startedAt = deps.timestamp();
      stopped = await roundInFreshProcess(r, due, context, options, async (run, reply) => {
        if (reply.failure) run.failure = reply.failure;
        else if (reply.error) fail(run, reply.error, null, deps.timestamp());
        else {
          run.samples.push(...reply.samples);
          run.passes = reply.passes;
          run.roundsDone = r;
          run.basis = reply.basis;
          run.readPath = mergeReadPaths(run.readPath, reply.readPath);
        }
        finished(run);
      });
      continue;
    }
    for (const run of due) {
      if (options.interrupted?.()) {
        stopped = true;
        break;
      }
      await sampleCaseRound(run, r, round);
      finished(run);
    }
  }
  return writer.finish(stopped || (options.interrupted?.() ?? false));
}

/** Where the run stands: case rounds and sampling budget taken and left (a failed case gives up its other rounds). */
function progressOf(runs: readonly CaseRun[], last: CaseRun | null, round: number, rounds: number, roundsOf: (spec: CaseSpec) => number): RunProgress {
  let done = 0;
  let left = 0;
  let budgetDoneMs = 0;
  let budgetLeftMs = 0;
  let casesFinished = 0;
  for (const run of runs) {
    const planned = roundsOf(run.spec);
    const budget = (run.spec.scenario.sampling.timeBudget * 1000) / planned;
    const taken = Math.min(planned, run.roundsDone + (run.failure ? 1 : 0));
    const rest = run.failure ? 0 : planned - run.roundsDone;
    done += taken;
    left += rest;
    budgetDoneMs += taken * budget;
    budgetLeftMs += rest * budget;
    if (rest === 0) casesFinished++;
  }
  return { caseId: last?.spec.id ?? null, round, rounds, done, total: done + left, casesFinished, cases: runs.length, budgetDoneMs, budgetLeftMs };
}

/** What every case's round shares within one process. */
export interface RoundContext {
  readonly materialized: Map<string, Materialized | Error>;
  readonly env: CaseEnv;
  readonly python: PythonWorker | null;
  readonly pools: Pools;
  readonly deps: RunDeps;
  readonly cacheRoot: string;
  readonly interrupted?: () => boolean;
  /** The storage of remote cases (started by the run). */
  readonly remote?: RemoteStorages;
}

/** Takes one round of samples of a case; a failure is recorded in `run.failure`, never thrown. */
export async function sampleCaseRound(run: CaseRun, round: number, ctx: RoundContext): Promise<void> {
  const { spec } = run;
  const { deps, env, pools } = ctx;
  const failed = (error: string, storage: ReturnType<typeof storageInfo> | null) => fail(run, error, storage, deps.timestamp());
  if (round === 1 && !run.startedAt) run.startedAt = deps.timestamp();
  const m = ctx.materialized.get(materializedKey(spec));
  if (!m) return failed("the run stopped before this case's layout was written", null);
  if (m instanceof Error) return failed(`materialization failed: ${m.message}`, null);
  const storage = storageInfo(m);
  // Validation refuses these; a write here would go through the link into the user's file.
  if (spec.dataset.source && spec.pattern.op === "write")
    return failed(`dataset ${spec.dataset.name} is read from a file: write patterns cannot run on it`, storage);
  let stored: Stored | null = null;
  let session: EngineSession | null = null;
  try {
    const first = spec.dataset.sources ? ctx.materialized.get(materializedKey(firstSourceCase(spec))) : undefined;
    if (first instanceof Error) return failed(`materialization of the first source failed: ${first.message}`, storage);
    run.prepared ??= await prepare(spec, m, pools.expected, deps, first);
    const prepared = run.prepared;
    const inReaders = readsInReaderProcesses(spec);
    run.basis ??= {
      storage: prepared.storage,
      bytesRequested: inReaders ? groupRequestedBytes(spec) : requestedBytes(prepared.selections, itemSize(spec.dataset.dtype)),
      selfVerified: prepared.verifier.kind === "self",
      ...(prepared.m.manifest.encoder?.fallback ? { encoderFallback: prepared.m.manifest.encoder.fallback } : {}),
    };
    const { sampling } = spec.scenario;
    const plan: RoundPlan = {
      round,
      samples: perRound(sampling.samples, sampling.rounds)[round - 1],
      minSamples: perRound(sampling.minSamples, sampling.rounds)[round - 1],
      timeBudget: sampling.timeBudget / sampling.rounds,
      passes: run.passes,
    };
    if (inReaders) {
      await sampleReadersRound(run, { m, first, files: prepared.files, ranges: prepared.ranges, env, plan, interrupted: ctx.interrupted });
      run.roundsDone = round;
      return;
    }
    stored = spec.pattern.op === "write" ? scratchCopy(ctx.cacheRoot, m.stored) : m.stored;
    const target = spec.storage.kind === "local" ? undefined : (ctx.remote?.target(spec, m) ?? new Error("remote storage was not started"));
    if (target instanceof Error) return failed(target.message.split("\n")[0], storage);
    if (target) run.location = target.location;
    const parts = {
      backend: prepared.backend,
      stored,
      selections: prepared.selections,
      verifier: prepared.verifier,
      now: env.now,
      outputs: pools.outputs,
      python: ctx.python,
    };
    if (target) await planRemoteFor(spec, parts, target);
    session = target ? remoteSessionFor(spec, parts, target) : sessionFor(spec, parts, deps.engines);
    const scratch = stored !== m.stored;
    // Remote cases evict and check the files the server reads (whole files: the ranges name the cached ones).
    const files = target ? target.servedFiles : scratch ? await prepared.backend.files(stored) : prepared.files;
    const ranges = target
      ? null
      : scratch && spec.cache === "cold"
        ? ((await prepared.backend.byteRanges?.(stored, prepared.selections)) ?? null)
        : prepared.ranges;
    const taken = await sampleRound(spec, session, files, env, plan, { shouldStop: ctx.interrupted, ranges });
    run.samples.push(...taken.samples);
    run.passes = taken.passes;
    run.roundsDone = round;
    if (target) run.decodeRate ??= await remoteDecodeRate(spec, mergeReadPaths(run.readPath, session.readPath?.()));
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
    // Also for a failed round: the path it took is part of what failed.
    run.readPath = mergeReadPaths(run.readPath, session?.readPath?.());
    if (run.failure && run.readPath) run.failure = { ...run.failure, readPath: run.readPath };
    if (stored && stored !== m.stored) rmSync(stored.dir, { recursive: true, force: true });
  }
}
