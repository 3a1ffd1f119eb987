/**
 * The sparse image remote HDF5 plans are recorded on (plan-target.ts), driven by a reader that
 * walks pointers as libhdf5 walks its metadata (each read's address comes from the bytes of the
 * last), over an in-memory object store: each attempt reads one level deeper, the missing blocks
 * are fetched whole, and the walk ends on the object's own bytes.
 */
import assert from "node:assert/strict";
import { closeSync, openSync, readSync } from "node:fs";
import { test } from "node:test";
import { SparseImage } from "../harness/backends/hdf5/plan-target.ts";
import type { ObjectStore } from "../harness/remote/index.ts";

const BLOCK = 65536;

/** An object of `size` bytes with u32 pointers 0 → 200000 → 70000 → the value 42. */
function object(size: number): Buffer {
  const b = Buffer.alloc(size);
  b.writeUInt32LE(200_000, 0);
  b.writeUInt32LE(70_000, 200_000);
  b.writeUInt32LE(42, 70_000);
  return b;
}

/** A store serving `body` as `key`, logging the ranges asked for. */
function store(body: Buffer): { store: ObjectStore; gets: string[] } {
  const gets: string[] = [];
  const s = {
    kind: "http",
    label: "memory",
    async get(_key: string, range?: { offset: number; length: number }) {
      const r = range ?? { offset: 0, length: body.length };
      gets.push(`${r.offset}+${r.length}`);
      return new Uint8Array(body.subarray(r.offset, r.offset + r.length));
    },
  };
  return { store: s as unknown as ObjectStore, gets };
}

/** Emscripten's FS.read as NODERAWFS has it: a positional readSync on the host descriptor. */
const fs = {
  read(stream: { nfd?: number }, buffer: Uint8Array, offset: number, length: number, position?: number): number {
    return readSync(stream.nfd as number, buffer, offset, length, position ?? null);
  },
};

/** Follows the pointers as a reader of the image at `path` does, failing on a value it cannot use (as a bad signature fails). */
function walk(path: string): number {
  const fd = openSync(path, "r");
  try {
    const u32 = (at: number) => {
      const b = new Uint8Array(4);
      fs.read({ nfd: fd }, b, 0, 4, at);
      return Buffer.from(b).readUInt32LE(0);
    };
    const value = u32(u32(u32(0)));
    if (value !== 42) throw new Error(`bad value ${value}`);
    return value;
  } finally {
    closeSync(fd);
  }
}

test("a pointer walk settles after one attempt per level, fetching only the blocks it reads", async () => {
  const body = object(300_000);
  const { store: s, gets } = store(body);
  const image = new SparseImage(fs, s, "data.h5", body.length, BLOCK, "data.h5");
  try {
    let attempts = 0;
    const value = await image.settle(() => {
      attempts++;
      return walk(image.path);
    });
    assert.equal(value, 42);
    // Block 0 first; then 200000's block (3), then 70000's (1).
    assert.equal(attempts, 3);
    assert.deepEqual(gets, [`0+${BLOCK}`, `${3 * BLOCK}+${BLOCK}`, `${BLOCK}+${BLOCK}`]);
    assert.deepEqual(image.cost, { gets: 3, bytes: 3 * BLOCK });
    // Settled bytes are kept: walking again fetches nothing.
    assert.equal(await image.settle(() => walk(image.path)), 42);
    assert.equal(gets.length, 3);
  } finally {
    image.close();
  }
});

test("explore notes more missing bytes in the same attempt; the last block is cut at the object's end", async () => {
  const body = object(300_000);
  const { store: s, gets } = store(body);
  const image = new SparseImage(fs, s, "data.h5", body.length, BLOCK, "data.h5");
  try {
    const tail = () => {
      const fd = openSync(image.path, "r");
      try {
        fs.read({ nfd: fd }, new Uint8Array(8), 0, 8, 299_990);
        fs.read({ nfd: fd }, new Uint8Array(8), 0, 8, 310_000); // past the end: nothing to fetch
      } finally {
        closeSync(fd);
      }
    };
    assert.equal(await image.settle(() => walk(image.path), tail), 42);
    // The first attempt also noted the tail (block 4, cut to 300000 − 262144 bytes), fetched with block 3 as one GET.
    assert.deepEqual(gets, [`0+${BLOCK}`, `${3 * BLOCK}+${300_000 - 3 * BLOCK}`, `${BLOCK}+${BLOCK}`]);
  } finally {
    image.close();
  }
});

test("an error with every byte fetched is the recording's own, not retried", async () => {
  const body = Buffer.alloc(1000);
  const { store: s, gets } = store(body);
  const image = new SparseImage(fs, s, "data.h5", body.length, BLOCK, "data.h5");
  try {
    await assert.rejects(
      image.settle(() => walk(image.path)),
      /bad value 0/,
    );
    assert.deepEqual(gets, ["0+1000"]);
  } finally {
    image.close();
  }
});
