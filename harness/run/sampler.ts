/**
 * Runs one round of one case's sample loop with cold preparation and I/O accounting. Effects
 * come in through `CaseEnv` (clock, I/O counters, eviction, residency) and the engine session, so
 * the loop can be tested with a scripted clock and a fake session.
 *
 * Cold sample: close the session → evict every file of the layout → open afresh (timed apart as
 * openMs) → evict again, since opening reads headers and readahead may pull in data pages with
 * them → measure residency → one timed pass. The library keeps what it parsed at open (metadata);
 * the page cache holds none of the layout's files when the timed pass starts.
 *
 * Warm round: one open, untimed warm-up samples, then timed samples. A warm sample repeats the
 * pass `passes` times and records the mean per pass: the first round calibrates `passes` from the
 * warm-up so a sample lasts at least `minSampleMs`, later rounds reuse it so every sample of a case
 * means the same. The session verifies every selection outside the timed region.
 */
import type { FileRange } from "../access/byte-ranges.ts";
import type { EngineSession, IoSnapshot, RemoteSample } from "../engines/types.ts";
import type { CaseSpec } from "../scenario/types.ts";
import { quantile } from "../stats/summary.ts";
import type { Sample, SchedCounters } from "./results-types.ts";
import { withoutTimerOverhead } from "./timer-overhead.ts";

export type { IoSnapshot };

/** The passes' request numbers as one sample's: counts and bytes per pass, times as medians over passes, the highest peak. */
export function perPass(passes: readonly RemoteSample[]): RemoteSample {
  const n = passes.length;
  const mean = (f: (r: RemoteSample) => number) => passes.reduce((sum, r) => sum + f(r), 0) / n;
  const mid = (f: (r: RemoteSample) => number | null) => {
    const v = passes.map(f).filter((x): x is number => x !== null);
    return v.length ? quantile(v, 0.5) : null;
  };
  return {
    requests: mean((r) => r.requests),
    bytesTransferred: mean((r) => r.bytesTransferred),
    retries: mean((r) => r.retries),
    medianTtfbMs: mid((r) => r.medianTtfbMs),
    p95TtfbMs: mid((r) => r.p95TtfbMs),
    peakInFlight: Math.max(...passes.map((r) => r.peakInFlight)),
    connectionsReused: mean((r) => r.connectionsReused),
  };
}

/** Counters of time the reader lost to the scheduler and the hypervisor, cumulative. */
export interface SchedSnapshot {
  /** Time this thread waited runnable on a run queue (/proc/thread-self/schedstat), ms. */
  readonly runDelayMs: number;
  /** CPU time the hypervisor gave to others, summed over every CPU (/proc/stat steal), ms. */
  readonly stealMs: number;
  /** Involuntary context switches of the process (getrusage: every thread). */
  readonly involuntarySwitches: number;
  /** CPUs the steal is summed over. */
  readonly cpus: number;
}

export interface CaseEnv {
  /** Milliseconds from an arbitrary origin, monotonic. */
  now(): number;
  io(): IoSnapshot;
  evict(files: readonly string[]): Promise<void>;
  /**
   * Fraction resident in the page cache, 0..1: of the pages `ranges` touch when given, else of
   * every page of `files`.
   */
  residency(files: readonly string[], ranges?: readonly FileRange[]): number;
  /** Scheduler counters, read once before and once after each sample; absent: not recorded. */
  sched?(): SchedSnapshot;
  /**
   * Milliseconds an empty timed region of `now` measures (timer-overhead.ts), subtracted from each
   * timed region of a read pass; absent: nothing is subtracted.
   */
  readonly timerOverheadMs?: number;
}

/** A sample whose reader lost more than this share of its wall time to the scheduler or hypervisor is flagged. */
export const PREEMPTION_LIMIT = 0.5;

/** The scheduler's share of a sample: run-queue wait plus this thread's share of steal, over wall time. Pure. */
export function preemptedShare(s: SchedCounters): number {
  if (!(s.wallMs > 0)) return 0;
  return Math.min(1, (s.runDelayMs + s.stealMs / Math.max(1, s.cpus)) / s.wallMs);
}

function schedDelta(before: SchedSnapshot, after: SchedSnapshot, wallMs: number): SchedCounters {
  return {
    wallMs,
    runDelayMs: after.runDelayMs - before.runDelayMs,
    stealMs: after.stealMs - before.stealMs,
    involuntarySwitches: after.involuntarySwitches - before.involuntarySwitches,
    cpus: after.cpus,
  };
}

/** What one round of a case takes. */
export interface RoundPlan {
  /** 1-based round number, recorded in each sample. */
  readonly round: number;
  /** Samples to take. */
  readonly samples: number;
  /** Samples taken even past the time budget or a stop request. */
  readonly minSamples: number;
  /** Seconds after which the round stops once minSamples are taken. */
  readonly timeBudget: number;
  /** Passes per warm sample; undefined: calibrate from the warm-up. Cold samples are one pass. */
  readonly passes?: number;
}

export interface RoundResult {
  readonly samples: Sample[];
  /** Passes per sample used (1 for cold cases). */
  readonly passes: number;
}

/** A warm sample never repeats its pass more often than this, however short the pass. */
export const MAX_PASSES_PER_SAMPLE = 1000;

/** Passes per warm sample so that one sample lasts at least `minSampleMs`. Pure. */
export function passesFor(passMs: number, minSampleMs: number): number {
  if (!(minSampleMs > 0) || !(passMs >= 0)) return 1;
  if (passMs === 0) return MAX_PASSES_PER_SAMPLE;
  return Math.min(MAX_PASSES_PER_SAMPLE, Math.max(1, Math.ceil(minSampleMs / passMs)));
}

/**
 * Splits `total` as evenly as possible over `rounds`, larger parts first: 10 over 3 → [4, 3, 3].
 * Pure. Invariants: total ≥ 0, rounds ≥ 1.
 */
export function perRound(total: number, rounds: number): number[] {
  const base = Math.floor(total / rounds);
  return Array.from({ length: rounds }, (_, i) => base + (i < total % rounds ? 1 : 0));
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Samples one round of a case. `files` are every file the layout owns (what cold samples evict
 * and check). `onSample` sees each sample as it is taken; `shouldStop` ends the round early once
 * its minSamples are taken. Throws (VerificationError or the engine's error) on the first failed pass.
 */
export async function sampleRound(
  spec: CaseSpec,
  session: EngineSession,
  files: readonly string[],
  env: CaseEnv,
  plan: RoundPlan,
  hooks: {
    onSample?: (s: Sample) => void;
    shouldStop?: () => boolean;
    /** The byte ranges the passes read: cold samples check exactly these for residency. */
    ranges?: readonly FileRange[] | null;
  } = {},
): Promise<RoundResult> {
  const { sampling } = spec.scenario;
  const cold = spec.cache === "cold";
  const samples: Sample[] = [];
  const overheadMs = env.timerOverheadMs ?? 0;
  let passes = cold ? 1 : (plan.passes ?? 1);
  let open = false;
  try {
    if (!cold) {
      await session.open();
      open = true;
      // Warm-up: `warmup` untimed samples of `passes` passes each. The first round calibrates
      // `passes` on the fastest of at least two single passes, then tops the warm-up up to full
      // samples. Not on the first pass alone: after an open it pays for first touches (a fresh
      // mapping faults in every page it reads) that timed passes do not, and a column of a .npy
      // file calibrated on it got a single short pass per sample.
      let warmed = 0;
      if (plan.passes === undefined && sampling.warmup > 0 && sampling.minSampleMs > 0) {
        let fastest = Number.POSITIVE_INFINITY;
        for (; warmed < Math.max(sampling.warmup, 2); warmed++) fastest = Math.min(fastest, (await session.pass()).ms);
        passes = passesFor(fastest, sampling.minSampleMs);
      }
      for (; warmed < sampling.warmup * passes; warmed++) await session.pass();
    }
    const started = env.now();
    while (samples.length < plan.samples) {
      // Memory-mapped reads never wait on real async I/O, so without this the event loop would
      // not run between samples and a Ctrl-C would only be seen at the end of the run.
      await yieldToEventLoop();
      const elapsedSeconds = (env.now() - started) / 1000;
      if (samples.length >= plan.minSamples && (elapsedSeconds > plan.timeBudget || hooks.shouldStop?.())) break;
      let residency: number | null = null;
      let openMs = 0;
      let openBytesRead: number | undefined;
      if (cold) {
        if (open) await session.close();
        open = false;
        await env.evict(files);
        const beforeOpen = session.ownIo ? null : env.io();
        openMs = await session.open();
        if (beforeOpen) openBytesRead = env.io().readBytes - beforeOpen.readBytes;
        open = true;
        await env.evict(files);
        residency = hooks.ranges ? env.residency(files, hooks.ranges) : env.residency(files);
      }
      // The counters are read once per sample, not around every pass: reading procfs between
      // passes of a few microseconds slows the next pass although it is outside the timer.
      let ms = 0;
      const counted = { readBytes: 0, writeBytes: 0, majorFaults: 0 };
      let engineCounted = false;
      let returnMs = 0;
      let durableMs: number | null = 0;
      let writes = false;
      const schedBefore = env.sched?.();
      const before = env.io();
      const wallStart = env.now();
      const remote: RemoteSample[] = [];
      const calls = session.passes ? 1 : passes;
      for (let p = 0; p < calls; p++) {
        const pass = session.passes ? await session.passes(passes) : await session.pass();
        ms += pass.timedRegions ? withoutTimerOverhead(pass.ms, pass.timedRegions, overheadMs) : pass.ms;
        if (pass.remote) remote.push(pass.remote);
        if (pass.write) {
          writes = true;
          returnMs += pass.write.returnMs;
          durableMs = durableMs === null || pass.write.durableMs === null ? null : durableMs + pass.write.durableMs;
        }
        if (!pass.io) continue;
        engineCounted = true;
        counted.readBytes += pass.io.readBytes;
        counted.writeBytes += pass.io.writeBytes;
        counted.majorFaults += pass.io.majorFaults;
      }
      const wallMs = env.now() - wallStart;
      const after = env.io();
      const schedAfter = env.sched?.();
      const io = engineCounted
        ? counted
        : {
            readBytes: after.readBytes - before.readBytes,
            writeBytes: after.writeBytes - before.writeBytes,
            majorFaults: after.majorFaults - before.majorFaults,
          };
      const sample: Sample = {
        ms: ms / passes,
        bytesRead: io.readBytes / passes,
        bytesWritten: io.writeBytes / passes,
        majorFaults: io.majorFaults / passes,
        residency,
        openMs,
        round: plan.round,
        passes,
        ...(cold && hooks.ranges ? { residencyOf: "ranges" as const } : {}),
        ...(openBytesRead !== undefined ? { openBytesRead } : {}),
        ...(writes ? { returnMs: returnMs / passes, ...(durableMs !== null ? { durableMs: durableMs / passes } : {}) } : {}),
        ...(schedBefore && schedAfter ? { sched: schedDelta(schedBefore, schedAfter, wallMs) } : {}),
        ...(remote.length ? { remote: perPass(remote) } : {}),
      };
      samples.push(sample);
      hooks.onSample?.(sample);
    }
    if (open) await session.finish();
  } finally {
    if (open) await session.close();
  }
  return { samples, passes };
}
