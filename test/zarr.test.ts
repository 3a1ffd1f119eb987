/**
 * The Zarr backend: the backend contract for v3, v2 and sharded v3 with every codec; that each codec
 * setting really changes the stored bytes (compressed sizes, Blosc header flags); the exact `check()`
 * messages; and that zarrita reads the shards we write exactly as the spec lays them out (the
 * chunk decoders on frames made by numcodecs: zarr-numcodecs.e2e.ts).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import * as zlib from "node:zlib";
import * as zarr from "zarrita";
import { chunkDecoder, zlibOptions } from "../harness/backends/zarr/chunk-decoders.ts";
import { bloscDecodedSize, lz4DecodedSize, zstdContentSize } from "../harness/backends/zarr/registered-decoders.ts";
import { crc32c } from "../harness/backends/zarr/shard-writer.ts";
import { LocalStore } from "../harness/backends/zarr/store.ts";
import { ARRAY_DIR, zarrBackend } from "../harness/backends/zarr.ts";
import { DTYPES, type Dtype } from "../harness/core/dtype.ts";
import { UnsupportedError } from "../harness/core/errors.ts";
import { fullSelection, slice } from "../harness/core/selection.ts";
import { generateRegion, verifyRegion } from "../harness/data/generate.ts";
import type { CodecSpec, DatasetSpec, ZarrLayout } from "../harness/scenario/types.ts";
import { makeTestDir, runBackendContract } from "./support/contract.ts";

const layout = (name: string, format: 2 | 3, codec: CodecSpec, sharded = false): ZarrLayout => ({
  name,
  backend: "zarr",
  format,
  chunks: [],
  shards: sharded ? [] : null,
  codec,
});
const blosc = (cname: "lz4" | "zstd" | "blosclz", shuffle: "none" | "byte" | "bit", level = 5): CodecSpec => ({ name: "blosc", cname, level, shuffle });

const CODECS: readonly [string, CodecSpec][] = [
  ["gzip", { name: "gzip", level: 5 }],
  ["zstd", { name: "zstd", level: 3 }],
  ["lz4", { name: "lz4", level: 1 }],
  ["blosc-lz4-byte", blosc("lz4", "byte")],
  ["blosc-zstd-bit", blosc("zstd", "bit")],
  ["blosc-blosclz-none", blosc("blosclz", "none")],
  ["blosc-zstd-byte", blosc("zstd", "byte")],
  ["blosc-blosclz-bit", blosc("blosclz", "bit")],
  ["blosc-lz4-bit", blosc("lz4", "bit")],
  ["zstd-9", { name: "zstd", level: 9 }],
];
/**
 * Which dtypes each layout runs on, to keep the suite near 20 s: unsharded uncompressed layouts on
 * every dtype (v2 spells each one differently), sharded on five of them, codec layouts on one each,
 * two where blosc shuffles (shuffling depends on the element size: 2, 4 and 8 bytes).
 */
function dtypesFor(l: ZarrLayout): readonly Dtype[] {
  if (l.codec.name === "none") return l.shards === null ? DTYPES : ["int8", "uint16", "int32", "float64", "uint64"];
  if (l.codec.name === "blosc" && l.codec.shuffle !== "none") return l.format === 3 ? ["float32", "uint64"] : ["int16", "float64"];
  return l.format === 3 ? ["float32"] : ["int64"];
}

const UNSHARDED: ZarrLayout[] = [
  layout("v3-none", 3, { name: "none" }),
  layout("v2-none", 2, { name: "none" }),
  ...CODECS.map(([n, c]) => layout(`v3-${n}`, 3, c)),
  ...CODECS.map(([n, c]) => layout(`v2-${n}`, 2, c)),
];
const SHARDED: ZarrLayout[] = [
  layout("v3-sharded-none", 3, { name: "none" }, true),
  layout("v3-sharded-gzip", 3, { name: "gzip", level: 5 }, true),
  layout("v3-sharded-blosc-lz4-byte", 3, blosc("lz4", "byte"), true),
];

/**
 * Chunks about half of each axis (none of them divides it): few files, so the suite stays fast.
 * Sharded: inner chunks about a third, shards two inner chunks per axis, so edge shards hold inner
 * chunks wholly outside the array.
 */
function adapt(dataset: DatasetSpec, layouts: readonly ZarrLayout[]): ZarrLayout[] {
  return layouts
    .filter((l) => dtypesFor(l).includes(dataset.dtype))
    .map((l) => {
      if (l.shards === null) return { ...l, chunks: dataset.shape.map((n) => Math.floor(n / 2) + 1) };
      const chunks = dataset.shape.map((n) => Math.floor(n / 3) + 1);
      return { ...l, chunks, shards: chunks.map((c) => 2 * c) };
    });
}

runBackendContract(zarrBackend, UNSHARDED, { layoutsFor: adapt });
// zarrita cannot write shards: the contract's write checks are off here, the UnsupportedError is tested below.
runBackendContract(zarrBackend, SHARDED, { layoutsFor: adapt, writes: false });

describe("zarr check()", () => {
  const d2: DatasetSpec = { name: "d", shape: [100, 200], dtype: "float32", generator: "random", seed: 1 };
  const base: ZarrLayout = { name: "z", backend: "zarr", format: 3, chunks: [10, 20], shards: null, codec: { name: "none" } };
  const cases: [string, Partial<ZarrLayout>, DatasetSpec, { field: string; message: string }[]][] = [
    ["valid", {}, d2, []],
    ["chunk rank", { chunks: [10] }, d2, [{ field: "chunks", message: "expected 2 numbers for a 2-D array, got 1" }]],
    ["chunk values", { chunks: [0, 2.5] }, d2, [{ field: "chunks", message: "expected positive integers, got [0, 2.5]" }]],
    ["shard rank", { shards: [20, 40, 1] }, d2, [{ field: "shards", message: "expected 2 numbers for a 2-D array, got 3" }]],
    ["shards in v2", { format: 2, shards: [20, 40] }, d2, [{ field: "shards", message: "sharding needs Zarr format 3; this layout has format 2" }]],
    [
      "shard multiple",
      { shards: [20, 50] },
      d2,
      [
        {
          field: "shards",
          message: "each shard must hold a whole number of chunks: axis 1 has shard size 50 and chunk size 20",
        },
      ],
    ],
    ["gzip level", { codec: { name: "gzip", level: 12 } }, d2, [{ field: "codec.level", message: "gzip level must be an integer from 0 to 9, got 12" }]],
    ["zstd level", { codec: { name: "zstd", level: 0 } }, d2, [{ field: "codec.level", message: "zstd level must be an integer from 1 to 22, got 0" }]],
    [
      "lz4 level",
      { codec: { name: "lz4", level: 0 } },
      d2,
      [
        {
          field: "codec.level",
          message: "lz4 level must be an integer from 1 to 65537 (the level is LZ4's acceleration: 1 = best ratio, higher = faster), got 0",
        },
      ],
    ],
    ["blosc level", { codec: blosc("lz4", "none", 10) }, d2, [{ field: "codec.level", message: "blosc level must be an integer from 0 to 9, got 10" }]],
    // zarr-python's default compressor for float64 and int16: c-blosc shuffles with the item size.
    ["blosc shuffle, 8-byte dtype", { codec: blosc("lz4", "byte") }, { ...d2, dtype: "float64" }, []],
    ["blosc shuffle, 2-byte dtype", { codec: blosc("zstd", "bit") }, { ...d2, dtype: "int16" }, []],
    ["blosc no shuffle, 8-byte dtype", { codec: blosc("lz4", "none") }, { ...d2, dtype: "float64" }, []],
  ];
  for (const [name, change, dataset, expected] of cases) {
    test(name, () => assert.deepEqual(zarrBackend.check({ ...base, ...change }, dataset), expected));
  }
});

describe("zarr codec settings take effect", () => {
  let root = "";
  before(() => {
    root = makeTestDir("zarr-codecs");
  });
  after(() => rmSync(root, { recursive: true, force: true }));
  // One 256×256 chunk of smooth float32: compressible, and shuffling its bytes helps a lot.
  const dataset: DatasetSpec = { name: "smooth", shape: [256, 256], dtype: "float32", generator: "smooth", seed: 7 };
  const raw = 256 * 256 * 4;

  /** Materializes a one-chunk layout with `codec`, checks it reads back, returns the chunk file's bytes. */
  async function chunkBytes(codec: CodecSpec, format: 2 | 3 = 3, data = dataset): Promise<Buffer> {
    const dir = mkdtempSync(join(root, "c-"));
    const l: ZarrLayout = { name: "c", backend: "zarr", format, chunks: [256, 256], shards: null, codec };
    await zarrBackend.materialize({ dataset: data, layout: l, dir, progress: () => {} });
    const reader = await zarrBackend.open({ dir, dataset: data, layout: l }, { writable: false });
    assert.equal(verifyRegion(data, fullSelection(data.shape), await reader.read(fullSelection(data.shape))), undefined);
    await reader.close();
    return readFileSync(join(dir, ARRAY_DIR, format === 3 ? "c/0/0" : "0.0"));
  }
  /** Blosc header byte 2: bit 0 byte shuffle, bit 1 stored uncompressed, bit 2 bit shuffle. */
  const bloscFlags = (b: Buffer) => ({ byte: (b[2] & 1) !== 0, memcpy: (b[2] & 2) !== 0, bit: (b[2] & 4) !== 0 });

  test("none stores the raw bytes", async () => {
    const bytes = await chunkBytes({ name: "none" });
    assert.equal(bytes.length, raw);
    assert.deepEqual(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + raw)), generateRegion(dataset, fullSelection(dataset.shape)));
  });

  test("gzip: node:zlib writes gzip, level 9 < level 1 < level 0 (stored)", async () => {
    const [g0, g1, g9] = await Promise.all([0, 1, 9].map((level) => chunkBytes({ name: "gzip", level })));
    assert.deepEqual([...g1.subarray(0, 2)], [0x1f, 0x8b], "gzip magic");
    assert.ok(g9.length < g1.length && g1.length < g0.length && g0.length > raw, `sizes 9:${g9.length} 1:${g1.length} 0:${g0.length}`);
  });

  test("zstd: level 19 < level 1", async () => {
    const [z1, z19] = await Promise.all([1, 19].map((level) => chunkBytes({ name: "zstd", level })));
    assert.ok(z19.length < z1.length, `sizes 19:${z19.length} 1:${z1.length}`);
  });

  test("lz4: acceleration 1 < acceleration 64 (on smooth uint8: LZ4 finds nothing to match in float bytes)", async () => {
    const bytes: DatasetSpec = { ...dataset, dtype: "uint8" };
    const [a1, a64] = await Promise.all([1, 64].map((level) => chunkBytes({ name: "lz4", level }, 3, bytes)));
    assert.ok(a1.length < a64.length, `sizes 1:${a1.length} 64:${a64.length}`);
  });

  for (const cname of ["lz4", "zstd", "blosclz"] as const) {
    test(`blosc ${cname}: byte and bit shuffle are applied and shrink smooth data; level 0 stores`, async () => {
      const [none, byte, bit, l0] = await Promise.all([
        chunkBytes(blosc(cname, "none")),
        chunkBytes(blosc(cname, "byte")),
        chunkBytes(blosc(cname, "bit")),
        chunkBytes(blosc(cname, "none", 0)),
      ]);
      assert.deepEqual(bloscFlags(byte), { byte: true, memcpy: false, bit: false });
      assert.deepEqual(bloscFlags(bit), { byte: false, memcpy: false, bit: true });
      assert.equal(bloscFlags(none).byte || bloscFlags(none).bit, false);
      assert.ok(byte.length < none.length && bit.length < none.length, `sizes none:${none.length} byte:${byte.length} bit:${bit.length}`);
      assert.equal(l0.length, raw + 16, "clevel 0: raw bytes plus the 16-byte blosc header");
      assert.ok(bloscFlags(l0).memcpy);
    });
  }

  test("v2 blosc gets the numeric shuffle too", async () => {
    assert.deepEqual(bloscFlags(await chunkBytes(blosc("lz4", "bit"), 2)), { byte: false, memcpy: false, bit: true });
  });

  test("zarr.set through a reader keeps the shuffle (zarrita's own blosc would drop it)", async () => {
    const dir = mkdtempSync(join(root, "w-"));
    const l: ZarrLayout = { name: "w", backend: "zarr", format: 3, chunks: [256, 256], shards: null, codec: blosc("lz4", "byte") };
    await zarrBackend.materialize({ dataset, layout: l, dir, progress: () => {} });
    const meta = JSON.parse(readFileSync(join(dir, ARRAY_DIR, "zarr.json"), "utf8"));
    assert.deepEqual(meta.codecs[1], { name: "blosc", configuration: { cname: "lz4", clevel: 5, shuffle: "shuffle", typesize: 4, blocksize: 0 } });
    assert.equal(meta.fill_value, 0);
    const writer = await zarrBackend.open({ dir, dataset, layout: l }, { writable: true });
    const sel = [slice(0, 256), slice(0, 256)];
    await writer.write!(sel, generateRegion({ ...dataset, seed: 8 }, sel));
    await writer.flush!();
    await writer.close();
    assert.deepEqual(bloscFlags(readFileSync(join(dir, ARRAY_DIR, "c/0/0"))), { byte: true, memcpy: false, bit: false });
  });
});

describe("zarr sharding", () => {
  let root = "";
  before(() => {
    root = makeTestDir("zarr-shards");
  });
  after(() => rmSync(root, { recursive: true, force: true }));
  const dataset: DatasetSpec = { name: "seq", shape: [50, 70], dtype: "int32", generator: "sequence", seed: 1 };
  const sharded: ZarrLayout = { name: "s", backend: "zarr", format: 3, chunks: [8, 16], shards: [16, 32], codec: blosc("zstd", "byte") };

  test("crc32c matches the standard check value", () => {
    assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
  });

  test("shard files follow the spec and zarrita reads them like the unsharded array", async () => {
    const dirs = [mkdtempSync(join(root, "s-")), mkdtempSync(join(root, "u-"))];
    const layouts = [sharded, { ...sharded, shards: null }];
    const full = fullSelection(dataset.shape);
    const reads = [];
    for (const [i, l] of layouts.entries()) {
      await zarrBackend.materialize({ dataset, layout: l, dir: dirs[i], progress: () => {} });
      // Straight through zarrita (zarr.open.v3 + zarr.get), not through our reader.
      const array = await zarr.open.v3(new LocalStore(join(dirs[i], ARRAY_DIR)), { kind: "array" });
      const { data, shape } = await zarr.get(array, null);
      assert.deepEqual(shape, dataset.shape);
      reads.push(data);
    }
    assert.deepEqual(reads[0], reads[1]);
    assert.equal(verifyRegion(dataset, full, reads[0] as Int32Array), undefined);

    // Shard (1, 2) covers rows 16..32 and columns 64..96 of a 70-column array: of its 2×2 inner
    // chunks, column block 1 (80..96) lies wholly outside and must be marked empty.
    const file = readFileSync(join(dirs[0], ARRAY_DIR, "c/1/2"));
    const indexBytes = file.subarray(file.length - 4 - 4 * 16, file.length - 4);
    assert.equal(file.readUInt32LE(file.length - 4), crc32c(indexBytes), "index crc32c");
    const index = new BigUint64Array(indexBytes.buffer.slice(indexBytes.byteOffset, indexBytes.byteOffset + indexBytes.length));
    const empty = 2n ** 64n - 1n;
    assert.deepEqual([index[2], index[3], index[6], index[7]], [empty, empty, empty, empty]);
    assert.equal(index[0], 0n, "first inner chunk at offset 0");
    assert.equal(index[4], index[0] + index[1], "inner chunks follow one another");
    assert.equal(Number(index[4] + index[5]), file.length - 4 - 4 * 16, "then the index");
    const files = await zarrBackend.files({ dir: dirs[0], dataset, layout: sharded });
    assert.equal(files.length, 1 + 4 * 3, "zarr.json and 4×3 shards");
    assert.ok(files.every((f) => statSync(f).size > 0));
  });

  test("writing into a sharded array is refused with UnsupportedError", async () => {
    const dir = mkdtempSync(join(root, "w-"));
    await zarrBackend.materialize({ dataset, layout: sharded, dir, progress: () => {} });
    const writer = await zarrBackend.open({ dir, dataset, layout: sharded }, { writable: true });
    const sel = [slice(0, 1), slice(0, 1)];
    await assert.rejects(
      writer.write!(sel, new Int32Array(1)),
      (err: unknown) =>
        err instanceof UnsupportedError && err.message === "zarr: cannot write into a sharded array: zarrita reads sharding_indexed but cannot write it",
    );
    await writer.close();
  });
});

describe("frame headers read by the decoders registered in zarrita", () => {
  test("zstd content size: 1-, 2-, 4- and 8-byte fields, with and without a window byte and a dictionary id; absent when not stated", () => {
    const frame = (descriptor: number, ...rest: number[]) => new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, descriptor, ...rest]);
    // single segment, 1-byte size
    assert.equal(zstdContentSize(frame(0b0010_0000, 200)), 200);
    // 2-byte size is stored minus 256; with a window byte
    assert.equal(zstdContentSize(frame(0b0100_0000, 0x50, 0x00, 0x01)), 256 + 256);
    // 4-byte size after a window byte and a 1-byte dictionary id
    assert.equal(zstdContentSize(frame(0b1000_0001, 0x50, 7, 0x00, 0x00, 0x10, 0x00)), 1 << 20);
    // 8-byte size, single segment
    assert.equal(zstdContentSize(frame(0b1110_0000, 0, 0, 0, 0, 1, 0, 0, 0)), 2 ** 32);
    // no size stated (flag 0, not single segment), a truncated header, another magic number
    assert.equal(zstdContentSize(frame(0b0000_0000, 0x50)), undefined);
    assert.equal(zstdContentSize(frame(0b1000_0000, 0x50, 1)), undefined);
    assert.equal(zstdContentSize(new Uint8Array([1, 2, 3, 4, 0x20, 9])), undefined);
  });

  test("blosc nbytes and numcodecs lz4 size prefixes are little-endian uint32", () => {
    const blosc = new Uint8Array(16);
    blosc.set([0x00, 0x00, 0x10, 0x00], 4);
    assert.equal(bloscDecodedSize(blosc), 1 << 20);
    assert.equal(bloscDecodedSize(blosc.subarray(0, 15)), undefined);
    assert.equal(lz4DecodedSize(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0])), 2 ** 32 - 1);
    assert.equal(lz4DecodedSize(new Uint8Array([1, 2, 3])), undefined);
  });
});

describe("gzip chunks through node:zlib", () => {
  test("the decoded chunk is asked for in one piece (the default 16 KiB pieces cost a thread-pool round trip each)", async () => {
    assert.equal(zlibOptions(1 << 20).chunkSize, 1 << 20);
    assert.equal(zlibOptions(10).chunkSize, zlib.constants.Z_MIN_CHUNK);
    assert.equal(zlibOptions(2 ** 30).chunkSize, 64 * 2 ** 20);
    const raw = new Uint8Array(300_000).map((_, i) => (i * 7) % 251);
    const decoder = chunkDecoder({ id: "gzip", config: {} })!;
    const decoded = await decoder.decode(zlib.gzipSync(raw, { level: 1 }), new Uint8Array(raw.length));
    assert.deepEqual(Buffer.from(decoded), Buffer.from(raw));
  });
});
