import assert from "node:assert/strict";
import { test } from "node:test";
import { joinReads } from "../harness/backends/hdf5/remote-reader.ts";
import { sievePlan } from "../harness/backends/hdf5/sieve-plan.ts";
import { slice } from "../harness/core/selection.ts";

const SIEVE = 65536;

test("one row shorter than the sieve: one read of one full sieve window from the row's start", () => {
  // 1024×1024 float32 at address 2048: row 10 starts at 2048 + 10 × 4096.
  const p = sievePlan([slice(10, 11), slice(0, 1024)], [1024, 1024], 4, 2048, 2048 + 4 * 2 ** 20, SIEVE);
  assert.deepEqual(p.reads, [{ offset: 2048 + 40960, length: SIEVE }]);
  assert.deepEqual(p.copies, [{ read: 0, from: 0, at: 0, length: 4096 }]);
});

test("the window is cut at the data's end", () => {
  const p = sievePlan([slice(1023, 1024), slice(0, 1024)], [1024, 1024], 4, 0, 4 * 2 ** 20, SIEVE);
  assert.deepEqual(p.reads, [{ offset: 4 * 2 ** 20 - 4096, length: 4096 }]);
});

test("runs longer than the sieve are read straight, one read each", () => {
  // 4 rows of 32768 float32 = 128 KiB each.
  const p = sievePlan([slice(1, 3), slice(0, 32768)], [4, 32768], 4, 100, 100 + 4 * 131072, SIEVE);
  assert.deepEqual(p.reads, [{ offset: 100 + 131072, length: 262144 }]);
  const q = sievePlan([slice(1, 3), slice(0, 32767)], [4, 32768], 4, 100, 100 + 4 * 131072, SIEVE);
  assert.deepEqual(q.reads, [
    { offset: 100 + 131072, length: 131068 },
    { offset: 100 + 262144, length: 131068 },
  ]);
});

test("a column refills the window every 16 rows of 4096 bytes", () => {
  const p = sievePlan([slice(0, 64), slice(5, 6)], [1024, 1024], 4, 0, 4 * 2 ** 20, SIEVE);
  assert.deepEqual(
    p.reads.map((r) => r.offset),
    [0, 1, 2, 3].map((w) => 20 + w * SIEVE),
  );
  assert.equal(p.copies.length, 64);
  assert.deepEqual(p.copies[16], { read: 1, from: 0, at: 64, length: 4 });
});

test("open reads within the gap are joined into one", () => {
  assert.deepEqual(
    joinReads(
      [
        { offset: 96, length: 40 },
        { offset: 0, length: 8 },
        { offset: 800, length: 272 },
        { offset: 200_000, length: 16 },
      ],
      SIEVE,
    ),
    [
      { offset: 0, length: 1072 },
      { offset: 200_000, length: 16 },
    ],
  );
});
