/**
 * Whole runs that record read paths: a forced fallback lands on its case with its warning, every JS
 * engine (layoutbench, zarrita, h5wasm) reads real layouts cold from storage and warm from memory,
 * verified, each case naming its read path, and tensorstore is skipped with the reason (the Python
 * worker is asked what is installed). The readers' own read paths: read-path.test.ts.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { pythonAvailable } from "../harness/engines/python.ts";
import { tensorstoreSupport } from "../harness/engines/python-read-path.ts";
import { parseScenario } from "../harness/plan/load.ts";
import { runScenarios } from "../harness/run/executor.ts";
import { realRunDeps } from "../harness/run/real-deps.ts";
import type { CaseResult } from "../harness/run/results-types.ts";
import { makeTestDir } from "./support/contract.ts";
import { withEnv } from "./support/env.ts";

const dir = makeTestDir("read-path-runs");
after(() => rmSync(dir, { recursive: true, force: true }));

const CORES = availableParallelism();

describe("a run records each case's read path", () => {
  const withDisabled = <T>(value: string, fn: () => Promise<T>): Promise<T> => withEnv("LAYOUTBENCH_DISABLE_NATIVE", value, fn);

  test("a run records the fallback on the case and warns about it", { timeout: 120_000 }, async () => {
    const scenario = parseScenario(
      `version: 1
name: fallback
datasets: [{name: grid, shape: [96, 80], dtype: float32, generator: smooth, seed: 3}]
layouts: [{name: blosc, backend: zarr, chunks: [32, 32], codec: {name: blosc, cname: lz4, level: 5, shuffle: byte}}]
patterns: [{name: full, kind: full}]
cache: [warm]
sampling: {samples: 2, rounds: 1, warmup: 1, minSampleMs: 0}
`,
      "fallback.yaml",
    );
    const results = await withDisabled("decoders", () =>
      runScenarios(
        [scenario],
        { cacheRoot: join(dir, "cache-fallback"), resultsPath: join(dir, "fallback.json"), filter: () => true, log: () => {} },
        realRunDeps(),
      ),
    );
    const [c] = results.cases;
    assert.equal(c.status, "ok", c.error);
    assert.equal(c.readPath?.engine, "layoutbench");
    assert.deepEqual(c.readPath?.fallbacks, [
      "Blosc-LZ4 in JavaScript (lz4-blosc.ts) instead of the addon's C decoder: turned off by LAYOUTBENCH_DISABLE_NATIVE=decoders",
    ]);
    assert.deepEqual(
      c.warnings.filter((w) => w.code === "read-path-fallback").map((w) => w.message),
      [
        "layoutbench read path fell back: Blosc-LZ4 in JavaScript (lz4-blosc.ts) instead of the addon's C decoder: turned off by LAYOUTBENCH_DISABLE_NATIVE=decoders; " +
          "unset LAYOUTBENCH_DISABLE_NATIVE and rebuild the addon with npm install for the addon's paths; Blosc chunks the addon declines need codec: {name: blosc} with cname lz4, zstd or blosclz",
      ],
    );
  });

  test("a run with every JS engine: cold reads from storage, warm from memory, each case's read path recorded", { timeout: 300_000 }, async () => {
    const scenario = parseScenario(
      `version: 1
name: engines-js
datasets: [{name: grid, shape: [96, 80], dtype: float32, generator: smooth, seed: 3}]
layouts:
  - {name: npy, backend: memmap}
  - {name: zb, backend: zarr, format: 2, chunks: [32, 32], codec: {name: blosc, cname: lz4, level: 5, shuffle: byte}}
  - {name: zs, backend: zarr, chunks: [32, 32], shards: [64, 64]}
  - {name: hc, backend: hdf5}
  - {name: hg, backend: hdf5, chunks: [32, 32], codec: {name: gzip, level: 1}}
patterns: [{name: full, kind: full}, {name: tiles, kind: tiles, shape: [16, 16], count: 3}]
engines: [js, zarrita, h5wasm]
sampling: {samples: 2, rounds: 1, warmup: 1, minSampleMs: 0}
`,
      "engines-js.yaml",
    );
    const logged: string[] = [];
    const results = await runScenarios(
      [scenario],
      { cacheRoot: join(dir, "cache-engines"), resultsPath: join(dir, "engines.json"), filter: () => true, log: (l) => logged.push(l) },
      realRunDeps(),
    );
    assert.ok(logged.includes("zarrita engine skips npy: zarrita reads Zarr only; layout npy is memmap"), logged.join("\n"));
    assert.ok(logged.includes("h5wasm engine skips zb: h5wasm reads HDF5 only; layout zb is zarr"), logged.join("\n"));
    const count = (engine: string) => results.cases.filter((c) => c.engine === engine).length;
    assert.deepEqual([count("layoutbench"), count("zarrita"), count("h5wasm"), count("js")], [5 * 4, 2 * 4, 2 * 4, 0]);
    const verified = results.context.eviction.verified;
    for (const c of results.cases) {
      assert.equal(c.status, "ok", `${c.id}: ${c.error}`);
      for (const s of c.samples) {
        if (c.cache === "warm") assert.equal(s.bytesRead, 0, `${c.id}: warm sample read from storage`);
        else if (verified) assert.ok(s.bytesRead > 0, `${c.id}: cold sample read nothing`);
      }
    }
    const path = (layout: string, engine: string): string => {
      const c = results.cases.find((k: CaseResult) => k.layout.name === layout && k.engine === engine)!;
      return `${c.readPath!.engine} | ${c.readPath!.implementation} | ${c.readPath!.decoder} | ${c.readPath!.threads}`;
    };
    assert.deepEqual(
      [
        path("npy", "layoutbench"),
        path("zb", "layoutbench"),
        path("zs", "layoutbench"),
        path("hc", "layoutbench"),
        path("hg", "layoutbench"),
        path("zb", "zarrita"),
        path("zs", "zarrita"),
        path("hc", "h5wasm"),
        path("hg", "h5wasm"),
      ],
      [
        "layoutbench | addon mmap + native strided copy | none | 1",
        `layoutbench | layoutbench chunk reader | C Blosc-LZ4 (addon) | ${CORES}`,
        "layoutbench | zarrita zarr.get (sharded array) | none | 1",
        "layoutbench | direct preads replaying libhdf5's sieve (addon) | none | 1",
        "layoutbench | h5wasm (libhdf5 in WASM) | libhdf5 deflate (zlib) in WASM | 1",
        "zarrita | zarrita zarr.get | numcodecs.js Blosc (WASM) | 1",
        "zarrita | zarrita zarr.get | none | 1",
        "h5wasm | h5wasm Dataset.slice | none | 1",
        "h5wasm | h5wasm Dataset.slice | libhdf5 deflate (zlib) in WASM | 1",
      ],
    );
    assert.equal(results.cases.flatMap((c) => c.warnings).filter((w) => w.code === "read-path-fallback").length, 0);
    // The engines' files are the layoutbench engine's files: one materialization per layout.
    assert.equal(new Set(results.cases.map((c) => JSON.stringify(c.storage))).size, 5);
  });

  test("write cases name the write path, not the read path", { timeout: 120_000 }, async () => {
    const scenario = parseScenario(
      `version: 1
name: writes
datasets: [{name: grid, shape: [96, 80], dtype: float32, generator: smooth, seed: 3}]
layouts:
  - {name: npy, backend: memmap}
  - {name: zb, backend: zarr, format: 2, chunks: [32, 32], codec: {name: blosc, cname: lz4, level: 5, shuffle: byte}}
  - {name: hg, backend: hdf5, chunks: [32, 32], codec: {name: gzip, level: 1}}
patterns: [{name: write-tiles, kind: tiles, shape: [16, 16], count: 3, op: write, flush: true}]
cache: [warm]
sampling: {samples: 2, rounds: 1, warmup: 1, minSampleMs: 0}
`,
      "writes.yaml",
    );
    const results = await runScenarios(
      [scenario],
      { cacheRoot: join(dir, "cache-writes"), resultsPath: join(dir, "writes.json"), filter: () => true, log: () => {} },
      realRunDeps(),
    );
    const path = (layout: string): string => {
      const c = results.cases.find((k: CaseResult) => k.layout.name === layout)!;
      assert.equal(c.status, "ok", `${c.id}: ${c.error}`);
      return `${c.readPath!.implementation} | ${c.readPath!.decoder} | ${c.readPath!.ours}`;
    };
    assert.deepEqual(
      [path("npy"), path("hg")],
      [
        "writes: addon mmap + native strided copy into the shared mapping | none | copies each selection into the mapping in one native call; durable: msync of the mapping",
        "writes: h5wasm (libhdf5 in WASM) hyperslab writes | libhdf5 deflate (zlib) in WASM | copies each block into the WASM heap; durable: H5Fflush, then fdatasync of the file",
      ],
    );
    // The Blosc encoder is the system's c-blosc when the addon has it, else numcodecs.js: either way named; the addon decodes.
    assert.match(
      path("zb"),
      /^writes: zarrita zarr\.set \(partly covered chunks read, decoded and merged, then every touched chunk encoded and rewritten whole\) \| encode: (c-blosc [0-9.]+|numcodecs\.js Blosc \(WASM\)); decode of partly covered chunks: C Blosc-LZ4 \(addon\) \| a node:fs store writing whole chunk files; durable: fdatasync of every file written$/,
    );
  });

  test("tensorstore: skipped with the reason when it does not import", { timeout: 120_000 }, async () => {
    const scenario = parseScenario(
      `version: 1
name: ts
datasets: [{name: grid, shape: [96, 80], dtype: float32}]
layouts: [{name: z, backend: zarr, chunks: [32, 32]}]
patterns: [{name: full, kind: full}]
cache: [warm]
engines: [tensorstore]
sampling: {samples: 1, rounds: 1, warmup: 0, minSampleMs: 0}
`,
      "ts.yaml",
    );
    const logged: string[] = [];
    const results = await runScenarios(
      [scenario],
      { cacheRoot: join(dir, "cache-ts"), resultsPath: join(dir, "ts.json"), filter: () => true, log: (l) => logged.push(l) },
      realRunDeps(),
    );
    const versions = (await pythonAvailable()).versions;
    assert.deepEqual(logged, [`tensorstore engine skips z: ${tensorstoreSupport(versions)}`]);
    if (!versions?.tensorstore) assert.equal(tensorstoreSupport(versions), "tensorstore is not installed (pip install tensorstore)");
    assert.equal(results.cases.length, 0);
  });
});
