/**
 * End to end: int64 and uint64 datasets through the real CLI, every backend, both engines, reads
 * and writes, cold and warm. Every case must succeed with its data verified (the output buffers
 * reads land in are BigInt64Array/BigUint64Array, which take no Number values).
 */

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pythonAvailable } from "../harness/engines/python.ts";
import type { ResultsFile } from "../harness/run/results-types.ts";
import { cli } from "./support/cli.ts";

const SCENARIO = "test/fixtures/scenarios/runs/wide-ints.yaml";
const python = await pythonAvailable();
if (!python.ok) console.log(`# wide-ints: python engine cases not checked: ${python.reason}`);

test("int64 and uint64: every case of every backend succeeds, verified", { timeout: 240_000 }, (t) => {
  const dir = join(import.meta.dirname, "..", "datasets", "cache", "test-tmp", `wide-ints-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, "results.json");
  const engines = python.ok ? [] : ["--engines", "js"];
  const r = cli(["run", SCENARIO, ...engines, "--out", out, "--cache", join(dir, "cache"), "--no-report"], { timeoutMs: 230_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const results = JSON.parse(readFileSync(out, "utf8")) as ResultsFile;
  // 2 datasets × 3 layouts × (read: 2 caches × 2 engines + write: 2 caches, js only).
  assert.equal(results.cases.length, 2 * 3 * ((python.ok ? 4 : 2) + 2));
  for (const c of results.cases) {
    assert.equal(c.status, "ok", `${c.id}: ${c.error}`);
    assert.equal(c.samples.length, 2, c.id);
  }
  const dtypes = new Set(results.cases.map((c) => c.dataset.dtype));
  assert.deepEqual([...dtypes].sort(), ["int64", "uint64"]);
});
