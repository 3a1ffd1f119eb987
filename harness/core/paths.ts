/**
 * Default locations, relative to the project root (the folder holding package.json), so runs
 * from any working directory share one dataset cache.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The dataset cache: LAYOUTBENCH_CACHE, or datasets/cache in the project. */
export function defaultCacheRoot(): string {
  return process.env.LAYOUTBENCH_CACHE ? resolve(process.env.LAYOUTBENCH_CACHE) : join(PROJECT_ROOT, "datasets", "cache");
}

export function defaultRunsDir(): string {
  return join(PROJECT_ROOT, "reports", "runs");
}
