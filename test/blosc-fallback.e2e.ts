/**
 * End to end, through the real CLI: a machine without the system's c-blosc (LAYOUTBENCH_BLOSC_LIBRARY
 * naming a missing file). `validate` refuses Blosc shuffle of 2-byte elements in one line with the
 * remedy; `run` writes the Blosc layouts numcodecs.js writes correctly, every case succeeds verified,
 * and the results, the report's layout table and `datasets list` say which library wrote the chunks,
 * with a blosc-encoder-fallback warning on each such case. With c-blosc, the same scenario gets
 * entries of its own, written by c-blosc, without the warning.
 */

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { bloscEncoder } from "../harness/native/index.ts";
import type { ResultsFile } from "../harness/run/results-types.ts";
import { cli, hasStack } from "./support/cli.ts";

const SCENARIO = "test/fixtures/scenarios/runs/blosc-fallback.yaml";
const MISSING = "/nonexistent/libblosc.so.1";
const WITHOUT = { LAYOUTBENCH_BLOSC_LIBRARY: MISSING };
const NOT_LOADED = `cannot load ${MISSING}: ${MISSING}: cannot open shared object file: No such file or directory`;
const NUMCODECS = `numcodecs.js ${(JSON.parse(readFileSync(join(import.meta.dirname, "..", "node_modules", "numcodecs", "package.json"), "utf8")) as { version: string }).version}`;
const WARNING = {
  code: "blosc-encoder-fallback",
  message:
    `Blosc chunks written by ${NUMCODECS}, not the system's c-blosc 1 (${NOT_LOADED}): ` +
    "readable everywhere, but not the frames zarr-python writes; apt-get install libblosc1 (or point LAYOUTBENCH_BLOSC_LIBRARY at c-blosc 1), then run with --rematerialize",
};
const BLOSC_LAYOUTS = new Set(["blosc-byte", "blosc-none-v2"]);

const cblosc = bloscEncoder();
const noCBlosc = cblosc.ok ? false : `the system's c-blosc is not available here (${cblosc.reason}): apt-get install libblosc1`;
if (noCBlosc) console.log(`# ${noCBlosc}`);

function workDir(name: string): string {
  const dir = join(import.meta.dirname, "..", "datasets", "cache", "test-tmp", `blosc-${name}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

test("validate without c-blosc: int16 with byte shuffle is one line naming the remedy, exit 1", (t) => {
  const dir = workDir("validate");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "int16.yaml");
  writeFileSync(
    file,
    [
      "version: 1",
      "name: int16",
      "datasets: [{name: d, shape: [64, 64], dtype: int16}]",
      "layouts:",
      "  - {name: shuffled, backend: zarr, chunks: [32, 32], codec: {name: blosc, shuffle: byte}}",
      "  - {name: plain, backend: zarr, chunks: [32, 32], codec: {name: blosc, shuffle: none}}",
      "patterns: [{name: full, kind: full}]",
      "",
    ].join("\n"),
  );
  const r = cli(["validate", file], { env: WITHOUT });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(
    r.stderr,
    `${file}:5: layouts[0].codec.shuffle: byte shuffle of int16 data (2-byte elements) needs the system's c-blosc 1, ` +
      `which is unavailable (${NOT_LOADED}): numcodecs.js, used without it, shuffles 4-byte elements only; ` +
      "apt-get install libblosc1, or use shuffle: none or a 4-byte dtype (int32, uint32, float32)\n",
  );
  assert.ok(!hasStack(r.stderr + r.stdout));
});

test("run without c-blosc: Blosc layouts written by numcodecs.js, recorded and warned; with c-blosc, entries of their own", { timeout: 240_000 }, (t) => {
  const dir = workDir("run");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cache = join(dir, "cache");
  const out = join(dir, "without.json");
  const r = cli(["run", SCENARIO, "--out", out, "--cache", cache, "--no-report"], { env: WITHOUT, timeoutMs: 230_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const results = JSON.parse(readFileSync(out, "utf8")) as ResultsFile;
  assert.equal(results.cases.length, 3 * 2 * 2);
  for (const c of results.cases) {
    assert.equal(c.status, "ok", `${c.id}: ${c.error}`);
    const fallback = c.warnings.filter((w) => w.code === "blosc-encoder-fallback");
    if (BLOSC_LAYOUTS.has(c.layout.name)) {
      assert.equal(c.storage?.encoder, NUMCODECS, c.id);
      assert.deepEqual(fallback, [WARNING], c.id);
      assert.match(r.stdout, new RegExp(`\\] ${c.id}  median .*⚠ .*blosc-encoder-fallback`), c.id);
    } else {
      assert.equal(c.storage && "encoder" in c.storage, false, `${c.id}: no encoder recorded for a layout without Blosc`);
      assert.deepEqual(fallback, [], c.id);
    }
  }

  const report = cli(["report", out, "--format", "md", "--out", join(dir, "report")]);
  assert.equal(report.code, 0, report.stderr);
  const md = readFileSync(join(dir, "report", "report.md"), "utf8");
  assert.match(md, new RegExp(`^\\| blosc-byte \\| zarr v3, chunks 32×32, blosc lz4 5 \\(byte shuffle\\), written by ${NUMCODECS} \\|`, "m"));
  assert.match(md, new RegExp(`^\\| blosc-none-v2 \\| zarr v2, chunks 32×32, blosc zstd 3, written by ${NUMCODECS} \\|`, "m"));
  assert.match(md, /^\| zstd \| zarr v3, chunks 32×32, zstd 3 \|/m);

  const listed = cli(["datasets", "list", "--cache", cache]);
  assert.equal(listed.code, 0, listed.stderr);
  const lines = listed.stdout.trim().split("\n");
  assert.equal(lines.length, 3, listed.stdout);
  assert.equal(lines.filter((l) => l.endsWith(`  written by ${NUMCODECS}`)).length, 2, listed.stdout);

  if (noCBlosc) return t.skip(noCBlosc);
  const withOut = join(dir, "with.json");
  const again = cli(["run", SCENARIO, "--out", withOut, "--cache", cache, "--no-report"], { env: { LAYOUTBENCH_BLOSC_LIBRARY: "" }, timeoutMs: 230_000 });
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout + again.stderr, /materializing f32 as zstd: reusing /);
  assert.match(again.stdout + again.stderr, /materializing f32 as blosc-byte: written in /);
  for (const c of (JSON.parse(readFileSync(withOut, "utf8")) as ResultsFile).cases) {
    assert.equal(c.status, "ok", `${c.id}: ${c.error}`);
    if (BLOSC_LAYOUTS.has(c.layout.name)) assert.equal(c.storage?.encoder, `c-blosc ${cblosc.ok ? cblosc.encoder.version : ""}`, c.id);
    assert.deepEqual(
      c.warnings.filter((w) => w.code === "blosc-encoder-fallback"),
      [],
      c.id,
    );
  }
  // Both libraries' entries side by side: the zstd one, and each Blosc layout twice.
  assert.equal(cli(["datasets", "list", "--cache", cache]).stdout.trim().split("\n").length, 5);
});
