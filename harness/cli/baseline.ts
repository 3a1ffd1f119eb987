/**
 * `layoutbench baseline save NAME [RESULTS] | list`: keeps named copies of results files in
 * reports/baselines/ (or $LAYOUTBENCH_BASELINES) for `compare` and CI.
 */
import { relative } from "node:path";
import { baselinesDir, listBaselines, newestRun, saveBaseline } from "../compare/baselines.ts";
import { UserError } from "../core/errors.ts";
import { parseCommandArgs } from "./args.ts";
import type { Command } from "./command.ts";

const usage = `Usage: layoutbench baseline save NAME [RESULTS] [--force]
       layoutbench baseline list

  save NAME [RESULTS]   copy RESULTS (default: the newest file in reports/runs) to
                        reports/baselines/NAME.json; NAME: letters, digits, '.', '_', '-'.
                        An existing baseline is replaced only with --force; an unfinished run
                        is refused.
  list                  the saved baselines: name, cases, when and where they ran

The folder is reports/baselines, or $LAYOUTBENCH_BASELINES. Compare with a saved baseline by
name: layoutbench compare NAME CURRENT.`;

export const baselineCommand: Command = {
  name: "baseline",
  summary: "save a results file as a named baseline, or list them",
  usage,
  async run(args) {
    const { positionals, values } = parseCommandArgs("baseline", args, { force: { type: "boolean" } });
    if (values.help) {
      console.log(usage);
      return 0;
    }
    const [action, ...rest] = positionals;
    if (action === "save") {
      const [name, results, ...extra] = rest;
      if (name === undefined) throw new UserError("layoutbench baseline save: give a NAME (e.g. layoutbench baseline save ci reports/runs/ci.json)");
      if (extra.length) throw new UserError(`layoutbench baseline save: expected NAME [RESULTS], got ${rest.length} arguments`);
      const source = results ?? newestRun();
      const saved = saveBaseline(name, source, values.force ?? false);
      console.log(`baseline "${name}": ${source} -> ${relative(process.cwd(), saved.path) || saved.path} (${saved.results.cases.length} cases)`);
      return 0;
    }
    if (action === "list") {
      if (rest.length) throw new UserError(`layoutbench baseline list: takes no arguments, got ${rest.join(" ")}`);
      const entries = listBaselines();
      if (entries.length === 0) {
        console.log(`no baselines in ${baselinesDir()} (save one with layoutbench baseline save NAME [RESULTS])`);
        return 0;
      }
      const width = Math.max(...entries.map((e) => e.name.length));
      for (const e of entries) {
        const r = e.results;
        console.log(
          r
            ? `${e.name.padEnd(width)}  ${r.cases.length} cases  ${r.startedAt}  ${r.scenarios.map((s) => s.name).join(",")}  ${r.context.cpuModel} ×${r.context.cpus}`
            : `${e.name.padEnd(width)}  unreadable: ${e.problem}`,
        );
      }
      return 0;
    }
    throw new UserError(`layoutbench baseline: expected "save" or "list", got ${action === undefined ? "nothing" : JSON.stringify(action)}`);
  },
};
