import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { expandPattern, patternProblem, requestedBytes } from "../harness/access/patterns.ts";
import { Prng } from "../harness/core/hash.ts";
import { elementCount, fitsShape, type Selection, selectionShape } from "../harness/core/selection.ts";
import type { PatternShape, PatternSpec } from "../harness/scenario/types.ts";

const SHAPES = [[1000], [64, 48], [12, 10, 8], [6, 5, 4, 7]];
const ITEM = 4;

function spec(shape: PatternShape, seed = 1, name = "p"): PatternSpec {
  return { ...shape, name, label: shape.kind, op: "read", flush: false, seed, weight: 1 };
}

function starts(sels: readonly Selection[]): number[][] {
  return sels.map((sel) => sel.map((s) => s.start));
}

function countOf(sel: Selection): number {
  return elementCount(selectionShape(sel));
}

/** One representative of each kind for an array of `shape` (sizes chosen to fit any of SHAPES). */
function patternsFor(shape: readonly number[]): PatternShape[] {
  const rank = shape.length;
  const half = shape.map((n) => Math.max(1, Math.floor(n / 2)));
  const third = shape.map((n) => Math.max(1, Math.floor(n / 3)));
  const fifth = shape.map((n) => Math.max(1, Math.floor(n / 5)));
  return [
    { kind: "full", bandBytes: 3 * (elementCount(shape) / shape[0]) * ITEM + 1 },
    { kind: "slices", axis: 0, width: 2, count: 9, order: "random" },
    { kind: "slices", axis: rank - 1, width: 3, count: 9, order: "sequential" },
    { kind: "tiles", shape: third, count: 10, order: "random", aligned: false },
    { kind: "tiles", shape: third, count: 10, order: "random", aligned: true },
    { kind: "tiles", shape: half, count: 10, order: "sequential", aligned: false },
    { kind: "points", count: 25 },
    { kind: "chunks", shape: fifth, count: 4 },
    { kind: "strided", step: shape.map((_, i) => i + 2) },
  ];
}

describe("expandPattern: every kind, 1-D to 4-D", () => {
  for (const shape of SHAPES) {
    for (const p of patternsFor(shape)) {
      const title = `${shape.length}-D ${p.kind}${"order" in p ? " " + p.order : ""}${"aligned" in p && p.aligned ? " aligned" : ""}`;
      test(title, () => {
        const sels = expandPattern(spec(p), shape, ITEM);
        assert.ok(
          sels.every((s) => fitsShape(s, shape) && countOf(s) > 0),
          "selections fit the array",
        );
        assert.deepEqual(expandPattern(spec(p), shape, ITEM), sels, "deterministic");
        assert.equal(requestedBytes(sels, ITEM), sels.reduce((a, s) => a + countOf(s), 0) * ITEM);
        if ("count" in p) assert.equal(sels.length, p.count);
        const randomPositions = p.kind === "points" || p.kind === "chunks" || ("order" in p && p.order === "random");
        if (randomPositions) {
          assert.notDeepEqual(starts(expandPattern(spec(p, 2), shape, ITEM)), starts(sels), "another seed moves the selections");
          assert.notDeepEqual(starts(expandPattern(spec(p, 1, "q"), shape, ITEM)), starts(sels), "another name moves the selections");
        }
        checkKind(p, shape, sels);
      });
    }
  }
});

function checkKind(p: PatternShape, shape: readonly number[], sels: Selection[]): void {
  const rank = shape.length;
  switch (p.kind) {
    case "full": {
      // Contiguous bands of 3 rows (the last may be thinner) that cover the array exactly once.
      assert.equal(requestedBytes(sels, ITEM), elementCount(shape) * ITEM);
      sels.forEach((s, k) => {
        assert.deepEqual(s[0], { start: 3 * k, stop: Math.min(3 * k + 3, shape[0]), step: 1 });
        assert.ok(countOf(s) * ITEM <= p.bandBytes);
      });
      break;
    }
    case "slices":
      for (const [k, s] of sels.entries()) {
        assert.equal(s[p.axis].stop - s[p.axis].start, p.width);
        s.forEach((sl, i) => {
          if (i !== p.axis) assert.deepEqual(sl, { start: 0, stop: shape[i], step: 1 });
        });
        if (p.order === "sequential") assert.equal(s[p.axis].start, (k % Math.floor(shape[p.axis] / p.width)) * p.width);
      }
      break;
    case "tiles":
      for (const s of sels) {
        assert.deepEqual(selectionShape(s), p.shape);
        if (p.aligned || p.order === "sequential") assert.ok(s.every((sl, i) => sl.start % p.shape[i] === 0));
      }
      break;
    case "points":
      assert.ok(sels.every((s) => countOf(s) === 1));
      assert.ok(new Set(sels.map((s) => JSON.stringify(s))).size > 1);
      break;
    case "chunks": {
      assert.equal(new Set(sels.map((s) => JSON.stringify(s))).size, sels.length, "distinct");
      for (const s of sels)
        s.forEach((sl, i) => {
          assert.equal(sl.start % p.shape[i], 0);
          assert.equal(sl.stop, Math.min(sl.start + p.shape[i], shape[i]));
        });
      break;
    }
    case "strided":
      assert.equal(sels.length, 1);
      assert.deepEqual(
        sels[0],
        shape.map((n, i) => ({ start: 0, stop: n, step: i + 2 })),
      );
      assert.equal(requestedBytes(sels, ITEM), shape.reduce((a, n, i) => a * Math.ceil(n / (i + 2)), 1) * ITEM);
      assert.equal(rank, sels[0].length);
      break;
  }
}

describe("expandPattern: specific behaviour", () => {
  test("full: a band is at least one row even when a row exceeds bandBytes", () => {
    const sels = expandPattern(spec({ kind: "full", bandBytes: 100 }), [5, 1000], 4);
    assert.deepEqual(
      sels.map((s) => [s[0].start, s[0].stop]),
      [
        [0, 1],
        [1, 2],
        [2, 3],
        [3, 4],
        [4, 5],
      ],
    );
  });

  test("slices: sequential bands go 0, width, 2·width… and wrap, skipping a partial last band", () => {
    const sels = expandPattern(spec({ kind: "slices", axis: 1, width: 3, count: 5, order: "sequential" }), [4, 10], 1);
    assert.deepEqual(
      sels.map((s) => s[1].start),
      [0, 3, 6, 0, 3],
    );
    assert.deepEqual(sels[2], [
      { start: 0, stop: 4, step: 1 },
      { start: 6, stop: 9, step: 1 },
    ]);
  });

  test("slices: random rows and columns reach every index, the first and the last included", () => {
    // 20 seeds × 5 draws over 5 rows or 7 columns: a start that can never be drawn (such as the
    // last index, from an off-by-one bound) is missing from the union; every possible one is there.
    for (const [axis, n] of [
      [0, 5],
      [1, 7],
    ]) {
      for (const width of [1, 2]) {
        const seen = new Set<number>();
        for (let seed = 1; seed <= 20; seed++) {
          const sels = expandPattern(spec({ kind: "slices", axis, width, count: 5, order: "random" }, seed), [5, 7], 1);
          for (const s of sels) {
            assert.equal(s[axis].stop - s[axis].start, width);
            seen.add(s[axis].start);
          }
        }
        assert.deepEqual(
          [...seen].sort((a, b) => a - b),
          Array.from({ length: n - width + 1 }, (_, i) => i),
          `axis ${axis}, width ${width}`,
        );
      }
    }
  });

  test("slices, tiles and points: random starts are the pattern's Prng draws over every start that fits, in order", () => {
    // The contract: Prng(seed, name), one nextInt(n - width + 1) per slice, one per axis per
    // unaligned tile, one nextInt(n) per axis per point (the Prng itself is pinned by golden values).
    const draws = (bounds: number[], count: number, seed: number, name: string) => {
      const rng = new Prng(seed, name);
      return Array.from({ length: count }, () => bounds.map((b) => rng.nextInt(b)));
    };
    const rows = expandPattern(spec({ kind: "slices", axis: 0, width: 2, count: 6, order: "random" }, 7, "r"), [5, 7], 1);
    assert.deepEqual(
      rows.map((s) => [s[0].start]),
      draws([4], 6, 7, "r"),
    );
    const tiles = expandPattern(spec({ kind: "tiles", shape: [2, 3], count: 6, order: "random", aligned: false }, 7, "t"), [5, 7], 1);
    assert.deepEqual(starts(tiles), draws([4, 5], 6, 7, "t"));
    const points = expandPattern(spec({ kind: "points", count: 6 }, 7, "p"), [5, 7], 1);
    assert.deepEqual(starts(points), draws([5, 7], 6, 7, "p"));
  });

  test("points reach every index of every axis", () => {
    const sels = expandPattern(spec({ kind: "points", count: 300 }), [5, 7], 1);
    for (const [axis, n] of [
      [0, 5],
      [1, 7],
    ]) {
      assert.deepEqual(
        [...new Set(sels.map((s) => s[axis].start))].sort((a, b) => a - b),
        Array.from({ length: n }, (_, i) => i),
      );
    }
  });

  test("tiles: sequential order is a raster (C order) over the grid of whole tiles, wrapping", () => {
    const sels = expandPattern(spec({ kind: "tiles", shape: [2, 3], count: 5, order: "sequential", aligned: false }), [5, 7], 1);
    assert.deepEqual(starts(sels), [
      [0, 0],
      [0, 3],
      [2, 0],
      [2, 3],
      [0, 0],
    ]);
  });

  test("tiles: a random tile may sit anywhere it fits, including the far edge", () => {
    const sels = expandPattern(spec({ kind: "tiles", shape: [3], count: 400, order: "random", aligned: false }), [10], 1);
    const seen = new Set(sels.map((s) => s[0].start));
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7],
    );
  });

  test("chunks: clipped at the edge, and a fresh permutation of the grid when count exceeds it", () => {
    const sels = expandPattern(spec({ kind: "chunks", shape: [4, 4], count: 14 }), [10, 8], 1);
    const cells = (list: Selection[]) => list.map((s) => `${s[0].start},${s[1].start}`).sort();
    const grid = ["0,0", "0,4", "4,0", "4,4", "8,0", "8,4"];
    assert.deepEqual(cells(sels.slice(0, 6)), grid);
    assert.deepEqual(cells(sels.slice(6, 12)), grid);
    assert.equal(new Set(cells(sels.slice(12))).size, 2);
    const edge = sels.find((s) => s[0].start === 8)!;
    assert.deepEqual(selectionShape(edge), [2, 4]);
    assert.equal(requestedBytes(sels, 2), sels.reduce((a, s) => a + countOf(s), 0) * 2);
  });

  test("chunks larger than the array are clipped to it", () => {
    const sels = expandPattern(spec({ kind: "chunks", shape: [64], count: 2 }), [10], 1);
    assert.deepEqual(sels, [[{ start: 0, stop: 10, step: 1 }], [{ start: 0, stop: 10, step: 1 }]]);
  });

  test("throws on an array shape that has no axis or a size that is not a whole number ≥ 1", () => {
    for (const shape of [[], [4, 0], [2.5]]) {
      assert.throws(() => expandPattern(spec({ kind: "points", count: 1 }), shape, 1), {
        name: "RangeError",
        message: `array shape [${shape.join(", ")}] must have at least one axis, each a whole number ≥ 1`,
      });
    }
  });

  test("chunks: a grid with more cells than a double counts exactly is refused", () => {
    assert.throws(() => expandPattern(spec({ kind: "chunks", shape: [1, 1], count: 1 }), [2 ** 30, 2 ** 30], 1), {
      name: "RangeError",
      message: "chunk grid [1073741824, 1073741824] has too many cells to sample",
    });
  });

  test("throws with the problem when the pattern does not apply", () => {
    assert.throws(() => expandPattern(spec({ kind: "slices", axis: 2, width: 1, count: 1, order: "random" }), [4, 4], 1), {
      name: "RangeError",
      message: "pattern p: axis: axis 2 does not exist in a 2-D array (allowed: 0..1)",
    });
  });
});

describe("requestedBytes", () => {
  test("sums selected elements times the item size, steps included", () => {
    const sels: Selection[] = [
      [
        { start: 0, stop: 10, step: 3 },
        { start: 2, stop: 4, step: 1 },
      ], // 4 × 2
      [
        { start: 5, stop: 5, step: 1 },
        { start: 0, stop: 4, step: 1 },
      ], // empty
      [
        { start: 1, stop: 2, step: 1 },
        { start: 0, stop: 7, step: 2 },
      ], // 1 × 4
    ];
    assert.equal(requestedBytes(sels, 8), 12 * 8);
    assert.equal(requestedBytes([], 8), 0);
  });
});

describe("patternProblem", () => {
  const cases: [string, PatternShape, number[], { field: string; message: string } | undefined][] = [
    ["valid tiles", { kind: "tiles", shape: [256, 256], count: 3, order: "random", aligned: false }, [256, 1024], undefined],
    [
      "tile too large",
      { kind: "tiles", shape: [512, 512], count: 3, order: "random", aligned: true },
      [256, 1024],
      { field: "shape", message: "tile shape [512, 512] does not fit array shape [256, 1024]: each tile size must be 1..256 on axis 0" },
    ],
    [
      "tile rank",
      { kind: "tiles", shape: [16], count: 3, order: "random", aligned: false },
      [256, 1024],
      { field: "shape", message: "expected 2 numbers for a 2-D array, got 1" },
    ],
    [
      "tile size zero",
      { kind: "tiles", shape: [0, 4], count: 3, order: "random", aligned: false },
      [256, 1024],
      { field: "shape", message: "tile shape [0, 4] is invalid: each tile size must be a whole number ≥ 1" },
    ],
    [
      "tile count",
      { kind: "tiles", shape: [4, 4], count: 0, order: "random", aligned: false },
      [256, 1024],
      { field: "count", message: "count must be a whole number ≥ 1, got 0" },
    ],
    [
      "missing axis",
      { kind: "slices", axis: 2, width: 1, count: 4, order: "random" },
      [256, 1024],
      { field: "axis", message: "axis 2 does not exist in a 2-D array (allowed: 0..1)" },
    ],
    [
      "negative axis",
      { kind: "slices", axis: -1, width: 1, count: 4, order: "random" },
      [256],
      { field: "axis", message: "axis -1 does not exist in a 1-D array (allowed: 0..0)" },
    ],
    [
      "wide slice",
      { kind: "slices", axis: 0, width: 300, count: 4, order: "random" },
      [256, 1024],
      { field: "width", message: "width 300 exceeds the 256 indices on axis 0" },
    ],
    [
      "zero width",
      { kind: "slices", axis: 1, width: 0, count: 4, order: "sequential" },
      [256, 1024],
      { field: "width", message: "width must be a whole number ≥ 1, got 0" },
    ],
    [
      "slice count",
      { kind: "slices", axis: 1, width: 1, count: 2.5, order: "sequential" },
      [256, 1024],
      { field: "count", message: "count must be a whole number ≥ 1, got 2.5" },
    ],
    ["band", { kind: "full", bandBytes: 0 }, [8], { field: "bandBytes", message: "bandBytes must be a positive number of bytes, got 0" }],
    ["points", { kind: "points", count: -3 }, [8], { field: "count", message: "count must be a whole number ≥ 1, got -3" }],
    ["chunk rank", { kind: "chunks", shape: [4, 4, 4], count: 1 }, [8, 8], { field: "shape", message: "expected 2 numbers for a 2-D array, got 3" }],
    [
      "chunk size",
      { kind: "chunks", shape: [4, -4], count: 1 },
      [8, 8],
      { field: "shape", message: "chunk shape [4, -4] is invalid: each chunk size must be a whole number ≥ 1" },
    ],
    ["big chunk is fine", { kind: "chunks", shape: [64, 64], count: 1 }, [8, 8], undefined],
    ["step rank", { kind: "strided", step: [2] }, [8, 8, 8], { field: "step", message: "expected 3 numbers for a 3-D array, got 1" }],
    ["step one axis", { kind: "strided", step: [3] }, [8, 8], { field: "step", message: "expected 2 numbers for a 2-D array, got 1" }],
    ["step zero", { kind: "strided", step: [2, 0] }, [8, 8], { field: "step", message: "step [2, 0] is invalid: each step must be a whole number ≥ 1" }],
    [
      "1-D wording",
      { kind: "tiles", shape: [2, 2], count: 1, order: "random", aligned: false },
      [8],
      { field: "shape", message: "expected 1 number for a 1-D array, got 2" },
    ],
    // Limits at their edges: a million selections are allowed, one more is not.
    ["width of the whole axis", { kind: "slices", axis: 1, width: 1024, count: 4, order: "random" }, [256, 1024], undefined],
    ["a million bands", { kind: "full", bandBytes: 2 }, [1_000_000, 2], undefined],
    [
      "a band too many",
      { kind: "full", bandBytes: 2 },
      [1_000_001, 2],
      { field: "bandBytes", message: "bandBytes 2 cuts this array into 1000001 bands; at most 1000000 are allowed: use larger bands" },
    ],
    // 5-byte bands hold 5 rows of 1 byte (400001 bands) or 2 rows of 2 bytes (ceil(2000003 / 2) bands).
    ["bands of several rows", { kind: "full", bandBytes: 5 }, [2_000_003, 1], undefined],
    [
      "bands of several rows, too many",
      { kind: "full", bandBytes: 5 },
      [2_000_003, 2],
      { field: "bandBytes", message: "bandBytes 5 cuts this array into 1000002 bands; at most 1000000 are allowed: use larger bands" },
    ],
    [
      "bands beyond 2^53",
      { kind: "full", bandBytes: 1 },
      [2 ** 60],
      {
        field: "bandBytes",
        message: "bandBytes 1 cuts this array into about 1.15e+18 bands; at most 1000000 are allowed: use larger bands",
      },
    ],
    ["a million points", { kind: "points", count: 1_000_000 }, [8], undefined],
    [
      "a point too many",
      { kind: "points", count: 1_000_001 },
      [8],
      { field: "count", message: "count 1000001 is more than the 1000000 selections a pattern may make" },
    ],
    [
      "unknown kind",
      { kind: "diagonal" } as unknown as PatternShape,
      [8],
      { field: "kind", message: 'unknown pattern kind "diagonal" (allowed: full, slices, tiles, points, chunks, strided)' },
    ],
  ];
  for (const [name, pattern, shape, expected] of cases) {
    test(name, () => assert.deepEqual(patternProblem(pattern, shape), expected));
  }
});
