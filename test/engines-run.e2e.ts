/**
 * A run with both engines through the real CLI: Python's reads are verified by digest, get the
 * same cache control (cold reads from storage, warm from memory), layouts it cannot read are
 * skipped with the reason, and the report shows both engines side by side.
 */

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pythonAvailable } from "../harness/engines/python.ts";
import type { ResultsFile } from "../harness/run/results-types.ts";
import { cli } from "./support/cli.ts";

const available = await pythonAvailable();

test("layoutbench (spelled js) and python engines side by side", {
  skip: available.ok ? false : `python engine unavailable: ${available.reason}`,
  timeout: 180_000,
}, (t) => {
  const dir = join(import.meta.dirname, "..", "datasets", "cache", "test-tmp", `engines-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, "results.json");
  const r = cli(["run", "test/fixtures/scenarios/runs/engines.yaml", "--out", out, "--cache", join(dir, "cache")], { timeoutMs: 170_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /python engine skips zarr3: zarr-python 2\.13 reads Zarr format 2 only/);

  const results = JSON.parse(readFileSync(out, "utf8")) as ResultsFile;
  const python = results.cases.filter((c) => c.engine === "python");
  assert.equal(python.length, 3 * 2 * 2, "npy, zarr2 and h5 × 2 patterns × 2 cache states");
  assert.equal(results.cases.filter((c) => c.engine === "layoutbench").length, 4 * 2 * 2);
  const v = available.versions!;
  const zarr2 = python.find((c) => c.layout.name === "zarr2")!;
  assert.deepEqual(zarr2.readPath, {
    engine: "python",
    implementation: `zarr-python ${v.zarr} + numcodecs ${v.numcodecs}`,
    decoder: "numcodecs Blosc (C-Blosc)",
    threads: v.bloscThreads ?? 1,
    library: "zarr-python reads each chunk file whole and decodes it; get_basic_selection copies into a reused array",
    ours: "nothing in the timed read: the worker times and hashes each read, layoutbench checks the digests",
    fallbacks: [],
  });
  assert.equal(python.find((c) => c.layout.name === "h5")!.readPath?.implementation, `h5py ${v.h5py} (libhdf5 ${v.hdf5})`);
  assert.equal(python.find((c) => c.layout.name === "npy")!.readPath?.implementation, `numpy.memmap (numpy ${v.numpy})`);
  for (const c of python) {
    assert.equal(c.status, "ok", `${c.id}: ${c.error}`);
    assert.match(c.id, /@python$/);
    for (const s of c.samples) {
      if (c.cache === "cold") {
        assert.ok(s.bytesRead > 0, `${c.id}: cold python sample read nothing`);
        assert.ok((s.residency ?? 1) <= 0.02, `${c.id}: residency ${s.residency}`);
      } else {
        assert.equal(s.bytesRead, 0, `${c.id}: warm python sample read from storage`);
      }
    }
  }
  const report = readFileSync(join(dir, "results", "report.md"), "utf8");
  assert.match(report, /\| npy \(python\) \|/);
  assert.match(report, /\| h5 \(python\) \| hdf5, chunks 128×128, gzip 1, read by python \| h5py [^|]+; libhdf5 deflate \(zlib\); libhdf5 reads/);
});
