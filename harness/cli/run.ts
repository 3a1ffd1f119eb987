/**
 * `layoutbench run FILE...`: validates, materializes, measures every case, writes the results file
 * after each case, prints a summary table and renders the default reports.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../core/errors.ts";
import { defaultCacheRoot, defaultRunsDir } from "../core/paths.ts";
import { loadScenarioAsync } from "../plan/load.ts";
import { consoleTable } from "../report/console-table.ts";
import { runScenarios } from "../run/executor.ts";
import { catchInterrupt } from "../run/interrupt.ts";
import { realRunDeps } from "../run/real-deps.ts";
import { readResults } from "../run/results-file.ts";
import type { ScenarioInfo } from "../run/results-types.ts";
import { defaultRecommendationEngine, ENGINE_SPELLINGS, engineNamed } from "../scenario/engines.ts";
import type { EngineName, Scenario } from "../scenario/types.ts";
import { parseShard } from "../shard/partition.ts";
import { parseCommandArgs, wholeNumberOption } from "./args.ts";
import type { Command } from "./command.ts";
import { output } from "./output.ts";
import { filterOf } from "./plan.ts";
import { runReporter } from "./run-progress.ts";
import { shardSetup } from "./run-shard.ts";

const usage = `Usage: layoutbench run FILE... [options]

Runs every case (dataset × layout × pattern × cache state) of the scenario files.

Options:
  --filter TEXT       run only cases whose id (scenario/dataset/layout/pattern/cache) contains
                      every word of TEXT, or matches /REGEX/
  --out FILE          results file (default: reports/runs/<scenario>-<time>.json)
  --resume FILE       finish an interrupted run: keep its finished cases, sample the missing
                      and incomplete ones again
  --cache DIR         dataset cache (default: $LAYOUTBENCH_CACHE, else
                      $XDG_CACHE_HOME/layoutbench or ~/.cache/layoutbench)
  --rematerialize     write every dataset again instead of reusing the cache
  --samples N         at most N samples per case (overrides sampling.samples; for quick looks)
  --rounds N          take the samples in N rounds (overrides sampling.rounds; at most the
                      samples per case)
  --engines LIST      who reads, comma-separated (overrides the scenario's engines): layoutbench
                      (its own readers; js is an older name), zarrita (zarr.get), h5wasm
                      (Dataset.slice), python (NumPy, h5py, zarr-python), tensorstore (through
                      the Python worker, where installed); the same files, side by side
  --shard i/N         run shard i of N: a deterministic share of the cases, balanced by estimated
                      cost; the results file records the plan, the shard, the machine and a
                      calibration (combine shards with layoutbench merge; see docs/sharded-runs.md)
  --plan FILE         with --shard: take the costs from a plan written by layoutbench plan --out
  --no-report         do not render the Markdown and HTML reports
  -h, --help          this text

Ctrl-C once stops after the current case (once it has minSamples) and keeps every finished case;
twice exits at once.`;

function timestamp(): string {
  return new Date().toISOString().replace(/[:]/g, "").replace(/\..*/, "");
}

export const runCommand: Command = {
  name: "run",
  summary: "run scenario files and write a results file",
  usage,
  async run(args) {
    const { positionals, values } = parseCommandArgs("run", args, {
      filter: { type: "string" },
      out: { type: "string" },
      resume: { type: "string" },
      cache: { type: "string" },
      rematerialize: { type: "boolean" },
      "no-report": { type: "boolean" },
      samples: { type: "string" },
      rounds: { type: "string" },
      engines: { type: "string" },
      shard: { type: "string" },
      plan: { type: "string" },
    });
    if (values.help) {
      console.log(usage);
      return 0;
    }
    if (positionals.length === 0) throw new UserError("layoutbench run: give at least one scenario file (e.g. scenarios/quickstart.yaml)");
    const samples = wholeNumberOption("run", "samples", values.samples);
    const rounds = wholeNumberOption("run", "rounds", values.rounds);
    const engines = values.engines === undefined ? undefined : parseEngines(values.engines);
    const scenarios: Scenario[] = [];
    for (const file of positionals) scenarios.push(withEngines(withSampling(await loadScenarioAsync(file), samples, rounds), engines));
    if (values.shard !== undefined) parseShard(values.shard);
    const resumed = values.resume ? readResults(values.resume) : undefined;
    if (resumed) checkSameScenarios(values.resume!, resumed.scenarios, scenarios);
    const cacheRoot = resolve(values.cache ?? defaultCacheRoot());
    const sharded = await shardSetup(scenarios, filterOf("run", values.filter), {
      shard: values.shard,
      plan: values.plan,
      resume: values.resume,
      resumed,
      cacheRoot,
    });
    if (sharded.note) console.log(sharded.note);
    // Cases that failed or missed rounds are sampled again from the start.
    const done = resumed ? resumed.cases.filter((c) => c.status === "ok" && !c.warnings.some((w) => w.code === "incomplete")) : [];
    const resultsPath = resolve(values.resume ?? values.out ?? join(defaultRunsDir(), `${scenarios.map((s) => s.name).join("+")}-${timestamp()}.json`));
    if (values.out && !values.resume && existsSync(resultsPath)) {
      throw new UserError(`${values.out}: results file exists; choose another --out, or --resume it`);
    }

    const { interrupted, release } = catchInterrupt("finishing the current case, keeping finished cases");
    const reporter = runReporter();
    try {
      const results = await runScenarios(
        scenarios,
        {
          cacheRoot,
          resultsPath,
          filter: sharded.filter,
          header: sharded.header,
          stamp: sharded.stamp,
          done,
          rematerialize: values.rematerialize,
          log: (line) => reporter.log(line),
          progress: (p) => reporter.progress(p),
          interrupted,
        },
        realRunDeps(),
      );
      reporter.end();
      // A shard may hold no case when a plan has fewer cases than shards; its file still completes the set.
      if (results.cases.length === 0 && !values.shard) throw new UserError(`layoutbench run: no case matches --filter ${JSON.stringify(values.filter)}`);
      if (output.verbosity !== "quiet") console.log("\n" + consoleTable(results));
      console.log(`\nresults: ${resultsPath}${interrupted() ? " (interrupted: finish it with --resume " + resultsPath + ")" : ""}`);
      if (!values["no-report"]) await renderReports(resultsPath);
      return interrupted() ? 130 : results.cases.some((c) => c.status === "failed") ? 2 : 0;
    } finally {
      reporter.end();
      release();
    }
  },
};

/** Characters of a scenario hash shown in messages: enough to tell two apart. */
const SHORT_HASH = 12;

/**
 * A resumed file must hold results of exactly the scenarios given (same names and hashes): cases of
 * another scenario, or of another version of the same file, would be merged into one results file.
 */
function checkSameScenarios(file: string, recorded: readonly ScenarioInfo[], given: readonly Scenario[]): void {
  const key = (s: { name: string; hash: string }) => `${s.name} ${s.hash}`;
  const a = recorded.map(key).sort().join("\n");
  const b = given.map(key).sort().join("\n");
  if (a === b) return;
  const list = (ss: readonly { name: string; hash: string }[]) => ss.map((s) => `"${s.name}" (hash ${s.hash.slice(0, SHORT_HASH)})`).join(", ") || "none";
  throw new UserError(
    `layoutbench run: --resume ${file}: that file holds results of scenario${recorded.length === 1 ? "" : "s"} ${list(recorded)}, ` +
      `not of the scenario${given.length === 1 ? "" : "s"} given here: ${list(given)}; ` +
      "resume a results file with the scenario files it was run with, or start a new run without --resume",
  );
}

/**
 * Caps the sample count and sets the rounds; the scenario hash stays that of the file (the same
 * cases, measured with fewer samples or differently spread over the run).
 */
function withSampling(scenario: Scenario, samples: number | undefined, rounds: number | undefined): Scenario {
  if (samples === undefined && rounds === undefined) return scenario;
  const s = scenario.sampling;
  const n = samples ?? s.samples;
  return { ...scenario, sampling: { ...s, samples: n, minSamples: Math.min(s.minSamples, n), rounds: Math.min(rounds ?? s.rounds, n) } };
}

function parseEngines(text: string): EngineName[] {
  const names = text
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  const unknown = names.find((n) => engineNamed(n) === undefined);
  if (unknown !== undefined || names.length === 0) {
    throw new UserError(
      `layoutbench run: --engines: unknown engine ${JSON.stringify(unknown ?? text)} (allowed: ${ENGINE_SPELLINGS.join(", ")}, comma-separated)`,
    );
  }
  return [...new Set(names.map((n) => engineNamed(n)!))];
}

/** The engines given on the command line; a recommendation engine they leave out becomes their default one. */
function withEngines(scenario: Scenario, engines: EngineName[] | undefined): Scenario {
  if (!engines) return scenario;
  const { recommendation } = scenario;
  const engine = engines.includes(recommendation.engine) ? recommendation.engine : defaultRecommendationEngine(engines);
  return { ...scenario, engines, recommendation: { ...recommendation, engine } };
}

/** The report renderers are loaded on demand so `run` starts without loading vega. */
async function renderReports(resultsPath: string): Promise<void> {
  const { renderDefaultReports } = await import("./report.ts");
  for (const path of await renderDefaultReports(resultsPath)) console.log(`report: ${path}`);
}
