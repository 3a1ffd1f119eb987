/**
 * Sweeps: exact names and counts of the expansion, the naming rule for every kind of value,
 * duplicates, the cap, and YAML merge keys feeding a sweep.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { UserError } from "../harness/core/errors.ts";
import { parseScenario } from "../harness/plan/load.ts";
import { expandSweeps, MAX_SWEPT_ENTRIES, valueLabel } from "../harness/scenario/sweep.ts";

const names = (list: unknown) => (list as { name: string }[]).map((e) => e.name);

describe("expandSweeps", () => {
  test("the product of the swept values, first field slowest, with readable names", () => {
    const r = expandSweeps({
      layouts: [
        {
          sweep: {
            chunks: [
              [256, 256],
              [2048, 128],
            ],
            codec: ["lz4", "zstd"],
          },
          backend: "zarr",
          format: 3,
        },
        { name: "raw", backend: "memmap" },
      ],
    });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(names(r.data.layouts), ["zarr-256x256-lz4", "zarr-256x256-zstd", "zarr-2048x128-lz4", "zarr-2048x128-zstd", "raw"]);
    assert.deepEqual((r.data.layouts as object[])[1], { backend: "zarr", format: 3, chunks: [256, 256], codec: "zstd", name: "zarr-256x256-zstd" });
    assert.deepEqual(r.origin.layouts, [0, 0, 0, 0, 1]);
    assert.deepEqual(r.sweeps, [
      {
        list: "layouts",
        at: 0,
        fields: ["chunks", "codec"],
        members: [
          { name: "zarr-256x256-lz4", values: { chunks: "256x256", codec: "lz4" } },
          { name: "zarr-256x256-zstd", values: { chunks: "256x256", codec: "zstd" } },
          { name: "zarr-2048x128-lz4", values: { chunks: "2048x128", codec: "lz4" } },
          { name: "zarr-2048x128-zstd", values: { chunks: "2048x128", codec: "zstd" } },
        ],
      },
    ]);
  });

  test("a name template, a prefix, and patterns", () => {
    const r = expandSweeps({
      layouts: [{ sweep: { codec: ["lz4", { name: "zstd", level: 5 }] }, backend: "hdf5", chunks: [8, 8], name: "h5-{codec}-c" }],
      patterns: [
        {
          sweep: {
            shape: [
              [1, 8192],
              [256, 256],
            ],
            aligned: [true, false],
          },
          kind: "tiles",
          name: "t",
        },
      ],
    });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(names(r.data.layouts), ["h5-lz4-c", "h5-zstd_5-c"]);
    assert.deepEqual(names(r.data.patterns), ["t-1x8192-aligned", "t-1x8192-noaligned", "t-256x256-aligned", "t-256x256-noaligned"]);
  });

  test("a placeholder may name a key inside swept mappings ({codec.cname}); a key some value lacks is refused", () => {
    const blosc = (cname: string) => ({ name: "blosc", cname, level: 5, shuffle: "byte" });
    const r = expandSweeps({ layouts: [{ sweep: { codec: [blosc("lz4"), blosc("zstd")] }, backend: "zarr", name: "z-{codec.cname}-{codec.shuffle}" }] });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(names(r.data.layouts), ["z-lz4-byte", "z-zstd-byte"]);
    const bad = expandSweeps({ layouts: [{ sweep: { codec: [blosc("lz4"), "zstd"] }, backend: "zarr", name: "z-{codec.cname}" }] });
    assert.deepEqual(
      bad.problems.map((p) => [p.path, p.message]),
      [[["layouts", 0, "name"], '"{codec.cname}" names a key that not every swept value of codec has: every value must be a mapping with it']],
    );
  });

  test("value labels", () => {
    assert.equal(valueLabel("chunks", [1, 8192]), "1x8192");
    assert.equal(valueLabel("shuffle", false), "noshuffle");
    assert.equal(valueLabel("codec", null), "none");
    assert.equal(valueLabel("codec", { name: "blosc", cname: "lz4", clevel: 5 }), "blosc_lz4_5");
    assert.equal(valueLabel("advice", "random"), "random");
  });

  test("a list-valued field given flat numbers is refused, not guessed", () => {
    const r = expandSweeps({ layouts: [{ sweep: { chunks: [256, 256] }, backend: "zarr" }] });
    assert.equal(r.problems.length, 1);
    assert.deepEqual(r.problems[0].path, ["layouts", 0, "sweep", "chunks"]);
    assert.match(r.problems[0].message, /each value to try must be a list, as chunks takes a list/);
    assert.deepEqual(r.data.layouts, []);
  });

  test("the cap counts the product before expanding", () => {
    const eight = Array.from({ length: 8 }, (_, i) => [2 ** (i + 1), 4]);
    const ok = expandSweeps({ layouts: [{ sweep: { chunks: eight, format: [2, 3], codec: ["lz4", "zstd", "gzip", "none"] }, backend: "zarr" }] });
    assert.equal((ok.data.layouts as unknown[]).length, MAX_SWEPT_ENTRIES);
    assert.deepEqual(ok.problems, []);
    const over = expandSweeps({
      layouts: [{ sweep: { chunks: [...eight, [1, 1]], format: [2, 3], codec: ["lz4", "zstd", "gzip", "none"] }, backend: "zarr" }],
    });
    assert.deepEqual(
      over.problems.map((p) => p.message),
      ["expands to 72 layouts (9 × 2 × 4); at most 64 are allowed: sweep fewer values"],
    );
  });

  test("two sweeps making one name: reported once, the second left out", () => {
    const r = expandSweeps({
      layouts: [
        {
          sweep: {
            chunks: [
              [64, 64],
              [128, 128],
            ],
          },
          backend: "zarr",
        },
        {
          sweep: {
            chunks: [
              [128, 128],
              [256, 256],
            ],
          },
          backend: "zarr",
        },
      ],
    });
    assert.deepEqual(names(r.data.layouts), ["zarr-64x64", "zarr-128x128", "zarr-256x256"]);
    assert.deepEqual(r.problems, [
      { path: ["layouts", 1, "sweep"], message: 'makes the name "zarr-128x128", which the sweep at layouts[0] makes too: names must be unique' },
    ]);
  });
});

describe("scenario files with sweeps", () => {
  const file = (layouts: string) => `version: 1
name: s
x-base: &base
  backend: zarr
  codec: lz4
datasets:
  - {name: d, shape: [64, 64], dtype: float32}
layouts:
${layouts}
patterns:
  - {name: rows, kind: rows, count: 2}
`;

  test("merge keys (<<: *base) give a sweep its shared keys, and x- keys are not read", () => {
    const s = parseScenario(file("  - sweep: {chunks: [[8, 8], [64, 4]]}\n    <<: *base\n  - {<<: *base, name: big, chunks: [64, 64], codec: zstd}"), "s.yaml");
    assert.deepEqual(
      s.layouts.map((l) => [l.name, l.backend, (l as unknown as { chunks: number[] }).chunks.join("x"), JSON.stringify((l as { codec: unknown }).codec)]),
      [
        ["zarr-8x8", "zarr", "8x8", JSON.stringify((s.layouts[0] as { codec: unknown }).codec)],
        ["zarr-64x4", "zarr", "64x4", JSON.stringify((s.layouts[1] as { codec: unknown }).codec)],
        ["big", "zarr", "64x64", JSON.stringify((s.layouts[2] as { codec: unknown }).codec)],
      ],
    );
    assert.match(JSON.stringify((s.layouts[0] as { codec: unknown }).codec), /lz4/);
    assert.match(JSON.stringify((s.layouts[2] as { codec: unknown }).codec), /zstd/);
    assert.deepEqual(
      s.sweeps?.map((w) => w.members.map((m) => m.name)),
      [["zarr-8x8", "zarr-64x4"]],
    );
  });

  test("a scenario without sweeps has no sweeps field (its hash is unchanged)", () => {
    const s = parseScenario(file("  - {<<: *base, name: big, chunks: [64, 64]}"), "s.yaml");
    assert.equal(s.sweeps, undefined);
  });

  test("a problem in an expanded entry names the sweep entry's line and the expanded name", () => {
    try {
      parseScenario(file("  - sweep: {chunks: [[8, 8], [8, 8, 8]]}\n    <<: *base"), "s.yaml");
      assert.fail("expected an error");
    } catch (err) {
      assert.ok(err instanceof UserError);
      assert.equal(err.message, 's.yaml:9: layouts[0].chunks (swept as "zarr-8x8x8"): expected 2 numbers for a 2-D array, got 3');
    }
  });
});
