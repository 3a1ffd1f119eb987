/**
 * `layoutbench ab`: two trees measured alternately, block by block. The merge of block files is
 * pure and tested here on hand-built records; the command itself runs for real in ab.e2e.ts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { buildComparison } from "../harness/compare/model.ts";
import { thresholdPolicy } from "../harness/compare/thresholds.ts";
import { mergeBlocks } from "../harness/interleave/merge.ts";
import type { CaseResult, ResultsFile, Sample } from "../harness/run/results-types.ts";

const small = JSON.parse(readFileSync("test/fixtures/results-small.json", "utf8")) as ResultsFile;

/** A block's results file: `small`'s header and first two cases, with the given sample times. */
function block(times: readonly number[], change: (c: CaseResult, i: number) => Partial<CaseResult> = () => ({})): ResultsFile {
  const cases = small.cases.slice(0, 2).map((c, i) => {
    const samples: Sample[] = times.map((ms) => ({ ...c.samples[0], ms, round: 1 }));
    return { ...c, samples, warnings: [], ...change(c, i) };
  });
  return { ...small, cases };
}

const pairing = { id: "p1", side: "current", tree: "/t" };

describe("merging a side's blocks", () => {
  test("samples carry their block as the round; the summary is over every block; the file is finished when every planned block is in", () => {
    const merged = mergeBlocks([block([1, 2]), block([3, 4]), block([5, 6])], pairing, 3);
    assert.deepEqual(merged.pairing, { ...pairing, blocks: 3 });
    assert.notEqual(merged.finishedAt, null);
    assert.equal(merged.cases.length, 2);
    for (const c of merged.cases) {
      assert.deepEqual(
        c.samples.map((s) => s.round),
        [1, 1, 2, 2, 3, 3],
      );
      assert.deepEqual(
        c.samples.map((s) => s.ms),
        [1, 2, 3, 4, 5, 6],
      );
      assert.equal(c.summary!.samples, 6);
      assert.equal(c.summary!.medianMs, 3.5);
      assert.equal(c.summary!.bytesRequested, small.cases.find((s) => s.id === c.id)!.summary!.bytesRequested);
      assert.ok(!c.warnings.some((w) => w.code === "incomplete"));
    }
  });

  test("fewer blocks than planned: the file reads as unfinished and every case says how many blocks it has", () => {
    const merged = mergeBlocks([block([1, 2]), block([3, 4])], pairing, 5);
    assert.equal(merged.finishedAt, null);
    assert.equal(merged.pairing!.blocks, 2);
    for (const c of merged.cases) assert.match(c.warnings.find((w) => w.code === "incomplete")!.message, /^2 of 5 blocks taken/);
  });

  test("a read-path fallback in any block stays on the merged case, with its warning", () => {
    const fallback = "LZ4 in JavaScript (lz4-blosc.ts) instead of the addon's C decoder: turned off by LAYOUTBENCH_DISABLE_NATIVE=decoders";
    const fell = block([3, 4], (c) => ({
      readPath: { ...c.readPath!, fallbacks: [fallback] },
      warnings: [{ code: "read-path-fallback", message: `layoutbench read path fell back: ${fallback}` }],
    }));
    const merged = mergeBlocks([block([1, 2]), fell], pairing, 2);
    for (const c of merged.cases) {
      assert.deepEqual(c.readPath!.fallbacks, [fallback]);
      assert.deepEqual(
        c.warnings.filter((w) => w.code === "read-path-fallback").map((w) => w.message),
        [`layoutbench read path fell back: ${fallback}`],
      );
    }
  });

  test("a case failed in one block fails, naming the block; the other case is unaffected", () => {
    const failing = block([3, 4], (_, i) => (i === 0 ? { status: "failed", error: "boom", samples: [], summary: null } : {}));
    const merged = mergeBlocks([block([1, 2]), failing], pairing, 2);
    assert.equal(merged.cases[0].status, "failed");
    assert.equal(merged.cases[0].error, "block 2: boom");
    assert.equal(merged.cases[1].status, "ok");
    assert.equal(merged.cases[1].samples.length, 4);
  });

  test("warnings are recomputed over all samples, and a block's self-verified and encoder warnings are kept once", () => {
    const selfVerified = { code: "self-verified" as const, message: "second read" };
    const encoder = { code: "blosc-encoder-fallback" as const, message: "written by numcodecs.js" };
    const warnings = [selfVerified, encoder];
    const merged = mergeBlocks([block([1], () => ({ warnings })), block([2], () => ({ warnings }))], pairing, 2);
    const codes = merged.cases[0].warnings.map((w) => w.code);
    assert.equal(codes.filter((c) => c === "self-verified").length, 1);
    assert.deepEqual(
      merged.cases[0].warnings.filter((w) => w.code === "blosc-encoder-fallback"),
      [encoder],
    );
    // 2 samples: fewer than a reliable median needs, which no single block could say for the whole.
    assert.ok(codes.includes("few-samples"));
  });
});

describe("compare pairs the blocks of two runs of one alternation, and only those", () => {
  const side = (id: string, name: string, blocks = 3) =>
    mergeBlocks(
      Array.from({ length: blocks }, (_, k) => block([10 + k, 11 + k])),
      { id, side: name, tree: "/t" },
      blocks,
    );
  const paired = (a: ResultsFile, b: ResultsFile) =>
    buildComparison(a, b, { baselinePath: "a", currentPath: "b", thresholds: thresholdPolicy(0.1), resamples: 200 }).pairedBlocks;

  test("same alternation, two sides: paired over the blocks both finished", () => {
    assert.equal(paired(side("p", "baseline"), side("p", "current")), 3);
    assert.equal(paired(side("p", "baseline", 3), side("p", "current", 2)), 2);
  });

  test("different alternations, the same side twice, or a run measured alone: independent", () => {
    assert.equal(paired(side("p", "baseline"), side("q", "current")), null);
    assert.equal(paired(side("p", "current"), side("p", "current")), null);
    assert.equal(paired(small, side("p", "current")), null);
  });
});
