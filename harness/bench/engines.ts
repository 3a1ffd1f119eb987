/**
 * `npm run bench:engines`: every case of scenarios/bench/engines.yaml (every codec the schema
 * accepts, as Zarr, beside .npy and HDF5) read by the harness (layoutbench) and by the native Python stack
 * on the same files, interleaved case by case in one run. Prints, per case, harness ÷ Python with
 * its 95% bootstrap interval and whether that interval lies within 1.2×; then every ranking
 * inversion: a pair of layouts whose time ratio's interval lies above 1 for one engine and below 1
 * for the other (engine-verdicts.ts).
 *
 * Samples the harness flags "preempted" (the reader waited on the run queue for more than half of
 * the sample: engine-verdicts.ts `unpreempted`) are left out of the ratios, and how many were is
 * printed; `--all-samples` keeps them. On a shared machine they measure the load, not the read.
 *
 * Usage: `npm run bench:engines -- [scenario.yaml] [--only <substring>]... [--all-samples] [--from results.json]`;
 * `--only` keeps the cases whose id (`engines/grid/npy/row/warm`) contains one of the substrings,
 * e.g. `--only /zarr2-zstd1/`; `--from` judges a results file of an earlier run instead of running.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCommandArgs } from "../cli/args.ts";
import { defaultCacheRoot } from "../core/paths.ts";
import { loadScenario } from "../plan/load.ts";
import { runScenarios } from "../run/executor.ts";
import { realRunDeps } from "../run/real-deps.ts";
import { readResults } from "../run/results-file.ts";
import type { ResultsFile } from "../run/results-types.ts";
import { PREEMPTION_LIMIT } from "../run/sampler.ts";
import { engineOf } from "../scenario/engines.ts";
import type { Comparison } from "../stats/compare.ts";
import { type EngineCase, engineRatios, rankingInversions, unpreempted } from "./engine-verdicts.ts";

const SCENARIO = "scenarios/bench/engines.yaml";
const TARGET = 1.2;

const interval = (c: Comparison) => `${c.ratio.toFixed(2)}× (${c.low.toFixed(2)}–${c.high.toFixed(2)})`;

async function main(): Promise<void> {
  const args = parseCommandArgs("bench:engines", process.argv.slice(2), {
    only: { type: "string", multiple: true },
    "all-samples": { type: "boolean" },
    from: { type: "string" },
  });
  if (args.values.help) {
    console.log("usage: npm run bench:engines -- [scenario.yaml] [--only <substring>]... [--all-samples] [--from results.json]");
    return;
  }
  const only = args.values.only ?? [];
  const filter = (id: string) => only.length === 0 || only.some((o) => id.includes(o));
  let results: ResultsFile;
  let resultsPath: string;
  if (args.values.from) {
    resultsPath = args.values.from;
    results = readResults(resultsPath);
  } else {
    const scenario = loadScenario(args.positionals[0] ?? SCENARIO);
    resultsPath = join(mkdtempSync(join(tmpdir(), "layoutbench-bench-")), "engines.json");
    results = await runScenarios([scenario], { cacheRoot: defaultCacheRoot(), resultsPath, filter, log: (l) => console.error(l) }, realRunDeps());
  }
  const keepAll = args.values["all-samples"] === true;
  let total = 0;
  let kept = 0;
  const cases: EngineCase[] = results.cases
    .filter((c) => c.status === "ok" && filter(c.id))
    .map((c) => {
      const samples = keepAll ? c.samples : unpreempted(c.samples);
      total += c.samples.length;
      kept += samples.length;
      return {
        layout: c.layout.name,
        pattern: c.pattern.name,
        cache: c.cache,
        engine: engineOf(c),
        samplesMs: samples.map((s) => s.ms),
        rounds: samples.every((s) => s.round !== undefined) ? samples.map((s) => s.round!) : undefined,
      };
    });
  console.log(
    keepAll
      ? `${total} samples, all kept (--all-samples)`
      : `${kept} of ${total} samples kept: ${total - kept} flagged preempted (the reader waited on the run queue for over ${PREEMPTION_LIMIT * 100}% of the sample) left out; --all-samples keeps them\n`,
  );
  for (const c of results.cases.filter((c) => c.status !== "ok")) console.log(`failed: ${c.id}: ${c.error}`);

  console.log(`| layout | pattern | cache | harness ms | python ms | harness ÷ python (95% CI) | within ${TARGET}× |`);
  console.log("|---|---|---|---:|---:|---:|---|");
  const rows = engineRatios(cases, TARGET);
  for (const r of rows) {
    const verdict = r.verdict === null ? "–" : r.verdict === "within" ? "yes" : r.verdict === "outside" ? "**no**" : "unclear";
    console.log(
      `| ${r.layout} | ${r.pattern} | ${r.cache} | ${r.harnessMs?.toFixed(2) ?? "–"} | ${r.pythonMs?.toFixed(2) ?? "–"} | ${r.ratio ? interval(r.ratio) : "–"} | ${verdict} |`,
    );
  }
  const judged = rows.filter((r) => r.verdict !== null);
  const count = (v: string) => judged.filter((r) => r.verdict === v).length;
  console.log(
    `\n${judged.length} cases: ${count("within")} within ${TARGET}× of the Python stack (interval at or under it), ` +
      `${count("outside")} outside (interval above it), ${count("unclear")} unclear (interval across it)`,
  );

  const inversions = rankingInversions(cases);
  console.log(
    inversions.length
      ? `\nranking inversions (each engine's interval of slower ÷ faster excludes 1, in opposite directions):\n` +
          inversions
            .map(
              (i) =>
                `- ${i.pattern}/${i.cache}: python has ${i.faster} faster than ${i.slower}, ${interval(i.python)}; ` +
                `the harness has it slower, ${interval(i.harness)}`,
            )
            .join("\n")
      : "\nno ranking inversions (no pair of layouts whose ratio intervals exclude 1 in opposite directions for the two engines)",
  );
  console.log(`\nresults: ${resultsPath}`);
}

await main();
