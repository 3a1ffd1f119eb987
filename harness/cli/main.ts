/**
 * The CLI: dispatches to one command per file. A UserError is printed as its lines (no stack)
 * with exit code 1; any other error is a bug and is printed in full.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../core/errors.ts";
import { PROJECT_ROOT } from "../core/paths.ts";
import { abCommand } from "./ab.ts";
import { baselineCommand } from "./baseline.ts";
import type { Command } from "./command.ts";
import { compareCommand } from "./compare.ts";
import { datasetsCommand } from "./datasets.ts";
import { exportCommand } from "./export.ts";
import { configureOutput, output, paint, splitGlobalOptions } from "./output.ts";
import { reportCommand } from "./report.ts";
import { runCommand } from "./run.ts";
import { validateCommand } from "./validate.ts";

const COMMANDS: readonly Command[] = [runCommand, validateCommand, reportCommand, datasetsCommand, compareCommand, abCommand, baselineCommand, exportCommand];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "Usage: layoutbench COMMAND [options]",
    "",
    "Measures how an N-dimensional array should be stored for a workload.",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Options for every command:",
    "  -q, --quiet     print only results, report paths and errors (no progress, no per-case lines)",
    "  -v, --verbose   also print a line per case per round",
    "  --no-color      no colour (also when NO_COLOR is set, or output is not a terminal)",
    "  --version       the version of layoutbench",
    "",
    "Run `layoutbench COMMAND --help` for a command's options.",
  ].join("\n");
}

/** The version in the package's own package.json. */
export function version(): string {
  return (JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const { options, rest: args } = splitGlobalOptions(argv);
    configureOutput(options);
    if (options.version) {
      console.log(`layoutbench ${version()}`);
      return 0;
    }
    const [name, ...rest] = args;
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      console.log(help());
      return name === undefined ? 1 : 0;
    }
    if (name.startsWith("-")) throw new UserError(`layoutbench: unknown option ${name} (see layoutbench --help)`);
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UserError(`layoutbench: unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(", ")})`);
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UserError) {
      for (const line of err.lines) console.error(paint(output.colourErr, "red", line));
      return 1;
    }
    throw err;
  }
}
