/**
 * Unsharded Zarr over remote storage is read by our chunk reader, not zarr.get: against a real HTTP
 * server (and moto for S3) a full read of an N-chunk Blosc-LZ4 array makes exactly N GETs, one per
 * chunk object, each of exactly that object's size, and returns the generator's values; the read
 * path names our chunk reader and the addon's decoder; a chunk object that is not there reads as the
 * fill value; at most `concurrency` GETs are in flight; sharded arrays stay on zarr.get.
 */
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Reader, RemoteSource, Stored } from "../harness/backends/types.ts";
import { ARRAY_DIR, zarrBackend } from "../harness/backends/zarr.ts";
import { fullSelection, slice } from "../harness/core/selection.ts";
import { verifyRegion } from "../harness/data/generate.ts";
import { nativeDecoders } from "../harness/native/index.ts";
import type { ObjectStore } from "../harness/remote/index.ts";
import type { DatasetSpec, ZarrLayout } from "../harness/scenario/types.ts";
import { type RunningServer, StartedRegistry, startHttpServer, startS3Server } from "../harness/servers/index.ts";
import { makeTestDir } from "./support/contract.ts";

const dir = makeTestDir("zarr-remote-direct");
const registry = new StartedRegistry();
const DATASET: DatasetSpec = { name: "grid", shape: [96, 80], dtype: "float32", generator: "smooth", seed: 5 };
const BLOSC = { name: "blosc", cname: "lz4", level: 5, shuffle: "byte" };
const zarr = (name: string, extra: object = {}) =>
  ({ name, backend: "zarr", format: 3, chunks: [32, 32], shards: null, codec: BLOSC, ...extra }) as unknown as ZarrLayout;
/** 96×80 in 32×32 chunks: a 3×3 grid. */
const CHUNKS = 9;

let http: RunningServer;
let s3: RunningServer;
let stored: Stored<ZarrLayout>;

async function materialize(layout: ZarrLayout): Promise<Stored<ZarrLayout>> {
  const at = join(dir, layout.name);
  mkdirSync(at, { recursive: true });
  await zarrBackend.materialize({ dataset: DATASET, layout, dir: at, progress: () => {} });
  return { dir: at, dataset: DATASET, layout };
}

/** The chunk objects of a stored layout (every file of the array but its metadata) and their sizes, by key relative to the served root. */
function chunkObjects(stored: Stored): Map<string, number> {
  const array = join(stored.dir, ARRAY_DIR);
  const out = new Map<string, number>();
  for (const f of readdirSync(array, { recursive: true, withFileTypes: true })) {
    if (!f.isFile() || f.name === "zarr.json" || f.name === ".zarray") continue;
    const path = join(f.parentPath, f.name);
    out.set(relative(dir, path), statSync(path).size);
  }
  return out;
}

async function open(stored: Stored<ZarrLayout>, server: RunningServer, concurrency = 4): Promise<{ reader: Reader; store: ObjectStore }> {
  const store = server.store();
  const source: RemoteSource = { store, prefix: relative(dir, stored.dir), concurrency };
  return { reader: await zarrBackend.openRemote!(stored, source), store };
}

before(async () => {
  // moto holds copies of the files there when it starts: the layout it serves is made first.
  stored = await materialize(zarr("blosc"));
  [http, s3] = await Promise.all([startHttpServer({ root: dir, registry }), startS3Server({ root: dir, registry, bucket: "direct" })]);
});

after(async () => {
  await registry.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe("unsharded Zarr over remote storage: our chunk reader", {
  skip: nativeDecoders() ? false : "the addon's decoders are not built (npm run build)",
}, () => {
  for (const kind of ["http", "s3"] as const) {
    test(`${kind}: a full read of ${CHUNKS} chunks is ${CHUNKS} whole-object GETs of the chunk objects, and the right values`, async () => {
      const { reader, store } = await open(stored, kind === "http" ? http : s3);
      try {
        const mark = store.requests.records.length;
        const sel = fullSelection(DATASET.shape);
        const data = await reader.read(sel);
        assert.equal(verifyRegion(DATASET, sel, data), undefined);
        const requests = store.requests.records.slice(mark);
        const objects = chunkObjects(stored);
        assert.equal(objects.size, CHUNKS);
        assert.equal(requests.length, CHUNKS);
        assert.deepEqual(
          requests.map((r) => [r.method, r.key, r.range, r.status, r.bytes]).sort(),
          [...objects].map(([key, size]) => ["GET", key, undefined, 200, size]).sort(),
        );
        // Blosc-LZ4 of smooth data: the chunk objects are smaller than the 4096-byte chunks.
        assert.ok([...objects.values()].every((size) => size < 32 * 32 * 4));
        assert.deepEqual(reader.readPath!(), {
          implementation: `layoutbench chunk reader over ${kind} (one whole-object GET per chunk touched, at most 4 in flight)`,
          decoder: "C Blosc-LZ4 (addon)",
          threads: availableParallelism(),
          library: "zarrita parses metadata only",
          ours: `GETs of whole chunk objects through an object-store client (${kind}), each chunk decoded as it arrives while the others are in flight, copies of whole runs`,
          fallbacks: [],
        });
      } finally {
        await reader.close();
      }
    });
  }

  test("GETs overlap, at most `concurrency` of them in flight", async () => {
    const { reader, store } = await open(stored, http, 3);
    try {
      await reader.read(fullSelection(DATASET.shape));
      const records = store.requests.records.filter((r) => r.key.includes("/c/"));
      assert.equal(records.length, CHUNKS);
      let peak = 0;
      for (const r of records) peak = Math.max(peak, records.filter((o) => o.startMs <= r.startMs && r.startMs < o.endMs).length);
      assert.ok(peak >= 2 && peak <= 3, `peak ${peak}`);
    } finally {
      await reader.close();
    }
  });

  test("a tile reads only the chunks it touches, into the caller's buffer", async () => {
    const { reader, store } = await open(stored, http);
    try {
      const mark = store.requests.records.length;
      const sel = [slice(10, 40), slice(70, 80)];
      const into = new Float32Array(30 * 10);
      const data = await reader.read(sel, into);
      assert.equal(data, into);
      assert.equal(verifyRegion(DATASET, sel, data), undefined);
      assert.deepEqual(
        store.requests.records
          .slice(mark)
          .map((r) => r.key)
          .sort(),
        ["blosc/array/c/0/2", "blosc/array/c/1/2"].map((k) => k.replace("array", ARRAY_DIR)),
      );
    } finally {
      await reader.close();
    }
  });

  test("a chunk object that is not there reads as the fill value (one 404, no retry)", async () => {
    const holes = await materialize(zarr("holes", { codec: { name: "none" } }));
    rmSync(join(holes.dir, ARRAY_DIR, "c", "1", "1"));
    const { reader, store } = await open(holes, http);
    try {
      const mark = store.requests.records.length;
      const data = (await reader.read(fullSelection(DATASET.shape))) as Float32Array;
      const requests = store.requests.records.slice(mark);
      assert.equal(requests.length, CHUNKS);
      assert.deepEqual(
        requests.filter((r) => r.status === 404).map((r) => [r.key, r.retries]),
        [[`holes/${ARRAY_DIR}/c/1/1`, 0]],
      );
      // The fill value is 0: rows 32..63, columns 32..63 are zeros, everything else the generator's.
      for (let y = 32; y < 64; y++) for (let x = 32; x < 64; x++) assert.equal(data[y * 80 + x], 0);
      assert.equal(verifyRegion(DATASET, [slice(0, 32), slice(0, 80)], data.slice(0, 32 * 80)), undefined);
      assert.equal(reader.readPath!().decoder, "none");
    } finally {
      await reader.close();
    }
  });

  test("sharded arrays stay on zarr.get, and say so", async () => {
    const sharded = await materialize(zarr("sharded", { shards: [64, 64] }));
    const { reader } = await open(sharded, http);
    try {
      const sel = fullSelection(DATASET.shape);
      assert.equal(verifyRegion(DATASET, sel, await reader.read(sel)), undefined);
      assert.match(reader.readPath!().implementation, /^zarrita zarr\.get over http \(sharded array: /);
    } finally {
      await reader.close();
    }
  });
});
