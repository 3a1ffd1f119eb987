/**
 * Objects in an S3 bucket (AWS S3, MinIO, moto, any S3-compatible endpoint): requests signed with
 * SigV4 (s3-sign.ts) and sent by the shared Transport. Path-style URLs with an endpoint
 * override (AWS_ENDPOINT_URL or the `endpoint` option), virtual-hosted ones on AWS.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { UserError } from "../core/errors.ts";
import { RemoteError, redactUrl } from "./errors.ts";
import { BaseObjectStore, encodeKey, encodeRfc3986 } from "./object-store.ts";
import { type AwsCredentials, CREDENTIALS_HINT, findCredentials, findRegion } from "./s3-credentials.ts";
import { signS3Request } from "./s3-sign.ts";
import { type SendOptions, Transport, type TransportOptions, type WireRequest } from "./transport.ts";

export interface S3StoreOptions extends TransportOptions {
  readonly bucket: string;
  /** Keys are relative to it; a trailing `/` is added when missing. */
  readonly prefix?: string;
  /** Overrides AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL; without any, AWS's regional endpoint. */
  readonly endpoint?: string;
  /** Overrides AWS_REGION / AWS_DEFAULT_REGION / the profile's region. */
  readonly region?: string;
  /** Explicit credentials (tests, the harness's own servers); otherwise the environment or profile. */
  readonly credentials?: Omit<AwsCredentials, "source">;
  /** Send unsigned requests (public buckets). */
  readonly anonymous?: boolean;
  /** Keys per ListObjectsV2 page (S3's maximum and default is 1000). */
  readonly listPageSize?: number;
  /** The environment to read; `process.env` by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export class S3ObjectStore extends BaseObjectStore {
  readonly kind = "s3";
  readonly label: string;
  readonly baseUrl: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly region: string;
  readonly #bucketUrl: string;
  readonly #credentials: AwsCredentials | undefined;
  readonly #listPageSize: number;
  protected override readonly sendOptions: SendOptions;

  constructor(options: S3StoreOptions) {
    super(new Transport(options));
    const env = options.env ?? process.env;
    const sources = { env, readFile: readIfExists };
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) {
      throw new UserError(`storage bucket: ${JSON.stringify(options.bucket)} is not a valid S3 bucket name (3–63 lower-case letters, digits, dots, hyphens)`);
    }
    this.bucket = options.bucket;
    this.prefix = options.prefix ? options.prefix.replace(/^\/+/, "").replace(/\/*$/, "/") : "";
    this.region = options.region ?? findRegion(sources);
    const endpoint = options.endpoint ?? (env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined);
    this.#bucketUrl = endpoint ? `${parseEndpoint(endpoint)}${this.bucket}/` : `https://${this.bucket}.s3.${this.region}.amazonaws.com/`;
    this.baseUrl = new URL(encodeKey(this.prefix), this.#bucketUrl).toString();
    this.#listPageSize = options.listPageSize ?? 1000;
    this.label = `s3://${this.bucket}/${this.prefix}${endpoint ? ` (${redactUrl(parseEndpoint(endpoint))}, ${this.region})` : ` (${this.region})`}`;
    if (options.anonymous) this.#credentials = undefined;
    else {
      this.#credentials = options.credentials ? { ...options.credentials, source: "options" } : findCredentials(sources);
      if (!this.#credentials) throw new UserError(`${this.label}: no AWS credentials found; ${CREDENTIALS_HINT}`);
    }
    // A refusal says which credentials were refused (their source, never their values).
    this.sendOptions = { forbiddenHint: `${CREDENTIALS_HINT} (${this.#credentials ? `credentials from ${this.#credentials.source}` : "no credentials sent"})` };
  }

  /** Where the credentials came from (`environment`, `profile NAME (FILE)`, `options`, or `anonymous`); never their values. */
  get credentialSource(): string {
    return this.#credentials?.source ?? "anonymous";
  }

  /** Creates the bucket (for servers the harness starts); an existing bucket of ours is fine. */
  async createBucket(): Promise<void> {
    await this.send({ method: "PUT", url: new URL(this.#bucketUrl), key: "", headers: {} }, (s) => (s >= 200 && s < 300) || s === 409);
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const sha256 = createHash("sha256").update(body).digest("hex");
    await this.send({
      method: "PUT",
      url: this.objectUrl(key),
      key,
      headers: { "Content-Type": "application/octet-stream", "X-Amz-Content-Sha256": sha256 },
      body,
    });
  }

  /** ListObjectsV2, following continuation tokens until the listing is complete. */
  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const url = new URL(this.#bucketUrl);
      // Encoded as the signature encodes them: URLSearchParams would send a space as `+`, which
      // servers that sign the query they receive read differently from the `%20` signed.
      const query: [string, string][] = [
        ["list-type", "2"],
        ["prefix", this.prefix + prefix],
        ["max-keys", String(this.#listPageSize)],
      ];
      if (token !== undefined) query.push(["continuation-token", token]);
      url.search = query.map(([name, value]) => `${name}=${encodeRfc3986(value)}`).join("&");
      const response = await this.send({ method: "GET", url, key: `${this.prefix}${prefix}?list`, headers: {} });
      const page = parseListPage(Buffer.from(response.body).toString("utf8"));
      if (page === undefined)
        throw new RemoteError("bad-response", `${this.label}: ListObjectsV2 answer is not a ListBucketResult`, { status: response.status, retries: 0 });
      keys.push(...page.keys.map((key) => key.slice(this.prefix.length)));
      token = page.nextToken;
    } while (token !== undefined);
    return keys.sort();
  }

  protected objectUrl(key: string): URL {
    return new URL(encodeKey(this.prefix + key), this.#bucketUrl);
  }

  protected async prepare(request: WireRequest): Promise<WireRequest> {
    return this.#credentials ? signS3Request(request, this.#credentials, this.region) : request;
  }
}

/** One ListObjectsV2 page: its keys (XML-unescaped) and the token of the next page when truncated; undefined when it is not one. */
export function parseListPage(xml: string): { keys: string[]; nextToken: string | undefined } | undefined {
  if (!xml.includes("<ListBucketResult")) return undefined;
  const keys = [...xml.matchAll(/<Contents>[\s\S]*?<Key>([\s\S]*?)<\/Key>[\s\S]*?<\/Contents>/g)].map((m) => unescapeXml(m[1]));
  const truncated = /<IsTruncated>\s*true\s*<\/IsTruncated>/.test(xml);
  const token = /<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(xml)?.[1];
  return { keys, nextToken: truncated && token ? unescapeXml(token) : undefined };
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-fA-F]+));/g, (_, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(Number.parseInt(hex, 16));
    return { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" }[name] ?? "";
  });
}

/** An endpoint URL ending in `/`. @throws UserError naming the variable or option. */
function parseEndpoint(endpoint: string): string {
  let parsed: URL;
  try {
    parsed = new URL(endpoint);
  } catch {
    throw new UserError(`storage endpoint (or AWS_ENDPOINT_URL): not a URL; expected http(s)://HOST[:PORT]`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new UserError(`storage endpoint (or AWS_ENDPOINT_URL): ${redactUrl(parsed)} uses ${parsed.protocol}; expected http: or https:`);
  if (!parsed.pathname.endsWith("/")) parsed.pathname += "/";
  parsed.search = "";
  return parsed.toString();
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
