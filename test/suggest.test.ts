/**
 * The chunk-shape advisor: exact chunk counts and bytes from first principles for given shapes,
 * the candidate set and its limits, the proposals for a time-series + map-tiles workload, and the
 * scenario it writes (validated by the loader).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { candidateChunks, gridCount, sidesFor } from "../harness/advise/candidates.ts";
import { adviceLines, suggestedScenario } from "../harness/advise/explain.ts";
import { chunkedCost, chunksTouched, contiguousCost } from "../harness/advise/predict.ts";
import { adviseChunks } from "../harness/advise/suggest.ts";
import { slice } from "../harness/core/selection.ts";
import { parseScenario } from "../harness/plan/load.ts";
import type { DatasetSpec, PatternSpec } from "../harness/scenario/types.ts";

const FIELD: DatasetSpec = { name: "field", shape: [8192, 8192], dtype: "float32", generator: "random", seed: 0 };
const row = (i: number) => [slice(i, i + 1), slice(0, 8192)];
const column = (j: number) => [slice(0, 8192), slice(j, j + 1)];

describe("predictions", () => {
  test("a row of 8192 float32: 1 chunk of 1×8192, 32 chunks of 256×256 holding 256× the bytes", () => {
    assert.equal(chunksTouched(row(5), [1, 8192]), 1);
    assert.equal(chunksTouched(row(5), [256, 256]), 32);
    assert.deepEqual(chunkedCost([row(5)], [1, 8192], 4), { selections: 1, units: 1, bytesRead: 32768, bytesRequested: 32768 });
    assert.deepEqual(chunkedCost([row(5)], [256, 256], 4), { selections: 1, units: 32, bytesRead: 32 * 262144, bytesRequested: 32768 });
  });

  test("an unaligned 256×256 tile touches 4 chunks of 256×256, an aligned one 1", () => {
    assert.equal(chunksTouched([slice(10, 266), slice(300, 556)], [256, 256]), 4);
    assert.equal(chunksTouched([slice(256, 512), slice(0, 256)], [256, 256]), 1);
    assert.equal(chunksTouched([slice(10, 266), slice(300, 556)], [1, 8192]), 256);
  });

  test("strided selections count only the chunks holding a selected index", () => {
    // Every 512th row of 8192: 16 rows, each in its own band of 256 rows × 32 columns of chunks.
    assert.equal(chunksTouched([slice(0, 8192, 512), slice(0, 8192)], [256, 256]), 16 * 32);
    assert.equal(chunksTouched([slice(0, 8192, 512), slice(0, 8192)], [1024, 8192]), 8);
  });

  test("a contiguous file: a row is 8 pages, a column one page per element", () => {
    assert.deepEqual(contiguousCost([row(3)], [8192, 8192], 4), { selections: 1, units: 8, bytesRead: 32768, bytesRequested: 32768 });
    assert.deepEqual(contiguousCost([column(3)], [8192, 8192], 4), { selections: 1, units: 8192, bytesRead: 8192 * 4096, bytesRequested: 32768 });
    // Two elements in one page count the page once.
    assert.equal(contiguousCost([[slice(0, 1), slice(0, 2)]], [8192, 8192], 4)!.units, 1);
  });
});

describe("candidates", () => {
  test("powers of two and the axis length, within 64 KiB–16 MiB and a million chunks", () => {
    assert.deepEqual(sidesFor(10, 2), [1, 2, 4, 8, 10]);
    assert.deepEqual(sidesFor(64, 3), [1, 4, 16, 64]);
    const c = candidateChunks([8192, 8192], 4);
    assert.equal(c.length, 81);
    for (const shape of c) {
      const bytes = shape[0] * shape[1] * 4;
      assert.ok(bytes >= 65536 && bytes <= 16 * 2 ** 20, shape.join("x"));
      assert.ok(gridCount([8192, 8192], shape) <= 1_000_000);
    }
    assert.ok(c.some((s) => s[0] === 256 && s[1] === 256));
    assert.ok(!c.some((s) => s[0] === 1 && s[1] === 8192), "1×8192 holds 32 KiB, under the smallest");
  });

  test("an array smaller than the smallest chunk is one chunk", () => {
    assert.deepEqual(candidateChunks([100, 100], 4), [[100, 100]]);
  });
});

const pattern = (p: Partial<PatternSpec> & Pick<PatternSpec, "kind" | "name">): PatternSpec =>
  ({ label: p.kind, op: "read", flush: false, seed: 0, weight: 1, ...p }) as PatternSpec;
const SERIES = pattern({ name: "series", kind: "slices", axis: -1, width: 1, count: 20, order: "random" });
const TILES = pattern({ name: "tiles", kind: "tiles", shape: [256, 256], count: 20, order: "random", aligned: false });

describe("proposals for time series and map tiles of an 8192×8192 float32 field", () => {
  const advice = adviseChunks(FIELD, [SERIES, TILES]);

  test("the best for each pattern and the best overall, costed exactly", () => {
    assert.deepEqual(
      advice.proposals.map((p) => [p.chunks.join("x"), p.because.join(", ")]),
      [
        ["1024x16", "best overall"],
        ["256x128", "best for tiles"],
        ["8192x2", "best for series"],
      ],
    );
    const series = advice.proposals[2].patterns[0];
    // A column of 8192 float32 in chunks of 8192×2: one chunk of 64 KiB for 32 KiB asked.
    assert.deepEqual([series.unitsPerSelection, series.bytesReadPerSelection, series.bytesRequestedPerSelection], [1, 65536, 32768]);
    // In chunks of 1024×16: 8 chunks of 64 KiB.
    assert.equal(advice.proposals[0].patterns[0].unitsPerSelection, 8);
    assert.equal(advice.proposals[0].patterns[0].bytesReadPerSelection, 8 * 65536);
    // The contiguous baseline: a column is one 4 KiB page per element.
    assert.equal(advice.contiguous?.patterns[0].unitsPerSelection, 8192);
    assert.equal(advice.contiguous?.patterns[0].amplification, 1024);
  });

  test("one line of reasoning per proposal, baseline and codec", () => {
    const lines = adviceLines(advice);
    assert.equal(lines.length, 1 + 3 + 1 + 2);
    assert.equal(
      lines[3],
      "  chunks 8192×2 (64 KiB each, 4096 chunks; best for series): per selection series 1 chunk, 64 KiB read for 32 KiB asked (2.00×); tiles 128.4 chunks, 8.03 MiB read for 256 KiB asked (32×); weighted 28.77× the bytes asked",
    );
  });

  test("the suggested scenario is valid and sweeps the proposals × codecs", () => {
    const text = suggestedScenario("field", "field.yaml", [advice], { patterns: [{ name: "series", kind: "columns", count: 20 }], cache: ["warm"] });
    const s = parseScenario(text, "suggested.yaml");
    assert.deepEqual(
      s.layouts.map((l) => l.name),
      [
        "zarr-1024x16-blosc-lz4",
        "zarr-1024x16-blosc-zstd",
        "zarr-256x128-blosc-lz4",
        "zarr-256x128-blosc-zstd",
        "zarr-8192x2-blosc-lz4",
        "zarr-8192x2-blosc-zstd",
        "contiguous",
      ],
    );
    // Blosc with byte shuffle, zarr-python's default: LZ4 or zstd alone barely shrink smooth float32.
    assert.deepEqual(
      [...new Set(s.layouts.filter((l) => l.backend === "zarr").map((l) => JSON.stringify(l.backend === "zarr" ? l.codec : null)))],
      [JSON.stringify({ name: "blosc", cname: "lz4", level: 5, shuffle: "byte" }), JSON.stringify({ name: "blosc", cname: "zstd", level: 5, shuffle: "byte" })],
    );
    assert.deepEqual(s.datasets[0].shape, [8192, 8192]);
    assert.deepEqual(s.cache, ["warm"]);
  });
});
