/**
 * Several sources as layouts of one dataset: a .npy, an HDF5 file and a Zarr copy of one array
 * (written by NumPy, h5py and zarr-python) plus one layout written from the first source's values
 * run as one dataset and get one recommendation over the four; a fifth file differing in one
 * element is caught before sampling, naming the element.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { buildReportModel } from "../harness/report/model.ts";
import type { ResultsFile } from "../harness/run/results-types.ts";
import { cli } from "./support/cli.ts";

const WORK = join(import.meta.dirname, "..", "datasets", "cache", "test-tmp", `sources-${process.pid}`);
const PYTHON = "/usr/bin/python3";
const stack = spawnSync(PYTHON, ["-c", "import numpy, h5py, zarr"]).status === 0;

const MAKE = `
import sys, numpy as np, h5py, zarr
d = sys.argv[1]
a = (np.arange(256 * 192, dtype=np.float32).reshape(256, 192) * 0.25) - 7
np.save(d + "/field.npy", a)
with h5py.File(d + "/field.h5", "w") as f:
    f.create_dataset("grid/t", data=a, chunks=(64, 64))
z = zarr.open(d + "/field.zarr", mode="w", shape=a.shape, chunks=(32, 192), dtype="f4")
z[:] = a
b = a.copy(); b[200, 17] = 1e6
np.save(d + "/other.npy", b)
`;

const SCENARIO = `version: 1
name: sources
datasets:
  - name: field
    sources:
      - {name: npy, path: field.npy, format: npy}
      - {name: h5, path: field.h5, format: hdf5, dataset: /grid/t}
      - {name: zarr, path: field.zarr, format: zarr}
      - {name: other, path: other.npy, format: npy}
layouts:
  - {name: z64, backend: zarr, chunks: [64, 64], codec: lz4}
patterns:
  - {name: rows, kind: rows, count: 2}
  - {name: tiles, kind: tiles, shape: [16, 16], count: 3}
cache: [warm]
sampling: {samples: 2, minSamples: 1, warmup: 0}
`;

test("sources of one dataset ranked together, a differing file caught", {
  skip: stack ? false : "Debian's python3-numpy, python3-h5py and python3-zarr are not installed",
}, () => {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  try {
    const made = spawnSync(PYTHON, ["-c", MAKE, WORK], { encoding: "utf8" });
    assert.equal(made.status, 0, made.stderr);
    const file = join(WORK, "sources.yaml");
    writeFileSync(file, SCENARIO);
    const out = join(WORK, "r.json");
    const r = cli(["run", file, "--cache", join(WORK, "cache"), "--out", out, "--no-report"]);
    assert.match(r.stderr + r.stdout, /materializing field as npy: linked to .*field\.npy \(0\.2 MiB\), read in place: nothing written/);
    assert.doesNotMatch(r.stderr + r.stdout, /field as (npy|h5|zarr|other): written in/);
    const results = JSON.parse(readFileSync(out, "utf8")) as ResultsFile;
    const byId = new Map(results.cases.map((c) => [c.id, c]));
    for (const layout of ["npy", "h5", "zarr", "z64"]) {
      for (const pattern of ["rows", "tiles"]) {
        const c = byId.get(`sources/field/${layout}/${pattern}/warm`);
        assert.ok(c, `${layout}/${pattern} ran`);
        assert.equal(c.status, "ok", `${layout}/${pattern}: ${c.error ?? ""}`);
        // Checked against the first source (a plain read of field.npy), not against themselves.
        assert.ok(!c.warnings.some((w) => w.code === "self-verified"), `${layout}/${pattern} is not self-verified`);
      }
    }
    const other = byId.get("sources/field/other/rows/warm")!;
    assert.equal(other.status, "failed");
    assert.match(
      other.error ?? "",
      /sources\[3\] "other" \(.*other\.npy\) holds other values than sources\[0\] "npy" \(.*field\.npy\): float32: 1 of 49152 elements differ .*first at \[200, 17\]: expected 9597.25, got 1000000/,
    );
    const [dataset] = buildReportModel(results).datasets;
    assert.deepEqual(dataset.recommendation.candidates.map((c) => c.layout).sort(), ["h5", "npy", "z64", "zarr"]);
    assert.deepEqual(
      dataset.recommendation.excluded.map((e) => e.layout),
      ["other"],
    );
  } finally {
    rmSync(WORK, { recursive: true, force: true });
  }
});

test("reader processes check a dataset's sources against its first source too", {
  skip: stack ? false : "Debian's python3-numpy, python3-h5py and python3-zarr are not installed",
}, () => {
  const work = `${WORK}-readers`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    const made = spawnSync(PYTHON, ["-c", MAKE, work], { encoding: "utf8" });
    assert.equal(made.status, 0, made.stderr);
    const file = join(work, "sources.yaml");
    writeFileSync(
      file,
      SCENARIO.replace(/ {6}- \{name: other.*\n/, "")
        .replace(/ {2}- \{name: tiles.*\n/, "")
        .replace("cache: [warm]", "cache: [warm]\nreaders: [{processes: 2, threads: 1, split: partition}]"),
    );
    const out = join(work, "r.json");
    cli(["run", file, "--cache", join(work, "cache"), "--out", out, "--no-report"]);
    const results = JSON.parse(readFileSync(out, "utf8")) as ResultsFile;
    assert.deepEqual(
      results.cases.map((c) => [c.id, c.status, c.error ?? ""]),
      ["npy", "h5", "zarr", "z64"].map((l) => [`sources/field/${l}/rows/warm/readers=2p1t-partition`, "ok", ""]),
    );
    for (const c of results.cases) assert.ok(!c.warnings.some((w) => w.code === "self-verified"), `${c.id} is not self-verified`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
