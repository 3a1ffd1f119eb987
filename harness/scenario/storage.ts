/**
 * Where a case's layout is read from: the local filesystem, a server layoutbench starts (HTTP or
 * S3, optionally shaped), or the user's own endpoint. Units, labels and the expansion of a
 * scenario's `storage` list (sweeps of shaping values) into one storage per case. Pure: no I/O.
 */

/** Bandwidth units a scenario may use, in bytes per second each (decimal and binary). */
export const BANDWIDTH_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};

/**
 * The shaping the harness can apply and measure: below 1 MB/s a small layout takes minutes per
 * sample; above 10 GB/s the loopback and the proxy, not the setting, decide the rate.
 */
export const SHAPING_LIMITS = {
  bandwidth: { min: 1e6, max: 1e10, text: "1MB/s to 10GB/s" },
  /** Milliseconds added before the first byte of every response. */
  latencyMs: { min: 0, max: 10_000, text: "0ms to 10s" },
  concurrency: { min: 1, max: 256, text: "1 to 256" },
} as const;

const BANDWIDTH = /^(\d+(?:\.\d+)?)\s*(B|kB|KB|MB|GB|KiB|MiB|GiB)\/s$/;
const LATENCY = /^(\d+(?:\.\d+)?)\s*(us|ms|s)$/;

/** Bytes per second of `100MB/s`, `1GB/s`, `50MiB/s`; undefined when it is not written that way. */
export function parseBandwidth(text: string): number | undefined {
  const m = BANDWIDTH.exec(text.trim());
  return m ? Number(m[1]) * BANDWIDTH_UNITS[m[2]] : undefined;
}

/** Milliseconds of `20ms`, `1s`, `500us`; undefined when it is not written that way. */
export function parseLatency(text: string): number | undefined {
  const m = LATENCY.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * { us: 1e-3, ms: 1, s: 1e3 }[m[2] as "us" | "ms" | "s"];
}

/** `100MB/s` → `100MBps`: the bandwidth as written, without spaces or a slash. */
export function bandwidthLabel(text: string): string {
  return text.replace(/\s+/g, "").replace("/s", "ps");
}

/** Milliseconds as a label: `20ms`, `0.5ms`. */
export function latencyLabel(ms: number): string {
  return `${Number(ms.toPrecision(6))}ms`;
}

/** How a server layoutbench starts is shaped; null: not shaped in that respect. */
export interface Shaping {
  /** Bytes per second, and as the scenario wrote it. */
  readonly bandwidth: number | null;
  readonly bandwidthText: string | null;
  /** Milliseconds before the first byte of each response. */
  readonly latencyMs: number | null;
  /** Requests in flight at the server; more wait for a slot. */
  readonly concurrency: number | null;
}

export type StorageKind = "local" | "http" | "s3";

/** One storage a case reads from; `label` is its part of the case id (`storage=LABEL`). */
export type StorageSpec =
  | { readonly kind: "local"; readonly label: "local" }
  /** A server layoutbench starts on loopback, uploads each layout to, and stops at the end. */
  | { readonly kind: "http" | "s3"; readonly label: string; readonly managed: true; readonly shaping: Shaping }
  /** The user's own S3 endpoint (AWS when `endpoint` is null and AWS_ENDPOINT_URL is unset). */
  | {
      readonly kind: "s3";
      readonly label: string;
      readonly managed: false;
      readonly endpoint: string | null;
      readonly bucket: string;
      readonly prefix: string;
      readonly region: string | null;
    }
  /** The user's own HTTP server, serving the layouts under `url`. */
  | { readonly kind: "http"; readonly label: string; readonly managed: false; readonly url: string };

export const LOCAL_STORAGE: StorageSpec = { kind: "local", label: "local" };

/** A storage entry as a scenario file writes it (after the schema). */
export type StorageEntry =
  | "local"
  | { readonly kind: "local" }
  | {
      readonly kind: "http" | "s3";
      readonly bandwidth?: string | readonly string[];
      readonly latency?: string | readonly string[];
      readonly concurrency?: number | readonly number[];
      readonly url?: string;
      readonly endpoint?: string;
      readonly bucket?: string;
      readonly prefix?: string;
      readonly region?: string;
    };

const list = <T>(v: T | readonly T[] | undefined): readonly (T | undefined)[] => (v === undefined ? [undefined] : Array.isArray(v) ? v : [v as T]);

/** Letters, digits, dot, dash and underscore only, so a label stays one filter-friendly word. */
function labelWord(text: string): string {
  return text
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48);
}

/** The label of a managed server: `http`, `http-100MBps-20ms`, `s3-1GBps-20ms-c8`. */
export function managedLabel(kind: "http" | "s3", s: Shaping): string {
  const parts: string[] = [kind];
  if (s.bandwidthText !== null) parts.push(bandwidthLabel(s.bandwidthText));
  if (s.latencyMs !== null) parts.push(latencyLabel(s.latencyMs));
  if (s.concurrency !== null) parts.push(`c${s.concurrency}`);
  return parts.join("-");
}

/** The label of a user's endpoint: `s3-BUCKET[-PREFIX]`, `http-HOST[-PORT][-PATH]`; never credentials. */
export function endpointLabel(e: { kind: "s3"; bucket: string; prefix: string } | { kind: "http"; url: string }): string {
  if (e.kind === "s3") return labelWord(["s3", e.bucket, e.prefix].filter(Boolean).join("-"));
  const u = new URL(e.url);
  return labelWord(["http", u.hostname, u.port, u.pathname].filter((p) => p && p !== "/").join("-"));
}

/** A URL as it may be recorded: no userinfo, query or fragment (the schema refuses those anyway). */
export function safeUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** One entry's storages: a managed server's shaping lists sweep (bandwidth × latency × concurrency). */
export function resolveStorageEntry(entry: StorageEntry): StorageSpec[] {
  if (entry === "local" || entry.kind === "local") return [LOCAL_STORAGE];
  if (entry.kind === "http" && entry.url !== undefined) {
    const url = safeUrl(entry.url);
    return [{ kind: "http", label: endpointLabel({ kind: "http", url }), managed: false, url }];
  }
  if (entry.kind === "s3" && entry.bucket !== undefined) {
    const prefix = entry.prefix ?? "";
    return [
      {
        kind: "s3",
        label: endpointLabel({ kind: "s3", bucket: entry.bucket, prefix }),
        managed: false,
        endpoint: entry.endpoint === undefined ? null : safeUrl(entry.endpoint),
        bucket: entry.bucket,
        prefix,
        region: entry.region ?? null,
      },
    ];
  }
  const out: StorageSpec[] = [];
  for (const bandwidthText of list(entry.bandwidth)) {
    for (const latency of list(entry.latency)) {
      for (const concurrency of list(entry.concurrency)) {
        const shaping: Shaping = {
          bandwidth: bandwidthText === undefined ? null : parseBandwidth(bandwidthText)!,
          bandwidthText: bandwidthText === undefined ? null : bandwidthText.replace(/\s+/g, ""),
          latencyMs: latency === undefined ? null : parseLatency(latency)!,
          concurrency: concurrency ?? null,
        };
        out.push({ kind: entry.kind, label: managedLabel(entry.kind, shaping), managed: true, shaping });
      }
    }
  }
  return out;
}

/** Every storage of a scenario's `storage` list, in order, each label once. */
export function resolveStorage(entries: readonly StorageEntry[]): StorageSpec[] {
  const seen = new Set<string>();
  const out: StorageSpec[] = [];
  for (const s of entries.flatMap(resolveStorageEntry)) {
    if (!seen.has(s.label)) {
      seen.add(s.label);
      out.push(s);
    }
  }
  return out;
}

/** The storage as a case record and a report show it: no credentials, no secrets (none are ever held). */
export function describeStorage(s: StorageSpec): string {
  if (s.kind === "local") return "local filesystem";
  if (!s.managed) return s.kind === "s3" ? `s3://${s.bucket}/${s.prefix} at ${s.endpoint ?? "the AWS endpoint"}` : s.url;
  const { bandwidthText, latencyMs, concurrency } = s.shaping;
  const shaped = [
    bandwidthText && `bandwidth ${bandwidthText}`,
    latencyMs !== null && `latency ${latencyLabel(latencyMs)}`,
    concurrency !== null && `concurrency ${concurrency}`,
  ].filter(Boolean);
  return `${s.kind} server on loopback${shaped.length ? ` (${shaped.join(", ")})` : ", unshaped"}`;
}
