/**
 * How much of a sample the machine took away from the reader. A thread descheduled mid-read, or
 * a virtual CPU the hypervisor gave to another guest, looks like a slow read; these counters,
 * read before and after each sample, say when that happened:
 *   - run delay: time this thread waited runnable on a run queue (/proc/thread-self/schedstat,
 *     nanoseconds, exact; decoder threads of the addon are not included)
 *   - steal: time the hypervisor ran someone else on this VM's CPUs (/proc/stat, in USER_HZ
 *     ticks of 10 ms, summed over CPUs: coarse, and machine-wide)
 *   - involuntary context switches of the whole process (getrusage, every thread; the count in
 *     /proc/self/status covers the main thread only)
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import type { SchedSnapshot } from "./sampler.ts";

/** Linux reports /proc/stat in USER_HZ ticks, 100 per second on every mainstream architecture. */
const TICK_MS = 10;

function runDelayMs(): number {
  try {
    const fields = readFileSync("/proc/thread-self/schedstat", "latin1").trim().split(/\s+/);
    return Number(fields[1]) / 1e6;
  } catch {
    return 0;
  }
}

/** The steal column of /proc/stat's aggregate "cpu" line, in ms. */
export function stealFromProcStat(text: string): number {
  const line = text.slice(0, text.indexOf("\n"));
  const fields = line.trim().split(/\s+/);
  if (fields[0] !== "cpu" || fields.length < 9) return 0;
  return Number(fields[8]) * TICK_MS;
}

function stealMs(): number {
  try {
    return stealFromProcStat(readFileSync("/proc/stat", "latin1"));
  } catch {
    return 0;
  }
}

export function readSchedCounters(): SchedSnapshot {
  return {
    runDelayMs: runDelayMs(),
    stealMs: stealMs(),
    involuntarySwitches: process.resourceUsage().involuntaryContextSwitches,
    cpus: os.availableParallelism(),
  };
}
