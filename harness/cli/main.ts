/**
 * The CLI: dispatches to one command per file. A UserError is printed as its lines (no stack)
 * with exit code 1; any other error is a bug and is printed in full.
 */
import { UserError } from "../core/errors.ts";
import { abCommand } from "./ab.ts";
import { articleCommand } from "./article.ts";
import { baselineCommand } from "./baseline.ts";
import type { Command } from "./command.ts";
import { compareCommand } from "./compare.ts";
import { datasetsCommand } from "./datasets.ts";
import { exportCommand } from "./export.ts";
import { mergeCommand } from "./merge.ts";
import { planCommand } from "./plan.ts";
import { publishCommand } from "./publish.ts";
import { reportCommand } from "./report.ts";
import { runCommand } from "./run.ts";
import { suggestCommand } from "./suggest.ts";
import { validateCommand } from "./validate.ts";

const COMMANDS: readonly Command[] = [
  runCommand,
  validateCommand,
  reportCommand,
  datasetsCommand,
  compareCommand,
  abCommand,
  baselineCommand,
  exportCommand,
  articleCommand,
  suggestCommand,
  planCommand,
  mergeCommand,
  publishCommand,
];

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
    "Run `layoutbench COMMAND --help` for a command's options.",
  ].join("\n");
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(help());
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UserError(`layoutbench: unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(", ")})`);
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UserError) {
      for (const line of err.lines) console.error(line);
      return 1;
    }
    throw err;
  }
}
