/**
 * HDF5 on a user's own endpoints (an HTTP server and an S3 bucket the run did not start), in a real
 * run: there the objects are the only copy the readers may trust, so the byte ranges libhdf5 reads
 * are planned from the objects at prepare (a sparse image filled by ranged GETs, in no sample).
 * The timed reads then make exactly the GETs of the same file read through a server the harness
 * started (storage-hdf5.e2e.ts, planned on the local copy): a 256×256 float32 contiguous dataset
 * read whole is one GET of its 262144 bytes; a 64×64 tile one GET of at most one 64 KiB sieve
 * window; chunked gzip the v1 B-tree's one leaf (2616 bytes) then each chunk touched at its stored
 * size, the leaf only once per reader.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { CaseResult, ResultsFile } from "../harness/run/results-types.ts";
import { StartedRegistry, startHttpServer, startS3Server } from "../harness/servers/index.ts";
import { cliAsync } from "./support/cli.ts";
import { chunkSizes } from "./support/h5py-chunks.ts";

const ROOT = join(import.meta.dirname, "..");
const dir = join(ROOT, "datasets", "cache", "test-tmp", `storage-hdf5-own-${process.pid}`);
const registry = new StartedRegistry();
const cache = join(dir, "cache");
const BTREE_LEAF_BYTES = 24 + 65 * 32 + 64 * 8;

let results: ResultsFile;
let output = "";

before(async () => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "bucket"), { recursive: true });
  mkdirSync(cache, { recursive: true });
  // The user's HTTP server serves the dataset cache (as docs/scenarios-storage.md asks); the
  // user's bucket starts empty and the run uploads the layouts into it.
  const http = await startHttpServer({ root: cache, registry });
  const s3 = await startS3Server({ root: join(dir, "bucket"), bucket: "mine", registry });
  const scenario = join(dir, "scenario.yaml");
  writeFileSync(
    scenario,
    readFileSync(join(ROOT, "test/fixtures/scenarios/runs/storage-hdf5-own.yaml"), "utf8")
      .replace("http://127.0.0.1:HTTP_PORT/", http.url)
      .replace("http://127.0.0.1:S3_PORT", s3.url),
  );
  const out = join(dir, "results.json");
  const env = { AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey, AWS_REGION: "us-east-1" };
  const r = await cliAsync(["run", scenario, "--out", out, "--cache", cache, "--no-report"], { env });
  output = `${r.stdout}${r.stderr}`;
  assert.equal(r.code, 0, output);
  results = JSON.parse(readFileSync(out, "utf8")) as ResultsFile;
});
after(async () => {
  await registry.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe("HDF5 on your own HTTP server and S3 bucket: plans from the objects", () => {
  const get = (layout: string, pattern: string, cache: string, kind: "http" | "s3"): CaseResult => {
    const c = results.cases.find((x) => x.id.startsWith(`storage-hdf5-own/a/${layout}/${pattern}/${cache}/storage=${kind}-`));
    assert.ok(c, `no ${layout}/${pattern}/${cache} on ${kind} in ${results.cases.map((x) => x.id).join(", ")}`);
    assert.equal(c.status, "ok", c.error);
    return c;
  };
  const counts = (c: CaseResult) => c.samples.map((s) => [s.remote?.requests, s.remote?.bytesTransferred]);

  test("every case is read and verified", () => {
    assert.equal(results.cases.length, 16);
    assert.ok(results.cases.every((c) => c.status === "ok"));
  });

  for (const kind of ["http", "s3"] as const) {
    test(`${kind}: the same GETs as planned on a local copy, planning in no sample`, () => {
      for (const cache of ["cold", "warm"]) {
        assert.deepEqual(counts(get("contig", "full", cache, kind)), [
          [1, 262144],
          [1, 262144],
        ]);
        for (const s of get("contig", "tile", cache, kind).samples) {
          assert.equal(s.remote?.requests, 1);
          const bytes = s.remote?.bytesTransferred ?? 0;
          assert.ok(bytes >= 63 * 1024 + 256 && bytes <= 65536, `${bytes}`);
        }
      }
      const sizes = chunkSizes(cache);
      const all = sizes.reduce((a, b) => a + b, 0);
      assert.deepEqual(counts(get("gz", "full", "cold", kind)), [
        [17, BTREE_LEAF_BYTES + all],
        [17, BTREE_LEAF_BYTES + all],
      ]);
      // One reader for both warm passes: the leaf once.
      assert.deepEqual(counts(get("gz", "full", "warm", kind)), [
        [17, BTREE_LEAF_BYTES + all],
        [16, all],
      ]);
      for (const s of get("gz", "tile", "cold", kind).samples) {
        assert.equal(s.remote?.requests, 2);
        assert.ok(sizes.includes((s.remote?.bytesTransferred ?? 0) - BTREE_LEAF_BYTES), `${s.remote?.bytesTransferred}`);
      }
    });

    test(`${kind}: the read path says the plan came from the object`, () => {
      const contig = get("contig", "full", "cold", kind).readPath;
      assert.match(
        contig?.library ?? "",
        /found the data's address in the object itself \(no local copy\): a sparse image filled by ranged GETs of 65536 B blocks before the timed reads, \d+ requests and \d+ bytes/,
      );
      const gz = get("gz", "full", "cold", kind).readPath;
      assert.match(gz?.ours ?? "", /^ranges planned from libhdf5's reads in the object itself \(no local copy\)/);
    });
  }
});
