/**
 * The memmap backend: the shared contract and the .npy header (the cross-checks with NumPy in a
 * Python process: memmap.e2e.ts).
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, describe, test } from "node:test";
import { memmapBackend } from "../harness/backends/memmap.ts";
import { formatNpyHeader, NpyFormatError, parseNpyHeader } from "../harness/backends/npy.ts";
import { DTYPES, numpyDescr } from "../harness/core/dtype.ts";
import { fullSelection, slice } from "../harness/core/selection.ts";
import { generateRegion, verifyRegion } from "../harness/data/generate.ts";
import type { DatasetSpec, MemmapLayout } from "../harness/scenario/types.ts";
import { makeTestDir, materializeInto, runBackendContract } from "./support/contract.ts";

const layout = (advice: MemmapLayout["advice"], order: "C" | "F"): MemmapLayout => ({ name: `memmap-${advice}-${order}`, backend: "memmap", advice, order });

runBackendContract(memmapBackend, [layout("normal", "C"), layout("random", "C"), layout("normal", "F"), layout("random", "F")]);

const dir = makeTestDir("memmap");
after(() => rmSync(dir, { recursive: true, force: true }));

const store = (dataset: DatasetSpec, l: MemmapLayout, name: string) => materializeInto(memmapBackend, dir, dataset, l, name);

describe(".npy header", () => {
  test("round-trips every dtype and rank 0–4, data aligned to 64 bytes", () => {
    for (const dtype of DTYPES) {
      for (const shape of [[], [37], [33, 45], [4096, 4096], [5, 6, 7, 3]]) {
        for (const fortran of [false, true]) {
          const bytes = formatNpyHeader(dtype, shape, fortran);
          assert.equal(bytes.length % 64, 0);
          assert.equal(bytes[bytes.length - 1], 0x0a);
          assert.deepEqual(parseNpyHeader(bytes), {
            version: [1, 0],
            descr: numpyDescr(dtype),
            dtype,
            fortranOrder: fortran,
            shape,
            dataOffset: bytes.length,
          });
        }
      }
    }
  });

  test("writes the dict exactly as NumPy does", () => {
    const text = formatNpyHeader("float32", [4096, 4096], false).subarray(10).toString("latin1");
    assert.match(text, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(4096, 4096\), \} +\n$/);
    assert.match(formatNpyHeader("int8", [37], true).toString("latin1"), /'descr': '\|i1', 'fortran_order': True, 'shape': \(37,\), \}/);
  });

  test("parses version 2.0 and 3.0 headers and rejects what it cannot read", () => {
    const v1 = formatNpyHeader("uint16", [3, 4], false);
    for (const major of [2, 3]) {
      const text = v1.subarray(10);
      const v = Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0, 0, 0, 0, 0]), text]);
      v.writeUInt32LE(text.length, 8);
      assert.deepEqual(parseNpyHeader(v), { version: [major, 0], descr: "<u2", dtype: "uint16", fortranOrder: false, shape: [3, 4], dataOffset: v.length });
    }
    const bad = Buffer.from(v1);
    bad[6] = 4;
    assert.throws(() => parseNpyHeader(bad), /unsupported .npy format version 4.0/);
    assert.throws(() => parseNpyHeader(Buffer.from("PK\x03\x04not npy at all")), NpyFormatError);
    const bigEndian = Buffer.from(v1.toString("latin1").replace("<u2", ">u2"), "latin1");
    assert.equal(parseNpyHeader(bigEndian).dtype, undefined);
  });
});

describe("memmap reader", () => {
  const dataset: DatasetSpec = { name: "d", shape: [33, 45], dtype: "int32", generator: "random", seed: 5 };

  test("refuses out-of-range selections, writes when read-only, use after close, stale files", async () => {
    const stored = await store(dataset, layout("normal", "C"), "errors");
    const reader = await memmapBackend.open(stored, { writable: false });
    await assert.rejects(reader.read([slice(0, 34), slice(0, 45)]), RangeError);
    await assert.rejects(reader.write!(fullSelection([33, 45]), generateRegion(dataset, fullSelection([33, 45]))), /opened read-only/);
    await reader.close();
    await reader.close(); // idempotent
    await assert.rejects(reader.read(fullSelection([33, 45])), /is closed/);
    await assert.rejects(memmapBackend.open({ ...stored, dataset: { ...dataset, dtype: "float32" } }, { writable: false }), /stale cache entry/);
    await assert.rejects(memmapBackend.open({ ...stored, layout: layout("normal", "F") }, { writable: false }), /F order/);
  });

  test("reads a 64 MiB+ array materialized in several bands, both orders", async () => {
    // 4100 × 4100 float32 ≈ 64.1 MiB: the band splitter must cut along an axis and at the edge.
    const big: DatasetSpec = { name: "big", shape: [4100, 4100], dtype: "float32", generator: "sequence", seed: 1 };
    for (const order of ["C", "F"] as const) {
      const stored = await store(big, layout("normal", order), `big-${order}`);
      const reader = await memmapBackend.open(stored, { writable: false });
      try {
        for (const sel of [
          [slice(4099, 4100), slice(0, 4100)],
          [slice(0, 4100), slice(4099, 4100)],
          [slice(0, 4100, 1000), slice(7, 4100, 999)],
        ]) {
          assert.equal(verifyRegion(big, sel, await reader.read(sel)), undefined);
        }
      } finally {
        await reader.close();
      }
      rmSync(stored.dir, { recursive: true });
    }
  });
});
