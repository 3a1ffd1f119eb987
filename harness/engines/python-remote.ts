/**
 * The python engine over remote storage, as a Python user reads it: Zarr through zarr-python's
 * FSStore on fsspec (HTTP: aiohttp; S3: s3fs when it imports) or, for S3 without s3fs, a small
 * store over boto3; HDF5 through h5py on an fsspec file object. The worker's requests never pass
 * through our client, so their counts come from the shaping proxy's records when the server is
 * behind it; otherwise they are unknown and the samples carry none.
 */
import type { Stored } from "../backends/types.ts";
import type { Selection } from "../core/selection.ts";
import { TRANSPORT_DEFAULTS } from "../remote/index.ts";
import type { CaseSpec, LayoutSpec } from "../scenario/types.ts";
import type { ServedSince } from "../servers/host-protocol.ts";
import type { ServedRequest } from "../servers/shaping-proxy.ts";
import type { PythonRemote, PythonVersions, PythonWorker } from "./python.ts";
import { pythonReadPath } from "./python-read-path.ts";
import { pythonSession } from "./python-session.ts";
import type { EngineSession, ReadPath, RemoteSample } from "./types.ts";
import type { SelectionVerifier } from "./verify.ts";

/** Where a remote python case reads, and the proxy's records when a proxy serves it. */
export interface PythonRemoteReads {
  readonly label: string;
  readonly remote: PythonRemote;
  /** The shaping proxy's records from an index on (it runs in the server host), or undefined without a proxy. */
  readonly served: ((from: number) => Promise<ServedSince>) | undefined;
}

/** Why the python engine cannot read `layout` from `kind` storage here, or undefined when it can. */
export function pythonRemoteSupport(layout: LayoutSpec, kind: "http" | "s3", v: PythonVersions | undefined): string | undefined {
  if (layout.backend === "memmap")
    return "numpy.load maps local files only (mmap needs a filesystem); the download-then-map variant runs in the layoutbench engine";
  if (!v) return undefined;
  const r = v.remote;
  if (kind === "http") {
    const missing = [r.fsspec === null ? "python3-fsspec" : "", r.aiohttp === null ? "python3-aiohttp" : ""].filter(Boolean);
    if (missing.length) return `${v.executable} cannot import ${missing.join(" and ")} for HTTP reads: apt-get install ${missing.join(" ")}`;
    return undefined;
  }
  if (layout.backend === "hdf5" && r.s3fs === null)
    return "h5py over S3 needs an fsspec file object, and s3fs does not import (boto3 alone gives no file object)";
  if (r.s3fs === null && r.boto3 === null) return `${v.executable} cannot import s3fs or boto3 for S3 reads: apt-get install python3-boto3`;
  if (r.s3fs !== null && r.fsspec === null) return `${v.executable} has s3fs but cannot import fsspec: apt-get install python3-fsspec`;
  return undefined;
}

/**
 * The request numbers of `records` (one pass), as the proxy saw them; `nowMs` is the proxy's clock
 * when they were taken (a request still open counts as open until then). Only durations on the
 * proxy's clock are used, never compared with this process's. Retries: the worker's clients make
 * one attempt per request.
 */
export function countsFromProxy(records: readonly ServedRequest[], nowMs: number): RemoteSample {
  const ttfb = records
    .filter((r) => r.headersMs !== undefined)
    .map((r) => (r.headersMs as number) - r.arrivedMs)
    .sort((a, b) => a - b);
  return {
    requests: records.length,
    bytesTransferred: records.reduce((sum, r) => sum + r.bytes, 0),
    retries: 0,
    medianTtfbMs: ttfb.length ? quantileSorted(ttfb, 0.5) : null,
    p95TtfbMs: ttfb.length ? quantileSorted(ttfb, 0.95) : null,
    peakInFlight: peakOverlap(records, nowMs),
    connectionsReused: records.filter((r) => r.connectionReused).length,
  };
}

function quantileSorted(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Most requests open at one time (arrival to end; one still open counts to `nowMs`). */
function peakOverlap(records: readonly ServedRequest[], nowMs: number): number {
  const events = records.flatMap((r) => [
    [r.arrivedMs, 1],
    [r.endMs ?? nowMs, -1],
  ]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let peak = 0;
  for (const [, d] of events) {
    open += d;
    peak = Math.max(peak, open);
  }
  return peak;
}

/** The python engine's read path over remote storage. */
export function pythonRemoteReadPath(layout: LayoutSpec, reads: PythonRemoteReads, v: PythonVersions): ReadPath {
  const local = pythonReadPath(layout, v);
  const r = v.remote;
  const kind = reads.remote.kind;
  const fsspec = `fsspec ${r.fsspec ?? "?"}`;
  const client =
    kind === "http"
      ? `${fsspec} HTTPFileSystem (aiohttp ${r.aiohttp ?? "?"})`
      : r.s3fs !== null
        ? `${fsspec} s3fs ${r.s3fs}`
        : `boto3 ${r.boto3 ?? "?"} (a MutableMapping store of get_object calls; s3fs is not installed)`;
  const fresh =
    kind === "s3" && r.s3fs === null
      ? "a new boto3 session and client per open (no connection or credential cache kept), one attempt per request"
      : "a new filesystem per open (skip_instance_cache=True, use_listings_cache=False): no instance, listing or block cache survives a reopen";
  const bounded = `each request fails after ${reads.remote.timeoutMs ?? TRANSPORT_DEFAULTS.timeoutMs} ms without an answer, one attempt (no retries)`;
  const counted = reads.served
    ? "request counts and bytes as the shaping proxy served them"
    : "request counts unknown (no proxy in front of this server sees the worker's requests)";
  const how =
    layout.backend === "zarr"
      ? kind === "s3" && r.s3fs === null
        ? "zarr-python on the boto3 store"
        : "zarr-python on zarr.storage.FSStore"
      : "h5py on an fsspec file object (fs.open(url, 'rb') with fsspec's defaults: cache_type 'bytes', 5 MiB blocks, so a file under 5 MiB arrives whole during the open)";
  const ranges =
    layout.backend === "zarr"
      ? `one whole-object GET per chunk touched, ${reads.remote.concurrency} at once (${kind === "s3" && r.s3fs === null ? "a thread pool" : "fsspec batch_size"})`
      : "byte ranges of the one file, as libhdf5 asks for them through the file object's block cache";
  return {
    ...local,
    implementation: `${local.implementation} over ${client}`,
    library: `${how}; ${fresh}; ${bounded}; ${counted}`,
    storage: { kind, label: reads.label, concurrency: reads.remote.concurrency, ranges },
  };
}

/** A python case on remote storage: the local session's open pointed at the storage, each pass with the proxy's counts. */
export function remotePythonSession(
  spec: CaseSpec,
  worker: PythonWorker,
  stored: Stored,
  selections: readonly Selection[],
  verifier: SelectionVerifier,
  reads: PythonRemoteReads,
): EngineSession {
  const remoteWorker: PythonWorker = {
    versions: worker.versions,
    open: (s, options) => worker.open(s, { ...options, remote: { ...reads.remote, timeoutMs: reads.remote.timeoutMs ?? TRANSPORT_DEFAULTS.timeoutMs } }),
    pass: (sels) => worker.pass(sels),
    close: () => worker.close(),
    quit: () => worker.quit(),
  };
  const inner = pythonSession(spec, remoteWorker, stored, selections, verifier);
  return {
    ...inner,
    // The worker reads nothing from disk; the storage's disk reads are counted here around each
    // pass, as for the other engines' remote cases.
    ownIo: false,
    async pass() {
      // Only the pass's own requests are counted: the mark is how many the proxy had seen before it.
      const mark = reads.served ? (await reads.served(Number.MAX_SAFE_INTEGER)).next : 0;
      const result = { ...(await inner.pass()), io: null };
      if (!reads.served) return result;
      const served = await reads.served(mark);
      return { ...result, remote: countsFromProxy(served.records, served.nowMs) };
    },
    readPath: () => (inner.readPath?.() ? pythonRemoteReadPath(spec.layout, reads, worker.versions) : undefined),
  };
}
