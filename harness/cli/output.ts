/**
 * Options every command takes (-q/--quiet, -v/--verbose, --no-color, --version) and what they
 * decide: how much the CLI prints and whether it colours it. Colour only on a terminal, never
 * when NO_COLOR is set to anything non-empty (https://no-color.org) or --no-color is given.
 */
import { UserError } from "../core/errors.ts";
import { silenceProgress } from "../run/progress.ts";

export type Verbosity = "quiet" | "normal" | "verbose";

export interface GlobalOptions {
  readonly verbosity: Verbosity;
  readonly noColor: boolean;
  readonly version: boolean;
}

const FLAGS: Readonly<Record<string, (o: { verbosity: Verbosity; noColor: boolean; version: boolean }) => void>> = {
  "-q": (o) => {
    o.verbosity = "quiet";
  },
  "--quiet": (o) => {
    o.verbosity = "quiet";
  },
  "-v": (o) => {
    o.verbosity = "verbose";
  },
  "--verbose": (o) => {
    o.verbosity = "verbose";
  },
  "--no-color": (o) => {
    o.noColor = true;
  },
  "--version": (o) => {
    o.version = true;
  },
};

/**
 * Takes the global options out of `argv` wherever they stand before a `--`, so
 * `layoutbench -q run x.yaml` and `layoutbench run x.yaml -q` mean the same. -q and -v together
 * are refused: the user meant one of them.
 */
export function splitGlobalOptions(argv: readonly string[]): { options: GlobalOptions; rest: string[] } {
  const o = { verbosity: "normal" as Verbosity, noColor: false, version: false };
  const rest: string[] = [];
  const seen = new Set<Verbosity>();
  let passThrough = false;
  for (const arg of argv) {
    if (passThrough || !Object.hasOwn(FLAGS, arg)) {
      if (arg === "--") passThrough = true;
      rest.push(arg);
      continue;
    }
    FLAGS[arg](o);
    if (arg.includes("q")) seen.add("quiet");
    if (arg === "-v" || arg === "--verbose") seen.add("verbose");
  }
  if (seen.size === 2) throw new UserError("layoutbench: -q/--quiet and -v/--verbose contradict each other: give one");
  return { options: o, rest };
}

/** Whether to colour output written to a stream with this `isTTY`, given the environment. */
export function colourEnabled(isTTY: boolean | undefined, env: Readonly<Record<string, string | undefined>>, noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return isTTY === true && env.TERM !== "dumb";
}

/** SGR codes for the few styles the CLI uses. */
const STYLES = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1 } as const;
export type Style = keyof typeof STYLES;

/** Wraps text in a style when `on`; returns it unchanged otherwise. */
export function paint(on: boolean, style: Style, text: string): string {
  return on ? `\x1b[${STYLES[style]}m${text}\x1b[0m` : text;
}

/** The process-wide settings, set once by main() from the command line and the environment. */
export const output: { verbosity: Verbosity; colourOut: boolean; colourErr: boolean } = { verbosity: "normal", colourOut: false, colourErr: false };

export function configureOutput(options: GlobalOptions, env: Readonly<Record<string, string | undefined>> = process.env): void {
  output.verbosity = options.verbosity;
  silenceProgress(options.verbosity === "quiet");
  output.colourOut = colourEnabled(process.stdout.isTTY, env, options.noColor);
  output.colourErr = colourEnabled(process.stderr.isTTY, env, options.noColor);
}
