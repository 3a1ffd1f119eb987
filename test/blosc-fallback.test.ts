/**
 * Zarr Blosc without the system's c-blosc (LAYOUTBENCH_BLOSC_LIBRARY naming a missing file): layouts
 * numcodecs.js writes correctly (4-byte elements, or no shuffle) are written by it, read back exactly,
 * under a cache key of their own and with the encoder and a warning recorded; the others are refused
 * at validate with the reason and the remedy. Non-Blosc cache keys do not depend on any of this.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Blosc from "numcodecs/blosc";
import type { Stored } from "../harness/backends/types.ts";
import { ARRAY_DIR, zarrBackend } from "../harness/backends/zarr.ts";
import { fullSelection, slice } from "../harness/core/selection.ts";
import { generateRegion, verifyRegion } from "../harness/data/generate.ts";
import { bloscEncoder } from "../harness/native/index.ts";
import type { DatasetSpec, Hdf5Layout, LayoutSpec, MemmapLayout, ZarrLayout } from "../harness/scenario/types.ts";
import { ensureMaterialized, entryDir } from "../harness/store/materialize.ts";
import { contractSelections, makeTestDir } from "./support/contract.ts";
import { withEnv } from "./support/env.ts";

const MISSING = "/nonexistent/libblosc.so.1";
const NOT_LOADED = `cannot load ${MISSING}: ${MISSING}: cannot open shared object file: No such file or directory`;
const NUMCODECS = `numcodecs.js ${(JSON.parse(readFileSync(join(import.meta.dirname, "..", "node_modules", "numcodecs", "package.json"), "utf8")) as { version: string }).version}`;
const FALLBACK = {
  name: NUMCODECS,
  fallback: { code: "blosc-encoder-fallback", reason: NOT_LOADED },
};

/** Runs `fn` with LAYOUTBENCH_BLOSC_LIBRARY set to `library` (unset for undefined), then restores it. */
const withLibrary = <T>(library: string | undefined, fn: () => T | Promise<T>) => withEnv("LAYOUTBENCH_BLOSC_LIBRARY", library, fn);
const withoutCBlosc = <T>(fn: () => T | Promise<T>) => withLibrary(MISSING, fn);

/** c-blosc's version when the system has it, else why not (the tests that compare with it say so). */
const cblosc = await withLibrary(undefined, () => bloscEncoder());
const noCBlosc = cblosc.ok ? false : `the system's c-blosc is not available here (${cblosc.reason}): apt-get install libblosc1`;
if (noCBlosc) console.log(`# ${noCBlosc}`);

const bloscLayout = (shuffle: "none" | "byte" | "bit"): ZarrLayout => ({
  name: "b",
  backend: "zarr",
  format: 3,
  chunks: [32, 32],
  shards: null,
  codec: { name: "blosc", cname: "lz4", level: 5, shuffle },
});
const dataset = (dtype: DatasetSpec["dtype"]): DatasetSpec => ({ name: dtype, shape: [64, 48], dtype, generator: "smooth", seed: 11 });
/** The bytes of chunk [0, 0] (32×32) of `ds`, as stored before encoding. */
const firstChunk = (ds: DatasetSpec) => {
  const values = generateRegion(ds, [slice(0, 32), slice(0, 32)]);
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
};
/** What numcodecs.js makes of `bytes`: lz4, level 5, `shuffle`, blocksize chosen by Blosc. */
const numcodecsFrame = async (bytes: Uint8Array, shuffle: number) =>
  Buffer.from(await Blosc.fromConfig({ cname: "lz4", clevel: 5, shuffle, blocksize: 0 }).encode(bytes));
/** Blosc 1 header: byte 2 holds the flags (bit 0 byte shuffle, bit 2 bit shuffle), byte 3 the typesize. */
const header = (frame: Buffer) => ({ typesize: frame[3], byte: (frame[2] & 1) !== 0, bit: (frame[2] & 4) !== 0 });

describe("validate without c-blosc", () => {
  const refused = (dtype: string, size: number, shuffle: string) => [
    {
      field: "codec.shuffle",
      message:
        `${shuffle} shuffle of ${dtype} data (${size}-byte elements) needs the system's c-blosc 1, which is unavailable (${NOT_LOADED}): ` +
        "numcodecs.js, used without it, shuffles 4-byte elements only; apt-get install libblosc1, or use shuffle: none or a 4-byte dtype (int32, uint32, float32)",
    },
  ];
  const cases: [string, DatasetSpec["dtype"], "none" | "byte" | "bit", object[]][] = [
    ["int16 byte shuffle", "int16", "byte", refused("int16", 2, "byte")],
    ["float64 bit shuffle", "float64", "bit", refused("float64", 8, "bit")],
    ["uint8 byte shuffle", "uint8", "byte", refused("uint8", 1, "byte")],
    ["float32 byte shuffle: numcodecs.js shuffles 4-byte elements", "float32", "byte", []],
    ["int32 bit shuffle", "int32", "bit", []],
    ["int16 without shuffle", "int16", "none", []],
    ["float64 without shuffle", "float64", "none", []],
  ];
  for (const [name, dtype, shuffle, expected] of cases) {
    test(name, () => withoutCBlosc(() => assert.deepEqual(zarrBackend.check(bloscLayout(shuffle), dataset(dtype)), expected)));
  }

  test("with c-blosc every element size may be shuffled", { skip: noCBlosc }, () =>
    withLibrary(undefined, () => assert.deepEqual(zarrBackend.check(bloscLayout("byte"), dataset("int16")), [])),
  );
});

describe("materializing without c-blosc", () => {
  let root = "";
  before(() => {
    root = makeTestDir("blosc-fallback");
  });
  after(() => rmSync(root, { recursive: true, force: true }));
  const float32 = dataset("float32");
  const layout = bloscLayout("byte");

  test("float32 blosc-lz4 byte shuffle: numcodecs.js writes it (typesize 4, shuffled), the manifest says so, it reads back exactly", async () => {
    const m = await withoutCBlosc(() => ensureMaterialized(root, float32, layout));
    assert.equal(m.created, true);
    assert.deepEqual(m.manifest.encoder, FALLBACK);
    assert.deepEqual(JSON.parse(readFileSync(join(m.stored.dir, "manifest.json"), "utf8")).encoder, FALLBACK);
    for (const chunk of ["c/0/0", "c/1/1"]) {
      assert.deepEqual(header(readFileSync(join(m.stored.dir, ARRAY_DIR, chunk))), { typesize: 4, byte: true, bit: false }, chunk);
    }
    assert.deepEqual(readFileSync(join(m.stored.dir, ARRAY_DIR, "c/0/0")), await numcodecsFrame(firstChunk(float32), 1));
    const reader = await zarrBackend.open(m.stored as Stored<ZarrLayout>, { writable: false });
    try {
      const all = await reader.read(fullSelection(float32.shape));
      assert.deepEqual(all, generateRegion(float32, fullSelection(float32.shape)));
      for (const sel of contractSelections(float32.shape)) assert.equal(verifyRegion(float32, sel, await reader.read(sel)), undefined);
    } finally {
      await reader.close();
    }
    // Found again, not rewritten, while c-blosc is still missing.
    const again = await withoutCBlosc(() => ensureMaterialized(root, float32, layout));
    assert.equal(again.created, false);
    assert.equal(again.stored.dir, m.stored.dir);
  });

  test("int16 without shuffle: numcodecs.js writes it and it reads back exactly", async () => {
    const int16 = dataset("int16");
    const m = await withoutCBlosc(() => ensureMaterialized(root, int16, bloscLayout("none")));
    assert.deepEqual(m.manifest.encoder, FALLBACK);
    // c-blosc would say typesize 2 here.
    assert.deepEqual(header(readFileSync(join(m.stored.dir, ARRAY_DIR, "c/0/0"))), { typesize: 4, byte: false, bit: false });
    assert.deepEqual(readFileSync(join(m.stored.dir, ARRAY_DIR, "c/0/0")), await numcodecsFrame(firstChunk(int16), 0));
    const reader = await zarrBackend.open(m.stored as Stored<ZarrLayout>, { writable: false });
    try {
      assert.deepEqual(await reader.read(fullSelection(int16.shape)), generateRegion(int16, fullSelection(int16.shape)));
    } finally {
      await reader.close();
    }
  });

  test("a write case (zarr.set) encodes with numcodecs.js too, shuffled, and reads back", async () => {
    const m = await withoutCBlosc(() => ensureMaterialized(root, float32, layout));
    const dir = join(root, "written");
    rmSync(dir, { recursive: true, force: true });
    await withoutCBlosc(() => zarrBackend.materialize({ dataset: float32, layout, dir, progress: () => {} }));
    const stored = { ...m.stored, dir } as Stored<ZarrLayout>;
    const sel = [slice(0, 32), slice(0, 32)];
    const values = generateRegion({ ...float32, seed: 12 }, sel);
    await withoutCBlosc(async () => {
      const writer = await zarrBackend.open(stored, { writable: true });
      await writer.write!(sel, values);
      await writer.flush!();
      assert.deepEqual(await writer.read(sel), values);
      await writer.close();
    });
    assert.deepEqual(header(readFileSync(join(dir, ARRAY_DIR, "c/0/0"))), { typesize: 4, byte: true, bit: false });
  });

  test("the cache key names the encoder: c-blosc's entry is another folder, its manifest says c-blosc and has no fallback", { skip: noCBlosc }, async () => {
    const fallbackDir = await withoutCBlosc(() => entryDir(root, float32, layout));
    const cbloscDir = await withLibrary(undefined, () => entryDir(root, float32, layout));
    assert.notEqual(cbloscDir, fallbackDir);
    const m = await withLibrary(undefined, () => ensureMaterialized(root, float32, layout));
    assert.equal(m.stored.dir, cbloscDir);
    assert.ok(cblosc.ok);
    assert.deepEqual(m.manifest.encoder, { name: `c-blosc ${cblosc.encoder.version}` });
    const chunk = readFileSync(join(m.stored.dir, ARRAY_DIR, "c/0/0"));
    const settings = { typesize: 4, clevel: 5, shuffle: 1, cname: "lz4", blocksize: 0 };
    // For 4-byte elements the two libraries may write the same frame; the key names the encoder anyway,
    // since which bytes each writes is theirs to change (and differs for other element sizes).
    assert.deepEqual(chunk, Buffer.from(cblosc.encoder.encode(firstChunk(float32), settings)));
    // The numcodecs.js entry is still there, untouched, for when c-blosc is missing again.
    const fallback = await withoutCBlosc(() => ensureMaterialized(root, float32, layout));
    assert.equal(fallback.created, false);
    assert.equal(fallback.stored.dir, fallbackDir);
  });
});

describe("cache keys of layouts without Blosc", () => {
  // Entry folders as they were before encoders were part of any key: they must not move.
  const ds: DatasetSpec = { name: "d", shape: [64, 32], dtype: "float32", generator: "smooth", seed: 7 };
  const pinned: [LayoutSpec, string][] = [
    [{ name: "n", backend: "memmap", order: "C", advice: "normal" } satisfies MemmapLayout, "/c/memmap-b1ba98034a0d98e832a4"],
    [
      { name: "z", backend: "zarr", format: 3, chunks: [16, 16], shards: null, codec: { name: "zstd", level: 3 } } satisfies ZarrLayout,
      "/c/zarr-ec02035ad3027bad98cc",
    ],
    [{ name: "z2", backend: "zarr", format: 2, chunks: [16, 16], shards: null, codec: { name: "none" } } satisfies ZarrLayout, "/c/zarr-85cb5bb430b9856f4abf"],
    [{ name: "h", backend: "hdf5", chunks: [16, 16], codec: { name: "gzip", level: 4 }, shuffle: false } satisfies Hdf5Layout, "/c/hdf5-829bca33081ca9898309"],
  ];
  for (const [layout, dir] of pinned) {
    test(`${layout.backend} ${layout.name}: the same folder with and without c-blosc`, async () => {
      assert.equal(await withoutCBlosc(() => entryDir("/c", ds, layout)), dir);
      assert.equal(await withLibrary(undefined, () => entryDir("/c", ds, layout)), dir);
    });
  }
});
