/**
 * The storage of a run's remote cases: the layouts' files staged once (hard links, so evicting the
 * served files evicts the cached ones and the reverse), one server per storage of the cases
 * (shaped as asked) over them, or the user's own endpoint (S3: the files uploaded once, reused when
 * already there). Everything started is registered and stopped by `stop()`, which the run calls in
 * a `finally` (and the registry on Ctrl-C). Cold here means the served files evicted from the page
 * cache (HTTP) and a fresh client with no cache; moto keeps S3 objects in its own memory.
 */
import { copyFileSync, linkSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import type { Backend } from "../backends/types.ts";
import type { PythonRemote, PythonVersions } from "../engines/python.ts";
import { pythonRemoteSupport } from "../engines/python-remote.ts";
import { HttpObjectStore, type ObjectStore, S3ObjectStore } from "../remote/index.ts";
import type { CaseSpec, StorageSpec } from "../scenario/types.ts";
import { type RunningServer, StartedRegistry, startHttpServer, startS3Server } from "../servers/index.ts";
import type { ServedRequest } from "../servers/shaping-proxy.ts";
import type { Materialized } from "../store/materialize.ts";
import type { StorageLocation } from "./results-types.ts";

/** GETs in flight at once within one read, unless the storage limits concurrency lower. */
export const DEFAULT_GET_CONCURRENCY = 16;

/**
 * How long a request may stay silent before it is retried (and, after the retries, fails): the
 * transport's default, or LAYOUTBENCH_REMOTE_TIMEOUT_MS (for endpoints known to be slow, and tests).
 */
export function remoteTransport(env: NodeJS.ProcessEnv = process.env): { timeoutMs?: number } {
  const ms = Number(env.LAYOUTBENCH_REMOTE_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? { timeoutMs: ms } : {};
}

/** Where a remote case reads its layout. */
export interface RemoteTarget {
  readonly storage: Exclude<StorageSpec, { kind: "local" }>;
  /** Key prefix of the layout's files. */
  readonly prefix: string;
  readonly concurrency: number;
  /** A new client (own connections, own request log). */
  newClient(): ObjectStore;
  readonly location: StorageLocation;
  /** The files the storage serves for this layout (hard links of the cached ones, or copies): what cold samples evict and check. */
  readonly servedFiles: readonly string[];
  /** The same objects as the Python worker addresses them (no credentials). */
  readonly python: PythonRemote;
  /** The shaping proxy's records when one serves this storage (what the worker's requests are counted from). */
  readonly served: (() => readonly ServedRequest[]) | undefined;
}

export interface RemoteStorages {
  /** The target of a remote case, or an Error saying why its storage is not available. */
  target(spec: CaseSpec, m: Materialized): RemoteTarget | Error;
  stop(): Promise<void>;
}

/** Why `spec` cannot be read from its remote storage here, or undefined. */
export function remoteSupport(spec: CaseSpec, backend: Backend, python?: PythonVersions): string | undefined {
  if (spec.storage.kind === "local") return undefined;
  if (spec.engine === "layoutbench" && !backend.openRemote) {
    return `reading ${spec.layout.backend} layouts from remote storage is not implemented in the layoutbench engine`;
  }
  if (spec.engine === "python") return pythonRemoteSupport(spec.layout, spec.storage.kind, python);
  return undefined;
}

function stageFiles(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true, recursive: true })) {
    // A layout of an existing file links to it: serve the file it points to.
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const path = join(entry.parentPath, entry.name);
    const source = realpathSync(path);
    if (!statSync(source).isFile()) continue;
    const target = join(to, relative(from, path));
    mkdirSync(dirname(target), { recursive: true });
    try {
      linkSync(source, target);
    } catch {
      // Another filesystem: a copy (eviction then acts on the copy the server reads).
      copyFileSync(source, target);
    }
  }
}

const CACHE_MEANING = {
  http: "cold: the served files evicted from the server's page cache (checked with mincore) and a new client with no cache; warm: server page cache warm, no client cache, connections kept alive",
  s3: "cold: a new client with no cache; moto keeps objects in its own memory, so no server page cache applies; warm: the same, connections kept alive",
  own: "cold and warm: a new client with no cache per open; what your endpoint caches is not known",
};

function locationOf(storage: RemoteTarget["storage"], server: RunningServer | undefined, endpoint: string): StorageLocation {
  const shaping = storage.managed ? storage.shaping : null;
  return {
    kind: storage.kind,
    label: storage.label,
    managed: storage.managed,
    shaping:
      shaping && (shaping.bandwidth !== null || shaping.latencyMs !== null || shaping.concurrency !== null)
        ? { ...shaping, how: server?.shaping?.method ?? "not applied" }
        : null,
    endpoint,
    cacheMeaning: storage.managed ? CACHE_MEANING[storage.kind] : CACHE_MEANING.own,
  };
}

/** Starts (or reaches) the storage of every remote case; `materialized` holds their layouts. */
export async function startStorages(
  cases: readonly CaseSpec[],
  materialized: ReadonlyMap<string, Materialized | Error>,
  keyOf: (spec: CaseSpec) => string,
  cacheRoot: string,
  log: (line: string) => void,
): Promise<RemoteStorages> {
  const remote = cases.filter((c) => c.storage.kind !== "local");
  const registry = new StartedRegistry();
  const stage = join(cacheRoot, `.serve-${process.pid}`);
  const servers = new Map<string, RunningServer | ObjectStore | Error>();
  const stop = async () => {
    for (const s of servers.values()) if (s && !(s instanceof Error) && "requests" in s) await s.close();
    await registry.stopAll();
    rmSync(stage, { recursive: true, force: true });
  };
  if (remote.length === 0) return { target: () => new Error("no remote storage in this run"), stop };
  try {
    rmSync(stage, { recursive: true, force: true });
    for (const spec of remote) {
      const m = materialized.get(keyOf(spec));
      if (m && !(m instanceof Error)) {
        const to = join(stage, basename(m.stored.dir));
        if (readdirSafe(to) === 0) stageFiles(m.stored.dir, to);
      }
    }
    for (const spec of remote) {
      const storage = spec.storage as RemoteTarget["storage"];
      if (servers.has(storage.label)) continue;
      try {
        servers.set(storage.label, await reach(storage, stage, registry));
        log(`storage ${storage.label}: ready`);
      } catch (error) {
        servers.set(storage.label, error as Error);
        log(`storage ${storage.label}: ${(error as Error).message.split("\n")[0]}`);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    target(spec, m) {
      const storage = spec.storage as RemoteTarget["storage"];
      const s = servers.get(storage.label);
      if (!s) return new Error(`storage ${storage.label} was not started`);
      if (s instanceof Error) return s;
      const shapedConcurrency = storage.managed ? storage.shaping.concurrency : null;
      const concurrency = shapedConcurrency ?? DEFAULT_GET_CONCURRENCY;
      const prefix = basename(m.stored.dir);
      const servedFiles = stagedFiles(join(stage, prefix));
      if ("requests" in s) {
        const own = s;
        const newClient =
          own.kind === "s3"
            ? () => new S3ObjectStore({ ...s3Options(storage), ...remoteTransport() })
            : () => new HttpObjectStore({ url: (storage as { url: string }).url, ...remoteTransport() });
        const python: PythonRemote =
          own.kind === "s3"
            ? { kind: "s3", ...ownS3(storage, prefix), managed: false, concurrency }
            : { kind: "http", url: `${(storage as { url: string }).url.replace(/\/+$/, "")}/${prefix}`, concurrency };
        return { storage, prefix, concurrency, newClient, location: locationOf(storage, undefined, own.label), servedFiles, python, served: undefined };
      }
      const server = s;
      return {
        storage,
        prefix,
        concurrency,
        newClient: () => server.store(remoteTransport()),
        servedFiles,
        location: locationOf(storage, server, server.kind === "s3" ? `s3://layoutbench/ at ${server.url}` : server.url),
        python:
          server.kind === "s3"
            ? { kind: "s3", endpoint: server.url, bucket: "layoutbench", prefix, region: "us-east-1", managed: true, concurrency }
            : { kind: "http", url: new URL(`${prefix}/`, server.url).href, concurrency },
        served: server.proxy ? () => (server.proxy as NonNullable<RunningServer["proxy"]>).served : undefined,
      };
    },
    stop,
  };
}

function s3Options(storage: RemoteTarget["storage"]) {
  const s = storage as Extract<StorageSpec, { kind: "s3"; managed: false }>;
  return { bucket: s.bucket, prefix: s.prefix, endpoint: s.endpoint ?? undefined, region: s.region ?? undefined };
}

/** The user's S3 location of a layout's objects, as the Python worker addresses them. */
function ownS3(storage: RemoteTarget["storage"], layoutPrefix: string) {
  const o = s3Options(storage);
  const prefix = o.prefix ? `${o.prefix.replace(/\/+$/, "")}/${layoutPrefix}` : layoutPrefix;
  return { bucket: o.bucket, prefix, endpoint: o.endpoint ?? null, region: o.region ?? null };
}

function stagedFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name))
      .sort();
  } catch {
    return [];
  }
}

function readdirSafe(dir: string): number {
  try {
    return readdirSync(dir).length;
  } catch {
    return 0;
  }
}

/** A managed server over `stage`, or a client of the user's endpoint with the staged files uploaded (S3). */
async function reach(storage: RemoteTarget["storage"], stage: string, registry: StartedRegistry): Promise<RunningServer | ObjectStore> {
  if (storage.managed) {
    const { bandwidth, latencyMs, concurrency } = storage.shaping;
    const shaping = {
      ...(bandwidth !== null ? { bandwidth } : {}),
      ...(latencyMs !== null ? { latencyMs } : {}),
      ...(concurrency !== null ? { concurrency } : {}),
    };
    const options = { root: stage, registry, ...(Object.keys(shaping).length ? { shaping } : {}) };
    return storage.kind === "http" ? startHttpServer(options) : startS3Server({ ...options, bucket: "layoutbench" });
  }
  if (storage.kind === "http") return new HttpObjectStore({ url: storage.url });
  const client = new S3ObjectStore({
    bucket: storage.bucket,
    prefix: storage.prefix,
    endpoint: storage.endpoint ?? undefined,
    region: storage.region ?? undefined,
  });
  for (const entry of readdirSync(stage, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const key = relative(stage, file).split(sep).join("/");
    const body = readFileSync(file);
    if ((await client.head(key))?.size !== body.byteLength) await client.put(key, body);
  }
  return client;
}
