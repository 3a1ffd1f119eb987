/**
 * Zarr v2 interop with zarr-python (Debian's python3-zarr, zarr-python 2.13: format 2 only):
 * zarr-python reads every v2 array we write with identical content (sha256 of the C-order bytes),
 * and our reader reads arrays zarr-python writes (blosc, zlib, gzip, zstd, lz4; C and F order; both
 * dimension separators). Skipped, with the install command, when python3-zarr is missing.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fullSelection, formatSelection } from "../harness/access/selection.ts";
import { ARRAY_DIR, zarrBackend } from "../harness/backends/zarr.ts";
import { DTYPES, numpyDescr, type Dtype } from "../harness/data/dtype.ts";
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
  before(() => { root = makeTestDir("zarr-interop"); });
  after(() => rmSync(root, { recursive: true, force: true }));

  test("zarr-python reads every v2 array we write with identical content", async () => {
    const codecs: CodecSpec[] = [
      { name: "none" }, { name: "gzip", level: 5 }, { name: "zstd", level: 3 }, { name: "lz4", level: 1 },
      { name: "blosc", cname: "lz4", level: 5, shuffle: "byte" }, { name: "blosc", cname: "zstd", level: 5, shuffle: "bit" },
      { name: "blosc", cname: "blosclz", level: 5, shuffle: "none" },
    ];
    const cases: [DatasetSpec, ZarrLayout][] = [
      // Every codec on float32 with chunks that do not divide the shape ...
      ...codecs.map((codec, i): [DatasetSpec, ZarrLayout] => [
        { name: `f32-${i}`, shape: [33, 45], dtype: "float32", generator: "smooth", seed: 3 },
        { name: `c${i}`, backend: "zarr", format: 2, chunks: [12, 16], shards: null, codec },
      ]),
      // ... and every dtype uncompressed and with gzip.
      ...DTYPES.flatMap((dtype: Dtype, i) => [{ name: "none" } as CodecSpec, { name: "gzip", level: 1 } as CodecSpec].map(
        (codec): [DatasetSpec, ZarrLayout] => [
          { name: `${dtype}-${codec.name}`, shape: [9, 10, 11], dtype, generator: "random", seed: 40 + i },
          { name: codec.name, backend: "zarr", format: 2, chunks: [4, 4, 4], shards: null, codec },
        ])),
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
      const sha256 = createHash("sha256").update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)).digest("hex");
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
    python(WRITE_SCRIPT, specs.map((s, i) => ({ ...s, path: join(dirs[i], ARRAY_DIR) })));
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
