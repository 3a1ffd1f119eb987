/**
 * Running the article's suite: every claim's scenario in one run (one results file, one machine
 * context), then the measurements claims make in their own way (the memory probe of claim 3),
 * saved beside the results as article-extras.json so the page can be rebuilt from both.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { backendFor } from "../backends/registry.ts";
import { UserError } from "../core/errors.ts";
import { PROJECT_ROOT } from "../core/paths.ts";
import { loadScenarioAsync, parseScenario } from "../plan/load.ts";
import type { RunDeps } from "../run/deps.ts";
import { runScenarios } from "../run/executor.ts";
import { readResults } from "../run/results-file.ts";
import type { ResultsFile } from "../run/results-types.ts";
import type { Scenario } from "../scenario/types.ts";
import { ensureMaterialized } from "../store/materialize.ts";
import { CLAIMS } from "./claims/index.ts";
import { measureMemory } from "./measure-memory.ts";
import { smallScenarioText } from "./small.ts";
import type { Extras } from "./types.ts";

/** The scenario whose file the memory probe reads (claim 3's). */
const MEMORY_SCENARIO = "article-03-no-extra-copy";
/** Probe runs per way of reading: fresh processes, so each costs a Node start. */
const MEMORY_REPEATS = { full: 5, small: 3 } as const;

export interface SuiteOptions {
  readonly cacheRoot: string;
  readonly resultsPath: string;
  readonly small: boolean;
  readonly log: (line: string) => void;
  readonly interrupted?: () => boolean;
}

/** The claims' scenario files, shrunk for --small. */
export async function suiteScenarios(small: boolean): Promise<Scenario[]> {
  // Relative to the repository, wherever the command runs; shown relative to the working directory.
  const files = CLAIMS.flatMap((c) => (c.scenario ? [relative(process.cwd(), join(PROJECT_ROOT, c.scenario))] : []));
  return Promise.all(files.map((f) => (small ? parseScenario(smallScenarioText(readFileSync(f, "utf8")), f) : loadScenarioAsync(f))));
}

/** The path of the extras file beside a results file. */
export const extrasPathFor = (resultsPath: string): string => resultsPath.replace(/\.json$/, "") + "-extras.json";

/** Runs the suite and the claims' own measurements; writes the results file and the extras file. */
export async function runSuite(options: SuiteOptions, deps: RunDeps): Promise<{ results: ResultsFile; extras: Extras }> {
  const scenarios = await suiteScenarios(options.small);
  const results = await runScenarios(
    scenarios,
    { cacheRoot: options.cacheRoot, resultsPath: options.resultsPath, filter: () => true, log: options.log, interrupted: options.interrupted },
    deps,
  );
  const extras = options.interrupted?.() ? { memoryProblem: "the run was interrupted before the memory probe" } : await memoryExtras(results, options);
  writeFileSync(extrasPathFor(options.resultsPath), `${JSON.stringify(extras, null, 2)}\n`);
  return { results, extras };
}

/** The probe's figures, or the reason it has none: a failed probe is a claim not measured, not a failed run. */
async function memoryExtras(results: ResultsFile, options: SuiteOptions): Promise<Extras> {
  try {
    const memory = await memoryProbe(results, options);
    return memory ? { memory } : { memoryProblem: `the memory probe did not run: ${MEMORY_SCENARIO} has no finished case` };
  } catch (err) {
    return { memoryProblem: `the memory probe failed: ${(err as Error).message.split("\n")[0]}` };
  }
}

/** Claim 3's probe on the file its scenario wrote, or undefined when that case did not run. */
async function memoryProbe(results: ResultsFile, options: SuiteOptions): Promise<Extras["memory"]> {
  const c = results.cases.find((x) => x.scenario === MEMORY_SCENARIO && x.status === "ok");
  if (!c) return undefined;
  const { stored } = await ensureMaterialized(options.cacheRoot, c.dataset, c.layout);
  const [file] = await backendFor(c.layout).files(stored);
  options.log(`memory probe: mmap vs read() of ${file}`);
  return measureMemory(file, options.small ? MEMORY_REPEATS.small : MEMORY_REPEATS.full);
}

/** A stored run: the results file and, when present, its extras file. */
export function readSuite(resultsPath: string): { results: ResultsFile; extras: Extras } {
  const results = readResults(resultsPath);
  let extras: Extras = {};
  try {
    extras = JSON.parse(readFileSync(extrasPathFor(resultsPath), "utf8")) as Extras;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new UserError(`${extrasPathFor(resultsPath)}: unreadable: ${(err as Error).message}`);
  }
  return { results, extras };
}
