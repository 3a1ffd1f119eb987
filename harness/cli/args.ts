/**
 * Argument parsing for every command, on node:util parseArgs, with errors that name the flag.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { UserError } from "../core/errors.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

export function parseCommandArgs<O extends Options>(command: string, args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UserError(`layoutbench ${command}: ${(err as Error).message.split("\n")[0]} (see layoutbench ${command} --help)`);
  }
}

/** A `--NAME N` option that must be a whole number >= 1; undefined when not given. */
export function wholeNumberOption(command: string, name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 1)) throw new UserError(`layoutbench ${command}: --${name}: expected a whole number >= 1, got ${JSON.stringify(text)}`);
  return n;
}
