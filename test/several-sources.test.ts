/**
 * Datasets with several sources: each source a layout whose cases see that source, the scenario's
 * layouts next to them with no source (written from the first); the raw region reader the written
 * layouts get their values from; and leftover value copies of a killed run cleaned up.
 */
import assert from "node:assert/strict";
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { slice } from "../harness/core/selection.ts";
import { expandCases } from "../harness/scenario/expand.ts";
import { resolveScenario } from "../harness/scenario/resolve.ts";
import type { DatasetSource } from "../harness/scenario/types.ts";
import { removeStaleScratch } from "../harness/store/materialize.ts";
import { bandSelections, isLaterSource, regionReader } from "../harness/store/several-sources.ts";

const source = (name: string, path: string): DatasetSource => ({
  path,
  format: "npy",
  layout: { name, backend: "memmap", advice: "normal", order: "C" } as DatasetSource["layout"],
});

describe("cases of a dataset with several sources", () => {
  const sources = [source("npy", "/a.npy"), source("copy", "/b.npy")];
  const scenario = resolveScenario(
    {
      version: 1,
      name: "s",
      datasets: [{ name: "d", sources: [] }],
      layouts: [{ name: "z", backend: "zarr", chunks: [2, 2] }],
      patterns: [{ name: "rows", kind: "rows" }],
      cache: ["warm"],
    } as never,
    "s.yaml",
    [{ source: sources[0], shape: [4, 4], dtype: "int16", sources }],
  );

  test("each source, then the scenario's layouts; each case sees its own source, written layouts none", () => {
    const cases = expandCases(scenario);
    assert.deepEqual(
      cases.map((c) => [c.id, c.dataset.source?.path ?? null, c.dataset.sources?.length]),
      [
        ["s/d/npy/rows/warm", "/a.npy", 2],
        ["s/d/copy/rows/warm", "/b.npy", 2],
        ["s/d/z/rows/warm", null, 2],
      ],
    );
    assert.deepEqual(
      cases.map((c) => isLaterSource(c.dataset)),
      [false, true, false],
    );
  });
});

describe("the first source's values", () => {
  test("regionReader reads any box with steps from a raw C-order file", () => {
    const dir = join(tmpdir(), `regions-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      const path = join(dir, "values");
      // A 4×6 int16 array holding 10 × row + column.
      const values = Int16Array.from({ length: 24 }, (_, i) => 10 * Math.floor(i / 6) + (i % 6));
      writeFileSync(path, new Uint8Array(values.buffer));
      const fd = openSync(path, "r");
      try {
        const read = regionReader(fd, [4, 6], 2);
        const box = new Int16Array(6);
        read([slice(1, 3), slice(2, 5)], box);
        assert.deepEqual([...box], [12, 13, 14, 22, 23, 24]);
        const strided = new Int16Array(4);
        read([slice(0, 4, 2), slice(1, 6, 3)], strided);
        assert.deepEqual([...strided], [1, 4, 21, 24]);
      } finally {
        closeSync(fd);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("bands along axis 0 cover the array", () => {
    assert.deepEqual(bandSelections([3, 2], 4), [[slice(0, 3), slice(0, 2)]]);
    const big = bandSelections([10_000, 1024], 4);
    assert.equal(big.length, 5);
    assert.deepEqual(big[4][0], slice(8192, 10_000));
  });

  test("a copy left by a killed run is removed with the scratch copies", () => {
    const root = join(tmpdir(), `values-${process.pid}`);
    mkdirSync(root, { recursive: true });
    try {
      // A process id that cannot be alive (above the kernel's pid_max).
      writeFileSync(join(root, ".values-99999999-0a1b2c3d"), "x");
      writeFileSync(join(root, `.values-${process.pid}-0a1b2c3d`), "x");
      assert.deepEqual(removeStaleScratch(root), [join(root, ".values-99999999-0a1b2c3d")]);
      assert.ok(existsSync(join(root, `.values-${process.pid}-0a1b2c3d`)));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
