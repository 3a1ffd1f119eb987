/**
 * `layoutbench compare BASELINE CURRENT`: classifies every case of CURRENT against BASELINE and
 * exits with 3 when it finds what `--fail-on` fails on, so CI can tell "slower" (3) from
 * "bad input" (1).
 */
import { writeFileSync } from "node:fs";
import { resolveResultsArgument } from "../compare/baselines.ts";
import { describeDifference } from "../compare/compatibility.ts";
import { comparisonJson } from "../compare/json.ts";
import { comparisonMarkdown } from "../compare/markdown.ts";
import { noSharedCaseMessage } from "../compare/matched.ts";
import { buildComparison, FAIL_ON, type FailOn, shouldFail } from "../compare/model.ts";
import { comparisonTable, countsLine } from "../compare/table.ts";
import { parseThreshold, parseThresholdOverride, thresholdPolicy } from "../compare/thresholds.ts";
import { UserError } from "../core/errors.ts";
import { readResults } from "../run/results-file.ts";
import { DEFAULT_THRESHOLD } from "../stats/regression.ts";
import { parseCommandArgs } from "./args.ts";
import type { Command } from "./command.ts";

/** Exit code when the comparison finds what --fail-on fails on (1 stays "bad input"). */
const EXIT_REGRESSION = 3;

const FORMATS = { table: comparisonTable, md: comparisonMarkdown, json: comparisonJson } as const;

const usage = `Usage: layoutbench compare BASELINE CURRENT [options]

Compares two results files case by case (cases are matched by id). A case is "regressed" when the
95% bootstrap confidence interval of median(CURRENT) / median(BASELINE) lies entirely above
1 + threshold, "improved" when it lies entirely below 1 / (1 + threshold), else "unchanged";
cases in one file only are "added" or "removed", failed cases "failed", and cases with fewer than
2 samples "insufficient". BASELINE may also be the name of a saved baseline (layoutbench baseline).

Options:
  --threshold X              relative change to ignore, as a fraction (default ${DEFAULT_THRESHOLD}: 10%)
  --threshold-for PAT=X      threshold X for the cases whose id matches PAT (words that must all
                             appear, or /REGEX/); repeatable, the last match wins
  --fail-on WHAT             regressed (default): exit ${EXIT_REGRESSION} on a regression;
                             any: also on improved, failed, added, removed, insufficient cases;
                             never: always exit 0
  --format FORMAT            table (default), md (GitHub Markdown) or json
  --out FILE                 write the output to FILE instead of standard output
  --allow-mismatch           compare even when the runs measured different things (a scenario's
                             hash, or a case's dataset, layout or pattern differs)
  -h, --help                 this text

Exit codes: 0 nothing to fail on; ${EXIT_REGRESSION} regressions (or, with --fail-on any, any change);
1 bad input (unreadable file, wrong option, runs that measured different things, files that
share no case).
Differences in machine, kernel, filesystem, Node or library versions are warnings (on standard
error and in the output), never errors.`;

export const compareCommand: Command = {
  name: "compare",
  summary: "compare a results file with a baseline; exit 3 on regressions",
  usage,
  async run(args) {
    const { positionals, values } = parseCommandArgs("compare", args, {
      threshold: { type: "string" },
      "threshold-for": { type: "string", multiple: true },
      "fail-on": { type: "string" },
      format: { type: "string" },
      out: { type: "string" },
      "allow-mismatch": { type: "boolean" },
    });
    if (values.help) {
      console.log(usage);
      return 0;
    }
    if (positionals.length !== 2) {
      throw new UserError(
        `layoutbench compare: expected BASELINE and CURRENT, got ${positionals.length} argument${positionals.length === 1 ? "" : "s"} (see layoutbench compare --help)`,
      );
    }
    const failOn = (values["fail-on"] ?? "regressed") as FailOn;
    if (!Object.hasOwn(FAIL_ON, failOn)) {
      throw new UserError(`layoutbench compare: --fail-on: expected one of ${Object.keys(FAIL_ON).join(", ")}, got ${JSON.stringify(values["fail-on"])}`);
    }
    const format = (values.format ?? "table") as keyof typeof FORMATS;
    if (!Object.hasOwn(FORMATS, format)) {
      throw new UserError(`layoutbench compare: --format: expected one of ${Object.keys(FORMATS).join(", ")}, got ${JSON.stringify(values.format)}`);
    }
    const threshold = values.threshold === undefined ? DEFAULT_THRESHOLD : parseThreshold(values.threshold, "layoutbench compare: --threshold");
    const overrides = (values["threshold-for"] ?? []).map((spec) => parseThresholdOverride(spec, "layoutbench compare: --threshold-for"));

    const [baselineArg, currentArg] = positionals;
    const baselinePath = resolveResultsArgument(baselineArg);
    const currentPath = resolveResultsArgument(currentArg);
    const comparison = buildComparison(readResults(baselinePath), readResults(currentPath), {
      baselinePath,
      currentPath,
      thresholds: thresholdPolicy(threshold, overrides),
    });

    const refusals = comparison.differences.filter((d) => d.severity === "refuse");
    if (refusals.length && !values["allow-mismatch"]) {
      throw new UserError(
        refusals.map(
          (d) =>
            `layoutbench compare: ${baselinePath} and ${currentPath} measured different things: ${describeDifference(d)}; save a new baseline, or pass --allow-mismatch to compare anyway`,
        ),
      );
    }
    for (const d of comparison.differences) console.error(`warning: ${describeDifference(d)}`);
    const nothingMatched = noSharedCaseMessage(comparison, "compare");
    if (nothingMatched) throw new UserError(nothingMatched);

    const text = FORMATS[format](comparison);
    if (values.out) {
      writeFileSync(values.out, text.endsWith("\n") ? text : text + "\n");
      console.log(`${countsLine(comparison)}; written to ${values.out}`);
    } else {
      console.log(text.replace(/\n$/, ""));
    }
    return shouldFail(comparison, failOn) ? EXIT_REGRESSION : 0;
  },
};
