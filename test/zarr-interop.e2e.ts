/**
 * Zarr v2 interop with zarr-python (Debian's python3-zarr, zarr-python 2.13: format 2 only):
 * zarr-python reads every v2 array we write with identical content (sha256 of the C-order bytes),
 * and our reader reads arrays zarr-python writes (blosc, zlib, gzip, zstd, lz4; C and F order; both
 * dimension separators; Blosc shuffle on every element size, zarr-python's default compressor), and
 * reads the Blosc arrays numcodecs.js writes when the system's c-blosc is missing.
 * Skipped, with the install command, when python3-zarr is missing.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { memmapBackend, NPY_FILE } from "../harness/backends/memmap.ts";
import { ARRAY_DIR, zarrBackend } from "../harness/backends/zarr.ts";
import { DTYPES, type Dtype, itemSize, numpyDescr } from "../harness/core/dtype.ts";
import { formatSelection, fullSelection } from "../harness/core/selection.ts";
import { generateRegion, verifyRegion } from "../harness/data/generate.ts";
import type { CodecSpec, DatasetSpec, ZarrLayout } from "../harness/scenario/types.ts";
import { contractSelections, makeTestDir } from "./support/contract.ts";

const PYTHON = "/usr/bin/python3";
const INSTALL = "apt-get install -y python3-numpy python3-zarr";
const probe = spawnSync(PYTHON, ["-c", "import zarr, numpy"], { encoding: "utf8" });
const skip = probe.status === 0 ? false : `zarr-python not available (${PYTHON} -c "import zarr, numpy" failed); install it with: ${INSTALL}`;
if (skip) console.log(`# ${skip}`);

/** Runs a Python script with `input` as JSON on stdin and returns its stdout parsed as JSON. */
function python(script: string, input: unknown): unknown {
  const run = spawnSync(PYTHON, ["-c", script], { input: JSON.stringify(input), encoding: "utf8" });
  assert.equal(run.status, 0, `python failed:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

const READ_SCRIPT = `
import hashlib, json, sys, numpy as np, zarr
out = []
for path in json.load(sys.stdin):
    a = zarr.open_array(path, mode="r")
    data = np.ascontiguousarray(a[...])
    out.append({"sha256": hashlib.sha256(data.tobytes()).hexdigest(), "dtype": a.dtype.str, "shape": list(a.shape)})
print(json.dumps(out))
`;

const WRITE_SCRIPT = `
import json, sys, numpy as np, numcodecs, zarr
for spec in json.load(sys.stdin):
    compressor = numcodecs.get_codec(spec["compressor"]) if spec["compressor"] else None
    a = zarr.open_array(spec["path"], mode="w", shape=spec["shape"], chunks=spec["chunks"], dtype=spec["dtype"],
                        compressor=compressor, order=spec["order"], fill_value=0,
                        dimension_separator=spec["separator"])
    # The harness's "sequence" generator: each element holds its C-order linear index.
    a[...] = np.arange(int(np.prod(spec["shape"]))).reshape(spec["shape"]).astype(spec["dtype"])
print(json.dumps([]))
`;

describe("zarr v2 interop with zarr-python", { skip }, () => {
  let root = "";
  before(() => {
    root = makeTestDir("zarr-interop");
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test("zarr-python reads every v2 array we write with identical content", async () => {
    const codecs: CodecSpec[] = [
      { name: "none" },
      { name: "gzip", level: 5 },
      { name: "zstd", level: 3 },
      { name: "lz4", level: 1 },
      { name: "blosc", cname: "lz4", level: 5, shuffle: "byte" },
      { name: "blosc", cname: "zstd", level: 5, shuffle: "bit" },
      { name: "blosc", cname: "blosclz", level: 5, shuffle: "none" },
    ];
    const cases: [DatasetSpec, ZarrLayout][] = [
      // Every codec on float32 with chunks that do not divide the shape ...
      ...codecs.map((codec, i): [DatasetSpec, ZarrLayout] => [
        { name: `f32-${i}`, shape: [33, 45], dtype: "float32", generator: "smooth", seed: 3 },
        { name: `c${i}`, backend: "zarr", format: 2, chunks: [12, 16], shards: null, codec },
      ]),
      // ... and every dtype uncompressed and with gzip.
      ...DTYPES.flatMap((dtype: Dtype, i) =>
        [{ name: "none" } as CodecSpec, { name: "gzip", level: 1 } as CodecSpec].map((codec): [DatasetSpec, ZarrLayout] => [
          { name: `${dtype}-${codec.name}`, shape: [9, 10, 11], dtype, generator: "random", seed: 40 + i },
          { name: codec.name, backend: "zarr", format: 2, chunks: [4, 4, 4], shards: null, codec },
        ]),
      ),
    ];
    const dirs: string[] = [];
    for (const [i, [dataset, layout]] of cases.entries()) {
      const dir = join(root, `ours-${i}`);
      mkdirSync(dir);
      await zarrBackend.materialize({ dataset, layout, dir, progress: () => {} });
      dirs.push(join(dir, ARRAY_DIR));
    }
    const seen = python(READ_SCRIPT, dirs) as { sha256: string; dtype: string; shape: number[] }[];
    for (const [i, [dataset, layout]] of cases.entries()) {
      const values = generateRegion(dataset, fullSelection(dataset.shape));
      const sha256 = createHash("sha256")
        .update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
        .digest("hex");
      const what = `${dataset.dtype} ${JSON.stringify(layout.codec)}`;
      // numpy reports single-byte dtypes as "|i1"/"|u1" and everything else little-endian, like numpyDescr.
      assert.deepEqual(seen[i], { sha256, dtype: numpyDescr(dataset.dtype), shape: [...dataset.shape] }, what);
    }
  });

  test("our reader reads v2 arrays zarr-python writes", async () => {
    const specs = [
      { dtype: "float32", shape: [50, 70], chunks: [16, 32], order: "C", separator: ".", compressor: { id: "blosc", cname: "lz4", clevel: 5, shuffle: 1 } },
      { dtype: "int32", shape: [50, 70], chunks: [16, 32], order: "C", separator: "/", compressor: { id: "blosc", cname: "zstd", clevel: 3, shuffle: 2 } },
      { dtype: "float64", shape: [37, 41], chunks: [10, 10], order: "C", separator: ".", compressor: { id: "zlib", level: 5 } },
      { dtype: "int16", shape: [37, 41], chunks: [10, 10], order: "F", separator: ".", compressor: { id: "zlib", level: 1 } },
      { dtype: "uint16", shape: [9, 10, 11], chunks: [4, 4, 4], order: "C", separator: ".", compressor: { id: "gzip", level: 5 } },
      { dtype: "float32", shape: [9, 10, 11], chunks: [4, 4, 4], order: "F", separator: ".", compressor: { id: "zstd", level: 3 } },
      { dtype: "int64", shape: [9, 10, 11], chunks: [4, 4, 4], order: "C", separator: ".", compressor: { id: "lz4", acceleration: 1 } },
      { dtype: "uint8", shape: [37], chunks: [8], order: "C", separator: ".", compressor: null },
    ] as const;
    const dirs = specs.map((_, i) => join(root, `theirs-${i}`));
    python(
      WRITE_SCRIPT,
      specs.map((s, i) => ({ ...s, path: join(dirs[i], ARRAY_DIR) })),
    );
    for (const [i, spec] of specs.entries()) {
      const dataset: DatasetSpec = { name: `py-${i}`, shape: spec.shape, dtype: spec.dtype, generator: "sequence", seed: 0 };
      // The layout's codec and chunks are only used to write; reading takes them from .zarray.
      const layout: ZarrLayout = { name: "py", backend: "zarr", format: 2, chunks: spec.chunks, shards: null, codec: { name: "none" } };
      const reader = await zarrBackend.open({ dir: dirs[i], dataset, layout }, { writable: false });
      try {
        for (const sel of contractSelections(spec.shape)) {
          const problem = verifyRegion(dataset, sel, await reader.read(sel));
          assert.equal(problem, undefined, `${JSON.stringify(spec.compressor)} order ${spec.order} ${formatSelection(sel)}`);
        }
      } finally {
        await reader.close();
      }
    }
  });
});

/**
 * Blosc with shuffle on 1-, 2- and 8-byte elements, zarr-python's default compressor for int16 and
 * float64 (Blosc lz4, clevel 5, byte shuffle): Blosc shuffles with the frame's typesize, which must
 * be the item size both ways. Chunks are large enough that Blosc splits each block into one stream
 * per byte plane.
 */
const BLOSC_SHUFFLED: readonly { dtype: Dtype; cname: "lz4" | "zstd" | "blosclz"; shuffle: "byte" | "bit" }[] = [
  { dtype: "int16", cname: "lz4", shuffle: "byte" },
  { dtype: "float64", cname: "lz4", shuffle: "byte" },
  { dtype: "uint8", cname: "lz4", shuffle: "byte" },
  { dtype: "uint64", cname: "zstd", shuffle: "byte" },
  { dtype: "int16", cname: "blosclz", shuffle: "bit" },
];
/**
 * Per array folder: the (typesize, flags) bytes of the Blosc frames in its chunk files, and whether
 * each frame is the one numcodecs (zarr-python's codec library) makes from the chunk's values with
 * the array's compressor.
 */
const FRAME_SCRIPT = `
import json, os, sys, numpy as np, numcodecs, zarr
out = []
for d in json.load(sys.stdin):
    a = zarr.open_array(d, mode="r")
    heads, same = set(), True
    for name in os.listdir(d):
        if name.startswith("."):
            continue
        with open(os.path.join(d, name), "rb") as f:
            frame = f.read()
        heads.add((frame[3], frame[2]))
        values = np.frombuffer(a.compressor.decode(frame), dtype=a.dtype)
        same = same and bytes(a.compressor.encode(values)) == frame
    out.append({"heads": sorted(heads), "numcodecsFrames": same})
print(json.dumps(out))
`;

/** zarr-python writes the values of the harness's generator (read from a .npy we write) with the given compressor. */
const WRITE_VALUES_SCRIPT = `
import json, sys, numpy as np, numcodecs, zarr
for spec in json.load(sys.stdin):
    values = np.load(spec["npy"])
    compressor = numcodecs.get_codec(spec["compressor"]) if spec["compressor"] else zarr.storage.default_compressor
    a = zarr.open_array(spec["path"], mode="w", shape=values.shape, chunks=spec["chunks"], dtype=values.dtype,
                        compressor=compressor, fill_value=0)
    a[...] = values
print(json.dumps([]))
`;

describe("zarr v2 blosc shuffle on 1-, 2- and 8-byte elements, with zarr-python", { skip }, () => {
  let root = "";
  before(() => {
    root = makeTestDir("zarr-interop-blosc");
  });
  after(() => rmSync(root, { recursive: true, force: true }));
  const datasetFor = (dtype: Dtype, i: number): DatasetSpec => ({ name: `${dtype}-${i}`, shape: [50, 70], dtype, generator: "smooth", seed: 60 + i });
  const CHUNKS = [16, 32];
  /** A Zarr v2 layout of Blosc chunks with the case's compressor and shuffle. */
  const bloscLayout = (c: { cname: "lz4" | "zstd" | "blosclz"; shuffle: "none" | "byte" | "bit" }): ZarrLayout => ({
    name: "b",
    backend: "zarr",
    format: 2,
    chunks: CHUNKS,
    shards: null,
    codec: { name: "blosc", cname: c.cname, level: 5, shuffle: c.shuffle },
  });

  test("we write: zarr-python reads the same values; frames carry typesize = item size and the shuffle", async () => {
    const dirs: string[] = [];
    for (const [i, c] of BLOSC_SHUFFLED.entries()) {
      const dir = join(root, `ours-${i}`);
      mkdirSync(dir);
      const layout = bloscLayout(c);
      const dataset = datasetFor(c.dtype, i);
      assert.deepEqual(zarrBackend.check(layout, dataset), [], `${c.dtype} ${c.cname} ${c.shuffle} is accepted`);
      await zarrBackend.materialize({ dataset, layout, dir, progress: () => {} });
      dirs.push(join(dir, ARRAY_DIR));
    }
    const seen = python(READ_SCRIPT, dirs) as { sha256: string }[];
    const frames = python(FRAME_SCRIPT, dirs) as { heads: [number, number][]; numcodecsFrames: boolean }[];
    for (const [i, c] of BLOSC_SHUFFLED.entries()) {
      const dataset = datasetFor(c.dtype, i);
      const what = `${c.dtype} blosc ${c.cname} ${c.shuffle}`;
      const values = generateRegion(dataset, fullSelection(dataset.shape));
      const sha256 = createHash("sha256")
        .update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
        .digest("hex");
      assert.equal(seen[i].sha256, sha256, `zarr-python reads our ${what}`);
      for (const [typesize, flags] of frames[i].heads) {
        assert.equal(typesize, itemSize(c.dtype), `${what}: frame typesize`);
        assert.deepEqual(
          { byte: (flags & 0x1) !== 0, bit: (flags & 0x4) !== 0 },
          { byte: c.shuffle === "byte", bit: c.shuffle === "bit" },
          `${what}: frame flags ${flags}`,
        );
      }
      assert.equal(frames[i].numcodecsFrames, true, `${what}: every chunk is the frame numcodecs makes of its values`);
    }
  });

  test("without c-blosc (numcodecs.js writes): zarr-python reads the same values; frames say typesize 4, so they are not zarr-python's for int16", async (t) => {
    const before = process.env.LAYOUTBENCH_BLOSC_LIBRARY;
    process.env.LAYOUTBENCH_BLOSC_LIBRARY = "/nonexistent/libblosc.so.1";
    t.after(() => {
      if (before === undefined) delete process.env.LAYOUTBENCH_BLOSC_LIBRARY;
      else process.env.LAYOUTBENCH_BLOSC_LIBRARY = before;
    });
    const cases = [
      { dtype: "float32", cname: "lz4", shuffle: "byte" },
      { dtype: "int32", cname: "zstd", shuffle: "bit" },
      { dtype: "int16", cname: "lz4", shuffle: "none" },
      { dtype: "float64", cname: "blosclz", shuffle: "none" },
    ] as const;
    const dirs: string[] = [];
    for (const [i, c] of cases.entries()) {
      const dir = join(root, `fallback-${i}`);
      mkdirSync(dir);
      const layout = bloscLayout(c);
      const dataset = datasetFor(c.dtype, 20 + i);
      assert.deepEqual(zarrBackend.check(layout, dataset), [], `${c.dtype} ${c.cname} ${c.shuffle} is accepted without c-blosc`);
      await zarrBackend.materialize({ dataset, layout, dir, progress: () => {} });
      dirs.push(join(dir, ARRAY_DIR));
    }
    const seen = python(READ_SCRIPT, dirs) as { sha256: string }[];
    const frames = python(FRAME_SCRIPT, dirs) as { heads: [number, number][]; numcodecsFrames: boolean }[];
    for (const [i, c] of cases.entries()) {
      const dataset = datasetFor(c.dtype, 20 + i);
      const what = `${c.dtype} blosc ${c.cname} ${c.shuffle} by numcodecs.js`;
      const values = generateRegion(dataset, fullSelection(dataset.shape));
      const sha256 = createHash("sha256")
        .update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
        .digest("hex");
      assert.equal(seen[i].sha256, sha256, `zarr-python reads our ${what}`);
      for (const [typesize, flags] of frames[i].heads) {
        assert.equal(typesize, 4, `${what}: numcodecs.js always says typesize 4`);
        assert.deepEqual(
          { byte: (flags & 0x1) !== 0, bit: (flags & 0x4) !== 0 },
          { byte: c.shuffle === "byte", bit: c.shuffle === "bit" },
          `${what}: frame flags ${flags}`,
        );
      }
    }
    assert.equal(frames[2].numcodecsFrames, false, "int16: zarr-python's numcodecs writes typesize 2 frames, so ours differ");
  });

  test("zarr-python writes (its default compressor and others): we read the same values", async () => {
    const specs = [
      // zarr-python's default compressor: Blosc(cname="lz4", clevel=5, shuffle=SHUFFLE).
      ...(["int16", "float64", "uint8", "int64"] as const).map((dtype) => ({ dtype, compressor: null })),
      { dtype: "uint16" as const, compressor: { id: "blosc", cname: "zstd", clevel: 3, shuffle: 1 } },
      { dtype: "float64" as const, compressor: { id: "blosc", cname: "blosclz", clevel: 5, shuffle: 2 } },
    ];
    const inputs = specs.map((spec, i) => {
      const dataset = datasetFor(spec.dtype, 10 + i);
      const dir = join(root, `theirs-${i}`);
      mkdirSync(dir);
      return { dataset, dir };
    });
    // The values go to zarr-python as .npy files written by our memmap backend.
    for (const { dataset, dir } of inputs) {
      await memmapBackend.materialize({ dataset, layout: { name: "npy", backend: "memmap", order: "C", advice: "normal" }, dir, progress: () => {} });
    }
    python(
      WRITE_VALUES_SCRIPT,
      specs.map((s, i) => ({ compressor: s.compressor, chunks: CHUNKS, npy: join(inputs[i].dir, NPY_FILE), path: join(inputs[i].dir, ARRAY_DIR) })),
    );
    const frames = python(
      FRAME_SCRIPT,
      inputs.map(({ dir }) => join(dir, ARRAY_DIR)),
    ) as { heads: [number, number][] }[];
    for (const [i, spec] of specs.entries()) {
      const { dataset, dir } = inputs[i];
      assert.ok(
        frames[i].heads.every(([typesize]) => typesize === itemSize(spec.dtype)),
        `zarr-python wrote typesize ${itemSize(spec.dtype)} frames`,
      );
      const layout: ZarrLayout = { name: "py", backend: "zarr", format: 2, chunks: CHUNKS, shards: null, codec: { name: "none" } };
      const reader = await zarrBackend.open({ dir, dataset, layout }, { writable: false });
      try {
        for (const sel of contractSelections(dataset.shape)) {
          assert.equal(
            verifyRegion(dataset, sel, await reader.read(sel)),
            undefined,
            `${spec.dtype} ${JSON.stringify(spec.compressor)} ${formatSelection(sel)}`,
          );
        }
      } finally {
        await reader.close();
      }
    }
  });
});
