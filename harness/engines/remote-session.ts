/**
 * Engine sessions over remote storage: the layoutbench engine through its backend's `openRemote`
 * (a fresh object-store client per open) and the zarrita engine through FetchStore on the same
 * request layer. Each pass returns the requests it sent (counts, bytes, time to first byte, peak in
 * flight, connection reuse), and the read path names the storage, GET concurrency and range strategy.
 */
import type { Backend, Stored } from "../backends/types.ts";
import { zarrRangeStrategy } from "../backends/zarr/remote-reader.ts";
import { UnsupportedError } from "../core/errors.ts";
import type { Selection } from "../core/selection.ts";
import { type ObjectStore, summarizeRequests } from "../remote/index.ts";
import type { CaseSpec, LayoutSpec } from "../scenario/types.ts";
import { jsSession } from "./js.ts";
import { librarySession } from "./library-session.ts";
import type { OutputPool } from "./output-pool.ts";
import type { EngineSession, ReadPath, RemoteSample } from "./types.ts";
import type { SelectionVerifier } from "./verify.ts";
import { zarritaEngine } from "./zarrita.ts";

/** Where and how a remote case reads (built by the run from the storage it started). */
export interface RemoteReads {
  readonly kind: "http" | "s3";
  readonly label: string;
  readonly prefix: string;
  readonly concurrency: number;
  /** The objects are the layout's cached files (a server the harness started over them). */
  readonly localCopy: boolean;
  newClient(): ObjectStore;
}

/** How a layout's bytes are asked for, for the read path. */
function rangeStrategy(layout: LayoutSpec, engine: string): string {
  if (layout.backend === "zarr")
    return engine === "zarrita" ? "zarrita's: whole-object GETs, suffix and coalesced ranges for shards" : zarrRangeStrategy(layout);
  if (layout.backend === "memmap") return "one whole-object GET (download, then mmap)";
  if (layout.backend === "hdf5") return "the byte ranges libhdf5 reads: its open reads, sieve windows or runs, chunk index nodes and chunks";
  return "byte ranges";
}

/** The request numbers of `records`, as a pass's. */
function remoteSample(client: ObjectStore | undefined, mark: number): RemoteSample | undefined {
  if (!client) return undefined;
  const s = summarizeRequests(client.requests.since(mark));
  return {
    requests: s.requests,
    bytesTransferred: s.bytes,
    retries: s.retries,
    medianTtfbMs: s.medianTtfbMs ?? null,
    p95TtfbMs: s.p95TtfbMs ?? null,
    peakInFlight: s.peakInFlight,
    connectionsReused: s.connectionsReused,
  };
}

/** `inner` with each pass's requests (of the client opened last) and the storage in its read path. */
function withRequests(inner: EngineSession, current: () => ObjectStore | undefined, reads: RemoteReads, layout: LayoutSpec, engine: string): EngineSession {
  const storage = { kind: reads.kind, label: reads.label, concurrency: reads.concurrency, ranges: rangeStrategy(layout, engine) };
  return {
    ownIo: inner.ownIo,
    open: () => inner.open(),
    async pass() {
      const client = current();
      const mark = client?.requests.mark() ?? 0;
      const result = await inner.pass();
      const remote = remoteSample(current(), client === current() ? mark : 0);
      return remote ? { ...result, remote } : result;
    },
    finish: () => inner.finish(),
    close: () => inner.close(),
    readPath(): ReadPath | undefined {
      const path = inner.readPath?.();
      return path ? { ...path, storage } : undefined;
    },
  };
}

/** The layoutbench engine reading `stored`'s objects from remote storage. */
export function remoteLayoutbenchSession(
  spec: CaseSpec,
  backend: Backend,
  stored: Stored,
  selections: readonly Selection[],
  now: () => number,
  verifier: SelectionVerifier,
  outputs: OutputPool,
  reads: RemoteReads,
): EngineSession {
  const openRemote = backend.openRemote;
  if (!openRemote) throw new UnsupportedError(`the ${backend.name} backend cannot read remote storage`);
  let client: ObjectStore | undefined;
  const remoteBackend: Backend = {
    ...backend,
    open: (s) => {
      client = reads.newClient();
      return openRemote(s, { store: client, prefix: reads.prefix, concurrency: reads.concurrency, localCopy: reads.localCopy });
    },
  };
  return withRequests(jsSession(spec, remoteBackend, stored, selections, now, verifier, outputs), () => client, reads, spec.layout, "layoutbench");
}

/** The zarrita engine reading `stored`'s objects through FetchStore. */
export function remoteZarritaSession(
  spec: CaseSpec,
  stored: Stored,
  selections: readonly Selection[],
  now: () => number,
  verifier: SelectionVerifier,
  reads: RemoteReads,
): EngineSession {
  let client: ObjectStore | undefined;
  const engine = zarritaEngine(stored, {
    kind: reads.kind,
    client: () => {
      const c = reads.newClient();
      client = c;
      return { baseUrl: new URL(`${reads.prefix}/`, c.baseUrl).href, fetch: c.fetch, close: () => c.close() };
    },
  });
  return withRequests(librarySession(spec, engine, selections, verifier, now), () => client, reads, spec.layout, "zarrita");
}
