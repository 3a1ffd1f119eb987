/**
 * HDF5 cold samples check the pages libhdf5 reads for their selections, not a share of the whole
 * file: the ranges are the reads libhdf5 makes (contiguous: the run and its sieve window; chunked:
 * each stored chunk the selection touches), checked against the file's bytes, and one resident
 * page of them is seen where the whole-file share would have passed.
 */
import assert from "node:assert/strict";
import { closeSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { inflateSync } from "node:zlib";
import type { FileRange } from "../harness/access/byte-ranges.ts";
import { mergeRuns } from "../harness/backends/hdf5/byte-ranges.ts";
import { HDF5_FILE, hdf5Backend } from "../harness/backends/hdf5.ts";
import type { Stored } from "../harness/backends/types.ts";
import { evictFiles } from "../harness/cache/evict.ts";
import { rangeResidency, residency } from "../harness/cache/residency.ts";
import { type Selection, slice } from "../harness/core/selection.ts";
import { generateRegion } from "../harness/data/generate.ts";
import { fadvise, pageSize } from "../harness/native/index.ts";
import { RESIDENCY_LIMIT } from "../harness/run/summary.ts";
import type { DatasetSpec, Hdf5Layout } from "../harness/scenario/types.ts";
import { ensureMaterialized } from "../harness/store/materialize.ts";
import { makeTestDir } from "./support/contract.ts";
import { CONTIGUOUS, layout } from "./support/hdf5-layouts.ts";

const dir = makeTestDir("hdf5-ranges");
after(() => rmSync(dir, { recursive: true, force: true }));

// 256 × 4096 float32: rows of 16 KiB, 4 MiB in all.
const DATASET: DatasetSpec = { name: "d", shape: [256, 4096], dtype: "float32", generator: "smooth", seed: 2 } as DatasetSpec;
const ROW = 4096 * 4;
const SIEVE = 64 * 1024;

function bytesAt(file: string, offset: number, length: number): Buffer {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(length);
    assert.equal(readSync(fd, buf, 0, length, offset), length);
    return buf;
  } finally {
    closeSync(fd);
  }
}

const valuesOf = (sel: Selection) => {
  const v = generateRegion(DATASET, sel);
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
};

async function stored(l: Hdf5Layout): Promise<Stored<Hdf5Layout>> {
  return (await ensureMaterialized(dir, DATASET, l)).stored as Stored<Hdf5Layout>;
}

describe("HDF5 byte ranges", () => {
  test("runs are sorted and merged where they touch or overlap", () => {
    assert.deepEqual(
      mergeRuns([
        { offset: 100, end: 200 },
        { offset: 0, end: 10 },
        { offset: 150, end: 300 },
        { offset: 300, end: 310 },
        { offset: 11, end: 12 },
      ]),
      [
        { offset: 0, end: 10 },
        { offset: 11, end: 12 },
        { offset: 100, end: 310 },
      ],
    );
  });

  test("contiguous: a row is read through one sieve window from its own address", async () => {
    const s = await stored(CONTIGUOUS);
    const file = join(s.dir, HDF5_FILE);
    const at = async (row: number) => {
      const ranges = (await hdf5Backend.byteRanges!(s, [[slice(row, row + 1), slice(0, 4096)]]))!;
      assert.equal(ranges.length, 1, `row ${row}: ${JSON.stringify(ranges)}`);
      return ranges[0];
    };
    const r3 = await at(3);
    const r10 = await at(10);
    assert.equal(r10.offset - r3.offset, 7 * ROW, "rows lie in C order from one address");
    assert.deepEqual(bytesAt(file, r3.offset, ROW), valuesOf([slice(3, 4), slice(0, 4096)]), "the range starts with the row's bytes");
    assert.equal(r3.length, SIEVE, "a run under 64 KiB is read with libhdf5's sieve window");
    const last = await at(255);
    assert.equal(last.length, ROW, "the window stops at the end of the data");
    assert.equal(last.offset - r3.offset, 252 * ROW);
  });

  test("chunked, gzip: each stored chunk the selection touches, whole, and no other", async () => {
    const s = await stored(layout("gzip", { name: "gzip", level: 1 }, [16, 1024]));
    const file = join(s.dir, HDF5_FILE);
    // Row 20, columns 1020 and 2100: chunks (1, 0) and (1, 2), apart in the file (chunk (1, 1) lies
    // between them; ranges that touch are merged).
    const ranges = (await hdf5Backend.byteRanges!(s, [[slice(20, 21), slice(1020, 2101, 1080)]]))!;
    const chunk = (r: number, c: number): Selection => [slice(16 * r, 16 * r + 16), slice(1024 * c, 1024 * c + 1024)];
    const inflated = (range: FileRange) => {
      try {
        return inflateSync(bytesAt(file, range.offset, range.length!));
      } catch {
        return null; // the chunk index or other metadata
      }
    };
    const chunks = ranges.map(inflated).filter((b) => b !== null);
    assert.deepEqual(chunks, [valuesOf(chunk(1, 0)), valuesOf(chunk(1, 2))]);
    // Chunk (0, 0) is read by a selection inside it, and lies in none of the ranges above.
    const first = (await hdf5Backend.byteRanges!(s, [[slice(0, 1), slice(0, 1)]]))!.find((r) => inflated(r) !== null)!;
    assert.deepEqual(inflated(first), valuesOf(chunk(0, 0)));
    for (const r of ranges) assert.ok(r.offset + r.length! <= first.offset || first.offset + first.length! <= r.offset, "chunk (0, 0) is not read");
  });

  test("one resident page of a row's range is seen; the whole file's share would not have flagged it", async () => {
    const s = await stored(CONTIGUOUS);
    const file = join(s.dir, HDF5_FILE);
    const ranges = (await hdf5Backend.byteRanges!(s, [[slice(100, 101), slice(0, 4096)]]))!;
    await evictFiles([file], "fadvise");
    const fd = openSync(file, "r");
    try {
      fadvise(fd, 0, 0, "random");
      readSync(fd, Buffer.alloc(1), 0, 1, ranges[0].offset + 2 * pageSize());
    } finally {
      closeSync(fd);
    }
    const seen = rangeResidency(ranges);
    assert.equal(seen.residentPages, 1);
    assert.ok(seen.totalPages >= SIEVE / pageSize());
    assert.ok(residency([file]).fraction < RESIDENCY_LIMIT, `the file's share: ${residency([file]).fraction}`);
    assert.ok(statSync(file).size > 4 * 2 ** 20);
  });
});
