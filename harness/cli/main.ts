/**
 * The CLI: dispatches to one command per file. A UserError is printed as its lines (no stack)
 * with exit code 1; any other error is a bug and is printed in full.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../core/errors.ts";
import { PROJECT_ROOT } from "../core/paths.ts";
import type { Command } from "./command.ts";
import { configureOutput, output, paint, splitGlobalOptions } from "./output.ts";

/**
 * Each command is imported when it runs, so `layoutbench COMMAND` loads only that command's code
 * (and --help loads none: bin.js prints help.txt, which a test checks against these summaries).
 */
export const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  run: async () => (await import("./run.ts")).runCommand,
  validate: async () => (await import("./validate.ts")).validateCommand,
  report: async () => (await import("./report.ts")).reportCommand,
  datasets: async () => (await import("./datasets.ts")).datasetsCommand,
  compare: async () => (await import("./compare.ts")).compareCommand,
  ab: async () => (await import("./ab.ts")).abCommand,
  baseline: async () => (await import("./baseline.ts")).baselineCommand,
  export: async () => (await import("./export.ts")).exportCommand,
  article: async () => (await import("./article.ts")).articleCommand,
  suggest: async () => (await import("./suggest.ts")).suggestCommand,
  plan: async () => (await import("./plan.ts")).planCommand,
  merge: async () => (await import("./merge.ts")).mergeCommand,
  publish: async () => (await import("./publish.ts")).publishCommand,
};

const loaded = new Map<string, Command>();

/** Imports a command once; later calls of main() find it loaded and start it without a pause. */
export async function loadCommand(name: string): Promise<Command> {
  const command = loaded.get(name) ?? (await COMMANDS[name]());
  loaded.set(name, command);
  return command;
}

/** The top-level help, kept as a file so bin.js can print it without compiling anything. */
export function help(): string {
  return readFileSync(new URL("./help.txt", import.meta.url), "utf8").replace(/\n$/, "");
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
    if (!Object.hasOwn(COMMANDS, name)) throw new UserError(`layoutbench: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(", ")})`);
    const command = loaded.get(name) ?? (await loadCommand(name));
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UserError) {
      for (const line of err.lines) console.error(paint(output.colourErr, "red", line));
      return 1;
    }
    throw err;
  }
}
