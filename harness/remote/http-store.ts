/** Objects under an HTTP(S) URL prefix: ranged GET and HEAD; PUT where the server accepts it; no listing (plain HTTP has none). */
import { UnsupportedError, UserError } from "../core/errors.ts";
import { redactUrl } from "./errors.ts";
import { BaseObjectStore, encodeKey } from "./object-store.ts";
import { Transport, type TransportOptions, type WireRequest } from "./transport.ts";

export interface HttpStoreOptions extends TransportOptions {
  /** The base URL; keys resolve under it (a missing trailing `/` is added). */
  readonly url: string;
}

export class HttpObjectStore extends BaseObjectStore {
  readonly kind = "http";
  readonly label: string;
  readonly baseUrl: string;

  constructor(options: HttpStoreOptions) {
    super(new Transport(options));
    this.baseUrl = parseBaseUrl(options.url);
    const redacted = new URL(redactUrl(this.baseUrl));
    redacted.search = "";
    this.label = redacted.toString();
  }

  async list(_prefix: string): Promise<string[]> {
    throw new UnsupportedError(`${this.label}: plain HTTP storage cannot list keys; name the objects, or use S3 storage`);
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    await this.send({ method: "PUT", url: this.objectUrl(key), key, headers: { "Content-Type": "application/octet-stream" }, body });
  }

  protected objectUrl(key: string): URL {
    return new URL(encodeKey(key), this.baseUrl);
  }

  protected async prepare(request: WireRequest): Promise<WireRequest> {
    return request;
  }
}

/** `url` as a base URL ending in `/`. @throws UserError naming what is allowed. */
export function parseBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(
      `storage url: ${JSON.stringify(redactUrl(url) === "(invalid URL)" ? url.replace(/\/\/[^@/]*@/, "//") : url)} is not a URL; expected http://HOST[:PORT]/PATH or https://…`,
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new UserError(`storage url: ${redactUrl(parsed)} uses ${parsed.protocol}; expected http: or https:`);
  }
  if (!parsed.pathname.endsWith("/")) parsed.pathname += "/";
  return parsed.toString();
}
