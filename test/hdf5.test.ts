/**
 * The HDF5 backend: the backend contract for contiguous and chunked layouts with every filter
 * h5wasm-plugins provides, also with tiny blocks so every read, write and materialization is split;
 * the exact `check()` messages; that each filter really lands in the file (sizes, filter ids, cd
 * values); that failed HDF5 reads throw (h5py reading what we write and we reading what h5py
 * writes: hdf5.e2e.ts).
 */
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { planBlocks } from "../harness/backends/hdf5/blocks.ts";
import { ContiguousReader } from "../harness/backends/hdf5/contiguous.ts";
import { FILTER_ID } from "../harness/backends/hdf5/filters.ts";
import { closeFile, datasetFilters, h5, openFile } from "../harness/backends/hdf5/library.ts";
import { lookup3, makeFilterOptional } from "../harness/backends/hdf5/optional-filter.ts";
import { createHdf5Backend, HDF5_FILE, hdf5Backend } from "../harness/backends/hdf5.ts";
import type { Stored } from "../harness/backends/types.ts";
import { evictFiles } from "../harness/cache/evict.ts";
import { probeEviction } from "../harness/cache/probe.ts";
import { residency } from "../harness/cache/residency.ts";
import { Prng } from "../harness/core/hash.ts";
import { fullSelection, type Selection, slice } from "../harness/core/selection.ts";
import { generateRegion, verifyRegion } from "../harness/data/generate.ts";
import { nativeSievedRead } from "../harness/native/index.ts";
import type { DatasetSpec, Hdf5Layout } from "../harness/scenario/types.ts";
import { makeTestDir, runBackendContract } from "./support/contract.ts";
import { BLOSC, blosc, CHUNKED, CONTIGUOUS, layout } from "./support/hdf5-layouts.ts";

/** Chunks about half of each axis (dividing none), and one layout with one chunk as large as the array. */
function adapt(dataset: DatasetSpec, layouts: readonly Hdf5Layout[]): Hdf5Layout[] {
  const all = dataset.dtype === "int32" || dataset.dtype === "float64" || layouts.length <= 3;
  return layouts
    .filter((l) => all || l.name === "contiguous" || l.name === "chunked")
    .map((l) => (l.chunks === null ? l : { ...l, chunks: dataset.shape.map((n) => (l.name === "chunk-whole-array" ? n : Math.floor(n / 2) + 1)) }));
}

runBackendContract(hdf5Backend, [CONTIGUOUS, ...CHUNKED, layout("chunk-whole-array", { name: "none" })], { layoutsFor: adapt });
// A sequence always shrinks, so these chunks are compressed; random data (stored raw) is tested in "hdf5 files".
runBackendContract(hdf5Backend, BLOSC, {
  layoutsFor: adapt,
  generator: "sequence",
  dtypes: ["int64", "float64"],
  shapes: [
    [33, 45],
    [9, 10, 11],
    [5, 6, 7, 3],
  ],
});
// Blocks of 40 bytes: materialization, reads and writes all go through many hyperslab calls.
runBackendContract(createHdf5Backend({ blockBytes: 40 }), [CONTIGUOUS, layout("gzip-1", { name: "gzip", level: 1 })], {
  layoutsFor: adapt,
  dtypes: ["uint8", "int64", "float32"],
});

describe("hdf5 check()", () => {
  const d2: DatasetSpec = { name: "d", shape: [100, 200], dtype: "float32", generator: "random", seed: 1 };
  const base = layout("h", { name: "none" }, [10, 20]);
  const cases: [string, Partial<Hdf5Layout>, { field: string; message: string }[]][] = [
    ["valid chunked", {}, []],
    ["valid contiguous", { chunks: null }, []],
    ["chunk rank", { chunks: [10] }, [{ field: "chunks", message: "expected 2 numbers for a 2-D array, got 1" }]],
    ["chunk values", { chunks: [10, 0] }, [{ field: "chunks", message: "expected positive integers, got [10, 0]" }]],
    [
      "codec without chunks",
      { chunks: null, codec: { name: "gzip", level: 1 } },
      [
        {
          field: "codec",
          message: "HDF5 filters need chunked storage: gzip cannot compress a contiguous dataset (chunks: null); give chunks or use codec none",
        },
      ],
    ],
    [
      "shuffle without chunks",
      { chunks: null, shuffle: true },
      [
        {
          field: "shuffle",
          message: "HDF5 filters need chunked storage: shuffle cannot apply to a contiguous dataset (chunks: null); give chunks or set shuffle: false",
        },
      ],
    ],
    [
      "shuffle + gzip",
      { shuffle: true, codec: { name: "gzip", level: 4 } },
      [
        {
          field: "shuffle",
          message: "h5wasm writes one filter per dataset: shuffle together with gzip is not possible; use blosc with shuffle: byte instead",
        },
      ],
    ],
    [
      "shuffle + blosc",
      { shuffle: true, codec: blosc("lz4", "none") },
      [
        {
          field: "shuffle",
          message: "h5wasm writes one filter per dataset: shuffle together with blosc is not possible; use blosc's own shuffle (codec shuffle: byte) instead",
        },
      ],
    ],
    [
      "lz4 level",
      { codec: { name: "lz4", level: 4 } },
      [
        {
          field: "codec.level",
          message: "the HDF5 lz4 filter (id 32004) has no level: it always compresses like LZ4 acceleration 1; use level 1, or blosc with cname lz4 for levels",
        },
      ],
    ],
    ["gzip level", { codec: { name: "gzip", level: 10 } }, [{ field: "codec.level", message: "gzip level must be an integer from 0 to 9, got 10" }]],
    ["zstd level", { codec: { name: "zstd", level: 0 } }, [{ field: "codec.level", message: "zstd level must be an integer from 1 to 22, got 0" }]],
    ["tiny blosc chunk: stored raw", { chunks: [4, 5], codec: blosc("lz4", "byte") }, []],
    [
      "chunks larger than the array",
      { chunks: [10, 201] },
      [
        {
          field: "chunks",
          message:
            "chunks [10, 201] are larger than the array [100, 200] on axis 1 (201 > 200); HDF5 does not allow chunks larger " +
            "than a fixed-size dataset (h5py refuses them too): use chunks of at most [100, 200]",
        },
      ],
    ],
  ];
  for (const [name, change, expected] of cases) {
    test(name, () => assert.deepEqual(hdf5Backend.check({ ...base, ...change }, d2), expected));
  }
  test("huge chunk", () => {
    const big: DatasetSpec = { ...d2, shape: [100_000, 2000] };
    assert.deepEqual(hdf5Backend.check({ ...base, chunks: [100000, 2000] }, big), [
      {
        field: "chunks",
        message:
          "a chunk of [100000, 2000] float32 holds 800000000 bytes; h5wasm works in a WASM heap of at most 2 GiB, " +
          "so chunks may hold at most 536870912 bytes: use smaller chunks",
      },
    ]);
  });
});

describe("hdf5 optional filters", () => {
  test("lookup3 gives the reference values of Bob Jenkins' lookup3.c", () => {
    const text = new TextEncoder().encode("Four score and seven years ago");
    assert.deepEqual([lookup3(new Uint8Array(0)), lookup3(text), lookup3(text, 1)], [0xdeadbeef, 0x17770551, 0xcd628161]);
  });

  test("a file without the expected pipeline is refused, not left mandatory silently", () => {
    const dir = makeTestDir("hdf5-optional");
    try {
      const path = join(dir, "not.h5");
      writeFileSync(path, Buffer.alloc(512, 0));
      assert.throws(
        () => makeFilterOptional(path, FILTER_ID.blosc),
        /expected one version 2 filter pipeline with filter 32001 in a version 2 object header, found 0; cannot mark the filter optional/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("hdf5 contiguous direct reads", () => {
  let root = "";
  before(() => (root = makeTestDir("hdf5-contiguous")));
  after(() => rmSync(root, { recursive: true, force: true }));
  const native = nativeSievedRead();

  /** A file of `header` bytes, then a C-order array of `shape` with `item`-byte elements (each byte its own value). */
  function arrayFile(name: string, header: number, shape: number[], item: number): { path: string; bytes: Uint8Array } {
    const rng = new Prng(9, name);
    const bytes = new Uint8Array(header + shape.reduce((a, b) => a * b, 1) * item).map(() => rng.nextInt(256));
    const path = join(root, name);
    writeFileSync(path, bytes);
    return { path, bytes };
  }

  /** `sel`'s elements in C order, picked byte by byte from the file's bytes. */
  function expected(bytes: Uint8Array, header: number, shape: number[], item: number, sel: Selection): Uint8Array {
    const out: number[] = [];
    const strides = shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));
    const walk = (a: number, offset: number): void => {
      if (a === shape.length) {
        for (let b = 0; b < item; b++) out.push(bytes[header + offset * item + b]);
        return;
      }
      for (let i = sel[a].start; i < sel[a].stop; i += sel[a].step) walk(a + 1, offset + i * strides[a]);
    };
    walk(0, 0);
    return Uint8Array.from(out);
  }

  test("native and JS reads return the selected bytes, for runs shorter and longer than the sieve", { skip: native ? false : "native addon not built" }, () => {
    const rng = new Prng(3, "sieved");
    // The second shape's rows are 80 KB: whole-row runs are read straight into the result.
    for (const [shape, item] of [
      [[37], 8],
      [[3, 20000], 4],
      [[5, 7, 300], 2],
      [[4, 3, 2, 50], 1],
    ] as [number[], number][]) {
      const header = 1 + rng.nextInt(3000);
      const { path, bytes } = arrayFile(`a${shape.join("x")}`, header, shape, item);
      const fd = openSync(path, "r");
      try {
        const viaNative = new ContiguousReader(path, fd, header, shape, item);
        const viaJs = new ContiguousReader(path, fd, header, shape, item, null);
        for (let trial = 0; trial < 60; trial++) {
          const sel = shape.map((n) => {
            const start = rng.nextInt(n);
            const step = rng.nextInt(3) === 0 ? 1 + rng.nextInt(4) : 1;
            return slice(start, start + 1 + rng.nextInt(n - start), step);
          });
          if (trial === 0) sel.splice(0, sel.length, ...shape.map((n) => slice(0, n)));
          const want = expected(bytes, header, shape, item, sel);
          for (const [what, reader] of [
            ["native", viaNative],
            ["js", viaJs],
          ] as const) {
            const got = new Uint8Array(want.length).fill(0xee);
            reader.read(sel, got);
            assert.deepEqual(got, want, `${what} ${JSON.stringify(sel)} of [${shape}]`);
          }
        }
      } finally {
        closeSync(fd);
      }
    }
  });

  test("a file that ends inside the dataset fails the read on both paths, naming the file", () => {
    const shape = [64, 100];
    const { path } = arrayFile("short", 16, [60, 100], 4);
    const fd = openSync(path, "r");
    try {
      for (const reader of [new ContiguousReader(path, fd, 16, shape, 4), new ContiguousReader(path, fd, 16, shape, 4, null)]) {
        assert.throws(
          () => reader.read([slice(50, 64), slice(0, 100)], new Uint8Array(14 * 100 * 4)),
          (e: Error) => e.message.startsWith(`${path}: file ends at byte 24016, inside the dataset`),
        );
        assert.throws(() => reader.read([slice(62, 63), slice(3, 4)], new Uint8Array(4)), /file ends at byte 24828, inside the dataset/);
      }
    } finally {
      closeSync(fd);
    }
  });
});

describe("hdf5 blocks", () => {
  test("blocks follow the chunk grid and cover a strided selection exactly once", () => {
    const sel: Selection = [slice(3, 97, 2), slice(5, 60, 3)];
    const unit = [10, 16];
    const blocks = planBlocks(sel, unit, 4, 200);
    // A row of 19 selected int32 is 76 bytes: 200 bytes take 2 rows (4 array rows), rounded up
    // to one chunk of 10 rows (5 selected); 5 × 4 bytes per column leave 10 columns (30 array
    // columns), rounded down to one chunk of 16. Rows 3..96 meet 10 chunk rows, columns 5..59
    // meet 4 chunk columns: 40 blocks, the first ending at the chunk edge.
    assert.equal(blocks.length, 40);
    assert.deepEqual(blocks[0].sel, [slice(3, 10, 2), slice(5, 16, 3)]);
    assert.deepEqual(blocks[3].sel, [slice(3, 10, 2), slice(50, 60, 3)]);
    const seen = new Set<string>();
    for (const axis of [0, 1]) {
      // No chunk index along an axis is touched by two different block ranges.
      const owner = new Map<number, string>();
      for (const b of blocks) {
        const s = b.sel[axis];
        for (let i = s.start; i < s.stop; i += s.step) {
          const key = `${s.start}:${s.stop}`;
          assert.equal(owner.get(Math.floor(i / unit[axis])) ?? key, key);
          owner.set(Math.floor(i / unit[axis]), key);
        }
      }
    }
    for (const b of blocks) {
      const [r, c] = b.sel;
      assert.deepEqual(b.offset, [(r.start - 3) / 2, (c.start - 5) / 3]);
      for (let i = r.start; i < r.stop; i += r.step) for (let j = c.start; j < c.stop; j += c.step) seen.add(`${i},${j}`);
    }
    assert.equal(seen.size, 47 * 19);
  });
  test("a selection within the limit is one block", () => {
    assert.equal(planBlocks(fullSelection([64, 64]), [8, 8], 4, 64 * 64 * 4).length, 1);
  });
});

describe("hdf5 files", () => {
  let root = "";
  before(() => (root = makeTestDir("hdf5")));
  after(() => rmSync(root, { recursive: true, force: true }));
  // A sequence compresses with every codec, so each filter's effect shows in the file size.
  const dataset: DatasetSpec = { name: "s", shape: [256, 256], dtype: "int32", generator: "sequence", seed: 7 };

  async function write(l: Hdf5Layout, d = dataset): Promise<Stored<Hdf5Layout>> {
    const dir = mkdtempSync(join(root, `${l.name}-`));
    await hdf5Backend.materialize({ dataset: d, layout: l, dir, progress: () => {} });
    return { dir, dataset: d, layout: l };
  }
  async function filtersOf(stored: Stored<Hdf5Layout>) {
    const module = await h5();
    const file = openFile(module, join(stored.dir, HDF5_FILE), "r");
    try {
      return datasetFilters(module, file).map((f) => ({ id: f.id, cd: f.cd_values }));
    } finally {
      closeFile(module, file);
    }
  }

  test("each codec writes its filter, and compressed files are smaller", async () => {
    // Zeros shrink under every codec (LZ4 alone cannot shrink a sequence of int32, blosc must shrink every chunk).
    const zeros: DatasetSpec = { ...dataset, generator: "zeros" };
    const chunked = await write(layout("none", { name: "none" }, [64, 64]), zeros);
    const plain = statSync(join(chunked.dir, HDF5_FILE)).size;
    assert.deepEqual(await filtersOf(chunked), []);
    const expected: [Hdf5Layout, number, (cd: number[]) => boolean][] = [
      [layout("gzip", { name: "gzip", level: 1 }, [64, 64]), FILTER_ID.deflate, (cd) => cd[0] === 1],
      [layout("zstd", { name: "zstd", level: 9 }, [64, 64]), FILTER_ID.zstd, (cd) => cd[0] === 9],
      [layout("lz4", { name: "lz4", level: 1 }, [64, 64]), FILTER_ID.lz4, () => true],
      // blosc cd_values: [version, version, typesize, chunk bytes, level, shuffle, compressor]
      [layout("blosc", blosc("zstd", "bit", 7), [64, 64]), FILTER_ID.blosc, (cd) => cd.slice(2).join() === [4, 64 * 64 * 4, 7, 2, 5].join()],
    ];
    for (const [l, id, cdOk] of expected) {
      const stored = await write(l, zeros);
      const [filter, ...rest] = await filtersOf(stored);
      assert.equal(rest.length, 0);
      assert.equal(filter.id, id, l.name);
      assert.ok(cdOk(filter.cd), `${l.name} cd_values ${filter.cd}`);
      const size = statSync(join(stored.dir, HDF5_FILE)).size;
      assert.ok(size < plain / 4, `${l.name}: ${size} bytes vs ${plain} uncompressed`);
    }
    const shuffled = await write(layout("shuffle", { name: "none" }, [64, 64], true));
    assert.deepEqual(await filtersOf(shuffled), [{ id: FILTER_ID.shuffle, cd: [4] }]);
    const byte = statSync(join((await write(layout("b1", blosc("zstd", "byte"), [64, 64]))).dir, HDF5_FILE)).size;
    const none = statSync(join((await write(layout("b0", blosc("zstd", "none"), [64, 64]))).dir, HDF5_FILE)).size;
    assert.ok(byte < none / 2, `blosc byte shuffle shrinks an int32 sequence more: ${byte} vs ${none} bytes`);
  });

  test("materialization writes block by block with progress, and the data reads back", async () => {
    const calls: number[] = [];
    const l = layout("blocks", { name: "gzip", level: 1 }, [16, 256]);
    const dir = mkdtempSync(join(root, "blocks-"));
    await createHdf5Backend({ blockBytes: 40000 }).materialize({ dataset, layout: l, dir, progress: (done) => calls.push(done) });
    // 40000 bytes hold 2 chunk rows of 16 x 256 int32 (16384 bytes each): 8 blocks.
    assert.deepEqual(
      calls,
      [1, 2, 3, 4, 5, 6, 7, 8].map((k) => k * 32768),
    );
    const reader = await hdf5Backend.open({ dir, dataset, layout: l }, { writable: false });
    assert.equal(verifyRegion(dataset, fullSelection(dataset.shape), await reader.read(fullSelection(dataset.shape))), undefined);
    await reader.close();
  });

  test("blosc on data it cannot shrink: such chunks are stored raw (the filter is optional, as h5py makes it), read and written back", async () => {
    const random: DatasetSpec = { ...dataset, generator: "random" };
    // 80-byte chunks are under blosc's 128-byte minimum: blosc never compresses them either.
    for (const l of [layout("br", blosc("lz4", "byte"), [64, 64]), layout("tiny", blosc("zstd", "bit"), [4, 5])]) {
      const stored = await write(l, random);
      const reader = await hdf5Backend.open(stored, { writable: true });
      try {
        assert.equal(verifyRegion(random, fullSelection(random.shape), await reader.read(fullSelection(random.shape))), undefined, l.name);
        // Writes of incompressible values succeed too: each rewritten chunk is stored raw again.
        const sel = [slice(3, 70), slice(5, 200)];
        const values = generateRegion({ ...random, seed: 99 }, sel);
        await reader.write!(sel, values);
        assert.deepEqual(await reader.read(sel), values, l.name);
      } finally {
        await reader.close();
      }
    }
  });

  test("reads go through the host file and its page cache; close releases the descriptor", async (t) => {
    const stored = await write(layout("fd", { name: "none" }, null));
    const path = join(stored.dir, HDF5_FILE);
    const openFds = () =>
      readdirSync("/proc/self/fd").filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === path;
        } catch {
          return false;
        }
      });
    const evictable = probeEviction(root, "fadvise");
    await evictFiles([path], "fadvise");
    const reader = await hdf5Backend.open(stored, { writable: false });
    await reader.read(fullSelection(dataset.shape));
    assert.equal(openFds().length, 1);
    await reader.close();
    assert.equal(openFds().length, 0);
    if (!evictable.verified) return t.skip(`page-cache check not possible: ${evictable.detail}`);
    assert.ok(residency([path]).fraction > 0.9, "a full read after eviction brought the file's pages back");
  });

  test("a failed HDF5 read throws instead of returning the heap's contents", async () => {
    const stored = await write(layout("corrupt", { name: "gzip", level: 1 }, [64, 64]));
    const path = join(stored.dir, HDF5_FILE);
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, Math.floor(statSync(path).size / 2));
    closeSync(fd);
    const reader = await hdf5Backend.open(stored, { writable: false });
    await assert.rejects(reader.read(fullSelection(dataset.shape)), /HDF5 read of \/data in .* failed: .*/);
    await reader.close();
  });
});
