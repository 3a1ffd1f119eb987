/**
 * Checks, once per run, that eviction really works where the datasets live: tmpfs and some overlay
 * or network filesystems ignore posix_fadvise, and then every "cold" sample would be warm. The
 * result goes into the results file's context (`eviction.verified`, `eviction.detail`).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EvictionMethod } from "../scenario/types.ts";
import { evictFilesSync } from "./evict.ts";
import { residency } from "./residency.ts";

const PROBE_BYTES = 4 * 1024 * 1024;
/** Resident share after eviction still counted as "evicted" (a stray page or two). */
const MAX_RESIDENT_AFTER = 0.02;
/** Resident share after a full read below which the probe cannot tell anything. */
const MIN_RESIDENT_BEFORE = 0.9;

export interface EvictionProbe {
  readonly verified: boolean;
  /** One line for humans, e.g. "fadvise evicted a 4 MiB probe on ext4 (/): 100% → 0% resident". */
  readonly detail: string;
}

/**
 * Writes a 4 MiB probe file into `dir`, reads it, evicts it with `method` and measures residency
 * before and after, then deletes it. Never throws for an ineffective eviction (that is a finding);
 * it throws only when `dir` is unusable or the method is not permitted (UserError from evictFiles).
 */
export function probeEviction(dir: string, method: EvictionMethod): EvictionProbe {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `.eviction-probe-${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
  const where = describeFilesystem(dir);
  try {
    // Random content so no filesystem can store it as holes or deduplicate it.
    writeFileSync(path, randomBytes(PROBE_BYTES));
    readFileSync(path);
    const before = residency([path]).fraction;
    evictFilesSync([path], method);
    const after = residency([path]).fraction;
    const change = `${percent(before)} → ${percent(after)} resident`;
    if (before < MIN_RESIDENT_BEFORE) {
      return {
        verified: false,
        detail: `${method}: a 4 MiB probe on ${where} was only ${percent(before)} resident right after reading it; residency cannot be checked there`,
      };
    }
    if (after > MAX_RESIDENT_AFTER) {
      return {
        verified: false,
        detail: `${method} did not evict a 4 MiB probe on ${where} (${change}); cold samples there would be warm${where.startsWith("tmpfs") ? " (tmpfs lives in the page cache)" : ""}`,
      };
    }
    return { verified: true, detail: `${method} evicted a 4 MiB probe on ${where}: ${change}` };
  } finally {
    rmSync(path, { force: true });
  }
}

/** "ext4 (/dev/vda on /)" for the mount holding `dir`, from /proc/mounts; "unknown filesystem" elsewhere. */
function describeFilesystem(dir: string): string {
  let mounts: string;
  try {
    mounts = readFileSync("/proc/mounts", "utf8");
  } catch {
    return "unknown filesystem";
  }
  const real = realpathSync(dir);
  let best: { point: string; type: string; source: string } | undefined;
  for (const line of mounts.split("\n")) {
    const [source, rawPoint, type] = line.split(" ");
    if (!rawPoint || !type) continue;
    // /proc/mounts escapes spaces and other specials as octal (\040).
    const point = rawPoint.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    const inside = real === point || real.startsWith(point.endsWith("/") ? point : point + "/");
    if (inside && (!best || point.length >= best.point.length)) best = { point, type, source };
  }
  return best ? `${best.type} (${best.source} on ${best.point})` : "unknown filesystem";
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
