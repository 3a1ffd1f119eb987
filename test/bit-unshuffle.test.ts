/**
 * The Blosc decoder's bit unshuffle kernels (harness/native/shuffle.c): portable C, SSE2 and AVX2
 * (where the CPU has it) give the same bytes as the definition of bit shuffle on every element size
 * and on lengths that leave remainders for the vector loops; and frames bit-shuffled by the
 * system's c-blosc decode to their input with each kernel in use.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, describe, test } from "node:test";
import { bitUnshuffleKernels, bloscEncoder, nativeDecoders } from "../harness/native/index.ts";

const kernels = bitUnshuffleKernels();
const decoders = nativeDecoders();
const skip = !kernels || !decoders ? "the native addon predates the bit unshuffle kernels: npm run build" : false;

/** Deterministic bytes (xorshift32). */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * Bit unshuffle by its definition, one bit at a time: bit k of byte b of element i is bit i % 8 of
 * byte i / 8 of row 8 b + k, each row count / 8 bytes long.
 */
function reference(src: Uint8Array, typesize: number): Uint8Array {
  const count = src.length / typesize;
  const row = count / 8;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < count; i++) {
    for (let b = 0; b < typesize; b++) {
      let v = 0;
      for (let k = 0; k < 8; k++) v |= ((src[(8 * b + k) * row + (i >> 3)] >> (i & 7)) & 1) << k;
      out[i * typesize + b] = v;
    }
  }
  return out;
}

const hasAvx2 = (() => {
  try {
    return /^flags\s*:.*\bavx2\b/m.test(readFileSync("/proc/cpuinfo", "utf8"));
  } catch {
    return false;
  }
})();

describe("bit unshuffle kernels", { skip }, () => {
  test("portable always; SSE2 on x86-64; AVX2 exactly where the CPU has it; the widest is in use", () => {
    const k = kernels!;
    assert.ok(k.available.includes("portable"));
    if (process.arch === "x64") {
      assert.ok(k.available.includes("sse2"));
      assert.equal(k.available.includes("avx2"), hasAvx2);
    }
    assert.equal(k.inUse, k.available[k.available.length - 1]);
  });

  // Group counts (8 elements each) around the vector loops' steps: 16 groups (SSE2), 32 (AVX2).
  const groups = [1, 2, 7, 15, 16, 17, 31, 32, 33, 47, 48, 64, 65, 100, 256 + 9];
  for (const typesize of [1, 2, 3, 4, 5, 8, 16]) {
    test(`typesize ${typesize}: every kernel gives the definition's bytes for ${groups.length} lengths`, () => {
      for (const g of groups) {
        const src = bytes(8 * g * typesize, 1000 * typesize + g);
        const want = reference(src, typesize);
        for (const name of kernels!.available) {
          const dst = new Uint8Array(src.length).fill(0xa5);
          kernels!.run(src, dst, typesize, name);
          assert.deepEqual(dst, want, `${name}, ${8 * g} elements of ${typesize} bytes`);
        }
      }
    });
  }

  test("refuses a kernel the CPU lacks and lengths that are not whole groups of 8 elements", () => {
    const src = new Uint8Array(64);
    assert.throws(() => kernels!.run(src, new Uint8Array(64), 1, "neon"), /no bit unshuffle kernel neon on this CPU/);
    assert.throws(() => kernels!.run(src, new Uint8Array(64), 3, "portable"), /whole number of groups of 8 elements/);
    assert.throws(() => kernels!.use("neon"), /no bit unshuffle kernel neon/);
    assert.throws(() => kernels!.run(src, new Uint8Array(64), 1, "portable", new Uint8Array(63)), /work must be at least as long as src/);
  });

  test("a caller's scratch gives the same bytes as one the call allocates", () => {
    const src = bytes(8 * 40 * 4, 77);
    for (const name of kernels!.available) {
      const own = new Uint8Array(src.length);
      const given = new Uint8Array(src.length);
      kernels!.run(src, own, 4, name);
      kernels!.run(src, given, 4, name, new Uint8Array(src.length).fill(0x5a));
      assert.deepEqual(given, own, name);
      assert.deepEqual(own, reference(src, 4), name);
    }
  });
});

const cblosc = bloscEncoder();
describe("c-blosc's bit-shuffled frames decode with every kernel", { skip: skip || (!cblosc.ok && `no c-blosc: ${cblosc.reason}`) }, () => {
  after(() => kernels?.use(null));
  // Lengths in elements: whole blocks, a partial last block, counts not a multiple of 8 (c-blosc
  // leaves such a block's tail as it is), and one element.
  const lengths = [1, 7, 8, 1000, 4096, 65536 + 3, 3 * 65536 + 13];
  for (const typesize of [1, 2, 4, 8]) {
    test(`typesize ${typesize}, lz4 and zstd, blocks of 4 KiB and c-blosc's own size`, () => {
      if (!cblosc.ok) return;
      for (const n of lengths) {
        // Smooth data (compressible) with noise in the low bits, as measured arrays often are.
        const src = bytes(n * typesize, n + typesize);
        for (let i = 0; i < src.length; i++) if (i % typesize === typesize - 1) src[i] = (i >> 9) & 0xff;
        for (const cname of ["lz4", "zstd"]) {
          for (const blocksize of [4096, 0]) {
            const frame = cblosc.encoder.encode(src, { typesize, clevel: 5, shuffle: 2, cname, blocksize });
            for (const name of kernels!.available) {
              kernels!.use(name);
              const dst = new Uint8Array(src.length);
              assert.equal(decoders!.blosc(frame, dst, 2), src.length);
              assert.deepEqual(dst, src, `${name}: ${n} elements of ${typesize} bytes, ${cname}, blocksize ${blocksize}`);
            }
          }
        }
      }
    });
  }
});
