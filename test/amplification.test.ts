/**
 * Read amplification with exact values, from first principles, through the real read path: our
 * backends on real files, evicted with fadvise, counted by /proc/self/io, one round of the real
 * sample loop (run/sampler.ts), summarized by run/summary.ts. The arrays are small and every
 * expected byte count follows from page size, row size and chunk size:
 * - a memory-mapped .npy with MADV_RANDOM faults in exactly the pages it touches, no readahead;
 * - an uncompressed Zarr chunk is one file, read whole;
 * - a warm read reads nothing from storage.
 */
import assert from "node:assert/strict";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { requestedBytes } from "../harness/access/patterns.ts";
import { memmapBackend } from "../harness/backends/memmap.ts";
import type { Backend, Stored } from "../harness/backends/types.ts";
import { zarrBackend } from "../harness/backends/zarr.ts";
import { evictFiles } from "../harness/cache/evict.ts";
import { probeEviction } from "../harness/cache/probe.ts";
import { residency } from "../harness/cache/residency.ts";
import { type Selection, slice } from "../harness/core/selection.ts";
import { jsSession } from "../harness/engines/js.ts";
import { readIoCounters } from "../harness/run/io-counters.ts";
import { type CaseEnv, sampleRound } from "../harness/run/sampler.ts";
import { summarize } from "../harness/run/summary.ts";
import type { CaseSpec, DatasetSpec, LayoutSpec } from "../harness/scenario/types.ts";
import { makeTestDir } from "./support/contract.ts";

const PAGE = 4096;
// int32 rows of 1024 elements: one row is exactly one page long (the .npy header shifts rows
// off page boundaries, so a row straddles two pages and a column touches one page per row).
const ROWS = 64;
const COLS = 1024;
const DATASET: DatasetSpec = { name: "amp", shape: [ROWS, COLS], dtype: "int32", generator: "random", seed: 5 };
const NPY_RANDOM: LayoutSpec = { name: "npy-random", backend: "memmap", advice: "random", order: "C" };
// 32 × 32 int32 = one page per chunk file; the v3 "bytes" codec stores it raw.
const ZARR_RAW: LayoutSpec = { name: "zarr-raw", backend: "zarr", format: 3, chunks: [32, 32], shards: null, codec: { name: "none" } };

const env: CaseEnv = {
  now: () => performance.now(),
  io: () => {
    const io = readIoCounters();
    return { readBytes: io.readBytes, writeBytes: io.writeBytes, majorFaults: io.majorFaults };
  },
  evict: (files) => evictFiles(files, "fadvise"),
  residency: (files) => residency(files).fraction,
};

const dir = makeTestDir("amplification");
const probe = probeEviction(dir, "fadvise");
const io = readIoCounters();
const cannot = !io.available ? "/proc/self/io is not readable here" : !probe.verified ? `eviction does not work here: ${probe.detail}` : false;

function caseSpec(layout: LayoutSpec, cache: "cold" | "warm"): CaseSpec {
  return {
    id: `amp/${layout.name}/${cache}`,
    dataset: DATASET,
    layout,
    cache,
    engine: "layoutbench",
    pattern: { name: "p", label: "p", kind: "full", bandBytes: 1, op: "read", flush: false, seed: 1, weight: 1 },
    scenario: { sampling: { samples: 3, minSamples: 3, timeBudget: 60, warmup: 1, rounds: 1, minSampleMs: 0 } },
  } as unknown as CaseSpec;
}

/** Samples `selections` cold or warm with the layoutbench engine; the summary of the round's samples. */
async function measure(backend: Backend, stored: Stored, selections: Selection[], cache: "cold" | "warm") {
  const spec = caseSpec(stored.layout, cache);
  const session = jsSession(spec, backend, stored, selections, env.now);
  const files = await backend.files(stored);
  const round = await sampleRound(spec, session, files, env, { round: 1, samples: 3, minSamples: 3, timeBudget: 60 });
  await session.close();
  const summary = summarize(round.samples, requestedBytes(selections, 4))!;
  return { summary, samples: round.samples };
}

describe("exact read amplification on real files", { skip: cannot }, () => {
  const stores = new Map<string, Stored>();
  before(async () => {
    for (const [backend, layout] of [
      [memmapBackend, NPY_RANDOM],
      [zarrBackend, ZARR_RAW],
    ] as const) {
      const d = join(dir, layout.name);
      mkdirSync(d);
      await (backend.materialize as Backend["materialize"])({ dataset: DATASET, layout, dir: d, progress: () => {} });
      stores.set(layout.name, { dir: d, dataset: DATASET, layout });
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test(".npy, MADV_RANDOM, cold column: one page per element, 1024× the 4 bytes asked for", async () => {
    const column: Selection = [slice(0, ROWS), slice(700, 701)];
    const { summary, samples } = await measure(memmapBackend, stores.get("npy-random")!, [column], "cold");
    for (const s of samples) {
      assert.equal(s.bytesRead, ROWS * PAGE);
      assert.equal(s.majorFaults, ROWS);
    }
    assert.equal(summary.bytesRequested, ROWS * 4);
    assert.equal(summary.bytesRead, ROWS * PAGE);
    assert.equal(summary.readAmplification, PAGE / 4);
  });

  test(".npy, MADV_RANDOM, cold row: the two pages the row straddles, 2× the row", async () => {
    const row: Selection = [slice(9, 10), slice(0, COLS)];
    const { summary } = await measure(memmapBackend, stores.get("npy-random")!, [row], "cold");
    assert.equal(summary.bytesRequested, COLS * 4);
    assert.equal(summary.bytesRead, 2 * PAGE);
    assert.equal(summary.readAmplification, 2);
  });

  test("warm reads read nothing from storage", async () => {
    const column: Selection = [slice(0, ROWS), slice(3, 4)];
    for (const [backend, name] of [
      [memmapBackend, "npy-random"],
      [zarrBackend, "zarr-raw"],
    ] as const) {
      const { summary, samples } = await measure(backend, stores.get(name)!, [column], "warm");
      assert.deepEqual(
        samples.map((s) => s.bytesRead),
        [0, 0, 0],
        name,
      );
      assert.equal(summary.readAmplification, 0, name);
    }
  });

  test("Zarr, uncompressed 32 × 32 chunks, cold: a tile that is one chunk reads exactly that chunk", async () => {
    const tile: Selection = [slice(32, 64), slice(96, 128)];
    const { summary } = await measure(zarrBackend, stores.get("zarr-raw")!, [tile], "cold");
    assert.equal(summary.bytesRequested, 32 * 32 * 4);
    assert.equal(summary.bytesRead, 32 * 32 * 4);
    assert.equal(summary.readAmplification, 1);
  });

  test("Zarr, uncompressed 32 × 32 chunks, cold column: the 2 chunks holding it, 32× the column", async () => {
    const column: Selection = [slice(0, ROWS), slice(700, 701)];
    const { summary } = await measure(zarrBackend, stores.get("zarr-raw")!, [column], "cold");
    assert.equal(summary.bytesRequested, ROWS * 4);
    assert.equal(summary.bytesRead, (ROWS / 32) * PAGE);
    assert.equal(summary.readAmplification, 32);
  });
});
