/**
 * Point reads through the direct Zarr chunk reader (harness/backends/zarr/chunk-reader.ts): each point
 * touches one chunk, so a warm point read is one positional read of that chunk's file and one decode
 * into buffers the reader keeps. Pinned from first principles: reads counted by spying on node:fs
 * (exactly one per point, one fstat per chunk file), and minor page faults per point far under what
 * fresh chunk buffers would cost (a chunk's pages, twice: stored and decoded bytes).
 */
import assert from "node:assert/strict";
import fs, { mkdtempSync, rmSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Reader } from "../harness/backends/types.ts";
import { zarrBackend } from "../harness/backends/zarr.ts";
import { allocate } from "../harness/core/dtype.ts";
import { type Selection, slice } from "../harness/core/selection.ts";
import { verifyRegion } from "../harness/data/generate.ts";
import { nativeDecoders } from "../harness/native/index.ts";
import type { DatasetSpec, ZarrLayout } from "../harness/scenario/types.ts";
import { createRng } from "../harness/stats/prng.ts";

const N = 1024;
const CHUNK = 256;
const CHUNK_BYTES = CHUNK * CHUNK * 4;
const dataset: DatasetSpec = { name: "points", shape: [N, N], dtype: "int32", generator: "smooth", seed: 3 };
const layout: ZarrLayout = {
  name: "blosc-lz4",
  backend: "zarr",
  format: 2,
  chunks: [CHUNK, CHUNK],
  shards: null,
  codec: { name: "blosc", cname: "lz4", level: 5, shuffle: "byte" },
};

const rng = createRng(5);
const points: Selection[] = Array.from({ length: 200 }, () => {
  const i = Math.floor(rng() * N);
  const j = Math.floor(rng() * N);
  return [slice(i, i + 1), slice(j, j + 1)];
});

/** Counts calls of node:fs functions the reader imports, for the duration of `body`. */
async function counting<T>(names: readonly ("readSync" | "fstatSync")[], body: () => Promise<T>): Promise<{ result: T; calls: Record<string, number> }> {
  const calls: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  const mutable = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = names.map((n) => mutable[n]);
  names.forEach((n, k) => {
    mutable[n] = (...args: unknown[]) => {
      calls[n]++;
      return originals[k](...args);
    };
  });
  syncBuiltinESMExports();
  try {
    return { result: await body(), calls };
  } finally {
    names.forEach((n, k) => {
      mutable[n] = originals[k];
    });
    syncBuiltinESMExports();
  }
}

describe("zarr point reads (Blosc, direct chunk reader)", { skip: nativeDecoders() ? false : "the addon's decoders are missing (npm run build)" }, () => {
  let root: string;
  let dir: string;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), "lb-points-"));
    dir = join(root, "entry");
    fs.mkdirSync(dir);
    await zarrBackend.materialize({ dataset, layout, dir, progress: () => {} });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const open = () => zarrBackend.open({ dir, dataset, layout }, { writable: false });
  const readAll = async (reader: Reader, out: Int32Array) => {
    for (const sel of points) {
      const got = await reader.read(sel, out);
      const problem = verifyRegion(dataset, sel, got);
      assert.equal(problem, undefined, problem);
    }
  };

  test("one read per point and one fstat per chunk file, on a fresh reader and a warm one", async () => {
    const reader = await open();
    try {
      assert.equal(reader.readPath?.().implementation, "layoutbench chunk reader");
      const out = allocate("int32", 1) as Int32Array;
      const files = new Set(points.map(([r, c]) => `${Math.floor(r.start / CHUNK)}.${Math.floor(c.start / CHUNK)}`)).size;
      const first = await counting(["readSync", "fstatSync"], () => readAll(reader, out));
      assert.deepEqual(first.calls, { readSync: points.length, fstatSync: files });
      const warm = await counting(["readSync", "fstatSync"], () => readAll(reader, out));
      assert.deepEqual(warm.calls, { readSync: points.length, fstatSync: 0 });
    } finally {
      await reader.close();
    }
  });

  test("warm point reads reuse the reader's chunk buffers: page faults per point far under a fresh chunk's pages", async () => {
    const reader = await open();
    try {
      const out = allocate("int32", 1) as Int32Array;
      for (let pass = 0; pass < 3; pass++) await readAll(reader, out);
      const before = process.resourceUsage().minorPageFault;
      await readAll(reader, out);
      const perPoint = (process.resourceUsage().minorPageFault - before) / points.length;
      // Fresh stored and decoded buffers per chunk would fault in about 2 × 64 pages per point.
      const freshPages = (2 * CHUNK_BYTES) / 4096;
      assert.ok(perPoint < freshPages / 16, `${perPoint.toFixed(2)} minor page faults per point read (fresh buffers: ~${freshPages})`);
    } finally {
      await reader.close();
    }
  });
});
