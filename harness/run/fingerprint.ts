/**
 * The machine fingerprint a sharded run records: what decides whether two machines' numbers may be
 * ranked together (CPU, cores, memory, kernel, the dataset cache's filesystem) and a hash of the
 * hostname to tell two identical machines apart, nothing secret. Also the harness's version.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { canonicalJson, sha256 } from "../core/digest.ts";
import { PROJECT_ROOT } from "../core/paths.ts";
import { filesystemOf } from "./context.ts";
import type { HarnessInfo, MachineFingerprint } from "./shard-record.ts";

const SHORT = 12;

/** The fingerprint from its fields; `id` hashes all of them. Pure. */
export function fingerprintOf(fields: Omit<MachineFingerprint, "id" | "hostHash">, hostname: string): MachineFingerprint {
  const body = { ...fields, hostHash: sha256(hostname).slice(0, SHORT) };
  return { id: sha256(canonicalJson(body)).slice(0, SHORT), ...body };
}

export function machineFingerprint(cacheRoot: string): MachineFingerprint {
  const cpus = os.cpus();
  return fingerprintOf(
    { cpuModel: cpus[0]?.model ?? "unknown", cpus: cpus.length, memoryBytes: os.totalmem(), kernel: os.release(), filesystem: filesystemOf(cacheRoot) },
    os.hostname(),
  );
}

/**
 * The package version and the commit of the tree (LAYOUTBENCH_COMMIT or GITHUB_SHA when set, as in
 * CI checkouts without history, else `git rev-parse HEAD`; null outside a git tree).
 */
export function harnessInfo(): HarnessInfo {
  const version = (JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;
  const fromEnv = process.env.LAYOUTBENCH_COMMIT || process.env.GITHUB_SHA;
  if (fromEnv) return { version, commit: fromEnv };
  try {
    const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: PROJECT_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return { version, commit: /^[0-9a-f]{40}$/.test(commit) ? commit : null };
  } catch {
    return { version, commit: null };
  }
}
