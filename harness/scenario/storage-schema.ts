/**
 * The scenario's `storage` key: `local`, a server layoutbench starts (`{kind: http|s3}` with
 * optional shaping), or the user's own endpoint (`{kind: http, url}`, `{kind: s3, bucket, …}`).
 * Every check that needs only the entry itself is here, with one-line messages: URLs, shaping
 * ranges, shaping on endpoints layoutbench does not run, and credentials (never in a scenario).
 */
import { z } from "zod";
import { unknownKeysMessage } from "../core/words.ts";
import { quote } from "./messages.ts";
import { parseBandwidth, parseLatency, resolveStorageEntry, SHAPING_LIMITS, type StorageEntry } from "./storage.ts";

/** Where credentials come from, said wherever a scenario tries to hold them. */
export const CREDENTIALS_RULE =
  "credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) or a profile (AWS_PROFILE), never from the scenario";

/** Keys that would hold a secret: refused with the rule above rather than as merely unknown. */
const SECRET_KEY = /secret|password|passwd|token|access.?key|credential|session|signature|auth/i;

const SHAPING_KEYS = ["bandwidth", "latency", "concurrency"] as const;
const ENDPOINT_KEYS = ["endpoint", "bucket", "prefix", "region"] as const;
const KINDS = ["local", "http", "s3"];

const bandwidth = z
  .union([z.string(), z.array(z.string()).min(1).max(16)])
  .describe(`Bytes per second the server sends, e.g. 100MB/s, 1GB/s, 50MiB/s (${SHAPING_LIMITS.bandwidth.text}); a list sweeps.`);
const latency = z
  .union([z.string(), z.array(z.string()).min(1).max(16)])
  .describe(`Time to first byte added to every response, e.g. 20ms (${SHAPING_LIMITS.latencyMs.text}); a list sweeps.`);
const concurrency = z
  .union([z.number(), z.array(z.number()).min(1).max(16)])
  .describe(`Requests in flight at the server (${SHAPING_LIMITS.concurrency.text}); more wait; a list sweeps.`);

function strictStorage<T extends z.ZodRawShape>(shape: T, description: string) {
  const allowed = Object.keys(shape);
  return z
    .strictObject(shape, {
      error: (issue) => {
        if (issue.code !== "unrecognized_keys") return undefined;
        const secret = issue.keys.find((k) => SECRET_KEY.test(k));
        return secret ? `${secret}: refused: ${CREDENTIALS_RULE}` : unknownKeysMessage(issue.keys, allowed);
      },
    })
    .describe(description);
}

const storageObject = z.discriminatedUnion("kind", [
  strictStorage({ kind: z.literal("local") }, "The local filesystem (the default)."),
  strictStorage(
    { kind: z.literal("http"), bandwidth: bandwidth.optional(), latency: latency.optional(), concurrency: concurrency.optional(), url: z.string().optional() },
    "An HTTP server with Range support: started by layoutbench on loopback (optionally shaped), or yours at `url` (not shaped).",
  ),
  strictStorage(
    {
      kind: z.literal("s3"),
      bandwidth: bandwidth.optional(),
      latency: latency.optional(),
      concurrency: concurrency.optional(),
      endpoint: z.string().optional().describe("Your S3 endpoint URL (default: AWS_ENDPOINT_URL, else AWS)."),
      bucket: z.string().optional().describe("Your bucket: the layouts are uploaded under prefix there."),
      prefix: z.string().optional(),
      region: z.string().optional(),
    },
    "An S3 server: started by layoutbench on loopback (moto, optionally shaped), or your own bucket (not shaped).",
  ),
]);

/** One `storage` entry: `local` or a mapping with a kind. */
export const storageEntrySchema = z.union([z.literal("local"), storageObject], {
  error: (issue) => {
    if (issue.code !== "invalid_union") return undefined;
    const input = issue.input as unknown;
    if (input && typeof input === "object" && !Array.isArray(input)) {
      const kind = (input as { kind?: unknown }).kind;
      if (kind === undefined) return `kind: missing (allowed: ${KINDS.join(", ")})`;
      if (!KINDS.includes(kind as string))
        return `kind: expected one of ${KINDS.join(", ")}, got ${typeof kind === "string" ? quote(kind) : kind !== null && typeof kind === "object" ? (Array.isArray(kind) ? "a list" : "a mapping") : String(kind)}`;
      const sub = issue.errors[1]?.[0];
      if (sub) return `${sub.path.join(".")}: ${sub.message.replace(/^Invalid input: /, "")}`;
    }
    return `expected local or a mapping with kind http or s3, got ${typeof input === "string" ? quote(input) : JSON.stringify(input)}`;
  },
});

/** A URL a storage may name: http(s), no credentials, no query (presigned URLs carry secrets there). */
function urlProblem(text: string): string | undefined {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return `${quote(text)} is not a URL (expected http://HOST[:PORT][/PATH] or https://…)`;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return `${quote(u.protocol)} URLs are not supported (allowed: http, https)`;
  if (u.username || u.password) return `the URL has credentials in it (USER:PASSWORD@): refused: ${CREDENTIALS_RULE}`;
  if (u.search || u.hash) return `the URL has a query or fragment (a presigned URL carries secrets there): refused: ${CREDENTIALS_RULE}`;
  return undefined;
}

type Issue = { path: (string | number)[]; message: string };

function shapingProblems(e: Exclude<StorageEntry, "local" | { kind: "local" }>): Issue[] {
  const out: Issue[] = [];
  const each = <T>(v: T | readonly T[] | undefined): [T, (string | number)[]][] =>
    v === undefined ? [] : Array.isArray(v) ? v.map((x, i) => [x, [i]]) : [[v as T, []]];
  for (const [text, at] of each(e.bandwidth)) {
    const b = parseBandwidth(text);
    const { min, max, text: range } = SHAPING_LIMITS.bandwidth;
    if (b === undefined) out.push({ path: ["bandwidth", ...at], message: `expected a rate like 100MB/s, 1GB/s or 50MiB/s (${range}), got ${quote(text)}` });
    else if (b < min || b > max) out.push({ path: ["bandwidth", ...at], message: `${quote(text)} is out of range (allowed: ${range})` });
  }
  for (const [text, at] of each(e.latency)) {
    const ms = parseLatency(text);
    const { min, max, text: range } = SHAPING_LIMITS.latencyMs;
    if (ms === undefined) out.push({ path: ["latency", ...at], message: `expected a time like 20ms or 1s (${range}), got ${quote(text)}` });
    else if (ms < min || ms > max) out.push({ path: ["latency", ...at], message: `${quote(text)} is out of range (allowed: ${range})` });
  }
  for (const [n, at] of each(e.concurrency)) {
    const { min, max, text: range } = SHAPING_LIMITS.concurrency;
    if (!Number.isInteger(n) || n < min || n > max)
      out.push({ path: ["concurrency", ...at], message: `${n} is out of range (allowed: whole numbers ${range})` });
  }
  return out;
}

/** Problems of one entry that passed the schema's shape. */
function entryProblems(e: StorageEntry): Issue[] {
  if (e === "local" || e.kind === "local") return [];
  const shapingGiven = SHAPING_KEYS.filter((k) => e[k] !== undefined);
  const out: Issue[] = [];
  if (e.kind === "http" && e.url !== undefined) {
    const p = urlProblem(e.url);
    if (p) out.push({ path: ["url"], message: p });
  }
  if (e.kind === "s3") {
    if (e.endpoint !== undefined) {
      const p = urlProblem(e.endpoint);
      if (p) out.push({ path: ["endpoint"], message: p });
    }
    if (e.bucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(e.bucket)) {
      out.push({ path: ["bucket"], message: `${quote(e.bucket)} is not an S3 bucket name (allowed: 3-63 lowercase letters, digits, dots and dashes)` });
    }
    for (const k of ENDPOINT_KEYS) {
      if (k !== "bucket" && e[k] !== undefined && e.bucket === undefined) {
        out.push({ path: [k], message: `applies to your own bucket: give bucket too, or remove ${k} to have layoutbench start an S3 server` });
      }
    }
  }
  const userEndpoint = e.kind === "http" ? e.url !== undefined : e.bucket !== undefined;
  if (userEndpoint) {
    for (const k of shapingGiven) {
      const own = e.kind === "http" ? "url" : "bucket";
      out.push({
        path: [k],
        message: `shaping applies only to servers layoutbench starts; your own endpoint (${own}) is measured as it is: remove ${k}, or remove ${own} to have layoutbench start a shaped ${e.kind} server`,
      });
    }
  }
  return out.length ? out : shapingProblems(e);
}

/** The `storage` list, with its entries' checks and one label per storage. */
export const storageSchema = z
  .array(storageEntrySchema)
  .min(1)
  .max(16)
  .superRefine(
    (entries, ctx) => {
      // Runs even when an entry failed (`when`), so every entry that passed is checked too.
      if (!Array.isArray(entries)) return;
      const seen = new Map<string, number>();
      entries.forEach((raw, i) => {
        const parsed = storageEntrySchema.safeParse(raw);
        if (!parsed.success) return;
        const entry = parsed.data as StorageEntry;
        const problems = entryProblems(entry);
        for (const p of problems) ctx.addIssue({ code: "custom", path: [i, ...p.path], message: p.message });
        if (problems.length) return;
        for (const s of resolveStorageEntry(entry)) {
          const first = seen.get(s.label);
          if (first !== undefined) ctx.addIssue({ code: "custom", path: [i], message: `storage "${s.label}" is also storage[${first}]: each storage once` });
          else seen.set(s.label, i);
        }
      });
    },
    { when: () => true } as object,
  )
  .describe(
    "Where the layouts are read from (default [local]): local, {kind: http|s3} for a server layoutbench starts (bandwidth, latency, concurrency shape it; lists sweep), or your own endpoint {kind: http, url} / {kind: s3, bucket, endpoint?, prefix?, region?}. Credentials never go here.",
  );

/**
 * The checks across lists (storage-check.ts) as JSON Schema rules for editors: with any storage
 * other than local, no memmap layout without `remote: download`, no write pattern, no engine
 * without a remote read path.
 */
export function storageRules(engineWithoutRemote: readonly string[]): object[] {
  return [
    {
      if: {
        required: ["storage"],
        properties: { storage: { contains: { not: { anyOf: [{ const: "local" }, { properties: { kind: { const: "local" } } }] } } } },
      },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a promise
      then: {
        properties: {
          layouts: { items: { not: { properties: { backend: { const: "memmap" } }, not: { required: ["remote"] } } } },
          patterns: { items: { properties: { op: { not: { const: "write" } } } } },
          engines: { items: { not: { enum: [...engineWithoutRemote] } } },
        },
      },
    },
  ];
}
