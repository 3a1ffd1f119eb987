/**
 * `layoutbench validate FILE...`: checks scenario files without writing anything.
 */
import { UserError } from "../core/errors.ts";
import { loadScenarioAsync } from "../plan/load.ts";
import { expandCases } from "../scenario/expand.ts";
import { parseCommandArgs } from "./args.ts";
import type { Command } from "./command.ts";

const usage = `Usage: layoutbench validate FILE...

Checks each scenario file against the schema and the datasets' shapes, printing every problem
as FILE:LINE: FIELD: MESSAGE. Writes nothing. Exit code 1 when any file has a problem.`;

export const validateCommand: Command = {
  name: "validate",
  summary: "check scenario files without running them",
  usage,
  async run(args) {
    const { positionals, values } = parseCommandArgs("validate", args, {});
    if (values.help) {
      console.log(usage);
      return 0;
    }
    if (positionals.length === 0) throw new UserError("layoutbench validate: give at least one scenario file");
    let failed = false;
    for (const file of positionals) {
      try {
        const scenario = await loadScenarioAsync(file);
        console.log(`${file}: ok (${expandCases(scenario).length} cases)`);
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        for (const line of err.lines) console.error(line);
        failed = true;
      }
    }
    return failed ? 1 : 0;
  },
};
