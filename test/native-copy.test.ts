/**
 * The addon's strided copy (harness/native/copy.c), which the memmap backend reads and writes
 * selections with: random boxes against a plain JS element loop, every element size, and plans
 * that would reach outside either array or overlap, which must throw and copy nothing.
 */
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Prng } from "../harness/core/hash.ts";
import { copyStrided, nativeSievedRead, PLAN_HEADER, SIEVE_PLAN_HEADER } from "../harness/native/index.ts";

interface Box {
  size: number;
  srcOffset: number;
  dstOffset: number;
  axes: { n: number; s: number; d: number }[];
}

/** The plan for `box`, offsets and strides given in elements as the tests think of them. */
function planOf(box: Box): Float64Array {
  const { size } = box;
  return new Float64Array([size, box.axes.length, box.srcOffset * size, box.dstOffset * size, ...box.axes.flatMap((a) => [a.n, a.s * size, a.d * size])]);
}

/** What copyStrided must do, one element at a time. */
function referenceCopy(src: Uint8Array, dst: Uint8Array, box: Box): void {
  const index = box.axes.map(() => 0);
  if (box.axes.some((a) => a.n === 0)) return;
  for (;;) {
    let s = box.srcOffset;
    let d = box.dstOffset;
    box.axes.forEach((a, i) => {
      s += index[i] * a.s;
      d += index[i] * a.d;
    });
    dst.set(src.subarray(s * box.size, (s + 1) * box.size), d * box.size);
    let k = index.length - 1;
    while (k >= 0 && ++index[k] === box.axes[k].n) index[k--] = 0;
    if (k < 0) return;
  }
}

/** A random box in C order of a random source array, copied to a C-order or F-order destination. */
function randomBox(rng: Prng, size: number): { box: Box; srcElements: number; dstElements: number } {
  const rank = 1 + rng.nextInt(4);
  const shape = Array.from({ length: rank }, () => 1 + rng.nextInt(9));
  const counts = shape.map((n) => rng.nextInt(n + 1) && 1 + rng.nextInt(n));
  const steps = counts.map((c, i) => (c > 0 ? 1 + rng.nextInt(Math.max(1, Math.floor((shape[i] - 1) / Math.max(1, c - 1)))) : 1));
  const starts = counts.map((c, i) => rng.nextInt(Math.max(1, shape[i] - (Math.max(c, 1) - 1) * steps[i])));
  let stride = 1;
  const srcStrides = shape.map(() => 0);
  for (let i = rank - 1; i >= 0; i--) {
    srcStrides[i] = stride;
    stride *= shape[i];
  }
  const fOrder = rng.nextInt(2) === 1;
  const dstStrides = counts.map(() => 0);
  let d = 1;
  for (const i of fOrder ? counts.keys() : [...counts.keys()].reverse()) {
    dstStrides[i] = d;
    d *= Math.max(counts[i], 1);
  }
  const srcOffset = starts.reduce((acc, s, i) => acc + s * srcStrides[i], 0);
  const dstOffset = rng.nextInt(3);
  return {
    box: { size, srcOffset, dstOffset, axes: counts.map((n, i) => ({ n, s: steps[i] * srcStrides[i], d: dstStrides[i] })) },
    srcElements: stride,
    dstElements: dstOffset + d,
  };
}

test("random boxes of every element size copy as an element-by-element loop does", () => {
  const rng = new Prng(5, "copyStrided");
  for (const size of [1, 2, 4, 8]) {
    for (let trial = 0; trial < 300; trial++) {
      const { box, srcElements, dstElements } = randomBox(rng, size);
      const src = new Uint8Array(srcElements * size).map(() => rng.nextInt(256));
      const got = new Uint8Array(dstElements * size).fill(0xee);
      const want = got.slice();
      // The typed-array kind does not matter to the copy: bytes are bytes.
      const srcView = size === 8 ? new Float64Array(src.buffer) : size === 4 ? new Uint32Array(src.buffer) : size === 2 ? new Int16Array(src.buffer) : src;
      copyStrided(srcView, got, planOf(box));
      referenceCopy(src, want, box);
      assert.deepEqual(got, want, `size ${size} trial ${trial}: ${JSON.stringify(box)}`);
    }
  }
});

test("views at a byte offset are addressed from their own first byte; NaN payloads survive", () => {
  const backing = new ArrayBuffer(64);
  const src = new Float32Array(backing, 8, 4);
  new Uint32Array(backing, 8, 4).set([0x7fa00001, 0xffc00002, 1, 2]);
  const dst = new Float32Array(new ArrayBuffer(32), 16, 4);
  copyStrided(src, dst, planOf({ size: 4, srcOffset: 0, dstOffset: 0, axes: [{ n: 4, s: 1, d: 1 }] }));
  assert.deepEqual([...new Uint32Array(dst.buffer, 16, 4)], [0x7fa00001, 0xffc00002, 1, 2]);
});

test("a plan that reaches outside either array, overlaps, or is malformed throws and copies nothing", () => {
  const src = new Uint8Array(16).map((_, i) => i + 1);
  const dst = new Uint8Array(16);
  const box = (srcOffset: number, dstOffset: number, n: number, s = 1, d = 1) => planOf({ size: 1, srcOffset, dstOffset, axes: [{ n, s, d }] });
  assert.throws(
    () => copyStrided(src, dst, box(1, 0, 16)),
    (e: Error) => e instanceof RangeError && /past the end/.test(e.message),
  );
  assert.throws(() => copyStrided(src, dst, box(0, 1, 16)), RangeError);
  assert.throws(() => copyStrided(src, dst, box(0, 0, 5, 4)), RangeError, "(5 - 1) × 4 + 1 = 17 bytes of 16");
  assert.throws(() => copyStrided(src, dst, box(0, 0, 2 ** 40, 2 ** 20)), RangeError, "overflow cannot pass");
  assert.throws(() => copyStrided(src, src.subarray(4), box(0, 0, 8)), /overlap/);
  assert.throws(() => copyStrided(src, dst, box(0.5, 0, 1)), /whole numbers/);
  assert.throws(() => copyStrided(src, dst, box(-1, 0, 1)), /whole numbers/);
  assert.throws(() => copyStrided(src, dst, new Float64Array([1, 2, 0, 0, 1, 1, 1])), /3 entries per axis/);
  assert.throws(() => copyStrided(src, dst, new Uint8Array(8) as unknown as Float64Array), /Float64Array/);
  assert.throws(() => copyStrided(src.buffer as unknown as Uint8Array, dst, box(0, 0, 1)), /src must be a typed array/);
  assert.deepEqual(dst, new Uint8Array(16), "nothing was written");
  // An empty box is fine anywhere: it touches nothing.
  copyStrided(src, dst, box(100, 100, 0));
  copyStrided(src, dst, planOf({ size: 1, srcOffset: 0, dstOffset: 0, axes: [] }));
  assert.equal(dst[0], 1, "rank 0: one element");
  // Plans as the backends build them, axes placed after PLAN_HEADER entries: wrong if the
  // constant and the C code disagree. Elements 0, 2, 4 of one byte each into dst 0, 1, 2.
  const viaConstant = new Float64Array(PLAN_HEADER + 3);
  viaConstant.set([1, 1, 0, 0]);
  viaConstant.set([3, 2, 1], PLAN_HEADER);
  const into = new Uint8Array(3);
  copyStrided(src, into, viaConstant);
  assert.deepEqual([...into], [src[0], src[2], src[4]]);
});

test("readSieved: runs through the window or straight into out; plans reaching past out, the sieve or the dataset throw", () => {
  const readSieved = nativeSievedRead();
  assert.ok(readSieved, "the addon exports readSieved");
  const dir = mkdtempSync(join(tmpdir(), "layoutbench-sieved-"));
  const path = join(dir, "data");
  const file = new Uint8Array(1000).map((_, i) => i % 251);
  writeFileSync(path, file);
  const fd = openSync(path, "r");
  try {
    const plan = (run: number, window: number, first: number, end: number, perRun: number, runStep: number, outer: [number, number][] = []) =>
      new Float64Array([run, window, first, end, perRun, runStep, outer.length, ...outer.flat()]);
    // 3 × 4 runs of 2 bytes: runs 10 apart, rows 100 apart, from byte 5; a 32-byte window.
    const out = new Uint8Array(24);
    const sieve = new Uint8Array(32);
    readSieved!(fd, plan(2, 32, 5, 1000, 4, 10, [[3, 100]]), out, sieve);
    const want: number[] = [];
    for (let r = 0; r < 3; r++) for (let k = 0; k < 4; k++) want.push(file[5 + r * 100 + k * 10], file[6 + r * 100 + k * 10]);
    assert.deepEqual([...out], want);
    // A run longer than the window skips it: 40 bytes straight into out.
    const long = new Uint8Array(40);
    readSieved!(fd, plan(40, 32, 900, 1000, 1, 0), long, sieve);
    assert.deepEqual(long, file.subarray(900, 940));
    const untouched = new Uint8Array(24);
    assert.throws(
      () => readSieved!(fd, plan(2, 32, 5, 1000, 4, 10, [[4, 100]]), untouched, sieve),
      (e: Error) => e instanceof RangeError && /past the end/.test(e.message),
      "out holds 3 rows, not 4",
    );
    assert.throws(
      () => readSieved!(fd, plan(2, 32, 5, 200, 4, 10, [[3, 100]]), untouched, sieve),
      RangeError,
      "the last run ends at byte 237, past the dataset's end at 200",
    );
    assert.throws(() => readSieved!(fd, plan(2, 64, 5, 1000, 4, 10, [[3, 100]]), untouched, sieve), /windowBytes <= sieve.length/);
    assert.throws(() => readSieved!(fd, plan(2, 32, 0.5, 1000, 1, 0), untouched, sieve), /readSieved: plan entries must be whole numbers/);
    assert.throws(() => readSieved!(fd, new Uint8Array(8) as unknown as Float64Array, untouched, sieve), /Float64Array/);
    assert.deepEqual(untouched, new Uint8Array(24), "nothing was written");
    assert.throws(() => readSieved!(fd, plan(2, 32, 990, 1100, 1, 0, [[2, 50]]), untouched, sieve), /file ends at byte 1000, inside the dataset/);
    // The same read with the plan laid out as the HDF5 reader builds it, around SIEVE_PLAN_HEADER.
    const viaConstant = new Float64Array(SIEVE_PLAN_HEADER + 2);
    viaConstant.set([2, 32, 5, 1000, 4, 10, 1]);
    viaConstant.set([3, 100], SIEVE_PLAN_HEADER);
    const again = new Uint8Array(24);
    readSieved!(fd, viaConstant, again, sieve);
    assert.deepEqual([...again], want);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});
