import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { allocate, DTYPES, type Dtype, type TypedArray } from "../harness/core/dtype.ts";
import { hash32, Prng } from "../harness/core/hash.ts";
import { cStrides, fullSelection, type Selection, selectionShape } from "../harness/core/selection.ts";
import { fillRegion, GENERATOR_VERSION, generateRegion, verifyRegion } from "../harness/data/generate.ts";
import { generatorVerifier, KEEP_EXPECTED_BYTES } from "../harness/engines/verify.ts";
import type { DatasetSpec, GeneratorKind } from "../harness/scenario/types.ts";

const GENERATORS: GeneratorKind[] = ["random", "smooth", "sequence", "zeros"];
const SHAPES = [[37], [7, 9], [4, 5, 6], [3, 4, 2, 5]];

function dataset(dtype: Dtype, generator: GeneratorKind, shape: readonly number[], seed = 2024): DatasetSpec {
  return { name: "d", shape, dtype, generator, seed };
}

function list(a: TypedArray): (number | bigint)[] {
  return Array.from(a as ArrayLike<number | bigint>);
}

function bytes(a: TypedArray): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Reference: pick the selection's elements out of a whole-array generation, one index at a time. */
function naiveSlice(whole: TypedArray, shape: readonly number[], sel: Selection, dtype: Dtype): TypedArray {
  const counts = selectionShape(sel);
  const total = counts.reduce((a, b) => a * b, 1);
  const strides = cStrides(shape);
  const out = allocate(dtype, total);
  for (let k = 0; k < total; k++) {
    let rest = k;
    let linear = 0;
    for (let a = shape.length - 1; a >= 0; a--) {
      const c = rest % counts[a];
      rest = (rest - c) / counts[a];
      linear += (sel[a].start + c * sel[a].step) * strides[a];
    }
    (out as unknown as unknown[])[k] = whole[linear];
  }
  return out;
}

/** Random selections with steps 1..4, including ones that touch the array's edges. */
function someSelections(shape: readonly number[], rng: Prng, count: number): Selection[] {
  return Array.from({ length: count }, () =>
    shape.map((n) => {
      const start = rng.nextInt(n);
      const stop = start + 1 + rng.nextInt(n - start);
      return { start, stop, step: 1 + rng.nextInt(4) };
    }),
  );
}

/** Byte-wise MurmurHash3_x86_32, written from the reference C code, to check the specialized hash32. */
function murmur3Bytes(data: Uint8Array, seed: number): number {
  let h = seed | 0;
  const blocks = data.length >> 2;
  const mix = (k: number): number => Math.imul(rotl(Math.imul(k, 0xcc9e2d51), 15), 0x1b873593);
  const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));
  for (let i = 0; i < blocks; i++) {
    const k = data[4 * i] | (data[4 * i + 1] << 8) | (data[4 * i + 2] << 16) | (data[4 * i + 3] << 24);
    h = (Math.imul(rotl(h ^ mix(k), 13), 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const tail = blocks * 4;
  const rest = data.length & 3;
  if (rest >= 3) k ^= data[tail + 2] << 16;
  if (rest >= 2) k ^= data[tail + 1] << 8;
  if (rest >= 1) {
    k ^= data[tail];
    h ^= mix(k);
  }
  h ^= data.length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

describe("hash32", () => {
  test("the byte-wise reference matches published MurmurHash3_x86_32 vectors", () => {
    const text = (s: string) => new TextEncoder().encode(s);
    assert.equal(murmur3Bytes(text(""), 0), 0);
    assert.equal(murmur3Bytes(text(""), 1), 0x514e28b7);
    assert.equal(murmur3Bytes(text(""), 0xffffffff), 0x81f16f39);
    assert.equal(murmur3Bytes(new Uint8Array([0xff, 0xff, 0xff, 0xff]), 0), 0x76293b50);
    assert.equal(murmur3Bytes(new Uint8Array([0x21, 0x43, 0x65, 0x87]), 0x5082edee), 0x2362f9de);
    assert.equal(murmur3Bytes(text("Hello, world!"), 0x9747b28c), 0x24884cba);
    assert.equal(murmur3Bytes(text("The quick brown fox jumps over the lazy dog"), 0x9747b28c), 0x2fa826cd);
  });

  test("hash32(seed, a, b) is MurmurHash3_x86_32 of the two words little-endian", () => {
    const rng = new Prng(5);
    for (let i = 0; i < 200; i++) {
      const [seed, a, b] = [rng.nextUint32(), rng.nextUint32(), rng.nextUint32()];
      const data = new Uint8Array(8);
      new DataView(data.buffer).setUint32(0, a, true);
      new DataView(data.buffer).setUint32(4, b, true);
      assert.equal(hash32(seed, a, b), murmur3Bytes(data, seed));
    }
    assert.deepEqual([hash32(0, 0, 0), hash32(1, 2, 3), hash32(0x9747b28c, 0xdeadbeef, 0x12345678)], [1669671676, 2920678231, 2822118552]);
  });
});

describe("Prng", () => {
  test("is deterministic, and seed and stream both select the sequence (golden values)", () => {
    const draw = (p: Prng) => [p.nextUint32(), p.nextUint32(), p.nextUint32()];
    assert.deepEqual(draw(new Prng(1, "x")), draw(new Prng(1, "x")));
    const r = new Prng(1, "x");
    assert.deepEqual([r.nextUint32(), r.nextUint32(), r.nextFloat(), r.nextInt(1000)], [3423181323, 2864308360, 0.29235790564440955, 490]);
    assert.notDeepEqual(draw(new Prng(1, "x")), draw(new Prng(2, "x")));
    assert.notDeepEqual(draw(new Prng(1, "x")), draw(new Prng(1, "y")));
    assert.notDeepEqual(draw(new Prng(1)), draw(new Prng(1 + 2 ** 32)));
  });

  test("nextFloat is in [0, 1) and nextInt is in range and roughly uniform", () => {
    const r = new Prng(9);
    const hist = new Array<number>(10).fill(0);
    for (let i = 0; i < 20000; i++) {
      const f = r.nextFloat();
      assert.ok(f >= 0 && f < 1);
      hist[r.nextInt(10)]++;
    }
    for (const h of hist) assert.ok(h > 1800 && h < 2200, `bucket count ${h}`);
    const big = 3 * 2 ** 40 + 7;
    for (let i = 0; i < 1000; i++) {
      const v = r.nextInt(big);
      assert.ok(Number.isInteger(v) && v >= 0 && v < big);
    }
    assert.throws(() => r.nextInt(0), RangeError);
  });

  test("shuffle permutes and sampleDistinct returns distinct in-range values, even from a huge range", () => {
    const r = new Prng(3);
    assert.deepEqual(
      r.shuffle([...Array(50).keys()]).sort((a, b) => a - b),
      [...Array(50).keys()],
    );
    assert.deepEqual(
      r.sampleDistinct(20, 20).sort((a, b) => a - b),
      [...Array(20).keys()],
    );
    const sparse = r.sampleDistinct(2 ** 45, 1000);
    assert.equal(new Set(sparse).size, 1000);
    assert.ok(sparse.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 45));
    assert.throws(() => r.sampleDistinct(3, 4), RangeError);
  });
});

describe("generateRegion", () => {
  for (const dtype of DTYPES) {
    for (const generator of GENERATORS) {
      test(`${generator} ${dtype}: deterministic and independent of how the array is cut (rank 1-4, steps)`, () => {
        const rng = new Prng(11, `${generator}/${dtype}`);
        for (const shape of SHAPES) {
          const ds = dataset(dtype, generator, shape);
          const whole = generateRegion(ds, fullSelection(shape));
          assert.ok(bytes(whole).equals(bytes(generateRegion(ds, fullSelection(shape)))));
          for (const sel of someSelections(shape, rng, 12)) {
            const part = generateRegion(ds, sel);
            assert.ok(bytes(part).equals(bytes(naiveSlice(whole, shape, sel, dtype))), `selection ${JSON.stringify(sel)}`);
          }
        }
      });
    }
  }

  test("different seeds give different content", () => {
    for (const generator of ["random", "smooth"] as const) {
      const a = generateRegion(dataset("float32", generator, [8, 8], 1), fullSelection([8, 8]));
      const b = generateRegion(dataset("float32", generator, [8, 8], 2), fullSelection([8, 8]));
      assert.ok(!bytes(a).equals(bytes(b)), generator);
    }
  });

  test("value ranges per dtype", () => {
    const shape = [40, 50];
    const values = (dtype: Dtype, generator: GeneratorKind) => list(generateRegion(dataset(dtype, generator, shape), fullSelection(shape))).map(Number);
    const max: Record<string, number> = {
      int8: 127,
      int16: 32767,
      int32: 2 ** 31,
      int64: 2 ** 63,
      uint8: 255,
      uint16: 65535,
      uint32: 2 ** 32,
      uint64: 2 ** 64,
    };
    for (const dtype of DTYPES) {
      const r = values(dtype, "random");
      const s = values(dtype, "smooth");
      if (dtype.startsWith("float")) {
        assert.ok(
          r.every((v) => v >= 0 && v < 1),
          dtype,
        );
        assert.ok(Math.abs(r.reduce((a, b) => a + b) / r.length - 0.5) < 0.03, `${dtype} random mean`);
        assert.ok(
          s.every((v) => Math.abs(v) <= shape.length),
          `${dtype} smooth within ±rank`,
        );
        continue;
      }
      // Random integers use the dtype's full width: both ends of the range show up.
      const m = max[dtype];
      assert.ok(Math.max(...r) > 0.9 * m && Math.min(...r) < (dtype.startsWith("u") ? 0.1 * m : -0.9 * m), `${dtype} random spread`);
      if (dtype.startsWith("u"))
        assert.ok(
          s.every((v) => v >= 0.09 * m && v <= 0.91 * m),
          `${dtype} smooth non-negative, inside range`,
        );
      else
        assert.ok(
          s.every((v) => Math.abs(v) <= 0.41 * m),
          `${dtype} smooth inside range`,
        );
      assert.ok(new Set(s).size > 1, `${dtype} smooth not constant`);
    }
  });

  test("smooth is smooth: neighbours differ by little", () => {
    const f = generateRegion(dataset("float64", "smooth", [5000]), fullSelection([5000])) as Float64Array;
    for (let i = 1; i < f.length; i++) assert.ok(Math.abs(f[i] - f[i - 1]) <= (2 * Math.PI) / 64 + 1e-12);
  });

  test("sequence is the C-order index, wrapping like typed-array assignment; zeros is zero", () => {
    const sel: Selection = [
      { start: 1, stop: 3, step: 1 },
      { start: 126, stop: 260, step: 133 },
    ];
    const shape = [3, 300];
    const idx = [426, 559, 726, 859];
    assert.deepEqual(list(generateRegion(dataset("int8", "sequence", shape), sel)), Array.from(Int8Array.from(idx)));
    assert.deepEqual(list(generateRegion(dataset("uint16", "sequence", shape), sel)), idx);
    assert.deepEqual(list(generateRegion(dataset("int64", "sequence", shape), sel)), idx.map(BigInt));
    assert.deepEqual(list(generateRegion(dataset("float32", "sequence", shape), sel)), idx);
    assert.ok(generateRegion(dataset("float64", "zeros", shape), sel).every((v) => Object.is(v, 0)));
  });

  test("indices beyond 2^32 split into lo/hi correctly (sequence exact, random consistent across the boundary)", () => {
    const shape = [70000, 70000]; // 4.9e9 elements
    const row = 61356; // row 61356 spans linear index 2^32 = 4294967296
    const sel: Selection = [
      { start: row, stop: row + 2, step: 1 },
      { start: 0, stop: 70000, step: 3 },
    ];
    const seq = generateRegion(dataset("uint64", "sequence", shape), sel) as BigUint64Array;
    assert.equal(seq[0], BigInt(row * 70000));
    assert.equal(seq[seq.length - 1], BigInt((row + 1) * 70000 + 69999));
    assert.equal((generateRegion(dataset("int32", "sequence", shape), sel) as Int32Array)[1], (row * 70000 + 3) | 0);
    for (const dtype of ["uint32", "float64", "int64"] as const) {
      const ds = dataset(dtype, "random", shape);
      const got = generateRegion(ds, sel);
      for (let k = 0; k < got.length; k += 997) {
        const one = generateRegion(ds, [
          { start: row + Math.floor(k / 23334), stop: row + Math.floor(k / 23334) + 1, step: 1 },
          { start: (k % 23334) * 3, stop: (k % 23334) * 3 + 1, step: 1 },
        ]);
        assert.equal(one[0], got[k], `${dtype} element ${k}`);
      }
    }
    const far = generateRegion(dataset("uint32", "random", shape), [
      { start: 69999, stop: 70000, step: 1 },
      { start: 69997, stop: 70000, step: 1 },
    ]);
    assert.deepEqual(list(far), [645637564, 3670972833, 1274539174]);
  });

  // Changing these values changes every user's dataset content: it invalidates materialized caches and
  // baselines. Update them only together with GENERATOR_VERSION (part of the cache key).
  test("golden values (content is pinned)", () => {
    assert.equal(GENERATOR_VERSION, 1);
    const sel = fullSelection([2, 3]);
    const gen = (dtype: Dtype, generator: GeneratorKind) => list(generateRegion(dataset(dtype, generator, [2, 3]), sel));
    assert.deepEqual(gen("int32", "random"), [788918764, 1748798642, -1574003173, -1585181587, 347089655, 369370963]);
    assert.deepEqual(
      gen("float64", "random"),
      [0.18368446788449466, 0.4071739097191951, 0.6335238260941523, 0.630921149827204, 0.08081310929118113, 0.08600087721976313],
    );
    assert.deepEqual(
      gen("float32", "random"),
      [0.18368440866470337, 0.40717387199401855, 0.6335238218307495, 0.6309211254119873, 0.08081305027008057, 0.08600085973739624],
    );
    assert.deepEqual(gen("uint64", "random"), [
      17493893115885777388n,
      1169292731982056626n,
      10555674051595902491n,
      5108916717162335341n,
      17001958818469391095n,
      6390755854706288467n,
    ]);
    assert.deepEqual(
      gen("float32", "smooth"),
      [-1.4738849401474, -1.4923717975616455, -1.5019879341125488, -1.4632912874221802, -1.4817781448364258, -1.4913941621780396],
    );
    assert.deepEqual(gen("int16", "smooth"), [-9659, -9780, -9843, -9590, -9711, -9774]);
    assert.deepEqual(gen("int64", "smooth"), [
      -2718837919717632512n,
      -2752940121751534080n,
      -2770678634161169408n,
      -2699296021538483712n,
      -2733398223572385280n,
      -2751136735982020096n,
    ]);
  });

  test("fillRegion rejects selections that do not fit and outputs of the wrong size; 0-d arrays work", () => {
    const ds = dataset("int32", "sequence", [4, 4]);
    assert.throws(
      () =>
        generateRegion(ds, [
          { start: 0, stop: 5, step: 1 },
          { start: 0, stop: 4, step: 1 },
        ]),
      /does not fit array shape \[4, 4\]/,
    );
    assert.throws(() => generateRegion(ds, [{ start: 0, stop: 4, step: 1 }]), RangeError);
    assert.throws(() => fillRegion(ds, fullSelection([4, 4]), new Int32Array(15)), /output holds 15 elements/);
    assert.deepEqual(list(generateRegion(dataset("float32", "sequence", []), [])), [0]);
  });
});

describe("verifyRegion", () => {
  const shape = [6, 7, 5];
  const sel: Selection = [
    { start: 1, stop: 6, step: 2 },
    { start: 0, stop: 7, step: 3 },
    { start: 2, stop: 5, step: 1 },
  ];

  test("accepts the generator's own output for every dtype and generator", () => {
    for (const dtype of DTYPES)
      for (const generator of GENERATORS) {
        const ds = dataset(dtype, generator, shape);
        assert.equal(verifyRegion(ds, sel, generateRegion(ds, sel)), undefined);
      }
  });

  test("a single flipped byte is reported with its global index and both values", () => {
    const ds = dataset("int16", "sequence", shape);
    const data = generateRegion(ds, sel);
    new Uint8Array(data.buffer)[2 * 13 + 1] ^= 0x01; // element 13 → selection coords [1, 1, 1]
    assert.equal(verifyRegion(ds, sel, data), "int16: 1 of 27 elements differ in [1:6:2, 0:7:3, 2:5]; first at [3, 3, 3]: expected 123, got 379");
  });

  test("counts every differing element, and compares bytes so -0 differs from 0", () => {
    const ds = dataset("float64", "zeros", shape);
    const data = generateRegion(ds, sel) as Float64Array;
    data[26] = -0;
    data[4] = NaN;
    assert.equal(verifyRegion(ds, sel, data), "float64: 2 of 27 elements differ in [1:6:2, 0:7:3, 2:5]; first at [1, 3, 3]: expected 0, got NaN");
  });

  test("reports a wrong dtype or element count", () => {
    const ds = dataset("float32", "random", shape);
    assert.equal(verifyRegion(ds, sel, new Int32Array(27)), "float32: expected Float32Array data for dtype float32, got Int32Array");
    assert.equal(verifyRegion(ds, sel, new Float32Array(26)), "float32: expected 27 elements for selection [1:6:2, 0:7:3, 2:5], got 26");
  });
});

/** sha256 of the array's bytes, computed here rather than by the verifier's own helper. */
const sha256 = (a: TypedArray) =>
  createHash("sha256")
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest("hex");

describe("generatorVerifier: every check compares the read with the generator's values", () => {
  const dataset: DatasetSpec = { name: "d", shape: [600, 600], dtype: "float32", generator: "smooth", seed: 4 };
  const row = (i: number): Selection => [
    { start: i, stop: i + 1, step: 1 },
    { start: 0, stop: 600, step: 1 },
  ];

  for (const [what, selections] of [
    ["a small case (expected values kept between checks)", [row(3), row(7)]],
    ["a case over KEEP_EXPECTED_BYTES (checked by sha256 of the expected values)", [fullSelection(dataset.shape)]],
  ] as const) {
    test(what, async () => {
      const bytes = selections.reduce((sum, s) => sum + selectionShape(s).reduce((a, b) => a * b, 1) * 4, 0);
      assert.equal(bytes <= KEEP_EXPECTED_BYTES, selections.length === 2);
      const verifier = generatorVerifier(dataset, selections);
      for (const [i, sel] of selections.entries()) {
        const data = generateRegion(dataset, sel);
        assert.equal(await verifier.check(i, data), undefined);
        assert.equal(verifier.checkDigest(i, sha256(data)), undefined);
        // A later pass that read wrong data is caught as well: nothing is trusted from the first check.
        (data as Float32Array)[5] += 1;
        assert.match((await verifier.check(i, data)) ?? "", /1 of \d+ elements differ/);
        // The same bytes as another type, or one element short, are not the data either.
        assert.match((await verifier.check(i, new Int32Array(data.buffer, data.byteOffset, data.length))) ?? "", /expected Float32Array data/);
        assert.match((await verifier.check(i, data.subarray(1))) ?? "", /expected \d+ elements/);
        assert.match(verifier.checkDigest(i, sha256(data)) ?? "", /^sha256 .*expected/);
      }
    });
  }
});
