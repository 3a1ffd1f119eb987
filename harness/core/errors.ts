/**
 * Two kinds of failure: a `UserError` is the user's to fix (bad input, missing file, unsupported
 * option) and is printed as one line without a stack; anything else is a bug and crashes loudly.
 */

export class UserError extends Error {
  /** One or more complete, one-line messages. */
  readonly lines: readonly string[];
  constructor(lines: string | readonly string[], options?: { cause?: unknown }) {
    const all = typeof lines === "string" ? [lines] : lines;
    super(all.join("\n"), options);
    this.name = "UserError";
    this.lines = all;
  }
}

/** A backend asked to do something it cannot (a codec it lacks, writing a format it only reads). */
export class UnsupportedError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedError";
  }
}

/** Data read back differs from what the generator says the dataset holds. */
export class VerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VerificationError";
  }
}
