/**
 * One CLI command per file under harness/cli/, each exporting a `Command`; main.ts dispatches.
 * Commands throw UserError for anything the user must fix; main.ts prints it as one line, exit 1.
 */
export interface Command {
  readonly name: string;
  /** One line for `layoutbench --help`. */
  readonly summary: string;
  /** Full usage text for `layoutbench NAME --help`. */
  readonly usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: readonly string[]): Promise<number>;
}
