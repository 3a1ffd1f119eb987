/**
 * The python engine's remote reads, pure parts: which layouts and storages it refuses and why, and
 * the request numbers of a pass taken from the shaping proxy's records. Real reads: storage-python.e2e.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { PythonVersions } from "../harness/engines/python.ts";
import { countsFromProxy, pythonRemoteSupport } from "../harness/engines/python-remote.ts";
import type { LayoutSpec } from "../harness/scenario/types.ts";
import type { ServedRequest } from "../harness/servers/shaping-proxy.ts";

const ZARR = { name: "z", backend: "zarr", format: 2, chunks: [16, 16], shards: null, codec: { name: "none" } } as LayoutSpec;
const H5 = { name: "h", backend: "hdf5", chunks: [16, 16], codec: { name: "none" }, shuffle: false } as LayoutSpec;
const NPY = { name: "n", backend: "memmap", advice: "normal" } as unknown as LayoutSpec;

function versions(remote: Partial<PythonVersions["remote"]>): PythonVersions {
  return {
    executable: "/usr/bin/python3",
    remote: { fsspec: "2022.11.0", aiohttp: "3.8.4", s3fs: null, boto3: "1.26.27", ...remote },
  } as PythonVersions;
}

describe("pythonRemoteSupport", () => {
  test("Zarr over HTTP needs fsspec and aiohttp, naming the packages to install", () => {
    assert.equal(pythonRemoteSupport(ZARR, "http", versions({})), undefined);
    assert.equal(
      pythonRemoteSupport(ZARR, "http", versions({ aiohttp: null })),
      "/usr/bin/python3 cannot import python3-aiohttp for HTTP reads: apt-get install python3-aiohttp",
    );
  });

  test("Zarr over S3: s3fs or boto3; HDF5 over S3 only with s3fs (a file object)", () => {
    assert.equal(pythonRemoteSupport(ZARR, "s3", versions({})), undefined);
    assert.equal(
      pythonRemoteSupport(ZARR, "s3", versions({ boto3: null })),
      "/usr/bin/python3 cannot import s3fs or boto3 for S3 reads: apt-get install python3-boto3",
    );
    assert.match(pythonRemoteSupport(H5, "s3", versions({})) ?? "", /^h5py over S3 needs an fsspec file object, and s3fs does not import/);
    assert.equal(pythonRemoteSupport(H5, "s3", versions({ s3fs: "2023.1.0" })), undefined);
    assert.equal(pythonRemoteSupport(H5, "http", versions({})), undefined);
  });

  test("memmap is refused on any remote storage", () => {
    assert.match(pythonRemoteSupport(NPY, "http", versions({})) ?? "", /^numpy.load maps local files only/);
  });
});

describe("countsFromProxy", () => {
  const req = (arrivedMs: number, headersMs: number, endMs: number | undefined, bytes: number, connectionReused = false): ServedRequest => ({
    arrivedMs,
    admittedMs: arrivedMs,
    headersMs,
    endMs,
    bytes,
    connectionReused,
  });

  test("requests, bytes, time to first byte, peak in flight and reuse, as the proxy saw them", () => {
    const counts = countsFromProxy([req(0, 10, 20, 1024), req(5, 25, 30, 1024, true), req(21, 41, 50, 500, true)], 100);
    assert.deepEqual(counts, {
      requests: 3,
      bytesTransferred: 2548,
      retries: 0,
      medianTtfbMs: 20,
      p95TtfbMs: 20,
      peakInFlight: 2,
      connectionsReused: 2,
    });
  });

  test("a request still open counts as in flight to now; no request gives null times", () => {
    assert.equal(countsFromProxy([req(0, 1, undefined, 0), req(50, 51, 60, 0)], 100).peakInFlight, 2);
    assert.deepEqual(countsFromProxy([], 0), {
      requests: 0,
      bytesTransferred: 0,
      retries: 0,
      medianTtfbMs: null,
      p95TtfbMs: null,
      peakInFlight: 0,
      connectionsReused: 0,
    });
  });
});
