/**
 * Every number names its read path: each backend's readers describe the path they take (exact
 * strings, per codec), fallbacks are recorded when forced (LAYOUTBENCH_DISABLE_NATIVE, a Blosc
 * frame the C decoder declines), and the zarrita and h5wasm sessions read tiny real layouts and
 * verify them, in this process. Whole runs through every engine: read-path.e2e.ts.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { hdf5Backend } from "../harness/backends/hdf5.ts";
import { MEMMAP_READ_PATH, memmapBackend } from "../harness/backends/memmap.ts";
import type { Backend, BackendReadPath, Stored } from "../harness/backends/types.ts";
import { ARRAY_DIR, zarrBackend } from "../harness/backends/zarr.ts";
import { VerificationError } from "../harness/core/errors.ts";
import { fullSelection, slice } from "../harness/core/selection.ts";
import { verifyRegion } from "../harness/data/generate.ts";
import { h5wasmEngine } from "../harness/engines/h5wasm.ts";
import { librarySession } from "../harness/engines/library-session.ts";
import { mergeReadPaths } from "../harness/engines/read-path.ts";
import { generatorVerifier } from "../harness/engines/verify.ts";
import { zarritaEngine } from "../harness/engines/zarrita.ts";
import { bitUnshuffleKernels, bloscEncoder, nativeDecoders } from "../harness/native/index.ts";
import type { CaseSpec, DatasetSpec, LayoutSpec } from "../harness/scenario/types.ts";
import { makeTestDir } from "./support/contract.ts";
import { withEnv } from "./support/env.ts";

const dir = makeTestDir("read-path");
after(() => rmSync(dir, { recursive: true, force: true }));

const DATASET: DatasetSpec = { name: "grid", shape: [96, 80], dtype: "float32", generator: "smooth", seed: 3 };
const CORES = availableParallelism();
const ZARR = (name: string, codec: object, extra: object = {}) =>
  ({ name, backend: "zarr", format: 3, chunks: [32, 32], shards: null, codec, ...extra }) as LayoutSpec;
const H5 = (name: string, chunks: number[] | null, codec: object, shuffle = false) => ({ name, backend: "hdf5", chunks, codec, shuffle }) as LayoutSpec;

let serial = 0;
async function stored(layout: LayoutSpec): Promise<{ backend: Backend; stored: Stored }> {
  const backend = { memmap: memmapBackend, zarr: zarrBackend, hdf5: hdf5Backend }[layout.backend] as Backend;
  const at = join(dir, `${layout.name}-${serial++}`);
  (await import("node:fs")).mkdirSync(at, { recursive: true });
  await backend.materialize({ dataset: DATASET, layout, dir: at, progress: () => {} });
  return { backend, stored: { dir: at, dataset: DATASET, layout } };
}

/** Opens `layout` with the layoutbench backend, reads it whole (checking the data) and returns the reader's read path. */
async function pathOf(layout: LayoutSpec): Promise<BackendReadPath> {
  const { backend, stored: s } = await stored(layout);
  const reader = await backend.open(s, { writable: false });
  try {
    const sel = fullSelection(DATASET.shape);
    assert.equal(verifyRegion(DATASET, sel, await reader.read(sel)), undefined);
    return reader.readPath!();
  } finally {
    await reader.close();
  }
}

const CHUNK_READER = {
  implementation: "layoutbench chunk reader",
  library: "zarrita parses metadata only",
  ours: "whole-chunk preads into reused buffers, decoding, copies of whole runs",
};

describe("layoutbench readers describe their read path", () => {
  test("memmap: the addon's mapping and copy", async () => {
    assert.deepEqual(await pathOf({ name: "npy", backend: "memmap", advice: "normal", order: "C" } as LayoutSpec), MEMMAP_READ_PATH);
  });

  test("zarr: the chunk reader names its decoder and threads per codec", async () => {
    const cases: [object, string, number][] = [
      [{ name: "none" }, "none", 1],
      [{ name: "gzip", level: 1 }, "node:zlib gunzip on libuv's thread pool", Math.min(4, CORES)],
      [{ name: "lz4", level: 1 }, "C LZ4 (addon)", 1],
      [{ name: "blosc", cname: "lz4", level: 5, shuffle: "byte" }, "C Blosc-LZ4 (addon)", CORES],
      [{ name: "blosc", cname: "zstd", level: 3, shuffle: "byte" }, "C Blosc-zstd (addon)", CORES],
      // Bit shuffle names the unshuffle kernel the CPU runs (shuffle.c: avx2, sse2 or portable).
      [{ name: "blosc", cname: "blosclz", level: 5, shuffle: "bit" }, `C Blosc-BloscLZ (addon), ${bitUnshuffleKernels()?.inUse} bit unshuffle`, CORES],
      [{ name: "zstd", level: 1 }, "libzstd (addon)", 1],
    ];
    for (const [codec, decoder, threads] of cases) {
      assert.deepEqual(
        await pathOf(ZARR(`z-${(codec as { name: string }).name}`, codec)),
        { ...CHUNK_READER, decoder, threads, fallbacks: [] },
        JSON.stringify(codec),
      );
    }
  });

  test("zarr: a sharded array is read by zarr.get with the addon's decoders registered in zarrita, and says so", async () => {
    assert.deepEqual(await pathOf(ZARR("sharded", { name: "zstd", level: 1 }, { shards: [64, 64] })), {
      implementation: "zarrita zarr.get (sharded array)",
      decoder: "libzstd (addon)",
      threads: 1,
      library: "zarrita reads, decodes and assembles the chunks",
      ours: "a node:fs store, at most 16 chunks at once, zarrita's gzip, blosc, lz4 and zstd codecs replaced (the addon decodes where it can)",
      fallbacks: [],
    });
  });

  test("hdf5: contiguous data by direct preads in the addon, chunked data through h5wasm with its filter", async () => {
    assert.deepEqual(await pathOf(H5("h5c", null, { name: "none" })), {
      implementation: "direct preads replaying libhdf5's sieve (addon)",
      decoder: "none",
      threads: 1,
      library: "h5wasm (libhdf5) opens the file; the data's address is learnt from its reads",
      ours: "positional reads through libhdf5's descriptor, one addon call per selection",
      fallbacks: [],
    });
    const h5wasm = {
      implementation: "h5wasm (libhdf5 in WASM)",
      threads: 1,
      library: "libhdf5 reads and decodes, one hyperslab per call",
      ours: "hyperslab calls through h5wasm's low-level API, copies out of the WASM heap",
      fallbacks: [],
    };
    assert.deepEqual(await pathOf(H5("h5gz", [32, 32], { name: "gzip", level: 1 })), { ...h5wasm, decoder: "libhdf5 deflate (zlib) in WASM" });
    assert.deepEqual(await pathOf(H5("h5zstd", [32, 32], { name: "zstd", level: 1 })), { ...h5wasm, decoder: "h5wasm-plugins zstd filter in WASM" });
    assert.deepEqual(await pathOf(H5("h5shuf", [32, 32], { name: "none" }, true)), { ...h5wasm, decoder: "libhdf5 shuffle in WASM" });
  });
});

describe("fallbacks are recorded, never silent", () => {
  const withDisabled = <T>(value: string, fn: () => Promise<T>): Promise<T> => withEnv("LAYOUTBENCH_DISABLE_NATIVE", value, fn);

  test("without the addon's decoders, Blosc-LZ4 is decoded in JavaScript and the path says why", async () => {
    const path = await withDisabled("decoders", () => pathOf(ZARR("js-blosc", { name: "blosc", cname: "lz4", level: 5, shuffle: "byte" })));
    assert.equal(path.decoder, CORES > 1 ? "Blosc-LZ4 in JavaScript (lz4-blosc.ts) in worker threads and this one" : "Blosc-LZ4 in JavaScript (lz4-blosc.ts)");
    assert.deepEqual(path.fallbacks, [
      "Blosc-LZ4 in JavaScript (lz4-blosc.ts) instead of the addon's C decoder: turned off by LAYOUTBENCH_DISABLE_NATIVE=decoders",
    ]);
    const lz4 = await withDisabled("decoders", () => pathOf(ZARR("js-lz4", { name: "lz4", level: 1 })));
    assert.deepEqual(lz4.fallbacks, ["LZ4 in JavaScript (lz4-blosc.ts) instead of the addon's C decoder: turned off by LAYOUTBENCH_DISABLE_NATIVE=decoders"]);
  });

  test("without the addon's sieved read, contiguous HDF5 is read with readSync and the path says why", async () => {
    const path = await withDisabled("sieved-read", () => pathOf(H5("js-h5c", null, { name: "none" })));
    assert.equal(path.implementation, "direct preads replaying libhdf5's sieve (Node readSync)");
    assert.deepEqual(path.fallbacks, [
      "one readSync per run instead of the addon's sieved read (20–30% slower): turned off by LAYOUTBENCH_DISABLE_NATIVE=sieved-read",
    ]);
  });

  test("Blosc frames the C decoder declines are counted (metadata says lz4, chunks hold zlib)", async (t) => {
    const encoder = bloscEncoder();
    if (!encoder.ok) return t.skip(`no c-blosc to write zlib frames with: ${encoder.reason}`);
    const { backend, stored: s } = await stored({ ...ZARR("liar", { name: "blosc", cname: "lz4", level: 5, shuffle: "byte" }), format: 2 } as LayoutSpec);
    // Every chunk re-encoded with zlib inside Blosc: a frame only numcodecs.js decodes.
    const decoders = nativeDecoders()!;
    const folder = join(s.dir, ARRAY_DIR);
    for (const name of readdirSync(folder).filter((n) => !n.startsWith("."))) {
      const frame = new Uint8Array(readFileSync(join(folder, name)));
      const raw = new Uint8Array(new DataView(frame.buffer).getUint32(4, true));
      assert.equal(decoders.blosc(frame, raw, 1), raw.length);
      writeFileSync(join(folder, name), encoder.encoder.encode(raw, { typesize: 4, clevel: 5, shuffle: 1, cname: "zlib", blocksize: 0 }));
    }
    const reader = await backend.open(s, { writable: false });
    try {
      const sel = [slice(0, 64), slice(0, 32)];
      assert.equal(verifyRegion(DATASET, sel, await reader.read(sel)), undefined);
      const path = reader.readPath!();
      assert.equal(path.decoder, "C Blosc-LZ4 (addon)");
      assert.deepEqual(path.fallbacks, ["2 Blosc chunks the addon's decoder declined went through numcodecs.js"]);
    } finally {
      await reader.close();
    }
  });

  test("a fallback in any round stays on the case: the latest path, every fallback seen", () => {
    const path = (fallbacks: string[]) => ({
      engine: "layoutbench" as const,
      implementation: "i",
      decoder: "d",
      threads: 1,
      library: "l",
      ours: "o",
      fallbacks,
    });
    assert.deepEqual(mergeReadPaths(path(["a"]), path([])), path(["a"]));
    assert.deepEqual(mergeReadPaths(path(["a"]), path(["b", "a"])), path(["a", "b"]));
    assert.deepEqual(mergeReadPaths(undefined, path(["b"])), path(["b"]));
    assert.deepEqual(mergeReadPaths(path(["a"]), undefined), path(["a"]));
  });
});

describe("library engines", () => {
  const spec = (layout: LayoutSpec, engine: CaseSpec["engine"]) =>
    ({ id: "x", dataset: DATASET, layout, pattern: { op: "read" }, cache: "warm", engine }) as unknown as CaseSpec;
  const selections = [fullSelection(DATASET.shape), [slice(0, 96, 1), slice(79, 80, 1)], [slice(1, 95, 3), slice(0, 80, 7)]];

  test("zarrita and h5wasm sessions read and verify; a damaged chunk fails verification", async () => {
    for (const [layout, engine] of [
      [ZARR("zs", { name: "none" }), "zarrita"],
      [H5("hs", [32, 32], { name: "gzip", level: 1 }), "h5wasm"],
    ] as const) {
      const { stored: s } = await stored(layout);
      const lib = engine === "zarrita" ? zarritaEngine(s) : h5wasmEngine(s);
      const session = librarySession(spec(layout, engine), lib, selections, generatorVerifier(DATASET, selections), () => performance.now());
      assert.equal(session.readPath!(), undefined);
      await session.open();
      const pass = await session.pass();
      assert.ok(pass.ms > 0);
      await session.close();
      assert.equal(session.readPath!()?.engine, engine);
    }
    const { stored: s } = await stored(ZARR("damaged", { name: "none" }));
    const chunk = join(s.dir, ARRAY_DIR, "c", "0", "0");
    const bytes = readFileSync(chunk);
    bytes[0] ^= 0xff;
    writeFileSync(chunk, bytes);
    const session = librarySession(spec(s.layout, "zarrita"), zarritaEngine(s), selections, generatorVerifier(DATASET, selections), () => performance.now());
    await session.open();
    await assert.rejects(
      session.pass(),
      (e: unknown) => e instanceof VerificationError && /^zarrita engine: read \[0:96, 0:80\] returned wrong data/.test((e as Error).message),
    );
    await session.close();
  });
});
