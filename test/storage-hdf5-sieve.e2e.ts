/**
 * `sieveBufSize` over HTTP: a contiguous float32 dataset read row by row (one read per row), once
 * with libhdf5's default 64 KiB sieve and once with 16 KiB. libhdf5 reads a run longer than the
 * sieve straight and a shorter one through a window of the sieve's size from the run's start, cut
 * at the data's end; each read is one GET. So, for 64 rows:
 * - rows of 32 KiB (8192 floats): 64 KiB sieve: windows of 65536 bytes for rows 0–62 and 32768 for
 *   row 63 (the data ends), 4161536 bytes; 16 KiB sieve: each row straight, 64 × 32768 = 2097152.
 * - rows of 8 KiB (2048 floats): 64 KiB sieve: 65536 bytes for rows 0–56, then (64 − r) × 8192 for
 *   rows 57–63, 57 × 65536 + 28 × 8192 = 3964928; 16 KiB sieve: 16384 for rows 0–62 and 8192 for
 *   row 63, 1040384.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { ResultsFile } from "../harness/run/results-types.ts";
import { cli } from "./support/cli.ts";

const ROOT = join(import.meta.dirname, "..");
const SCENARIO = "test/fixtures/scenarios/runs/storage-hdf5-sieve.yaml";
const dir = join(ROOT, "datasets", "cache", "test-tmp", `storage-hdf5-sieve-${process.pid}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
after(() => rmSync(dir, { recursive: true, force: true }));

describe("HDF5 sieve size over HTTP", () => {
  const out = join(dir, "results.json");
  const r = cli(["run", SCENARIO, "--out", out, "--cache", join(dir, "cache"), "--no-report"], { timeoutMs: 80_000 });
  const results = JSON.parse(readFileSync(out, "utf8")) as ResultsFile;
  const get = (dataset: string, layout: string) => {
    const c = results.cases.find((x) => x.id === `storage-hdf5-sieve/${dataset}/${layout}/rows/cold/storage=http`);
    assert.ok(c, `${dataset}/${layout}: ${results.cases.map((x) => x.id).join(", ")}\n${r.stderr}`);
    assert.equal(c.status, "ok", c.error);
    return c;
  };
  const counts = (dataset: string, layout: string) => get(dataset, layout).samples.map((s) => [s.remote?.requests, s.remote?.bytesTransferred]);

  test("the run succeeds, every row verified", () => {
    assert.equal(r.code, 0, r.stderr);
    assert.equal(results.cases.length, 4);
  });

  const expected: [string, string, number][] = [
    ["wide", "sieve-64k", 63 * 65536 + 32768],
    ["wide", "sieve-16k", 64 * 32768],
    ["narrow", "sieve-64k", 57 * 65536 + 28 * 8192],
    ["narrow", "sieve-16k", 63 * 16384 + 8192],
  ];
  for (const [dataset, layout, bytes] of expected) {
    test(`${dataset} rows, ${layout}: 64 GETs, ${bytes} bytes per pass`, () => {
      assert.deepEqual(counts(dataset, layout), [
        [64, bytes],
        [64, bytes],
      ]);
    });
  }

  test("the read path names the sieve size", () => {
    assert.match(get("wide", "sieve-16k").readPath?.implementation ?? "", /\(http ranged GETs, 16384 B sieve\/page\)$/);
    assert.match(get("wide", "sieve-64k").readPath?.implementation ?? "", /\(http ranged GETs, 65536 B sieve\/page\)$/);
  });
});
