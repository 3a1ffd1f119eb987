/**
 * Failures of remote storage as one-line user errors with a kind, and the redaction that keeps
 * credentials out of every URL the harness prints, logs or records.
 */
import { UserError } from "../core/errors.ts";

/** What went wrong: the object is not there, access was refused, the server failed, it could not be reached, it did not answer in time, or it answered something unusable. */
export type RemoteErrorKind = "missing" | "forbidden" | "server" | "unreachable" | "timeout" | "bad-response";

/** A request to remote storage that failed; the message is one line naming the method and the redacted URL. */
export class RemoteError extends UserError {
  readonly kind: RemoteErrorKind;
  /** The final HTTP status; 0 when no answer came. */
  readonly status: number;
  readonly retries: number;
  constructor(kind: RemoteErrorKind, message: string, details: { status: number; retries: number; cause?: unknown }) {
    super(message.replace(/\s*\n\s*/g, " "), { cause: details.cause });
    this.name = "RemoteError";
    this.kind = kind;
    this.status = details.status;
    this.retries = details.retries;
  }
}

/** The error kind of a final HTTP status that was not accepted. */
export function kindOfStatus(status: number): RemoteErrorKind {
  if (status === 404) return "missing";
  if (status === 401 || status === 403) return "forbidden";
  if (status >= 500) return "server";
  return "bad-response";
}

const SECRET_PARAM = /signature|credential|token|secret|password|key-id|access-?key/i;

/**
 * `url` without user info and with the values of credential-like query parameters (presigned
 * `X-Amz-Signature`, `X-Amz-Credential`, `X-Amz-Security-Token`, …) replaced by `REDACTED`.
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return "(invalid URL)";
  }
  parsed.username = "";
  parsed.password = "";
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, "REDACTED");
  }
  return parsed.toString();
}
