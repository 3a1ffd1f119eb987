/**
 * Reader processes on real files through the real CLI: four readers of one 16 MiB array, mapped
 * (.npy) and read into buffers (Zarr without a codec), and two readers partitioning rows. Checks
 * the go signal lines the readers up, a partition reads each selection once, a cold page cache
 * filled once serves every reader, and what ΣPSS shows: one shared copy of a mapped file against
 * one private copy per reader of data read into buffers.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { CaseResult, ResultsFile } from "../harness/run/results-types.ts";
import { cli } from "./support/cli.ts";

const ROOT = join(import.meta.dirname, "..");
const DIR = join(ROOT, "datasets", "cache", "test-tmp", `readers-${process.pid}`);
const SCENARIO = "test/fixtures/scenarios/runs/readers.yaml";
/** The array: 2048 × 2048 float32, read whole in two bands of 8 MiB (one output buffer of a band each). */
const ARRAY = 2048 * 2048 * 4;
const BAND = ARRAY / 2;
const MiB = 2 ** 20;

describe("reader processes", () => {
  let results: ResultsFile;
  const byId = (suffix: string): CaseResult => {
    const c = results.cases.find((x) => x.id === `readers/a/${suffix}`);
    assert.ok(c, `no case ${suffix} in ${results.cases.map((x) => x.id).join(", ")}`);
    assert.equal(c.status, "ok", `${suffix}: ${c.error}`);
    return c;
  };

  before(() => {
    mkdirSync(DIR, { recursive: true });
    const out = join(DIR, "results.json");
    const filter = "/npy/full/(cold|warm)/readers=4p|npy/rows/warm/readers=2p|zarr-raw/full/warm/readers=4p/";
    const r = cli(["run", SCENARIO, "--cache", join(DIR, "cache"), "--out", out, "--no-report", "--filter", filter], { timeoutMs: 300_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    results = JSON.parse(readFileSync(out, "utf8"));
  });
  after(() => rmSync(DIR, { recursive: true, force: true }));

  test("the go signal lines the readers up", () => {
    for (const id of ["npy/full/warm/readers=4p1t-replicate", "zarr-raw/full/warm/readers=4p1t-replicate", "npy/rows/warm/readers=2p1t-partition"]) {
      const c = byId(id);
      for (const s of c.samples) assert.equal(s.readers?.length, c.readers!.processes, id);
      // Every reader starts at one wall-clock time, whenever its go message arrived: on an idle
      // machine within a millisecond; on a loaded one as late as the scheduler gives it a CPU (tens
      // of ms at a load of 25 on 2 cores). Readers started without the barrier would be seconds
      // apart (each takes 1-3 s to start and open), so 250 ms still tells the two apart.
      const spreads = c.samples.map((s) => Math.max(...s.readers!.map((r) => r.startMs)));
      assert.ok(Math.max(...spreads) < 250, `${id}: start spreads ${spreads.map((x) => x.toFixed(2)).join(", ")} ms`);
      assert.ok(c.readersSummary!.slowestReaderMs >= c.readersSummary!.readerMedianOfAllMs, id);
    }
  });

  test("partition: every selection read once per sample; replicate: once by every reader", () => {
    const part = byId("npy/rows/warm/readers=2p1t-partition");
    for (const s of part.samples)
      assert.deepEqual(
        s.readers!.map((r) => r.selections),
        [4, 4],
      );
    assert.equal(part.summary!.bytesRequested, 8 * 16 * 2048 * 4);
    const rep = byId("npy/full/warm/readers=4p1t-replicate");
    for (const s of rep.samples)
      assert.deepEqual(
        s.readers!.map((r) => r.selections),
        [2, 2, 2, 2],
      );
    assert.equal(rep.summary!.bytesRequested, 4 * ARRAY);
  });

  test("cold: evicted once, the file is read from storage once for all four readers", () => {
    const c = byId("npy/full/cold/readers=4p1t-replicate");
    for (const s of c.samples) assert.equal(s.residency, 0);
    // One copy from storage for 4 × the array asked for: amplification over all readers ≈ 1/4.
    assert.ok(c.summary!.readAmplification >= 0.24 && c.summary!.readAmplification <= 0.3, `amplification ${c.summary!.readAmplification}`);
  });

  test("ΣPSS: four mappings of one file share one copy; four readers into buffers hold four", () => {
    const mapped = byId("npy/full/warm/readers=4p1t-replicate").memory!;
    const file = ARRAY + 128;
    // Every page of the file is mapped by all four, and PSS charges each a quarter.
    assert.ok(
      mapped.sum.pssLayoutBytes >= 0.9 * file && mapped.sum.pssLayoutBytes < 1.5 * file,
      `ΣPSS of the mapped file ${(mapped.sum.pssLayoutBytes / MiB).toFixed(1)} MiB`,
    );
    assert.ok(mapped.sum.pssFileBytes >= mapped.sum.pssLayoutBytes);
    const buffered = byId("zarr-raw/full/warm/readers=4p1t-replicate").memory!;
    assert.equal(buffered.sum.pssLayoutBytes, 0, "chunk files are read, never mapped");
    // Each reader holds its own copy of what one read returned (a band), and at most that output,
    // the expected values it is checked against and the chunk buffers besides Node's own.
    const growth = buffered.readers.map((r) => r.pssAnonBytes - r.baselineAnonBytes);
    for (const g of growth) assert.ok(g >= 0.95 * BAND && g < 3 * BAND + 32 * MiB, `anonymous growth ${(g / MiB).toFixed(1)} MiB`);
    assert.ok(buffered.sum.pssAnonBytes - buffered.sum.baselineAnonBytes >= 4 * 0.95 * BAND);
    for (const m of [mapped, buffered]) {
      for (const r of m.readers) assert.ok(r.hwmBytes >= r.rssBytes && r.rssBytes >= r.pssBytes && r.pssBytes >= r.ussBytes);
      assert.ok(m.pageCacheBytes >= 0.95 * ARRAY, "the layout's files are in the page cache after warm reads");
    }
  });
});
