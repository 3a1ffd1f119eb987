/**
 * Default locations. The tool's own folder (PROJECT_ROOT: where its package.json is) is only
 * read from, never written: installed as a dependency it is node_modules/layoutbench. Results,
 * reports and baselines go under the current directory; the dataset cache under the user's
 * cache directory, shared by every project of the user (datasets are large and reusable).
 */
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The tool's own folder (read-only: its package.json, bundled scenarios and schema). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The dataset cache: $LAYOUTBENCH_CACHE, else $XDG_CACHE_HOME/layoutbench, else
 * ~/.cache/layoutbench. XDG_CACHE_HOME counts only when absolute, as the XDG Base Directory
 * specification says. The `--cache` flag of each command overrides all of these.
 */
export function defaultCacheRoot(env: Env = process.env, home: string = homedir()): string {
  if (env.LAYOUTBENCH_CACHE) return resolve(env.LAYOUTBENCH_CACHE);
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, ".cache"), "layoutbench");
}

/** Where results files go by default: reports/runs under the current directory. */
export function defaultRunsDir(cwd: string = process.cwd()): string {
  return join(cwd, "reports", "runs");
}

/** Saved baselines: $LAYOUTBENCH_BASELINES, else reports/baselines under the current directory. */
export function defaultBaselinesDir(env: Env = process.env, cwd: string = process.cwd()): string {
  return env.LAYOUTBENCH_BASELINES ? resolve(env.LAYOUTBENCH_BASELINES) : join(cwd, "reports", "baselines");
}
