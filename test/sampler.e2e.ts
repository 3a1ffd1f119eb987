/**
 * A run through the real CLI samples its cases in rounds (the loop itself: sampler.test.ts).
 */

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import type { ResultsFile } from "../harness/run/results-types.ts";
import { type CliResult, cli } from "./support/cli.ts";

const ROOT = join(import.meta.dirname, "..");

/** Runs a scenario of these YAML lines through the real CLI in a fresh folder; the folder goes when the test ends. */
function runScenario(t: TestContext, name: string, lines: readonly string[]): { r: CliResult; results: ResultsFile } {
  const dir = join(ROOT, "datasets", "cache", "test-tmp", `${name}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const scenario = join(dir, `${name}.yaml`);
  writeFileSync(scenario, ["version: 1", `name: ${name}`, ...lines].join("\n"));
  const out = join(dir, "r.json");
  const r = cli(["run", scenario, "--out", out, "--cache", join(dir, "cache"), "--no-report"]);
  assert.equal(r.code, 0, r.stderr);
  return { r, results: JSON.parse(readFileSync(out, "utf8")) as ResultsFile };
}

describe("a run samples its cases in rounds", () => {
  test("round 1 of every case comes before round 2 of any; each sample records its round", { timeout: 60_000 }, (t) => {
    const { r, results } = runScenario(t, "rounds", [
      "datasets: [{name: d, shape: [256, 256], dtype: int32}]",
      "layouts: [{name: npy, backend: memmap}]",
      "patterns: [{name: rows, kind: rows, count: 2}, {name: full, kind: full}]",
      "cache: [cold, warm]",
      "sampling: {samples: 5, minSamples: 5, rounds: 2, minSampleMs: 2}",
    ]);
    const lines = r.stdout.split("\n");
    const second = lines.indexOf("round 2 of 2");
    assert.ok(lines.indexOf("round 1 of 2") >= 0 && second > lines.indexOf("round 1 of 2"), r.stdout);
    // A case is reported when its last round is done: all four after round 2 began.
    const reported = lines.map((l, i) => (/^\[\d\/4\]/.test(l) ? i : -1)).filter((i) => i >= 0);
    assert.equal(reported.length, 4);
    assert.ok(reported.every((i) => i > second));
    for (const c of results.cases) {
      assert.equal(c.status, "ok", c.error);
      assert.deepEqual(
        c.samples.map((s) => s.round),
        [1, 1, 1, 2, 2],
      );
      assert.ok(!c.warnings.some((w) => w.code === "incomplete"));
      const passes = new Set(c.samples.map((s) => s.passes));
      assert.equal(passes.size, 1, "every sample of a case repeats its pass as often");
      if (c.cache === "cold") assert.deepEqual([...passes], [1]);
    }
  });

  test("freshProcess: every round is taken by a new process, and the results are the same kind", { timeout: 90_000 }, (t) => {
    const { r, results } = runScenario(t, "fresh", [
      "datasets: [{name: d, shape: [256, 256], dtype: int32}]",
      "layouts: [{name: npy, backend: memmap}, {name: z, backend: zarr, chunks: [64, 64]}]",
      "patterns: [{name: rows, kind: rows, count: 2}]",
      "cache: [cold, warm]",
      "sampling: {samples: 6, minSamples: 6, rounds: 3, minSampleMs: 1, freshProcess: true}",
    ]);
    assert.match(r.stdout, /^round 3 of 3 \(fresh process\)$/m);
    assert.equal(results.cases.length, 4);
    const pidOfRound = new Map<number, number>();
    for (const c of results.cases) {
      assert.equal(c.status, "ok", c.error);
      assert.deepEqual(
        c.samples.map((s) => s.round),
        [1, 1, 2, 2, 3, 3],
      );
      for (const s of c.samples) {
        assert.ok(typeof s.pid === "number" && s.pid !== process.pid);
        // One process per round, shared by every case of that round.
        assert.equal(pidOfRound.get(s.round!) ?? s.pid, s.pid);
        pidOfRound.set(s.round!, s.pid!);
      }
      assert.ok(c.summary && c.summary.medianMs > 0);
      // The record's basis comes back from the workers: 2 rows of 256 int32, and the layout's files.
      assert.equal(c.summary.bytesRequested, 2 * 256 * 4);
      assert.ok(c.storage && c.storage.bytesOnDisk >= 256 * 256 * 4 * (c.layout.backend === "memmap" ? 1 : 0.01));
    }
    assert.equal(new Set(pidOfRound.values()).size, 3);
  });
});
