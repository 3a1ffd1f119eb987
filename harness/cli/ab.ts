/**
 * `layoutbench ab SCENARIO... --baseline-tree DIR`: measures the scenarios with another
 * layoutbench tree (the baseline, e.g. a checkout of the main branch) and with this one
 * alternately, block by block (see interleave/alternate.ts), then prints their comparison.
 * `compare` reads the two results files it writes as a pair.
 */
import { existsSync, readdirSync, realpathSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { noSharedCaseMessage } from "../compare/matched.ts";
import { buildComparison } from "../compare/model.ts";
import { comparisonTable } from "../compare/table.ts";
import { thresholdPolicy } from "../compare/thresholds.ts";
import { UserError } from "../core/errors.ts";
import { defaultCacheRoot, defaultRunsDir, PROJECT_ROOT } from "../core/paths.ts";
import { runAlternately, type Side } from "../interleave/alternate.ts";
import { loadScenarioAsync } from "../plan/load.ts";
import { catchInterrupt } from "../run/interrupt.ts";
import { readResults } from "../run/results-file.ts";
import { DEFAULT_THRESHOLD } from "../stats/regression.ts";
import { parseCommandArgs, wholeNumberOption } from "./args.ts";
import type { Command } from "./command.ts";

const usage = `Usage: layoutbench ab SCENARIO... --baseline-tree DIR [options]

Measures the scenario files with two layoutbench trees alternately: the baseline tree DIR (for
example a checkout of the main branch) and this one. Block 1 takes one round of every case with
the baseline tree, then with this tree; block 2 the other way round; and so on. A slow spell of a
shared machine then lands on both runs alike, and compare pairs their blocks, so it tells a change
in the code from drift between two runs measured apart.

Writes OUT/baseline.json and OUT/current.json (rewritten after every block), and OUT/blocks/ with
every block's results and log; then prints their comparison. Check it in CI with
  layoutbench compare OUT/baseline.json OUT/current.json --fail-on regressed

Options:
  --baseline-tree DIR     a layoutbench checkout with its dependencies installed (npm ci);
                          "." measures this tree against itself: every flag is then a false alarm
  --blocks N              blocks (default: the scenarios' largest sampling.rounds)
  --samples-per-block N   samples per case in each block (default: sampling.samples / blocks,
                          rounded up)
  --out-dir DIR           where the files go (default reports/runs/ab-TIME); must be new or empty
  --cache DIR             this tree's dataset cache (default $LAYOUTBENCH_CACHE, else ~/.cache/layoutbench);
                          another baseline tree writes its datasets to DIR-baseline, so each tree
                          reads what its own code wrote
  --filter TEXT           run only the matching cases (as run --filter)
  -h, --help              this text

Exit codes: 0 done; 2 done, some case failed; 130 interrupted (the files hold the blocks every
tree finished); 1 bad input. A regression is not an error here: compare decides that.`;

export const abCommand: Command = {
  name: "ab",
  summary: "measure a baseline tree and this one alternately, for a drift-free comparison",
  usage,
  async run(args) {
    const { positionals, values } = parseCommandArgs("ab", args, {
      "baseline-tree": { type: "string" },
      blocks: { type: "string" },
      "samples-per-block": { type: "string" },
      "out-dir": { type: "string" },
      cache: { type: "string" },
      filter: { type: "string" },
    });
    if (values.help) {
      console.log(usage);
      return 0;
    }
    if (positionals.length === 0) throw new UserError("layoutbench ab: give at least one scenario file (e.g. scenarios/ci/memmap.yaml)");
    if (values["baseline-tree"] === undefined)
      throw new UserError('layoutbench ab: --baseline-tree DIR is required (a layoutbench checkout to compare with; "." for this tree)');
    const baselineTree = resolve(values["baseline-tree"]);
    if (!existsSync(baselineTree)) throw new UserError(`layoutbench ab: --baseline-tree: ${values["baseline-tree"]} does not exist`);
    const files = positionals.map((f) => resolve(f));
    // Validated here first, so a typo costs no baseline run.
    const scenarios = await Promise.all(files.map((f) => loadScenarioAsync(f)));
    const blocks = wholeNumberOption("ab", "blocks", values.blocks) ?? Math.max(...scenarios.map((s) => s.sampling.rounds));
    const samplesPerBlock =
      wholeNumberOption("ab", "samples-per-block", values["samples-per-block"]) ?? Math.ceil(Math.max(...scenarios.map((s) => s.sampling.samples)) / blocks);
    const outDir = resolve(values["out-dir"] ?? join(defaultRunsDir(), `ab-${new Date().toISOString().replace(/[:]/g, "").replace(/\..*/, "")}`));
    if (existsSync(outDir) && readdirSync(outDir).length > 0) {
      throw new UserError(`layoutbench ab: --out-dir: ${values["out-dir"] ?? outDir} is not empty; choose a new folder (nothing there is overwritten)`);
    }
    const cache = resolve(values.cache ?? defaultCacheRoot());
    const sameTree = realpathSync(baselineTree) === realpathSync(PROJECT_ROOT);
    const sides: Side[] = [
      { name: "baseline", tree: baselineTree, files, cache: sameTree ? cache : `${cache}-baseline` },
      { name: "current", tree: PROJECT_ROOT, files, cache },
    ];

    const { interrupted, release } = catchInterrupt("finishing the current case, keeping the blocks both trees finished");
    try {
      console.log(
        `${blocks} blocks of ${samplesPerBlock} sample${samplesPerBlock === 1 ? "" : "s"} per case; baseline ${baselineTree}, current ${PROJECT_ROOT}; files in ${relative(process.cwd(), outDir) || outDir}`,
      );
      const done = await runAlternately(sides, {
        blocks,
        samplesPerBlock,
        outDir,
        filter: values.filter,
        log: (line) => console.log(line),
        interrupted,
      });
      if (done.blocks === 0) {
        console.log("interrupted before the first block finished: nothing to compare");
        return 130;
      }
      const [baselinePath, currentPath] = [done.paths.get("baseline")!, done.paths.get("current")!];
      const baseline = readResults(baselinePath);
      const current = readResults(currentPath);
      const comparison = buildComparison(baseline, current, { baselinePath, currentPath, thresholds: thresholdPolicy(DEFAULT_THRESHOLD) });
      console.log("\n" + comparisonTable(comparison));
      // The two trees may name their scenarios or layouts differently: then nothing was compared.
      const nothingMatched = noSharedCaseMessage(comparison, "ab");
      if (nothingMatched) throw new UserError(nothingMatched);
      console.log(`\nbaseline: ${baselinePath}\ncurrent:  ${currentPath}${done.interrupted ? ` (${done.blocks} of ${blocks} blocks)` : ""}`);
      if (done.interrupted) return 130;
      return [...baseline.cases, ...current.cases].some((c) => c.status === "failed") ? 2 : 0;
    } finally {
      release();
    }
  },
};
