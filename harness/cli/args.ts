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
    throw new UserError(parseErrorLine(command, err as Error & { code?: string }));
  }
}

/** node:util's parse errors in the tool's own words, one line naming the option and the command. */
export function parseErrorLine(command: string, err: { message: string; code?: string }): string {
  const see = `(see layoutbench ${command} --help)`;
  const option = /'(-{1,2}[^' ,]+)/.exec(err.message)?.[1];
  if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option) return `layoutbench: unknown option ${option} for ${command} ${see}`;
  if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option) {
    const long = /, (--[^' ]+)/.exec(err.message)?.[1] ?? option;
    return /argument missing/.test(err.message)
      ? `layoutbench: option ${long} of ${command} needs a value ${see}`
      : `layoutbench: option ${long} of ${command} takes no value ${see}`;
  }
  return `layoutbench ${command}: ${err.message.split("\n")[0]} ${see}`;
}

/** A `--NAME N` option that must be a whole number >= 1; undefined when not given. */
export function wholeNumberOption(command: string, name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 1)) throw new UserError(`layoutbench ${command}: --${name}: expected a whole number >= 1, got ${JSON.stringify(text)}`);
  return n;
}
