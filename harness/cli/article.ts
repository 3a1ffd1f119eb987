/**
 * `layoutbench article`: runs the article's suite (scenarios/article/, one scenario per claim)
 * and writes the page docs/article.md with its charts and the HTML report in docs/article/;
 * `--from` rebuilds the page from a stored results file without measuring.
 */
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { readSuite, runSuite } from "../article/suite.ts";
import { writeArticle } from "../article/write.ts";
import { UserError } from "../core/errors.ts";
import { defaultCacheRoot } from "../core/paths.ts";
import { catchInterrupt } from "../run/interrupt.ts";
import { realRunDeps } from "../run/real-deps.ts";
import { parseCommandArgs } from "./args.ts";
import type { Command } from "./command.ts";

const DEFAULT_OUT = "docs";

/** A path as the commands on the page show it: relative inside the working directory, else absolute. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === "" ? "." : rel.startsWith("..") ? path : rel;
}

const usage = `Usage: layoutbench article [options]

Measures the claims of "Loading NumPy arrays from disk: mmap() vs. Zarr/HDF5" (one scenario per
claim in scenarios/article/) and writes a page: per claim its prediction, the number measured
here with its interval, and a verdict computed by the claim's rule, with a chart.

Options:
  --out DIR       where to write DIR/article.md, with charts, the HTML report and the results
                  in DIR/article/ (default: ${DEFAULT_OUT})
  --small         arrays 4× smaller along each axis and 3 samples per case: a check in seconds,
                  not a measurement to publish
  --from RESULTS  do not measure: rebuild the page from a results file written by this command
                  (its -extras.json beside it holds the memory probe's figures)
  --cache DIR     the dataset cache (default: datasets/cache)
  -h, --help      this text`;

export const articleCommand: Command = {
  name: "article",
  summary: "measure the article's claims and write docs/article.md with verdicts and charts",
  usage,
  async run(args) {
    const { positionals, values } = parseCommandArgs("article", args, {
      out: { type: "string" },
      small: { type: "boolean" },
      from: { type: "string" },
      cache: { type: "string" },
    });
    if (values.help) {
      console.log(usage);
      return 0;
    }
    if (positionals.length) throw new UserError(`layoutbench article: takes no file arguments (got ${positionals[0]}); see layoutbench article --help`);
    const outDir = resolve(values.out ?? DEFAULT_OUT);
    const shownOut = shown(outDir);
    const command = values.out === undefined && !values.small ? "npm run docs" : `layoutbench article --out ${shownOut}${values.small ? " --small" : ""}`;
    let resultsPath: string;
    let suite: ReturnType<typeof readSuite>;
    if (values.from !== undefined) {
      resultsPath = resolve(values.from);
      if (!existsSync(resultsPath)) throw new UserError(`layoutbench article: --from: ${values.from}: no such results file`);
      suite = readSuite(resultsPath);
    } else {
      resultsPath = join(outDir, "article", "results.json");
      const { interrupted, release } = catchInterrupt("finishing the current case; the page is written from what finished");
      try {
        suite = await runSuite(
          { cacheRoot: resolve(values.cache ?? defaultCacheRoot()), resultsPath, small: values.small === true, log: (l) => console.log(l), interrupted },
          realRunDeps(),
        );
      } finally {
        release();
      }
    }
    const rebuild = `layoutbench article --from ${shown(resultsPath)} --out ${shownOut}`;
    for (const path of await writeArticle(suite.results, suite.extras, { outDir, resultsPath, command, rebuild })) console.log(path);
    return 0;
  },
};
