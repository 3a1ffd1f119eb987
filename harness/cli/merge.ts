/**
 * `layoutbench merge RESULTS... --out FILE`: one results file from the shard files of one plan.
 * Nothing is written when the files do not belong together.
 */
import { existsSync } from "node:fs";
import { UserError } from "../core/errors.ts";
import { readResults, writeJsonAtomic } from "../run/results-file.ts";
import { mergeShards } from "../shard/merge.ts";
import { parseCommandArgs } from "./args.ts";
import type { Command } from "./command.ts";

const usage = `Usage: layoutbench merge RESULTS... --out FILE [--force]

Merges the results files of the shards of one plan (run --shard i/N) into one results file.
Refuses files of different plans, harness versions or dataset digests, and shards given twice;
lists missing shards and names machines whose fingerprints differ (reports then group results
by machine). Finish missing cases with: layoutbench run SCENARIO... --resume FILE

Options:
  --out FILE    the merged results file (required)
  --force       overwrite FILE if it exists
  -h, --help    this text`;

export const mergeCommand: Command = {
  name: "merge",
  summary: "merge the shard results files of one plan",
  usage,
  async run(args) {
    const { positionals, values } = parseCommandArgs("merge", args, { out: { type: "string" }, force: { type: "boolean" } });
    if (values.help) {
      console.log(usage);
      return 0;
    }
    if (!values.out) throw new UserError("layoutbench merge: --out FILE is required (where the merged results go)");
    if (positionals.length === 0) throw new UserError("layoutbench merge: give the shard results files to merge");
    if (existsSync(values.out) && !values.force) throw new UserError(`layoutbench merge: ${values.out}: file exists; choose another --out, or give --force`);
    const merged = mergeShards(positionals.map((path) => ({ path, results: readResults(path) })));
    writeJsonAtomic(values.out, merged.results);
    const { results } = merged;
    console.log(
      `merged ${positionals.length} shard file${positionals.length === 1 ? "" : "s"} of plan ${results.plan!.id.slice(0, 12)}: ${results.cases.length} of ${results.plan!.cases} cases`,
    );
    if (merged.missing.length)
      console.log(`missing shards: ${merged.missing.join(", ")} (run them with --shard, then merge again, or finish the merged file with run --resume)`);
    if (merged.unfinished.length)
      console.log(`unfinished shards: ${merged.unfinished.join(", ")} (resume them with run --shard i/N --resume FILE, then merge again)`);
    for (const line of merged.machineNotes) console.log(`${line}; reports group results by machine`);
    console.log(`results: ${values.out}`);
    return 0;
  },
};
