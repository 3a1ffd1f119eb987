/**
 * Scenario files: every valid fixture loads; every invalid fixture fails with exactly the lines in
 * its .expected file (file, line, field, what was found, what is allowed). Also defaults, the
 * hash, case expansion and filters, and that scenarios/schema.json is current.
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import { UserError } from "../harness/core/errors.ts";
import { PROJECT_ROOT } from "../harness/core/paths.ts";
import { loadScenario, parseScenario } from "../harness/plan/load.ts";
import { caseFilter, expandCases } from "../harness/scenario/expand.ts";
import { SCHEMA_PATH, schemaText } from "../harness/scenario/export-schema.ts";

const FIXTURES = join(import.meta.dirname, "fixtures", "scenarios");
const rel = (p: string) => relative(PROJECT_ROOT, p);

function errorLines(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
    return [...err.lines];
  }
  assert.fail("expected an error");
}

describe("valid scenario fixtures load", () => {
  for (const name of readdirSync(join(FIXTURES, "valid")).filter((f) => f.endsWith(".yaml"))) {
    test(name, () => {
      const scenario = loadScenario(rel(join(FIXTURES, "valid", name)));
      assert.ok(expandCases(scenario).length > 0);
    });
  }
  for (const name of readdirSync(join(PROJECT_ROOT, "scenarios")).filter((f) => f.endsWith(".yaml"))) {
    test(`scenarios/${name}`, () => {
      assert.ok(loadScenario(join("scenarios", name)).layouts.length > 0);
    });
  }
});

describe("invalid scenario fixtures fail with the expected lines", () => {
  for (const name of readdirSync(join(FIXTURES, "invalid")).filter((f) => f.endsWith(".yaml"))) {
    test(name, () => {
      const file = rel(join(FIXTURES, "invalid", name));
      const expected = readFileSync(join(FIXTURES, "invalid", name.replace(/\.yaml$/, ".expected")), "utf8")
        .trimEnd()
        .split("\n");
      assert.deepEqual(
        errorLines(() => loadScenario(file)),
        expected,
      );
    });
  }
});

describe("resolution", () => {
  const minimal = () => loadScenario(rel(join(FIXTURES, "valid", "minimal.yaml")));

  test("fills every default", () => {
    const s = minimal();
    assert.deepEqual(s.datasets[0], { name: "a", shape: [100], dtype: "int16", generator: "random", seed: 0 });
    assert.deepEqual(s.layouts[0], { name: "npy", backend: "memmap", advice: "normal", order: "C" });
    assert.deepEqual(s.cache, ["cold", "warm"]);
    assert.deepEqual(s.sampling, { samples: 10, minSamples: 3, timeBudget: 60, warmup: 1, rounds: 3, minSampleMs: 10, freshProcess: false });
    assert.deepEqual(s.recommendation, { cache: ["cold", "warm"], engine: "layoutbench" });
    assert.deepEqual(s.engines, ["layoutbench"]);
    assert.equal(s.patterns[0].kind, "full");
  });

  test("the hash ignores key order and description, not content", () => {
    const base =
      "version: 1\nname: h\ndatasets: [{name: a, shape: [4], dtype: int8}]\nlayouts: [{name: m, backend: memmap}]\npatterns: [{name: f, kind: full}]\n";
    const reordered =
      "name: h\nversion: 1\ndescription: words\npatterns: [{kind: full, name: f}]\nlayouts: [{backend: memmap, name: m}]\ndatasets: [{dtype: int8, shape: [4], name: a}]\n";
    const changed = base.replace("shape: [4]", "shape: [5]");
    assert.equal(parseScenario(base, "a.yaml").hash, parseScenario(reordered, "b.yaml").hash);
    assert.notEqual(parseScenario(base, "a.yaml").hash, parseScenario(changed, "a.yaml").hash);
  });

  test("engines: js is an alias of layoutbench, and the rename keeps every hash", () => {
    const base =
      "version: 1\nname: h\ndatasets: [{name: a, shape: [4], dtype: int8}]\nlayouts: [{name: m, backend: memmap}]\npatterns: [{name: f, kind: full}]\n";
    const plain = parseScenario(base, "a.yaml");
    const js = parseScenario(base + "engines: [js]\n", "a.yaml");
    const named = parseScenario(base + "engines: [layoutbench]\nrecommendation: {engine: layoutbench}\n", "a.yaml");
    assert.deepEqual(js.engines, ["layoutbench"]);
    assert.equal(js.hash, plain.hash);
    assert.equal(named.hash, plain.hash);
    // The CI baseline's scenarios were hashed before the rename: they must stay comparable.
    const baseline = JSON.parse(readFileSync(join(PROJECT_ROOT, "reports", "baselines", "ci.json"), "utf8")) as { scenarios: { file: string; hash: string }[] };
    for (const s of baseline.scenarios) assert.equal(loadScenario(s.file).hash, s.hash, s.file);
  });

  test("recommendation.engine: the default is layoutbench when it reads, else the first engine; python alone ranks python", () => {
    const base =
      "version: 1\nname: h\ndatasets: [{name: a, shape: [4], dtype: int8}]\nlayouts: [{name: m, backend: memmap}]\npatterns: [{name: f, kind: full}]\n";
    assert.equal(parseScenario(base + "engines: [python]\n", "a.yaml").recommendation.engine, "python");
    assert.equal(parseScenario(base + "engines: [python, js]\n", "a.yaml").recommendation.engine, "layoutbench");
    const asked = parseScenario(base + "engines: [layoutbench, python]\nrecommendation: {engine: python}\n", "a.yaml");
    assert.equal(asked.recommendation.engine, "python");
    assert.notEqual(asked.hash, parseScenario(base + "engines: [layoutbench, python]\n", "a.yaml").hash);
    assert.deepEqual(
      errorLines(() => parseScenario(base + "recommendation: {engine: zarrita}\n", "a.yaml")),
      ['a.yaml:6: recommendation.engine: "zarrita" does not read in this scenario (engines: layoutbench): add it to engines or choose one of those'],
    );
  });

  test("columns resolve to the last axis of each dataset", () => {
    const s = loadScenario(rel(join(FIXTURES, "valid", "everything.yaml")));
    const columns = expandCases(s).filter((c) => c.pattern.name === "columns");
    assert.deepEqual(new Set(columns.map((c) => (c.pattern as { axis: number }).axis)), new Set([2, 1]));
  });

  test("cases form the full matrix, and filters select by id", () => {
    const s = loadScenario(rel(join(FIXTURES, "valid", "everything.yaml")));
    const cases = expandCases(s);
    assert.equal(cases.length, 2 * 2 * 6 * 1);
    assert.equal(new Set(cases.map((c) => c.id)).size, cases.length);
    assert.equal(cases.filter((c) => caseFilter("plane rows")(c.id)).length, 2);
    assert.equal(cases.filter((c) => caseFilter("/\\/f\\/(rows|columns)\\//")(c.id)).length, 4);
  });
});

describe("limits", () => {
  test("an alias bomb is refused", () => {
    // Each level repeats the previous one ten times: 10^12 nodes if expanded.
    const levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i <= 12; i++)
      levels.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(", ")}]`,
      );
    const lines = errorLines(() => parseScenario(["version: 1", ...levels].join("\n"), "bomb.yaml"));
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^bomb\.yaml: YAML error: .*alias/i);
  });

  const sized = (shape: number[], dtype: string, layout: string) =>
    [
      "version: 1",
      "name: sized",
      `datasets: [{name: a, shape: [${shape.join(", ")}], dtype: ${dtype}}]`,
      `layouts: [${layout}]`,
      "patterns: [{name: p, kind: points}]",
    ].join("\n");

  test("a generated dataset holds at most 64 TiB: exactly that is accepted, one element more is not", () => {
    // 2^23 × 2^20 float64 = 2^46 bytes = 64 TiB.
    const npy = "{name: npy, backend: memmap}";
    assert.equal(parseScenario(sized([2 ** 23, 2 ** 20], "float64", npy), "s.yaml").datasets[0].shape[0], 2 ** 23);
    const lines = errorLines(() => parseScenario(sized([2 ** 23 + 1, 2 ** 20], "float64", npy), "s.yaml"));
    assert.deepEqual(lines, [
      `s.yaml:3: datasets[0].shape: [8388609, 1048576] float64 holds ${(2 ** 23 + 1) * 2 ** 23} bytes (64.0 TiB), ` +
        "more than the 70368744177664 bytes (64 TiB) a generated dataset may hold: every layout writes it out in full in the dataset cache; use a smaller shape",
    ]);
  });

  test("a layout has at most 10 million chunks: Zarr chunk files, shard files, HDF5 chunks", () => {
    // 10^7 chunks of one element each: accepted; one more row of them: refused.
    const ok = [10_000, 1_000];
    const over = [10_001, 1_000];
    for (const layout of [
      "{name: z, backend: zarr, chunks: [1, 1]}",
      "{name: z, backend: zarr, chunks: [1, 1], shards: [1, 1]}",
      "{name: h, backend: hdf5, chunks: [1, 1]}",
    ]) {
      assert.doesNotThrow(() => parseScenario(sized(ok, "uint8", layout), "s.yaml"), layout);
      const lines = errorLines(() => parseScenario(sized(over, "uint8", layout), "s.yaml"));
      assert.equal(lines.length, 1, layout);
      assert.match(
        lines[0],
        /^s\.yaml:4: layouts\[0\]\.(chunks|shards): (chunks|shards) \[1, 1\] make 10001000 (chunk files|shard files|chunks) of shape \[10001, 1000\], more than the 10000000 a layout may have/,
        layout,
      );
    }
  });

  test("custom tags are not executed or resolved", () => {
    const lines = errorLines(() => parseScenario("version: 1\nname: !!js/function 'x'\n", "tag.yaml"));
    assert.ok(lines.length >= 1);
    assert.ok(lines.every((l) => l.startsWith("tag.yaml")));
  });
});

test("scenarios/schema.json is generated from the schema in code (npm run schema)", () => {
  assert.equal(readFileSync(SCHEMA_PATH, "utf8"), schemaText());
});

describe("openPerAccess", () => {
  const base = ["version: 1", "name: o", "datasets: [{name: d, shape: [8, 8], dtype: float32, generator: smooth}]", "layouts: [{name: npy, backend: memmap}]"];
  test("a read pattern keeps it; scenarios without it keep their hash", () => {
    const on = parseScenario([...base, "patterns: [{name: r, kind: rows, openPerAccess: true}]"].join("\n"), "o.yaml");
    const off = parseScenario([...base, "patterns: [{name: r, kind: rows}]"].join("\n"), "o.yaml");
    assert.equal(on.patterns[0].openPerAccess, true);
    assert.equal("openPerAccess" in off.patterns[0], false);
    assert.notEqual(on.hash, off.hash);
  });

  test("a write pattern with it is refused in one line", () => {
    const lines = errorLines(() => parseScenario([...base, "patterns: [{name: w, kind: rows, op: write, openPerAccess: true}]"].join("\n"), "o.yaml"));
    assert.deepEqual(lines, ["o.yaml:5: patterns[0].openPerAccess: applies to read patterns only: a write pattern opens its layout once per sample"]);
  });
});
