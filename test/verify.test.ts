/**
 * Verification of datasets read from a file (bring your own data): the verifier takes reference
 * reads before sampling, and every later read must match them. Real files written by our backends;
 * the expected values come from the generator that wrote them, not from the code under test.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { memmapBackend, NPY_FILE } from "../harness/backends/memmap.ts";
import { parseNpyHeader, readNpyRegion } from "../harness/backends/npy.ts";
import type { Backend, Reader, Stored } from "../harness/backends/types.ts";
import { zarrBackend } from "../harness/backends/zarr.ts";
import type { TypedArray } from "../harness/core/dtype.ts";
import { type Selection, slice } from "../harness/core/selection.ts";
import { generateRegion } from "../harness/data/generate.ts";
import { verifierFor } from "../harness/engines/verify.ts";
import type { DatasetSpec, LayoutSpec } from "../harness/scenario/types.ts";

const WORK = join(import.meta.dirname, "..", "datasets", "cache", "test-tmp", `verify-${process.pid}`);
const GENERATED: DatasetSpec = { name: "g", shape: [40, 30], dtype: "int32", generator: "random", seed: 11 };
const NPY: LayoutSpec = { name: "as-is", backend: "memmap", advice: "normal", order: "C" };
const ZARR: LayoutSpec = { name: "as-is", backend: "zarr", format: 3, chunks: [16, 16], shards: null, codec: { name: "none" } };
const SELECTIONS: Selection[] = [
  [slice(0, 40), slice(0, 30)],
  [slice(39, 40), slice(0, 30)],
  [slice(3, 29, 5), slice(29, 30)],
];

/** The dataset as a scenario with a `source` describes it: values from the file, no generator. */
const fromFile = (dir: string, layout: LayoutSpec): DatasetSpec => ({
  ...GENERATED,
  generator: "file",
  seed: 0,
  source: { path: dir, format: layout.backend === "memmap" ? "npy" : "zarr", layout },
});
const sha256 = (a: TypedArray) =>
  createHash("sha256")
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest("hex");
const expected = (i: number) => generateRegion(GENERATED, SELECTIONS[i]);
const withOneChange = (a: TypedArray, k: number): TypedArray => {
  const b = a.slice() as Int32Array;
  b[k] = b[k] + 1;
  return b;
};

async function materialize(backend: Backend, layout: LayoutSpec, name: string): Promise<Stored> {
  const dir = join(WORK, name);
  mkdirSync(dir, { recursive: true });
  await backend.materialize({ dataset: GENERATED, layout, dir, progress: () => {} });
  return { dir, dataset: fromFile(dir, layout), layout };
}

describe("bring-your-own verification", () => {
  let npy: Stored;
  let zarr: Stored;
  before(async () => {
    rmSync(WORK, { recursive: true, force: true });
    npy = await materialize(memmapBackend, NPY, "npy");
    zarr = await materialize(zarrBackend, ZARR, "zarr");
  });
  after(() => rmSync(WORK, { recursive: true, force: true }));

  test(".npy: the plain reference read returns the generator's values", () => {
    for (let i = 0; i < SELECTIONS.length; i++) assert.deepEqual(readNpyRegion(join(npy.dir, NPY_FILE), SELECTIONS[i], npy.dataset), expected(i));
  });

  test(".npy: the plain read handles steps on every axis, Fortran order, and refuses a file that does not match", async () => {
    const stepped: Selection[] = [
      [slice(1, 40, 3), slice(2, 30, 4)],
      [slice(0, 40, 7), slice(29, 30)],
      [slice(5, 6), slice(0, 30, 2)],
    ];
    const f = await materialize(memmapBackend, { ...NPY, name: "fortran", order: "F" } as LayoutSpec, "npy-f");
    for (const stored of [npy, f]) {
      for (const sel of stepped)
        assert.deepEqual(
          readNpyRegion(join(stored.dir, NPY_FILE), sel, stored.dataset),
          generateRegion(GENERATED, sel),
          `${stored.layout.name} ${JSON.stringify(sel)}`,
        );
    }
    const path = join(npy.dir, NPY_FILE);
    assert.throws(() => readNpyRegion(path, SELECTIONS[0], { ...npy.dataset, shape: [30, 40] }), {
      message: `${path}: holds <i4 (40, 30), dataset g is int32 (30, 40)`,
    });
    assert.throws(() => readNpyRegion(path, SELECTIONS[0], { ...npy.dataset, dtype: "uint32" }), {
      message: `${path}: holds <i4 (40, 30), dataset g is uint32 (40, 30)`,
    });
    // Cut inside row 39: the last row's run cannot be read whole.
    const short = join(WORK, "short.npy");
    const bytes = readFileSync(path);
    writeFileSync(short, bytes.subarray(0, bytes.length - 8));
    assert.throws(() => readNpyRegion(short, SELECTIONS[1], npy.dataset), { message: `${short}: file ends before byte ${bytes.length}` });
  });

  test(".npy: right values pass; one wrong element or a wrong digest fails, naming it", async () => {
    const v = await verifierFor(npy.dataset, memmapBackend, npy, SELECTIONS);
    assert.equal(v.kind, "reference");
    for (let i = 0; i < SELECTIONS.length; i++) {
      assert.equal(await v.check(i, expected(i)), undefined);
      assert.equal(v.checkDigest(i, sha256(expected(i))), undefined);
    }
    // Selection 1 is row 39: element 7 is global index [39, 7].
    const wrong = await v.check(1, withOneChange(expected(1), 7));
    assert.match(wrong ?? "", /^differs from a plain read of the file: .*\[39, 7\]/);
    assert.match(v.checkDigest(0, sha256(expected(1))) ?? "", /differs from a plain read of the file/);
    // Another selection's right values are wrong here.
    assert.notEqual(await v.check(2, expected(1).subarray(0, expected(2).length)), undefined);
  });

  test(".npy: a file changed after the reference reads fails every later read of the change", async () => {
    const v = await verifierFor(npy.dataset, memmapBackend, npy, SELECTIONS);
    const path = join(npy.dir, NPY_FILE);
    const header = parseNpyHeader(new Uint8Array(readFileSync(path).subarray(0, 4096)));
    // Element [39, 0] (C order: 39 * 30) becomes -1: row 39 and the full read now hold it.
    const fd = openSync(path, "r+");
    writeSync(fd, new Uint8Array(new Int32Array([-1]).buffer), 0, 4, header.dataOffset + 39 * 30 * 4);
    closeSync(fd);
    const reader = await (memmapBackend as Backend).open(npy, { writable: false });
    try {
      for (const i of [0, 1]) {
        const got = await reader.read(SELECTIONS[i]);
        assert.equal((got as Int32Array)[i === 0 ? 39 * 30 : 0], -1);
        assert.match((await v.check(i, got)) ?? "", /sha256 differs from the one taken before sampling \(the source changed\?\)/);
      }
      // Selection 2 (column 29) does not include the changed element.
      assert.equal(await v.check(2, await reader.read(SELECTIONS[2])), undefined);
    } finally {
      await reader.close();
    }
  });

  test("Zarr: self-verified against a second read; wrong values fail", async () => {
    const v = await verifierFor(zarr.dataset, zarrBackend, zarr, SELECTIONS);
    assert.equal(v.kind, "self");
    for (let i = 0; i < SELECTIONS.length; i++) {
      assert.equal(await v.check(i, expected(i)), undefined);
      assert.equal(v.checkDigest(i, sha256(expected(i))), undefined);
    }
    assert.match((await v.check(0, withOneChange(expected(0), 31))) ?? "", /^differs from a second read through the same library: .*\[1, 1\]/);
    assert.match(v.checkDigest(2, sha256(expected(0))) ?? "", /differs from a second read through the same library/);
  });

  test("Zarr: a reader that returns wrong values makes the right values fail", async () => {
    // The reference reads go through the backend: when they differ from what a check is given, the
    // check must say so (it can only show consistency, which is what a self check claims).
    const lying: Backend = {
      ...zarrBackend,
      open: async (stored, options) => {
        const real = await (zarrBackend as Backend).open(stored, options);
        const reader: Reader = { ...real, read: async (sel) => withOneChange(await real.read(sel), 0), close: () => real.close() };
        return reader;
      },
    };
    const v = await verifierFor(zarr.dataset, lying, zarr, SELECTIONS);
    for (let i = 0; i < SELECTIONS.length; i++) assert.notEqual(await v.check(i, expected(i)), undefined, `selection ${i}`);
  });
});
