/**
 * End to end: the quick-start scenario through the real CLI, on real files, with real eviction.
 * Cold samples must have read from storage with the layout's files evicted beforehand; warm
 * samples must have read nothing from storage; every case verified its data.
 */

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { expandPattern, requestedBytes } from "../harness/access/patterns.ts";
import type { Selection } from "../harness/core/selection.ts";
import type { ResultsFile } from "../harness/run/results-types.ts";
import { RESIDENCY_LIMIT } from "../harness/run/summary.ts";
import { cli } from "./support/cli.ts";

const PAGE = 4096;
/** The .npy header NumPy writes for this dtype and shape: data starts at byte 128. */
const NPY_DATA_OFFSET = 128;

/** Distinct pages of a C-order float32 .npy file that `sels` touch (each run of a row is contiguous). */
function pagesTouched(sels: readonly Selection[], shape: readonly number[]): number {
  const pages = new Set<number>();
  for (const [rows, cols] of sels) {
    for (let r = rows.start; r < rows.stop; r += rows.step) {
      const first = NPY_DATA_OFFSET + (r * shape[1] + cols.start) * 4;
      const last = NPY_DATA_OFFSET + (r * shape[1] + cols.stop) * 4 - 1;
      for (let p = Math.floor(first / PAGE); p <= Math.floor(last / PAGE); p++) pages.add(p);
    }
  }
  return pages.size;
}

const WORK = join(import.meta.dirname, "..", "datasets", "cache", "test-tmp", `e2e-${process.pid}`);

test("quickstart: cold reads hit storage with ~0 residency, warm reads none", { timeout: 240_000 }, (t) => {
  mkdirSync(WORK, { recursive: true });
  t.after(() => rmSync(WORK, { recursive: true, force: true }));
  const out = join(WORK, "results.json");
  const r = cli(["run", "scenarios/quickstart.yaml", "--samples", "3", "--out", out, "--cache", join(WORK, "cache"), "--no-report"], { timeoutMs: 230_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const results = JSON.parse(readFileSync(out, "utf8")) as ResultsFile;

  assert.equal(results.context.eviction.verified, true, results.context.eviction.detail);
  assert.equal(results.cases.length, 4 * 5 * 2);
  for (const c of results.cases) {
    assert.equal(c.status, "ok", `${c.id}: ${c.error}`);
    assert.equal(c.samples.length, 3, c.id);
    if (c.cache === "cold") {
      for (const s of c.samples) {
        assert.ok(s.bytesRead > 0, `${c.id}: a cold sample read nothing from storage`);
        assert.ok(s.residency !== null && s.residency <= RESIDENCY_LIMIT, `${c.id}: residency ${s.residency} before a cold sample`);
      }
    } else {
      for (const s of c.samples) assert.equal(s.bytesRead, 0, `${c.id}: a warm sample read from storage`);
    }
    assert.ok(c.storage && c.storage.bytesOnDisk > 0, c.id);
  }
  const summary = (layout: string, pattern: string, cache: string) =>
    results.cases.find((c) => c.layout.name === layout && c.pattern.name === pattern && c.cache === cache)!.summary!;
  // The article's claim: a cold column of a C-order array reads a page per element. With
  // MADV_RANDOM the kernel reads exactly the pages the selections touch, once per cold pass.
  const column = summary("npy-random", "columns", "cold");
  const row = summary("npy-random", "rows", "cold");
  for (const [name, s] of [
    ["columns", column],
    ["rows", row],
  ] as const) {
    const c = results.cases.find((c) => c.layout.name === "npy-random" && c.pattern.name === name && c.cache === "cold")!;
    const sels = expandPattern(c.pattern, c.dataset.shape, 4);
    assert.equal(s.bytesRequested, requestedBytes(sels, 4), name);
    assert.equal(s.bytesRead, PAGE * pagesTouched(sels, c.dataset.shape), name);
    assert.equal(s.readAmplification, s.bytesRead / s.bytesRequested, name);
  }
  // Four distinct columns 4 bytes wide: 2048 pages each unless two share a page in every row.
  assert.ok(column.readAmplification >= 512, `cold column amplification ${column.readAmplification}`);
  // A chunked layout reads a column as the column of chunks holding it, not the whole file.
  const zarrColumn = summary("zarr-256", "columns", "cold");
  assert.ok(zarrColumn.bytesRead < column.bytesRead / 2, `zarr column read ${zarrColumn.bytesRead} B, npy ${column.bytesRead} B`);
  assert.match(r.stdout, /results: .*results\.json/);
});
