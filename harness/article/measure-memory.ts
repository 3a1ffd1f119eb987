/**
 * Runs the memory probe (memory-probe.ts) in fresh processes, alternating mmap and read(), after
 * reading the file once so both find it in the page cache: what differs is only where the
 * process's copy of the data lives.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { MemoryDelta, MemoryProbe, ProbeMode } from "./memory-types.ts";

const PROBE = join(import.meta.dirname, "memory-probe.ts");
const TSX = import.meta.resolve("tsx");
const MODES: readonly ProbeMode[] = ["mmap", "read"];

/** `repeats` runs of each mode on `file`; throws with the probe's stderr when a run fails. */
export function measureMemory(file: string, repeats: number): MemoryProbe {
  readFileSync(file);
  const runs: { mode: ProbeMode; delta: MemoryDelta }[] = [];
  for (let i = 0; i < repeats; i++) {
    for (const mode of MODES) {
      const child = spawnSync(process.execPath, ["--import", TSX, PROBE, file, mode], { encoding: "utf8", timeout: 120_000 });
      if (child.status !== 0) throw new Error(`memory probe (${mode}) of ${file} failed: ${child.stderr.trim() || `exit ${child.status ?? child.signal}`}`);
      runs.push({ mode, delta: JSON.parse(child.stdout.trim().split("\n").pop()!) as MemoryDelta });
    }
  }
  return { file, fileBytes: statSync(file).size, runs };
}
