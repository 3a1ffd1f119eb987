/**
 * Remote storage in a real run: the CLI starts an HTTP server and moto, stages the layouts, reads
 * them with the layoutbench and zarrita engines (and memmap's download-then-map), and stops
 * everything. Request counts and bytes are exact where the layout gives them: a 16×16 float32 chunk
 * is 1024 bytes; an aligned tile touches one chunk; a shard's index is 4 inner chunks × 16 bytes +
 * a 4-byte CRC32C = 68 bytes, read with a suffix range before the inner chunk's range.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { CaseResult, ResultsFile } from "../harness/run/results-types.ts";
import { cli } from "./support/cli.ts";

const ROOT = join(import.meta.dirname, "..");
const SCENARIO = "test/fixtures/scenarios/runs/storage.yaml";
const dir = join(ROOT, "datasets", "cache", "test-tmp", `storage-run-${process.pid}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
after(() => rmSync(dir, { recursive: true, force: true }));

/** moto servers started from this tree (the run's S3 server is one). */
function leftovers(): string[] {
  const script = join(ROOT, "harness", "servers", "moto-server.py");
  return execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.includes(script));
}

describe("a run over HTTP and S3", () => {
  const before = leftovers();
  const out = join(dir, "results.json");
  const r = cli(["run", SCENARIO, "--out", out, "--cache", join(dir, "cache"), "--no-report"], { timeoutMs: 80_000 });
  const results = JSON.parse(readFileSync(out, "utf8")) as ResultsFile;
  const byId = new Map(results.cases.map((c) => [c.id, c]));
  const get = (id: string): CaseResult => {
    const c = byId.get(`storage/a/${id}`);
    assert.ok(c, `no case ${id} in ${[...byId.keys()].join(", ")}\n${r.stdout}${r.stderr}`);
    assert.equal(c.status, "ok", c.error);
    return c;
  };

  test("the run succeeds and every case is verified", () => {
    assert.equal(r.code, 0, r.stderr);
    assert.equal(results.cases.length, 28);
    assert.ok(results.cases.every((c) => c.status === "ok"));
  });

  test("an aligned tile of an unsharded array: one whole-object GET of 1024 bytes per sample", () => {
    for (const id of ["raw/tile/cold/storage=http", "raw/tile/cold/storage=s3@zarrita"]) {
      for (const s of get(id).samples) {
        assert.equal(s.remote?.requests, 1, id);
        assert.equal(s.remote?.bytesTransferred, 1024, id);
      }
      assert.equal(get(id).summary?.remote?.transferAmplification, 1);
    }
  });

  test("a full read of 4×4 chunks: 16 GETs, 16 in flight at most, 16384 bytes", () => {
    const c = get("raw/full/cold/storage=http");
    assert.deepEqual(
      c.samples.map((s) => [s.remote?.requests, s.remote?.bytesTransferred]),
      [
        [16, 16384],
        [16, 16384],
      ],
    );
    assert.ok(c.samples.every((s) => (s.remote?.peakInFlight ?? 0) >= 2 && (s.remote?.peakInFlight ?? 0) <= 16));
  });

  test("sharded: the index by suffix range and the chunk by range (1024 + 68 bytes, 2 requests)", () => {
    for (const id of ["sharded/tile/cold/storage=http", "sharded/tile/cold/storage=s3"]) {
      assert.deepEqual(
        get(id).samples.map((s) => [s.remote?.requests, s.remote?.bytesTransferred]),
        [
          [2, 1092],
          [2, 1092],
        ],
      );
    }
    // A full read: 4 shards × (index + 4 chunks) for our reader; zarrita coalesces each shard's chunks into one range.
    assert.equal(get("sharded/full/cold/storage=http").samples[0].remote?.requests, 20);
    assert.equal(get("sharded/full/cold/storage=http@zarrita").samples[0].remote?.requests, 8);
    assert.equal(get("sharded/full/cold/storage=http").samples[0].remote?.bytesTransferred, 4 * (4 * 1024 + 68));
  });

  test("compressed chunks move fewer bytes than asked for", () => {
    const a = get("lz4/full/cold/storage=s3").summary!.remote!;
    assert.ok(a.transferAmplification > 0 && a.transferAmplification < 1, String(a.transferAmplification));
  });

  test("unsharded Zarr is read by our chunk reader, with its decoder's decode-only speed recorded as D; sharded stays on zarr.get", () => {
    for (const kind of ["http", "s3"]) {
      const lz4 = get(`lz4/full/cold/storage=${kind}`);
      assert.equal(lz4.readPath?.implementation, `layoutbench chunk reader over ${kind} (one whole-object GET per chunk touched, at most 16 in flight)`);
      assert.equal(lz4.readPath?.decoder, "C Blosc-LZ4 (addon)");
      assert.equal(lz4.readPath?.library, "zarrita parses metadata only");
      assert.equal(lz4.decodeRate?.decoder, "C Blosc-LZ4 (addon)");
      assert.ok((lz4.decodeRate?.bytesPerSecond ?? 0) > 0, JSON.stringify(lz4.decodeRate));
      assert.deepEqual(get(`raw/full/cold/storage=${kind}`).decodeRate, { bytesPerSecond: null, decoder: "none" });
      const sharded = get(`sharded/full/cold/storage=${kind}`);
      assert.match(sharded.readPath?.implementation ?? "", new RegExp(`^zarrita zarr\\.get over ${kind} \\(sharded array: `));
      assert.equal(sharded.decodeRate, undefined);
      assert.equal(get(`lz4/full/cold/storage=${kind}@zarrita`).decodeRate, undefined, "the zarrita engine decodes with its own codecs");
    }
  });

  test("memmap with remote: download fetches the whole .npy each cold sample", () => {
    const c = get("npy/tile/cold/storage=http");
    // 64×64 float32 = 16384 bytes of data plus the 128-byte .npy header.
    assert.ok(c.samples.every((s) => s.remote?.requests === 1 && s.remote?.bytesTransferred === 16512));
    assert.equal(c.readPath?.implementation, "download to local disk (one whole-object GET over http), then mmap");
  });

  test("cold HTTP samples start with the served files evicted (mincore)", () => {
    for (const c of results.cases.filter((x) => x.id.includes("storage=http"))) {
      for (const s of c.samples) assert.equal(s.residency, 0, c.id);
    }
  });

  test("records and read paths name the storage, without credentials", () => {
    const c = get("raw/tile/cold/storage=s3");
    assert.equal(c.storageLocation?.kind, "s3");
    assert.equal(c.storageLocation?.label, "s3");
    assert.deepEqual(c.readPath?.storage, { kind: "s3", label: "s3", concurrency: 16, ranges: "one whole-object GET per chunk touched" });
    const text = readFileSync(out, "utf8");
    assert.ok(!text.includes("layoutbench-local-server"), "the local server's secret key is not in the results");
  });

  test("nothing is left running, and the staged files are gone", () => {
    assert.deepEqual(leftovers(), before);
    assert.deepEqual(
      readdirSync(join(dir, "cache")).filter((f) => f.startsWith(".serve-")),
      [],
    );
  });
});
