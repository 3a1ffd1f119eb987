/**
 * The one request layer under every object store: Node's http client over a keep-alive agent, an
 * idle timeout per attempt, bounded retries of 5xx answers, resets and timeouts, and a record of
 * each request in the store's RequestLog. Stores build requests (URL, headers, signing); this file
 * sends them.
 */
import http from "node:http";
import https from "node:https";
import { performance } from "node:perf_hooks";
import { kindOfStatus, RemoteError, type RemoteErrorKind, redactUrl } from "./errors.ts";
import { RequestLog } from "./request-log.ts";

/** Limits of the request layer; every field has a default (`TRANSPORT_DEFAULTS`). */
export interface TransportOptions {
  /** An attempt fails when the connection is silent this long (connecting, waiting for headers, or mid-body). */
  readonly timeoutMs?: number;
  /** Attempts after the first, for 5xx answers, connection resets and timeouts. */
  readonly retries?: number;
  /** Wait before the first retry; doubled for each further one. */
  readonly retryDelayMs?: number;
  /** Connections open to one host at most (requests beyond it queue in the agent). */
  readonly maxSockets?: number;
}

export const TRANSPORT_DEFAULTS = { timeoutMs: 10_000, retries: 2, retryDelayMs: 50, maxSockets: 64 } as const;

/** A request as a store built it. `key` and the `Range` header are what the log records. */
export interface WireRequest {
  readonly method: "GET" | "HEAD" | "PUT";
  readonly url: URL;
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
}

export interface WireResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Uint8Array;
}

/** How the store wants a request's outcome handled. */
export interface SendOptions {
  /** Statuses returned to the caller instead of thrown (default: 2xx). */
  readonly accept?: (status: number) => boolean;
  /** Added to a 401/403 error: what to set to fix it (e.g. the AWS variables). */
  readonly forbiddenHint?: string;
}

/** One try; `ttfbMs` is the `performance.now()` of its response headers. */
type Attempt =
  | { kind: "answer"; response: WireResponse; ttfbMs: number; reused: boolean }
  | { kind: "failure"; error: Error; errorKind: RemoteErrorKind; ttfbMs?: number; reused: boolean };

/** Sends requests for one store and logs them; `close()` ends its kept-alive connections. */
export class Transport {
  readonly log = new RequestLog();
  readonly #options: Required<TransportOptions>;
  readonly #httpAgent: http.Agent;
  readonly #httpsAgent: https.Agent;

  constructor(options: TransportOptions = {}) {
    this.#options = { ...TRANSPORT_DEFAULTS, ...options };
    const agentOptions = { keepAlive: true, maxSockets: this.#options.maxSockets, scheduling: "lifo" as const };
    this.#httpAgent = new http.Agent(agentOptions);
    this.#httpsAgent = new https.Agent(agentOptions);
  }

  /**
   * Sends `request`, retrying as configured, and returns the answer when `accept`ed.
   * @throws RemoteError (one line, URL redacted) for any other final status or when no answer came.
   */
  async send(request: WireRequest, options: SendOptions = {}): Promise<WireResponse> {
    const accept = options.accept ?? ((status) => status >= 200 && status < 300);
    const finish = this.log.begin();
    const startMs = performance.now();
    const rangeHeader = request.headers.Range ?? request.headers.range;
    const what = `${request.method} ${redactUrl(request.url)}${rangeHeader ? ` (${rangeHeader})` : ""}`;
    let retries = 0;
    for (;;) {
      const attempt = await this.#attempt(request);
      const retryable = attempt.kind === "failure" ? attempt.errorKind !== "unreachable" : attempt.response.status >= 500;
      if (retryable && retries < this.#options.retries) {
        await sleep(this.#options.retryDelayMs * 2 ** retries);
        retries++;
        continue;
      }
      const endMs = performance.now();
      const base = { method: request.method, key: request.key, range: rangeHeader, startMs, endMs, retries, connectionReused: attempt.reused };
      const after = retries > 0 ? ` after ${retries} ${retries === 1 ? "retry" : "retries"}` : "";
      if (attempt.kind === "failure") {
        const error = new RemoteError(attempt.errorKind, `${what}: ${attempt.error.message}${after}`, { status: 0, retries, cause: attempt.error });
        finish({ ...base, status: 0, ttfbMs: undefined, bytes: 0, error: error.message });
        throw error;
      }
      const { response } = attempt;
      const bytes = request.method === "PUT" ? (request.body?.byteLength ?? 0) : response.body.byteLength;
      if (accept(response.status)) {
        finish({ ...base, status: response.status, ttfbMs: ttfbOf(attempt, startMs), bytes });
        return response;
      }
      const kind = kindOfStatus(response.status);
      const hint = kind === "forbidden" && options.forbiddenHint ? `; ${options.forbiddenHint}` : "";
      const message = `${what}: ${response.status} ${http.STATUS_CODES[response.status] ?? ""}`.trimEnd() + `${serverSays(response)}${after}${hint}`;
      const error = new RemoteError(kind, message, { status: response.status, retries });
      finish({ ...base, status: response.status, ttfbMs: ttfbOf(attempt, startMs), bytes, error: error.message });
      throw error;
    }
  }

  /** Ends the kept-alive connections; requests in flight are cut. */
  async close(): Promise<void> {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }

  #attempt(request: WireRequest): Promise<Attempt> {
    const timeoutMs = this.#options.timeoutMs;
    const client = request.url.protocol === "https:" ? https : http;
    const agent = request.url.protocol === "https:" ? this.#httpsAgent : this.#httpAgent;
    return new Promise((resolve) => {
      let settled = false;
      let reused = false;
      let ttfbMs: number | undefined;
      const fail = (error: Error, errorKind: RemoteErrorKind) => {
        if (settled) return;
        settled = true;
        req.destroy();
        resolve({ kind: "failure", error, errorKind, ttfbMs, reused });
      };
      const headers: Record<string, string | number> = { ...request.headers };
      if (request.body) headers["Content-Length"] = request.body.byteLength;
      const req = client.request(request.url, { method: request.method, headers, agent });
      req.on("socket", () => {
        reused = req.reusedSocket;
      });
      req.setTimeout(timeoutMs, () => fail(new Error(`no answer within ${timeoutMs} ms (timeout)`), "timeout"));
      req.on("error", (error: NodeJS.ErrnoException) => fail(new Error(describeSocketError(error)), socketErrorKind(error)));
      req.on("response", (res) => {
        ttfbMs = performance.now();
        const length = Number(res.headers["content-length"]);
        // The body goes into one buffer of the announced size as it arrives: its pages are touched
        // while the transfer waits on the network, not in a copy of the whole body after the last
        // byte (for a 64 MiB body, concatenating the pieces and copying them took 0.4 s after the end).
        const into = request.method !== "HEAD" && Number.isSafeInteger(length) && length > 0 && length <= PREALLOCATE_MAX ? new Uint8Array(length) : undefined;
        const chunks: Buffer[] = [];
        let received = 0;
        res.on("data", (chunk: Buffer) => {
          if (into && received + chunk.byteLength <= into.length) into.set(chunk, received);
          else chunks.push(chunk);
          received += chunk.byteLength;
        });
        res.on("aborted", () => fail(new Error(`connection closed mid-body after ${received} of ${Number.isFinite(length) ? length : "?"} bytes`), "server"));
        res.on("error", (error: NodeJS.ErrnoException) => fail(new Error(describeSocketError(error)), socketErrorKind(error)));
        res.on("end", () => {
          if (settled) return;
          if (request.method !== "HEAD" && Number.isFinite(length) && received !== length) {
            fail(new Error(`connection closed mid-body after ${received} of ${length} bytes`), "server");
            return;
          }
          settled = true;
          const body = into ?? bodyOf(Buffer.concat(chunks, received));
          resolve({ kind: "answer", response: { status: res.statusCode ?? 0, headers: res.headers, body }, ttfbMs: ttfbMs!, reused });
        });
      });
      req.end(request.body);
    });
  }
}

/** TTFB of the final attempt's headers, measured from the start of the logical request. */
function ttfbOf(attempt: Attempt, startMs: number): number | undefined {
  return attempt.ttfbMs === undefined ? undefined : attempt.ttfbMs - startMs;
}

function socketErrorKind(error: NodeJS.ErrnoException): RemoteErrorKind {
  return error.code === "ECONNREFUSED" || error.code === "ENOTFOUND" || error.code === "EAI_AGAIN" || error.code === "EHOSTUNREACH" ? "unreachable" : "server";
}

function describeSocketError(error: NodeJS.ErrnoException): string {
  if (error.code === "ECONNREFUSED") return "connection refused (is the server running?)";
  if (error.code === "ECONNRESET") return "connection reset by the server";
  if (error.code === "ENOTFOUND" || error.code === "EAI_AGAIN") return "host not found";
  return error.code ? `${error.code}: ${error.message}` : error.message;
}

/** Largest announced body read straight into one buffer; larger ones (or a wrong length) are gathered in pieces. */
const PREALLOCATE_MAX = 2 ** 31;

/** A gathered body as a Uint8Array of its own: a view when the Buffer spans its memory, else a copy (small Buffers share a pool). */
function bodyOf(buffer: Buffer): Uint8Array {
  return buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength
    ? new Uint8Array(buffer.buffer, 0, buffer.byteLength)
    : new Uint8Array(buffer);
}

/** The S3-style `<Code>` of an error body, or its first short line, so the one-line error says why. */
function serverSays(response: WireResponse): string {
  const text = Buffer.from(response.body.subarray(0, 2048)).toString("utf8");
  const code = /<Code>([^<]{1,80})<\/Code>/.exec(text);
  return code ? ` (${code[1]})` : "";
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
