/**
 * The Python reference engine (harness/engines/python.ts + reference.py) on files the js backends
 * write: NumPy memmap (C and F order), zarr-python 2.13 (v2: none, blosc, gzip), h5py (contiguous,
 * gzip, shuffle, and Debian's blosc and lz4 plugins). Every read is checked by digest against the
 * generator; cold reads after close + eviction fetch from storage, warm ones do not; unsupported
 * layouts and bad requests give one-line reasons. Each test is skipped, with the reason and the
 * apt-get command, when the Python package it needs is missing.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { hdf5Backend } from "../harness/backends/hdf5.ts";
import { memmapBackend } from "../harness/backends/memmap.ts";
import type { Backend, Stored } from "../harness/backends/types.ts";
import { zarrBackend } from "../harness/backends/zarr.ts";
import { evictFiles } from "../harness/cache/evict.ts";
import { probeEviction } from "../harness/cache/probe.ts";
import { residency } from "../harness/cache/residency.ts";
import { digestOf } from "../harness/core/digest.ts";
import { formatSelection, fullSelection, type Selection, slice } from "../harness/core/selection.ts";
import { generateRegion } from "../harness/data/generate.ts";
import { PYTHON_INSTALL, type PythonWorker, pythonAvailable, pythonSupport, startPythonWorker, verifyDigests } from "../harness/engines/python.ts";
import type { DatasetSpec, Hdf5Layout, LayoutSpec, MemmapLayout, ZarrLayout } from "../harness/scenario/types.ts";
import { contractSelections, makeTestDir } from "./support/contract.ts";

const availability = await pythonAvailable();
const versions = availability.versions;

/** Why a test of this layout cannot run here, with the install command; false when it can. */
function skipFor(layout: LayoutSpec): string | false {
  const reason = versions ? pythonSupport(layout, { versions }) : availability.reason;
  if (!reason) return false;
  const message = `${reason} (install everything with: ${PYTHON_INSTALL})`;
  console.log(`# skip ${layout.name}: ${message}`);
  return message;
}

const BACKENDS: Record<LayoutSpec["backend"], Backend<any>> = { memmap: memmapBackend, zarr: zarrBackend, hdf5: hdf5Backend };

const memmap = (name: string, order: "C" | "F", advice: MemmapLayout["advice"] = "normal"): MemmapLayout => ({ name, backend: "memmap", order, advice });
const zarrV2 = (name: string, chunks: number[], codec: ZarrLayout["codec"]): ZarrLayout => ({ name, backend: "zarr", format: 2, chunks, shards: null, codec });
const hdf5 = (name: string, chunks: number[] | null, codec: Hdf5Layout["codec"], shuffle = false): Hdf5Layout => ({
  name,
  backend: "hdf5",
  chunks,
  codec,
  shuffle,
});
const dataset = (name: string, shape: number[], dtype: DatasetSpec["dtype"], generator: DatasetSpec["generator"] = "random"): DatasetSpec => ({
  name,
  shape,
  dtype,
  generator,
  seed: 7,
});

const READ_CASES: [DatasetSpec, LayoutSpec][] = [
  [dataset("i32", [37, 53], "int32"), memmap("memmap-C-random", "C", "random")],
  [dataset("f64", [9, 10, 11], "float64"), memmap("memmap-F", "F")],
  [dataset("u16", [33, 45], "uint16"), zarrV2("zarr2-none", [8, 16], { name: "none" })],
  [dataset("f32", [33, 45], "float32", "smooth"), zarrV2("zarr2-blosc-lz4", [12, 16], { name: "blosc", cname: "lz4", level: 5, shuffle: "byte" })],
  [dataset("i64", [9, 10, 11], "int64"), zarrV2("zarr2-gzip", [4, 4, 4], { name: "gzip", level: 5 })],
  [dataset("u64", [33, 45], "uint64"), hdf5("hdf5-contiguous", null, { name: "none" })],
  [dataset("f32", [33, 45], "float32", "smooth"), hdf5("hdf5-gzip", [8, 8], { name: "gzip", level: 4 })],
  [dataset("i16", [9, 10, 11], "int16"), hdf5("hdf5-shuffle", [4, 5, 4], { name: "none" }, true)],
  [dataset("i32", [33, 45], "int32", "smooth"), hdf5("hdf5-blosc-plugin", [16, 16], { name: "blosc", cname: "zstd", level: 3, shuffle: "bit" })],
  [dataset("u8", [33, 45], "uint8"), hdf5("hdf5-lz4-plugin", [16, 16], { name: "lz4", level: 1 })],
];

/** Boxes, strided selections and single points (contract selections) plus an empty one. */
function selectionsFor(shape: readonly number[]): Selection[] {
  return [...contractSelections(shape), shape.map((n) => slice(n >> 1, n >> 1))];
}

const suiteSkip = versions ? false : availability.reason.includes(PYTHON_INSTALL) ? availability.reason : `${availability.reason} (${PYTHON_INSTALL})`;
if (suiteSkip) console.log(`# skip python reference engine: ${suiteSkip}`);

describe("python reference engine", { skip: suiteSkip }, () => {
  let root = "";
  let worker: PythonWorker;
  let evictionVerified = false;
  let evictionDetail = "";

  before(async () => {
    root = makeTestDir("python-engine");
    const probe = probeEviction(root, "fadvise");
    evictionVerified = probe.verified;
    evictionDetail = probe.detail;
    worker = await startPythonWorker();
  });
  after(async () => {
    await worker?.quit();
    rmSync(root, { recursive: true, force: true });
  });

  async function materialize(ds: DatasetSpec, layout: LayoutSpec): Promise<Stored> {
    const dir = mkdtempSync(join(root, `${layout.name}-`));
    await BACKENDS[layout.backend].materialize({ dataset: ds, layout, dir, progress: () => {} });
    return { dir, dataset: ds, layout };
  }

  test("hello reports the interpreter, the libraries and Debian's HDF5 plugin folder", () => {
    const v = worker.versions;
    assert.match(v.python, /^3\.\d+/);
    assert.ok(v.numpy, "numpy version");
    if (v.h5py) assert.ok(v.hdf5PluginPath && v.hdf5PluginPath.length > 0, "HDF5_PLUGIN_PATH is set before h5py loads");
  });

  for (const [ds, layout] of READ_CASES) {
    test(`${layout.name} ${ds.dtype} [${ds.shape.join(", ")}]: every read matches the generator`, { skip: skipFor(layout) }, async () => {
      const stored = await materialize(ds, layout);
      const selections = selectionsFor(ds.shape);
      const { openMs } = await worker.open(stored, { writable: false });
      assert.ok(Number.isFinite(openMs) && openMs >= 0, `openMs ${openMs}`);
      try {
        const result = await worker.pass(selections);
        assert.equal(result.digests.length, selections.length);
        assert.ok(result.ms >= 0 && Number.isFinite(result.ms));
        selections.forEach((sel, i) => {
          assert.equal(result.digests[i], digestOf(generateRegion(ds, sel)), `${layout.name} ${formatSelection(sel)}`);
        });
        assert.equal(verifyDigests(ds, selections, result.digests), undefined);
      } finally {
        await worker.close();
      }
    });
  }

  // The worker reads into one reused buffer per selection shape: a read that left part of it
  // untouched would hand back the previous selection's data. Selections here share shapes but not
  // data, come back in a second pass and after a reopen, and the buffers outlive the file. The
  // 64 KiB ones and the whole array take h5py's read_direct path; the smaller ones its ds[key].
  const REUSE_SELECTIONS: Selection[] = [
    [slice(0, 128), slice(0, 128)],
    [slice(2, 130), slice(22, 150)],
    [slice(0, 8), slice(0, 8)],
    [slice(20, 28), slice(30, 38)],
    [slice(3, 11), slice(17, 25)],
    [slice(5, 6), slice(7, 8)],
    [slice(129, 130), slice(149, 150)],
    [slice(0, 1), slice(0, 1)],
    [slice(1, 130, 4), slice(0, 150, 3)],
    [slice(0, 129, 4), slice(2, 150, 3)],
    [slice(0, 130), slice(0, 150)],
    [slice(10, 10), slice(0, 150)],
  ];
  const REUSE_CASES: [DatasetSpec, LayoutSpec][] = [
    [dataset("i32", [130, 150], "int32"), memmap("reuse-memmap-C", "C")],
    [dataset("i32", [130, 150], "int32"), memmap("reuse-memmap-F", "F")],
    [dataset("i32", [130, 150], "int32"), zarrV2("reuse-zarr2-none", [32, 64], { name: "none" })],
    [dataset("i32", [130, 150], "int32"), zarrV2("reuse-zarr2-gzip", [32, 32], { name: "gzip", level: 1 })],
    [dataset("i32", [130, 150], "int32"), hdf5("reuse-hdf5-contiguous", null, { name: "none" })],
    [dataset("i32", [130, 150], "int32"), hdf5("reuse-hdf5-gzip", [32, 32], { name: "gzip", level: 1 })],
  ];
  for (const [ds, layout] of REUSE_CASES) {
    test(`${layout.name}: reads into reused buffers match the generator pass after pass and after reopen`, { skip: skipFor(layout) }, async () => {
      const check = (digests: readonly string[], when: string) =>
        REUSE_SELECTIONS.forEach((sel, i) => {
          assert.equal(digests[i], digestOf(generateRegion(ds, sel)), `${layout.name} ${when} ${formatSelection(sel)}`);
        });
      // A second dataset of the same shape and dtype, read first, leaves its data in the buffers.
      const other = await materialize({ ...ds, seed: 99 }, layout);
      await worker.open(other, { writable: false });
      try {
        await worker.pass(REUSE_SELECTIONS);
      } finally {
        await worker.close();
      }
      const stored = await materialize(ds, layout);
      for (const when of ["after another file", "after reopen"]) {
        await worker.open(stored, { writable: false });
        try {
          check((await worker.pass(REUSE_SELECTIONS)).digests, `${when}, pass 1`);
          check([...(await worker.pass([...REUSE_SELECTIONS].reverse())).digests].reverse(), `${when}, pass 2 reversed`);
        } finally {
          await worker.close();
        }
      }
    });
  }

  const COLD_CASES: [DatasetSpec, LayoutSpec][] = [
    [dataset("big-i32", [1024, 1024], "int32"), memmap("cold-memmap", "C")],
    [dataset("big-i32", [1024, 1024], "int32"), zarrV2("cold-zarr", [256, 256], { name: "none" })],
    [dataset("big-i32", [1024, 1024], "int32"), hdf5("cold-hdf5", null, { name: "none" })],
  ];
  for (const [ds, layout] of COLD_CASES) {
    test(`${layout.name}: cold pass after close + eviction reads storage, a warm pass does not`, { skip: skipFor(layout) }, async (t) => {
      if (!evictionVerified) {
        t.skip(`eviction does not work here: ${evictionDetail}`);
        return;
      }
      const stored = await materialize(ds, layout);
      const files = await BACKENDS[layout.backend].files(stored);
      const selections = [fullSelection(ds.shape)];
      // Read once so the pages are resident: eviction must then undo what the worker did.
      await worker.open(stored, { writable: false });
      await worker.pass(selections);
      await worker.close();
      await evictFiles(files, "fadvise");
      const resident = residency(files);
      assert.ok(resident.fraction <= 0.02, `after close + eviction ${resident.residentPages}/${resident.totalPages} pages resident (a mapping left open?)`);

      await worker.open(stored, { writable: false });
      try {
        const cold = await worker.pass(selections);
        assert.ok(cold.readBytes > 0, `cold pass read ${cold.readBytes} bytes from storage`);
        assert.equal(verifyDigests(ds, selections, cold.digests), undefined);
        let warm = await worker.pass(selections);
        // One retry: on a shared machine another process may drop the page cache (drop_caches) mid-test.
        if (warm.readBytes > 0) warm = await worker.pass(selections);
        assert.equal(warm.readBytes, 0, "warm pass reads nothing from storage");
        assert.equal(verifyDigests(ds, selections, warm.digests), undefined);
      } finally {
        await worker.close();
      }
    });
  }

  test("unsupported layouts give the reason, without reaching the worker", async () => {
    const v3: ZarrLayout = { name: "v3", backend: "zarr", format: 3, chunks: [8, 8], shards: null, codec: { name: "none" } };
    const sharded: ZarrLayout = { ...v3, name: "sharded", shards: [16, 16] };
    const zstd = hdf5("h5-zstd", [8, 8], { name: "zstd", level: 3 });
    assert.match(pythonSupport(v3)!, /zarr-python 2\.13 reads Zarr format 2 only/);
    assert.match(pythonSupport(sharded)!, /Zarr format 2 only|sharding/);
    assert.match(pythonSupport(zstd)!, /zstd filter \(id 32015\)/);
    assert.match(pythonSupport(memmap("m", "C"), { op: "write" })!, /only reads/);
    assert.equal(pythonSupport(memmap("m", "C")), undefined);
    const bloscZarr = zarrV2("z", [8, 8], { name: "blosc", cname: "zstd", level: 1, shuffle: "none" });
    assert.equal(pythonSupport(bloscZarr), undefined);
    if (versions?.zarr) assert.equal(pythonSupport(bloscZarr, { versions }), undefined);
    else assert.match(pythonSupport(bloscZarr, { versions })!, /python3-zarr not installed: apt-get install python3-zarr/);

    const ds = dataset("tiny", [16, 16], "int32");
    await assert.rejects(
      worker.open({ dir: join(root, "nowhere"), dataset: ds, layout: v3 }, { writable: false }),
      (e: Error) => /^python engine: open zarr .*Zarr format 2 only/.test(e.message) && !e.message.includes("\n"),
    );
    await assert.rejects(worker.open({ dir: join(root, "nowhere"), dataset: ds, layout: memmap("m", "C") }, { writable: true }), /python engine: .*only reads/);
  });

  test("bad requests give one-line errors and the worker keeps working", { skip: skipFor(memmap("m", "C")) }, async () => {
    const oneLine = (pattern: RegExp) => (e: Error) => {
      assert.match(e.message, /^python engine: /);
      assert.ok(!e.message.includes("\n"), `one line: ${e.message}`);
      assert.match(e.message, pattern);
      return true;
    };
    const ds = dataset("small", [20, 30], "float32");
    await assert.rejects(worker.pass([fullSelection(ds.shape)]), oneLine(/no array is open/));
    await assert.rejects(worker.open({ dir: join(root, "missing"), dataset: ds, layout: memmap("m", "C") }, { writable: false }), oneLine(/FileNotFoundError/));

    const stored = await materialize(ds, memmap("m", "C"));
    await worker.open(stored, { writable: false });
    try {
      await assert.rejects(worker.pass([[slice(0, 21), slice(0, 30)]]), oneLine(/does not fit shape \[20, 30\]/));
      // A dataset that does not match the file is refused, not read with wrong digests.
      const good = await worker.pass([fullSelection(ds.shape)]);
      assert.equal(verifyDigests(ds, [fullSelection(ds.shape)], good.digests), undefined);
    } finally {
      await worker.close();
    }
    await assert.rejects(worker.open({ ...stored, dataset: { ...ds, shape: [30, 20] } }, { writable: false }), oneLine(/holds shape \[20, 30\]/));
    // The worker still serves after all of that.
    await worker.open(stored, { writable: false });
    const again = await worker.pass([[slice(3, 9, 2), slice(1, 30, 7)]]);
    await worker.close();
    assert.equal(verifyDigests(ds, [[slice(3, 9, 2), slice(1, 30, 7)]], again.digests), undefined);
  });

  test("a worker that cannot start or dies mid-session rejects with one line naming the engine", async () => {
    const saved = process.env.LAYOUTBENCH_PYTHON;
    const fakes = join(root, "fakes");
    mkdirSync(fakes, { recursive: true });
    // Answers hello, then dies on the next request, as a crashing interpreter would.
    const dying = join(fakes, "dying-python");
    writeFileSync(dying, `#!/bin/sh\nread line\necho '{"python":"3.0","numpy":"1.0"}'\nread line\necho "Segmentation fault (simulated)" >&2\nexit 139\n`);
    chmodSync(dying, 0o755);
    try {
      process.env.LAYOUTBENCH_PYTHON = join(fakes, "no-such-python");
      await assert.rejects(
        startPythonWorker(),
        (e: Error) => /^python engine: hello: cannot start .*no-such-python \(ENOENT\)/.test(e.message) && !e.message.includes("\n"),
      );

      process.env.LAYOUTBENCH_PYTHON = dying;
      const w = await startPythonWorker();
      const ds = dataset("x", [4, 4], "int8");
      await assert.rejects(w.open({ dir: fakes, dataset: ds, layout: memmap("m", "C") }, { writable: false }), (e: Error) =>
        /^python engine: open memmap .*exited with code 139: Segmentation fault \(simulated\)$/.test(e.message),
      );
      await assert.rejects(w.pass([fullSelection(ds.shape)]), /python engine: .*exited with code 139/);
      await w.quit();
    } finally {
      if (saved === undefined) delete process.env.LAYOUTBENCH_PYTHON;
      else process.env.LAYOUTBENCH_PYTHON = saved;
    }
  });
});
