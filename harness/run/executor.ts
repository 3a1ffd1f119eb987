/**
 * Runs every case of one or more scenarios under the cache's run lock: collects the machine's
 * context, starts the engines the cases need, writes every layout, then samples the cases in
 * rounds (rounds.ts). The results file is rewritten after every round of every case: a case still
 * missing rounds carries an `incomplete` warning, which `run --resume` replaces. A failed case is
 * data: it is recorded with its error and the run goes on. Everything the run touches outside
 * its scenarios comes in through `deps` (deps.ts).
 */
import { expandCases } from "../scenario/expand.ts";
import type { Scenario } from "../scenario/types.ts";
import type { RunDeps, RunOptions } from "./deps.ts";
import { startEngines, supportedCases } from "./engines-start.ts";
import { remoteSupport } from "./remote-storage.ts";
import { ResultsWriter } from "./results-file.ts";
import { RESULTS_KIND, RESULTS_VERSION, type ResultsFile } from "./results-types.ts";
import { runCases } from "./rounds.ts";

export async function runScenarios(scenarios: readonly Scenario[], options: RunOptions, deps: RunDeps): Promise<ResultsFile> {
  const release = deps.lock(options.cacheRoot, `run ${scenarios.map((s) => s.name).join(", ")}`);
  try {
    // Write cases' copies left by a killed run: nothing else can be using them while we hold the lock.
    for (const dir of deps.cleanScratch(options.cacheRoot)) options.log(`removed ${dir}: a scratch copy left by an earlier run`);
    return await runLocked(scenarios, options, deps);
  } finally {
    release();
  }
}

async function runLocked(scenarios: readonly Scenario[], options: RunOptions, deps: RunDeps): Promise<ResultsFile> {
  const method = scenarios.some((s) => s.eviction === "drop_caches") ? "drop_caches" : "fadvise";
  const context = await deps.collectContext(options.cacheRoot, method);
  const doneIds = new Set((options.done ?? []).map((c) => c.id));
  const wanted = scenarios.flatMap(expandCases).filter((c) => options.filter(c.id) && !doneIds.has(c.id));
  const python = await startEngines(wanted, deps.engines);
  try {
    const writer = new ResultsWriter(
      options.resultsPath,
      {
        kind: RESULTS_KIND,
        version: RESULTS_VERSION,
        startedAt: deps.timestamp(),
        context,
        scenarios: scenarios.map((s) => ({
          file: s.file,
          name: s.name,
          description: s.description,
          hash: s.hash,
          recommendation: s.recommendation,
          ...(s.sweeps ? { sweeps: s.sweeps } : {}),
          ...(s.memoryBudget !== undefined ? { memoryBudget: s.memoryBudget } : {}),
        })),
        ...options.header,
      },
      options.done ?? [],
      options.stamp,
    );
    const readable = supportedCases(wanted, python, deps.engines, options.log).filter((c) => {
      const reason = remoteSupport(c, deps.backendFor(c.layout), python?.versions);
      if (reason) options.log(`${c.engine} engine skips ${c.layout.name} on storage ${c.storage.label}: ${reason}`);
      return !reason;
    });
    return await runCases(readable, python, writer, context, options, deps);
  } finally {
    await python?.quit();
  }
}
