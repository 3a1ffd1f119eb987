/**
 * HDF5 over HTTP and S3 through the direct ranged path, in a real run (the CLI starts the servers).
 * Counts and bytes follow from the file: a 256×256 float32 contiguous dataset is 262144 bytes, read
 * whole as one run longer than libhdf5's 64 KiB sieve (one GET), or as four 64 KiB bands (one sieve
 * window each). Chunked gzip reads the v1 chunk B-tree's one leaf (24-byte header, 65 keys of
 * 4 + 4 + 3 × 8 bytes and 64 child addresses of 8 bytes = 2616 bytes) then each chunk touched, at
 * the sizes h5py reports for them; warm passes of the same reader read the chunks again, not the
 * leaf. Every sample is verified against the local reads.
 */
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { CaseResult, ResultsFile } from "../harness/run/results-types.ts";
import { cli } from "./support/cli.ts";
import { chunkSizes } from "./support/h5py-chunks.ts";

const ROOT = join(import.meta.dirname, "..");
const SCENARIO = "test/fixtures/scenarios/runs/storage-hdf5.yaml";
const dir = join(ROOT, "datasets", "cache", "test-tmp", `storage-hdf5-${process.pid}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
after(() => rmSync(dir, { recursive: true, force: true }));

const BTREE_LEAF_BYTES = 24 + 65 * 32 + 64 * 8;

describe("HDF5 over HTTP and S3 (direct ranged path)", () => {
  const out = join(dir, "results.json");
  const cache = join(dir, "cache");
  const r = cli(["run", SCENARIO, "--out", out, "--cache", cache, "--no-report"], { timeoutMs: 80_000 });
  const results = JSON.parse(readFileSync(out, "utf8")) as ResultsFile;
  const byId = new Map(results.cases.map((c) => [c.id, c]));
  const get = (id: string): CaseResult => {
    const c = byId.get(`storage-hdf5/a/${id}`);
    assert.ok(c, `no case ${id} in ${[...byId.keys()].join(", ")}\n${r.stdout}${r.stderr}`);
    assert.equal(c.status, "ok", c.error);
    return c;
  };
  const counts = (id: string) => get(id).samples.map((s) => [s.remote?.requests, s.remote?.bytesTransferred]);
  const both = (id: string) => [`${id}/storage=http`, `${id}/storage=s3`];

  test("the run succeeds and every case is read and verified", () => {
    assert.equal(r.code, 0, r.stderr);
    assert.equal(results.cases.length, 24);
    assert.ok(results.cases.every((c) => c.status === "ok"));
    assert.ok(!`${r.stdout}${r.stderr}`.includes("not implemented"));
  });

  test("contiguous, whole: one GET of the 262144-byte run (longer than the sieve)", () => {
    for (const id of both("contig/full/cold"))
      assert.deepEqual(
        counts(id),
        [
          [1, 262144],
          [1, 262144],
        ],
        id,
      );
  });

  test("contiguous, four 64 KiB bands: one GET of one full sieve window each", () => {
    for (const id of both("contig/bands/cold"))
      assert.deepEqual(
        counts(id),
        [
          [4, 262144],
          [4, 262144],
        ],
        id,
      );
  });

  test("contiguous, a 64×64 tile: one GET of one sieve window (64 rows of 256 B within 64 KiB, cut at the data's end)", () => {
    for (const id of both("contig/tile/cold")) {
      for (const s of get(id).samples) {
        assert.equal(s.remote?.requests, 1, id);
        const bytes = s.remote?.bytesTransferred ?? 0;
        // From the tile's first byte: at least its 63 rows of 1024 B and a last run of 256 B, at most the sieve.
        assert.ok(bytes >= 63 * 1024 + 256 && bytes <= 65536, `${id}: ${bytes}`);
      }
    }
  });

  test("chunked gzip: the B-tree leaf, then each chunk at its stored size", () => {
    const sizes = chunkSizes(cache);
    assert.equal(sizes.length, 16);
    const all = sizes.reduce((a, b) => a + b, 0);
    for (const id of [...both("gz/full/cold"), ...both("gz/bands/cold")])
      assert.deepEqual(
        counts(id),
        [
          [17, BTREE_LEAF_BYTES + all],
          [17, BTREE_LEAF_BYTES + all],
        ],
        id,
      );
    for (const id of both("gz/tile/cold")) {
      for (const s of get(id).samples) {
        assert.equal(s.remote?.requests, 2, id);
        assert.ok(sizes.includes((s.remote?.bytesTransferred ?? 0) - BTREE_LEAF_BYTES), `${id}: ${s.remote?.bytesTransferred} is not the leaf and one chunk`);
      }
    }
    assert.ok((get("gz/full/cold/storage=http").summary?.remote?.transferAmplification ?? 1) < 1, "gzip moves fewer bytes than it delivers");
  });

  test("warm passes fetch every chunk again and the B-tree leaf only once (libhdf5 keeps it between calls); contiguous data every pass", () => {
    const sizes = chunkSizes(cache);
    const all = sizes.reduce((a, b) => a + b, 0);
    for (const id of both("gz/full/warm")) {
      // No warm-up pass: the first reads the leaf once, the second only the chunks.
      assert.deepEqual(
        counts(id),
        [
          [17, BTREE_LEAF_BYTES + all],
          [16, all],
        ],
        id,
      );
    }
    for (const id of both("contig/full/warm"))
      assert.deepEqual(
        counts(id),
        [
          [1, 262144],
          [1, 262144],
        ],
        id,
      );
  });

  test("read paths say the direct ranged path, the sieve size and the decoder", () => {
    assert.equal(
      get("contig/full/cold/storage=http").readPath?.implementation,
      "direct ranged path: GETs replaying libhdf5's sieve (http ranged GETs, 65536 B sieve/page)",
    );
    const gz = get("gz/tile/cold/storage=s3").readPath;
    assert.equal(gz?.implementation, "direct ranged path: libhdf5 (h5wasm) over the byte ranges it reads (s3 ranged GETs, 65536 B sieve/page)");
    assert.equal(gz?.decoder, "libhdf5 deflate (zlib) in WASM");
    assert.deepEqual(gz?.fallbacks, []);
  });

  test("cold HTTP samples start with the served file evicted (mincore)", () => {
    for (const c of results.cases.filter((x) => x.id.includes("storage=http") && x.cache === "cold")) {
      for (const s of c.samples) assert.equal(s.residency, 0, c.id);
    }
  });

  test("no sparse images are left behind", () => {
    const shm = "/dev/shm";
    assert.deepEqual(
      readdirSync(shm).filter((f) => f.startsWith("layoutbench-h5-")),
      [],
    );
  });
});
