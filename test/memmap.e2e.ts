/**
 * The memmap backend cross-checked with NumPy in both directions (NumPy reads what we write; we
 * read what NumPy writes, versions 1.0, 2.0 and 3.0).
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { memmapBackend, NPY_FILE } from "../harness/backends/memmap.ts";
import { numpyDescr } from "../harness/core/dtype.ts";
import { fullSelection } from "../harness/core/selection.ts";
import { generateRegion, verifyRegion } from "../harness/data/generate.ts";
import type { DatasetSpec, MemmapLayout } from "../harness/scenario/types.ts";
import { contractSelections, makeTestDir, materializeInto } from "./support/contract.ts";

const layout = (advice: MemmapLayout["advice"], order: "C" | "F"): MemmapLayout => ({ name: `memmap-${advice}-${order}`, backend: "memmap", advice, order });

const dir = makeTestDir("memmap");
after(() => rmSync(dir, { recursive: true, force: true }));

const store = (dataset: DatasetSpec, l: MemmapLayout, name: string) => materializeInto(memmapBackend, dir, dataset, l, name);

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
      const sha = createHash("sha256")
        .update(new Uint8Array(full.buffer, full.byteOffset, full.byteLength))
        .digest("hex");
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
    const script = specs
      .map(([d, order, version]) => {
        const path = join(dir, `numpy-${d.name}`, NPY_FILE);
        mkdirSync(join(dir, `numpy-${d.name}`), { recursive: true });
        const dt = numpyDescr(d.dtype);
        return `a = np.arange(${d.shape.join("*")}, dtype="${dt}").reshape((${d.shape.join(",")}), order="C")
with open("${path}", "wb") as f: np.lib.format.write_array(f, np.${order === "F" ? "asfortranarray" : "ascontiguousarray"}(a), version=${version})`;
      })
      .join("\n");
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
