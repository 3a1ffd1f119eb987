/**
 * The memmap backend: the shared contract, the .npy header, and cross-checks with NumPy in both
 * directions (NumPy reads what we write; we read what NumPy writes, versions 1.0, 2.0 and 3.0).
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { memmapBackend, NPY_FILE } from "../harness/backends/memmap.ts";
import { formatNpyHeader, NpyFormatError, parseNpyHeader } from "../harness/backends/npy.ts";
import { DTYPES, numpyDescr } from "../harness/core/dtype.ts";
import { generateRegion, verifyRegion } from "../harness/data/generate.ts";
import { fullSelection, slice } from "../harness/core/selection.ts";
import type { DatasetSpec, MemmapLayout } from "../harness/scenario/types.ts";
import { contractSelections, makeTestDir, runBackendContract } from "./support/contract.ts";

const layout = (advice: MemmapLayout["advice"], order: "C" | "F"): MemmapLayout =>
  ({ name: `memmap-${advice}-${order}`, backend: "memmap", advice, order });

runBackendContract(memmapBackend, [layout("normal", "C"), layout("random", "C"), layout("normal", "F"), layout("random", "F")]);

const dir = makeTestDir("memmap");
after(() => rmSync(dir, { recursive: true, force: true }));

async function store(dataset: DatasetSpec, l: MemmapLayout, name: string) {
  const stored = { dir: join(dir, name), dataset, layout: l };
  mkdirSync(stored.dir, { recursive: true });
  await memmapBackend.materialize({ dataset, layout: l, dir: stored.dir, progress: () => {} });
  return stored;
}

describe(".npy header", () => {
  test("round-trips every dtype and rank 0–4, data aligned to 64 bytes", () => {
    for (const dtype of DTYPES) {
      for (const shape of [[], [37], [33, 45], [4096, 4096], [5, 6, 7, 3]]) {
        for (const fortran of [false, true]) {
          const bytes = formatNpyHeader(dtype, shape, fortran);
          assert.equal(bytes.length % 64, 0);
          assert.equal(bytes[bytes.length - 1], 0x0a);
          assert.deepEqual(parseNpyHeader(bytes), {
            version: [1, 0], descr: numpyDescr(dtype), dtype, fortranOrder: fortran, shape, dataOffset: bytes.length,
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
        for (const sel of [[slice(4099, 4100), slice(0, 4100)], [slice(0, 4100), slice(4099, 4100)], [slice(0, 4100, 1000), slice(7, 4100, 999)]]) {
          assert.equal(verifyRegion(big, sel, await reader.read(sel)), undefined);
        }
      } finally {
        await reader.close();
      }
      rmSync(stored.dir, { recursive: true });
    }
  });
});

const numpyCheck = spawnSync("/usr/bin/python3", ["-c", "import numpy"], { encoding: "utf8" });
const numpyMissing = numpyCheck.status === 0 ? false : "python3-numpy not installed: apt-get install python3-numpy";

describe("NumPy cross-check", { skip: numpyMissing }, () => {
  const cases: [DatasetSpec, "C" | "F"][] = [
    [{ name: "a", shape: [33, 45], dtype: "int32", generator: "random", seed: 1 }, "C"],
    [{ name: "b", shape: [9, 10, 11], dtype: "float64", generator: "random", seed: 2 }, "F"],
    [{ name: "c", shape: [5, 6, 7, 3], dtype: "uint16", generator: "random", seed: 3 }, "F"],
    [{ name: "d", shape: [37], dtype: "int64", generator: "random", seed: 4 }, "C"],
    [{ name: "e", shape: [33, 45], dtype: "float32", generator: "smooth", seed: 5 }, "F"],
  ];

  test("numpy.load(mmap_mode='r') reads what the memmap backend writes", async () => {
    const paths: string[] = [];
    const expected: string[] = [];
    for (const [dataset, order] of cases) {
      const stored = await store(dataset, layout("normal", order), `np-${dataset.name}`);
      paths.push(join(stored.dir, NPY_FILE));
      const full = generateRegion(dataset, fullSelection(dataset.shape));
      const sha = createHash("sha256").update(new Uint8Array(full.buffer, full.byteOffset, full.byteLength)).digest("hex");
      expected.push(`${numpyDescr(dataset.dtype).replace("|", "<")} ${dataset.shape.join(",")} ${order === "F"} ${sha}`);
    }
    const script = `
import sys, hashlib, numpy as np
for p in sys.argv[1:]:
    a = np.load(p, mmap_mode="r")
    print(a.dtype.str.replace("|", "<"), ",".join(map(str, a.shape)), a.ndim > 1 and a.flags.f_contiguous,  # 1-d arrays are both
          hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest())`;
    const out = execFileSync("/usr/bin/python3", ["-c", script, ...paths], { encoding: "utf8" });
    const fixBool = (l: string) => l.replace(" True ", " true ").replace(" False ", " false ");
    const got = out.trim().split("\n").map(fixBool);
    assert.deepEqual(got, expected);
  });

  test("the memmap reader reads .npy files NumPy writes (versions 1.0, 2.0, 3.0, C and F order)", async () => {
    // np.arange equals the "sequence" generator, so the generator can verify NumPy's files.
    const specs: [DatasetSpec, "C" | "F", string][] = [
      [{ name: "v1", shape: [33, 45], dtype: "int32", generator: "sequence", seed: 0 }, "C", "(1, 0)"],
      [{ name: "v2", shape: [9, 10, 11], dtype: "float64", generator: "sequence", seed: 0 }, "F", "(2, 0)"],
      [{ name: "v3", shape: [5, 6, 7, 3], dtype: "uint16", generator: "sequence", seed: 0 }, "C", "(3, 0)"],
    ];
    const script = specs.map(([d, order, version]) => {
      const path = join(dir, `numpy-${d.name}`, NPY_FILE);
      mkdirSync(join(dir, `numpy-${d.name}`), { recursive: true });
      const dt = numpyDescr(d.dtype);
      return `a = np.arange(${d.shape.join("*")}, dtype="${dt}").reshape((${d.shape.join(",")}), order="C")
with open("${path}", "wb") as f: np.lib.format.write_array(f, np.${order === "F" ? "asfortranarray" : "ascontiguousarray"}(a), version=${version})`;
    }).join("\n");
    execFileSync("/usr/bin/python3", ["-W", "ignore", "-c", "import numpy as np\n" + script]);
    for (const [dataset, order, version] of specs) {
      const stored = { dir: join(dir, `numpy-${dataset.name}`), dataset, layout: layout("random", order) };
      const reader = await memmapBackend.open(stored, { writable: false });
      try {
        for (const sel of contractSelections(dataset.shape)) {
          assert.equal(verifyRegion(dataset, sel, await reader.read(sel)), undefined, `version ${version}`);
        }
      } finally {
        await reader.close();
      }
    }
  });
});
