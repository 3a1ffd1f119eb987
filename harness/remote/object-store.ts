/**
 * The object-store interface every remote read goes through, and the part HTTP and S3 share:
 * ranged GET, HEAD and a fetch handler for zarrita's FetchStore, all sent by one Transport and so
 * all in one RequestLog. A kind (http.ts, s3.ts) supplies object URLs, signing and listing.
 */
import { RemoteError } from "./errors.ts";
import { formatRange, type RangeRequest, rangeLength, sizeFromContentRange } from "./range.ts";
import type { RequestLog } from "./request-log.ts";
import type { SendOptions, Transport, WireRequest } from "./transport.ts";

/** Objects under one base: an HTTP URL prefix or an S3 bucket and prefix. Keys are relative to it, `/`-separated. */
export interface ObjectStore {
  readonly kind: "http" | "s3";
  /** The endpoint for results and reports (`http://127.0.0.1:8080/data/`, `s3://bucket/prefix (endpoint, region)`); never credentials. */
  readonly label: string;
  /** The object's bytes, or the requested range of them. @throws RemoteError (kind `missing` for 404, …). */
  get(key: string, range?: RangeRequest): Promise<Uint8Array>;
  /** The object's size, or undefined when it does not exist. */
  head(key: string): Promise<{ size: number } | undefined>;
  /** Keys under `prefix` (relative to the store's base), sorted. @throws UnsupportedError where the kind cannot list. */
  list(prefix: string): Promise<string[]>;
  put(key: string, body: Uint8Array): Promise<void>;
  /** Every request this store sent. */
  readonly requests: RequestLog;
  /** The URL to hand zarrita's FetchStore together with `fetch`: keys resolve against it. */
  readonly baseUrl: string;
  /**
   * A fetch handler (`FetchStore`'s `fetch` option) sending through this store's request layer,
   * signing and log: 404 comes back as a 404 response, 2xx as is, anything else throws RemoteError.
   */
  readonly fetch: (request: Request) => Promise<Response>;
  /** Ends kept-alive connections. */
  close(): Promise<void>;
}

/** What a kind adds to the shared part. */
export abstract class BaseObjectStore implements ObjectStore {
  abstract readonly kind: "http" | "s3";
  abstract readonly label: string;
  abstract readonly baseUrl: string;
  abstract list(prefix: string): Promise<string[]>;
  abstract put(key: string, body: Uint8Array): Promise<void>;
  /** The URL of `key`. */
  protected abstract objectUrl(key: string): URL;
  /** The request as sent: S3 signs it, HTTP sends it as is. */
  protected abstract prepare(request: WireRequest): Promise<WireRequest>;
  /** Options for `Transport.send`, e.g. the hint a 403 adds. */
  protected readonly sendOptions: SendOptions = {};

  constructor(protected readonly transport: Transport) {}

  get requests(): RequestLog {
    return this.transport.log;
  }

  async get(key: string, range?: RangeRequest): Promise<Uint8Array> {
    const headers: Record<string, string> = range ? { Range: formatRange(range) } : {};
    const response = await this.send({ method: "GET", url: this.objectUrl(key), key, headers });
    if (range === undefined) return response.body;
    if (response.status === 200) return sliceWhole(response.body, range); // the server ignored Range: the log keeps the bytes it sent
    const size = sizeFromContentRange(firstHeader(response.headers["content-range"]));
    const expected = size === undefined ? undefined : rangeLength(range, size);
    if (expected !== undefined && response.body.byteLength !== expected) {
      throw new RemoteError("bad-response", `GET ${this.describe(key)} (${headers.Range}): expected ${expected} bytes, got ${response.body.byteLength}`, {
        status: response.status,
        retries: 0,
      });
    }
    return response.body;
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    const response = await this.send(
      { method: "HEAD", url: this.objectUrl(key), key, headers: {} },
      (status) => status === 404 || (status >= 200 && status < 300),
    );
    if (response.status === 404) return undefined;
    const size = Number(firstHeader(response.headers["content-length"]));
    if (!Number.isSafeInteger(size))
      throw new RemoteError("bad-response", `HEAD ${this.describe(key)}: no Content-Length in the answer`, { status: response.status, retries: 0 });
    return { size };
  }

  readonly fetch = async (request: Request): Promise<Response> => {
    const key = keyUnder(this.baseUrl, request.url);
    const range = request.headers.get("range");
    const method = request.method === "HEAD" ? "HEAD" : "GET";
    const response = await this.send(
      { method, url: this.objectUrl(key), key, headers: range ? { Range: range } : {} },
      (status) => status === 404 || (status >= 200 && status < 300),
    );
    const headers = new Headers();
    for (const name of ["content-type", "content-range", "content-length", "etag"]) {
      const value = firstHeader(response.headers[name]);
      if (value !== undefined) headers.set(name, value);
    }
    return new Response(method === "HEAD" ? null : response.body, { status: response.status, headers });
  };

  async close(): Promise<void> {
    await this.transport.close();
  }

  protected async send(request: WireRequest, accept?: (status: number) => boolean) {
    return this.transport.send(await this.prepare(request), { ...this.sendOptions, ...(accept ? { accept } : {}) });
  }

  protected describe(key: string): string {
    return `${this.label} ${key}`;
  }
}

/**
 * `key` as a URL path: each `/`-separated segment percent-encoded as SigV4's canonical URI is
 * (everything but RFC 3986's unreserved characters, so `!'()*` too, which encodeURIComponent
 * leaves), so the path sent is the path signed and servers that sign the path they receive agree.
 */
export function encodeKey(key: string): string {
  return key.split("/").map(encodeRfc3986).join("/");
}

/** `text` percent-encoded except A–Z a–z 0–9 `-._~` (SigV4's URI encoding; spaces as `%20`, never `+`). */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The key `url` names under `base` (both URLs; `base` ends with `/`). @throws RemoteError when it is not under it. */
export function keyUnder(base: string, url: string): string {
  const basePath = new URL(base).pathname;
  const target = new URL(url);
  if (new URL(base).origin !== target.origin || !target.pathname.startsWith(basePath)) {
    throw new RemoteError("bad-response", `fetch: ${target.origin}${target.pathname} is not under the store's base ${base}`, { status: 0, retries: 0 });
  }
  return target.pathname.slice(basePath.length).split("/").map(decodeURIComponent).join("/");
}

function sliceWhole(body: Uint8Array, range: RangeRequest): Uint8Array {
  if ("suffix" in range) return body.subarray(Math.max(0, body.byteLength - range.suffix));
  if (!("length" in range)) return body.subarray(range.offset);
  return body.subarray(range.offset, range.offset + range.length);
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
