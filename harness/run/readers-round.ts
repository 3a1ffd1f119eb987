/**
 * One round of a case read by reader processes (scenario `readers`, docs/readers.md): N readers
 * started together, each with its share of the selections (access/split.ts). Every step is a
 * barrier: the coordinator asks all readers at once and waits for every reply, so their timed
 * passes start together on one go signal and overlap.
 *
 * Cold sample: every reader closes → the layout's files are evicted once → every reader opens →
 * evicted again (opening reads headers) → residency checked → go. Warm round: every reader opens
 * and takes its own warm-up passes, so each one's caches are warm; the passes per sample are
 * calibrated on the slowest reader's fastest warm-up pass. At the end of the round's reads, with
 * every reader still open, each reader's memory is read from /proc/PID (memory.ts) and the page
 * cache the layout's files hold from mincore. A reader that fails fails the case with its error;
 * the others are killed, and none outlives the round.
 */
import { readFileSync } from "node:fs";
import { expandPattern, requestedBytes } from "../access/patterns.ts";
import { shareOf } from "../access/split.ts";
import { itemSize } from "../core/dtype.ts";
import { mergeReadPaths } from "../engines/read-path.ts";
import type { CaseSpec } from "../scenario/types.ts";
import type { Materialized } from "../store/materialize.ts";
import type { CaseRun } from "./case-record.ts";
import { caseMemory, parseHwm, parseSmapsRollup, pssOfFiles, type ReaderMemory } from "./memory.ts";
import { ReaderGroup } from "./reader-processes.ts";
import { groupSample } from "./readers-aggregate.ts";
import type { CaseEnv, RoundPlan } from "./sampler.ts";
import { passesFor } from "./sampler.ts";

/**
 * How far ahead of now the go signal's start time is set: long enough for the message to reach
 * every reader on a busy machine (delivery took up to ~10 ms with 4 readers on 2 shared cores).
 */
const GO_LEAD_MS = 50;

/** Whether a case is read by reader processes: read patterns of scenarios with `readers` or `memoryBudget`. */
export function readsInReaderProcesses(spec: CaseSpec): boolean {
  return spec.pattern.op === "read" && (spec.scenario.readers !== undefined || spec.scenario.memoryBudget !== undefined);
}

/** Bytes all the readers of a case ask for per sample. */
export function groupRequestedBytes(spec: CaseSpec): number {
  const item = itemSize(spec.dataset.dtype);
  const selections = expandPattern(spec.pattern, spec.dataset.shape, item);
  const { processes, split } = spec.readers;
  let total = 0;
  for (let i = 0; i < processes; i++)
    total += requestedBytes(
      shareOf(selections.length, processes, i, split).map((k) => selections[k]),
      item,
    );
  return total;
}

export interface ReadersRoundParts {
  readonly m: Materialized;
  /** A dataset with several sources: its first source, materialized (reads are checked against it). */
  readonly first?: Materialized;
  readonly files: readonly string[];
  readonly ranges: Parameters<CaseEnv["residency"]>[1] | null;
  readonly env: CaseEnv;
  readonly plan: RoundPlan;
  readonly interrupted?: () => boolean;
}

/** Takes one round; throws the first reader's failure (the caller records it). */
export async function sampleReadersRound(run: CaseRun, parts: ReadersRoundParts): Promise<{ verifier: string }> {
  const { spec } = run;
  const { env, plan, files } = parts;
  const { processes, threads, split } = spec.readers;
  const item = itemSize(spec.dataset.dtype);
  const count = expandPattern(spec.pattern, spec.dataset.shape, item).length;
  const group = new ReaderGroup(processes, threads);
  try {
    const ready = await group.all("ready", (i) => ({
      type: "init",
      spec,
      stored: parts.m.stored,
      ...(parts.first ? { firstSource: parts.first.stored } : {}),
      share: shareOf(count, processes, i, split),
      threads,
    }));
    const cold = spec.cache === "cold";
    let passes = cold ? 1 : (plan.passes ?? 1);
    const { sampling } = spec.scenario;
    if (!cold) {
      await group.all("opened", () => ({ type: "open" }));
      const calibrate = plan.passes === undefined && sampling.warmup > 0 && sampling.minSampleMs > 0;
      if (calibrate || sampling.warmup > 0) {
        const warmed = await group.all("warmed", () => ({ type: "warmup", count: sampling.warmup, calibrate }));
        if (calibrate) passes = passesFor(Math.max(...warmed.map((w) => w.fastestMs)), sampling.minSampleMs);
      }
    }
    const started = env.now();
    for (let taken = 0; taken < plan.samples; taken++) {
      const elapsed = (env.now() - started) / 1000;
      if (taken >= plan.minSamples && (elapsed > plan.timeBudget || parts.interrupted?.())) break;
      let residency: number | null = null;
      let openMs = 0;
      if (cold) {
        await group.all("closed", () => ({ type: "close" }));
        await env.evict(files);
        openMs = Math.max(...(await group.all("opened", () => ({ type: "open" }))).map((o) => o.openMs));
        await env.evict(files);
        residency = parts.ranges ? env.residency(files, parts.ranges) : env.residency(files);
      }
      const at = performance.timeOrigin + performance.now() + GO_LEAD_MS;
      const done = await group.all("done", () => ({ type: "go", passes, at }));
      run.samples.push(
        groupSample(done, passes, { residency, openMs, round: plan.round, ...(cold && parts.ranges ? { residencyOf: "ranges" as const } : {}) }),
      );
    }
    run.passes = passes;
    // At the end of the reads, every reader still open: what each holds now is what reading took.
    const paths = new Set(files);
    const readers: ReaderMemory[] = group.pids.map((pid, i) => {
      const rollup = parseSmapsRollup(readFileSync(`/proc/${pid}/smaps_rollup`, "latin1"));
      return {
        hwmBytes: parseHwm(readFileSync(`/proc/${pid}/status`, "latin1")),
        ...rollup,
        pssLayoutBytes: pssOfFiles(readFileSync(`/proc/${pid}/smaps`, "latin1"), paths),
        baselineAnonBytes: ready[i].baselineAnonBytes,
      };
    });
    const bytesOnDisk = parts.m.manifest.bytesOnDisk;
    run.memory = caseMemory(readers, Math.round(env.residency(files) * bytesOnDisk));
    const finished = await group.all("finished", () => ({ type: "finish" }));
    for (const f of finished) run.readPath = mergeReadPaths(run.readPath, f.readPath);
    return { verifier: ready[0].verifier };
  } finally {
    await group.stop();
  }
}
