/**
 * The context a results file carries so numbers can be judged and compared later: machine,
 * kernel, filesystem and readahead under the dataset cache, versions, and how eviction was checked.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { probeEviction } from "../cache/probe.ts";
import { PROJECT_ROOT } from "../core/paths.ts";
import { pageSize } from "../native/index.ts";
import type { EvictionMethod } from "../scenario/types.ts";
import type { RunContext } from "./results-types.ts";
import { processTimerOverheadMs, TIMER_CALIBRATION_METHOD } from "./timer-overhead.ts";

const LIBRARIES = ["zarrita", "numcodecs", "h5wasm", "h5wasm-plugins", "simple-statistics", "vega-lite"];

/** The package.json of an installed package: the first node_modules/NAME up from this file. */
function packageJsonOf(name: string): string {
  for (let dir = PROJECT_ROOT; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name, "package.json");
    if (existsSync(candidate) || dirname(dir) === dir) return candidate;
  }
}

function libraryVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of LIBRARIES) {
    // Read package.json directly: several of these packages do not export it.
    // Found the way Node finds them (installed as a dependency, they sit beside layoutbench, not in it).
    try {
      out[name] = (JSON.parse(readFileSync(packageJsonOf(name), "utf8")) as { version: string }).version;
    } catch {
      /* not installed: leave it out */
    }
  }
  return out;
}

/** The filesystem type of the mount holding `path` (longest matching mount point). */
export function filesystemOf(relativePath: string): string {
  const path = resolve(relativePath);
  let best = { point: "", type: "unknown" };
  try {
    for (const line of readFileSync("/proc/mounts", "utf8").split("\n")) {
      const [, point, type] = line.split(" ");
      if (point && (path === point || path.startsWith(point.endsWith("/") ? point : point + "/")) && point.length > best.point.length) {
        best = { point, type };
      }
    }
  } catch {
    /* not Linux */
  }
  return best.type;
}

/** Readahead of the block device holding `path`, in KiB (partitions report their disk's queue). */
export function readaheadKiB(path: string): number | null {
  try {
    const dev = statSync(path).dev;
    const major = Math.floor(dev / 256) & 0xfff;
    const minor = (dev & 0xff) | (Math.floor(dev / 4096) & 0xfff00);
    for (const candidate of [`/sys/dev/block/${major}:${minor}/queue/read_ahead_kb`, `/sys/dev/block/${major}:${minor}/../queue/read_ahead_kb`]) {
      try {
        return Number(readFileSync(candidate, "utf8").trim());
      } catch {
        /* try the next */
      }
    }
  } catch {
    /* no such path */
  }
  return null;
}

export async function collectContext(cacheRoot: string, method: EvictionMethod): Promise<RunContext> {
  const cpus = os.cpus();
  const probe = probeEviction(cacheRoot, method);
  return {
    hostname: os.hostname(),
    platform: os.platform(),
    kernel: os.release(),
    arch: os.arch(),
    cpuModel: cpus[0]?.model ?? "unknown",
    cpus: cpus.length,
    memoryBytes: os.totalmem(),
    node: process.version,
    libraries: libraryVersions(),
    filesystem: filesystemOf(cacheRoot),
    readaheadKiB: readaheadKiB(cacheRoot),
    pageSize: pageSize(),
    eviction: { method, verified: probe.verified, detail: probe.detail },
    timer: { overheadMs: processTimerOverheadMs(), method: TIMER_CALIBRATION_METHOD },
  };
}
