/**
 * `layoutbench export RESULTS --format github|csv`: a results file in other tools' formats — the
 * GitHub benchmark action's "customSmallerIsBetter" JSON, or one CSV row per sample.
 */
import { writeFileSync } from "node:fs";
import { UserError } from "../core/errors.ts";
import { samplesCsv } from "../export/csv.ts";
import { githubBenchmarkJson } from "../export/github.ts";
import { readResults } from "../run/results-file.ts";
import type { ResultsFile } from "../run/results-types.ts";
import { parseCommandArgs } from "./args.ts";
import type { Command } from "./command.ts";

const FORMATS: Record<string, (r: ResultsFile) => string> = { github: githubBenchmarkJson, csv: samplesCsv };

const usage = `Usage: layoutbench export RESULTS --format github|csv [--out FILE]

  --format github   JSON for benchmark-action/github-action-benchmark (tool: customSmallerIsBetter):
                    [{name: case id, unit: "ms", value: median, range: "± half the IQR", extra}]
  --format csv      one row per sample (RFC 4180) with the case's columns, for notebooks
  --out FILE        write to FILE instead of standard output

Failed cases have no samples: they are left out of both formats.`;

export const exportCommand: Command = {
  name: "export",
  summary: "export a results file for the GitHub benchmark action or as CSV",
  usage,
  async run(args) {
    const { positionals, values } = parseCommandArgs("export", args, { format: { type: "string" }, out: { type: "string" } });
    if (values.help) {
      console.log(usage);
      return 0;
    }
    if (positionals.length !== 1)
      throw new UserError(`layoutbench export: expected one RESULTS file, got ${positionals.length} (see layoutbench export --help)`);
    const format = values.format;
    if (format === undefined || !Object.hasOwn(FORMATS, format)) {
      throw new UserError(
        `layoutbench export: --format: expected one of ${Object.keys(FORMATS).join(", ")}, got ${format === undefined ? "nothing" : JSON.stringify(format)}`,
      );
    }
    const text = FORMATS[format](readResults(positionals[0]));
    if (values.out) writeFileSync(values.out, text);
    else process.stdout.write(text);
    return 0;
  },
};
