/**
 * Saved baselines: results files copied under a name into reports/baselines/ (committed, so CI
 * compares every change with them). The folder can be moved with LAYOUTBENCH_BASELINES, which
 * tests use so they never write into the repository.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { UserError } from "../core/errors.ts";
import { defaultBaselinesDir, defaultRunsDir } from "../core/paths.ts";
import { readResults } from "../run/results-file.ts";
import type { ResultsFile } from "../run/results-types.ts";
import { NAME_PATTERN, NAME_RULE } from "../scenario/defaults.ts";

/** LAYOUTBENCH_BASELINES, or reports/baselines under the current directory. */
export function baselinesDir(): string {
  return defaultBaselinesDir();
}

/** Throws a UserError unless `name` is a valid baseline name (the alphabet of scenario names). */
export function checkBaselineName(name: string): void {
  if (!NAME_PATTERN.test(name)) throw new UserError(`baseline name ${JSON.stringify(name)}: expected ${NAME_RULE}`);
}

export function baselinePath(name: string): string {
  return join(baselinesDir(), `${name}.json`);
}

/**
 * A results path from what the user typed: an existing file, or the name of a saved baseline.
 * Throws a UserError naming both places looked at.
 */
export function resolveResultsArgument(arg: string): string {
  if (existsSync(arg)) return arg;
  // A bare name (no folder, no .json) is looked up among the saved baselines.
  const bareName = NAME_PATTERN.test(arg) && !arg.endsWith(".json");
  if (bareName && existsSync(baselinePath(arg))) {
    const path = relative(process.cwd(), baselinePath(arg));
    return path.startsWith("..") ? baselinePath(arg) : path;
  }
  throw new UserError(
    bareName
      ? `${arg}: no such results file, and no saved baseline "${arg}" in ${baselinesDir()} (layoutbench baseline list shows the saved ones)`
      : `${arg}: no such results file`,
  );
}

/** The most recently modified results file in reports/runs, or a UserError. */
export function newestRun(dir = defaultRunsDir()): string {
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => join(dir, f))
        .map((path) => ({ path, mtime: statSync(path).mtimeMs }))
    : [];
  if (files.length === 0) throw new UserError(`no results file in ${dir}: give one (layoutbench baseline save NAME RESULTS) or run a scenario first`);
  return files.sort((a, b) => b.mtime - a.mtime)[0].path;
}

/**
 * Copies a finished results file to the baselines folder as NAME.json, byte for byte.
 * Refuses an existing name unless `force`, and a run that did not finish.
 */
export function saveBaseline(name: string, resultsPath: string, force: boolean): { path: string; results: ResultsFile } {
  checkBaselineName(name);
  const results = readResults(resultsPath);
  if (results.finishedAt === null) {
    throw new UserError(`${resultsPath}: the run did not finish; finish it with layoutbench run --resume ${resultsPath} before saving it as a baseline`);
  }
  const target = baselinePath(name);
  if (existsSync(target) && !force) throw new UserError(`baseline "${name}" exists (${target}); pass --force to replace it`);
  mkdirSync(baselinesDir(), { recursive: true });
  copyFileSync(resultsPath, target);
  return { path: target, results };
}

export interface BaselineEntry {
  readonly name: string;
  readonly path: string;
  /** Null when the file is not a readable results file (the reason is in `problem`). */
  readonly results: ResultsFile | null;
  readonly problem?: string;
}

/** Every NAME.json in the baselines folder, by name. */
export function listBaselines(): BaselineEntry[] {
  const dir = baselinesDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const path = join(dir, f);
      const name = f.slice(0, -".json".length);
      try {
        return { name, path, results: readResults(path) };
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        return { name, path, results: null, problem: err.message };
      }
    });
}
