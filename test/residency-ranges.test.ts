/**
 * Cold samples check the pages they will read: the byte ranges of a selection (pure index math,
 * per layout), the residency of exactly those pages on a real file, and the warning rule.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { chunksHit, selectionRuns } from "../harness/access/byte-ranges.ts";
import { memmapBackend, NPY_FILE } from "../harness/backends/memmap.ts";
import type { Stored } from "../harness/backends/types.ts";
import { ARRAY_DIR, zarrBackend } from "../harness/backends/zarr.ts";
import { evictFiles } from "../harness/cache/evict.ts";
import { rangeResidency, residency } from "../harness/cache/residency.ts";
import { slice } from "../harness/core/selection.ts";
import { fadvise, pageSize } from "../harness/native/index.ts";
import type { Sample } from "../harness/run/results-types.ts";
import { caseWarnings, RESIDENCY_LIMIT } from "../harness/run/summary.ts";
import type { DatasetSpec, MemmapLayout, ZarrLayout } from "../harness/scenario/types.ts";
import { ensureMaterialized } from "../harness/store/materialize.ts";
import { makeTestDir } from "./support/contract.ts";

const dir = makeTestDir("ranges");
after(() => rmSync(dir, { recursive: true, force: true }));

describe("byte ranges of a selection", () => {
  test("C order: a row is one run, a column one run per row, a box one run per row", () => {
    // 4 × 8 int32 from byte 128: rows are 32 bytes.
    assert.deepEqual(selectionRuns([slice(2, 3), slice(0, 8)], [4, 8], 4, "C", 128), [{ offset: 128 + 64, length: 32 }]);
    assert.deepEqual(
      selectionRuns([slice(0, 4), slice(5, 6)], [4, 8], 4, "C", 0),
      [0, 1, 2, 3].map((r) => ({ offset: r * 32 + 20, length: 4 })),
    );
    assert.deepEqual(selectionRuns([slice(1, 3), slice(2, 4)], [4, 8], 4, "C", 0), [
      { offset: 40, length: 8 },
      { offset: 72, length: 8 },
    ]);
    assert.deepEqual(selectionRuns([slice(0, 4), slice(0, 8)], [4, 8], 4, "C", 10), [{ offset: 10, length: 128 }], "whole rows merge");
  });

  test("F order: a column is one run; steps give one run per element", () => {
    assert.deepEqual(selectionRuns([slice(0, 4), slice(5, 6)], [4, 8], 4, "F", 0), [{ offset: 80, length: 16 }]);
    assert.deepEqual(selectionRuns([slice(0, 1), slice(0, 8, 4)], [4, 8], 4, "C", 0), [
      { offset: 0, length: 4 },
      { offset: 16, length: 4 },
    ]);
    assert.deepEqual(selectionRuns([slice(0, 0), slice(0, 8)], [4, 8], 4, "C", 0), []);
  });

  test("chunks touched along an axis, steps skipping whole chunks included", () => {
    assert.deepEqual(chunksHit(slice(0, 10), 4), [0, 1, 2]);
    assert.deepEqual(chunksHit(slice(3, 5), 4), [0, 1]);
    assert.deepEqual(chunksHit(slice(0, 16, 8), 4), [0, 2], "indices 0 and 8");
    assert.deepEqual(chunksHit(slice(5, 5), 4), []);
  });

  const dataset: DatasetSpec = { name: "d", shape: [64, 1024], dtype: "float32", generator: "smooth", seed: 1 } as DatasetSpec;
  test("memmap: the rows of a .npy file after its header", async () => {
    const layout: MemmapLayout = { name: "npy", backend: "memmap", advice: "normal", order: "C" };
    const m = await ensureMaterialized(dir, dataset, layout);
    const ranges = await memmapBackend.byteRanges!(m.stored as Stored<MemmapLayout>, [[slice(3, 4), slice(0, 1024)]]);
    const file = join(m.stored.dir, NPY_FILE);
    // A version-1 .npy header of this dtype and shape takes 128 bytes.
    assert.deepEqual(ranges, [{ file, offset: 128 + 3 * 4096, length: 4096 }]);
  });

  test("zarr: the chunk files a selection touches, whole", async () => {
    const layout: ZarrLayout = { name: "z", backend: "zarr", format: 3, chunks: [16, 256], shards: null, codec: { name: "none" } };
    const m = await ensureMaterialized(dir, dataset, layout);
    const ranges = await zarrBackend.byteRanges!(m.stored as Stored<ZarrLayout>, [[slice(20, 21), slice(250, 260)]]);
    const root = join(m.stored.dir, ARRAY_DIR);
    assert.deepEqual(ranges, [
      { file: join(root, "c/1/0"), offset: 0 },
      { file: join(root, "c/1/1"), offset: 0 },
    ]);
  });
});

describe("residency of the pages a read touches", () => {
  test("3 resident pages of a 5-page range: 3/5 of the range, well under 2% of the file", async () => {
    const page = pageSize();
    const path = join(dir, "big.bin");
    writeFileSync(path, randomBytes(1024 * page));
    await evictFiles([path], "fadvise");
    const fd = openSync(path, "r");
    try {
      // No readahead, so exactly the pages read become resident.
      fadvise(fd, 0, 0, "random");
      const buf = Buffer.alloc(1);
      for (const p of [100, 101, 103]) readSync(fd, buf, 0, 1, p * page);
    } finally {
      closeSync(fd);
    }
    const range = rangeResidency([{ file: path, offset: 100 * page + 7, length: 5 * page - 7 }]);
    assert.deepEqual(range, { residentPages: 3, totalPages: 5, fraction: 3 / 5 });
    assert.ok(residency([path]).fraction < RESIDENCY_LIMIT, "the whole-file share would not have flagged it");
    assert.deepEqual(rangeResidency([{ file: path, offset: 0 }]).totalPages, 1024, "no length: to the end of the file");
  });

  test("a column of a tall array: hundreds of thousands of ranges, each page counted once", () => {
    const page = pageSize();
    const path = join(dir, "big.bin");
    // 20 columns of an 8192-row float32 array make 163 840 runs; 300 000 four-byte runs over 1024 pages here.
    const ranges = Array.from({ length: 300_000 }, (_, i) => ({ file: path, offset: (i % 1024) * page + (i % 7) * 4, length: 4 }));
    assert.equal(rangeResidency(ranges).totalPages, 1024);
  });

  test("a cold sample checked by ranges is flagged for any resident page; by files, past 2%", () => {
    const sample = (residency: number, ranges: boolean): Sample => ({
      ms: 1,
      bytesRead: 4096,
      bytesWritten: 0,
      majorFaults: 0,
      residency,
      openMs: 0,
      ...(ranges ? { residencyOf: "ranges" as const } : {}),
    });
    const codes = (samples: Sample[]) => caseWarnings(samples, null, true, "read", true).map((w) => w.code);
    assert.deepEqual(codes([sample(0.001, true)]), ["residency"]);
    assert.deepEqual(codes([sample(0, true)]), []);
    assert.deepEqual(codes([sample(0.01, false)]), []);
    assert.deepEqual(codes([sample(0.03, false)]), ["residency"]);
    assert.match(
      caseWarnings([sample(0.6, true)], null, true, "read", true)[0].message,
      /^1 of 1 cold samples found up to 60% of the pages they read resident/,
    );
  });
});
