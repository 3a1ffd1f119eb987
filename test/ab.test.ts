/**
 * `layoutbench ab`: two trees measured alternately, block by block. The merge of block files is
 * pure and tested on hand-built records; the command runs for real (this tree against itself, on
 * a tiny scenario), is interrupted for real, and is given bad input through the real CLI.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { buildComparison } from "../harness/compare/model.ts";
import { thresholdPolicy } from "../harness/compare/thresholds.ts";
import { mergeBlocks } from "../harness/interleave/merge.ts";
import type { CaseResult, ResultsFile, Sample } from "../harness/run/results-types.ts";
import { BIN, cli, cliAsync, hasStack } from "./support/cli.ts";

const TMP = mkdtempSync(join(tmpdir(), "layoutbench-ab-test-"));
after(() => rmSync(TMP, { recursive: true, force: true }));
const SCENARIO = "test/fixtures/scenarios/runs/ab.yaml";
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
      assert.deepEqual(c.samples.map((s) => s.round), [1, 1, 2, 2, 3, 3]);
      assert.deepEqual(c.samples.map((s) => s.ms), [1, 2, 3, 4, 5, 6]);
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
      assert.deepEqual(c.warnings.filter((w) => w.code === "read-path-fallback").map((w) => w.message), [`layoutbench read path fell back: ${fallback}`]);
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

  test("warnings are recomputed over all samples, and a block's self-verified warning is kept once", () => {
    const selfVerified = { code: "self-verified" as const, message: "second read" };
    const merged = mergeBlocks([block([1], () => ({ warnings: [selfVerified] })), block([2], () => ({ warnings: [selfVerified] }))], pairing, 2);
    const codes = merged.cases[0].warnings.map((w) => w.code);
    assert.equal(codes.filter((c) => c === "self-verified").length, 1);
    // 2 samples: fewer than a reliable median needs, which no single block could say for the whole.
    assert.ok(codes.includes("few-samples"));
  });
});

describe("compare pairs the blocks of two runs of one alternation, and only those", () => {
  const side = (id: string, name: string, blocks = 3) =>
    mergeBlocks(Array.from({ length: blocks }, (_, k) => block([10 + k, 11 + k])), { id, side: name, tree: "/t" }, blocks);
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

function abArgs(out: string, extra: readonly string[] = []): string[] {
  return ["ab", SCENARIO, "--baseline-tree", ".", "--out-dir", out, "--cache", join(TMP, "cache"), ...extra];
}

const results = (path: string) => JSON.parse(readFileSync(path, "utf8")) as ResultsFile;

describe("layoutbench ab, for real", () => {
  test("this tree against itself: two files of one pairing, each case's samples in blocks 1..N, compared as a pair", { timeout: 120_000 }, () => {
    const out = join(TMP, "pair");
    const r = cli(abArgs(out, ["--blocks", "2", "--samples-per-block", "2"]));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /block 1 of 2 \(baseline, current\)/);
    assert.match(r.stdout, /block 2 of 2 \(current, baseline\)/);
    const baseline = results(join(out, "baseline.json"));
    const current = results(join(out, "current.json"));
    assert.equal(baseline.pairing!.id, current.pairing!.id);
    assert.deepEqual([baseline.pairing!.side, current.pairing!.side, baseline.pairing!.blocks], ["baseline", "current", 2]);
    for (const file of [baseline, current]) {
      assert.notEqual(file.finishedAt, null);
      assert.equal(file.cases.length, 4);
      for (const c of file.cases) {
        assert.equal(c.status, "ok");
        assert.deepEqual(c.samples.map((s) => s.round), [1, 1, 2, 2]);
      }
    }
    // Every block is a run of its own, kept with its log.
    for (const name of ["baseline-001", "baseline-002", "current-001", "current-002", "baseline-prepare"]) {
      assert.ok(existsSync(join(out, "blocks", `${name}.json`)) && existsSync(join(out, "blocks", `${name}.log`)), name);
    }
    const compared = cli(["compare", join(out, "baseline.json"), join(out, "current.json"), "--format", "json", "--fail-on", "never"]);
    assert.equal(compared.code, 0, compared.stderr);
    assert.equal(JSON.parse(compared.stdout).pairedBlocks, 2);
    assert.match(r.stdout, /paired two-stage \(the 2 blocks measured alternately/);

    const again = cli(abArgs(out));
    assert.equal(again.code, 1);
    assert.match(again.stderr, /--out-dir: .* is not empty; choose a new folder/);
  });

  test("Ctrl-C: exit 130, both files keep the blocks both trees finished, marked unfinished", { timeout: 120_000 }, async () => {
    const out = join(TMP, "interrupted");
    const child = spawn(process.execPath, [BIN, ...abArgs(out, ["--blocks", "50", "--samples-per-block", "1"])], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    const code = new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    await new Promise<void>((resolve) => child.stdout.on("data", (d) => {
      stdout += d;
      if (/block 1 of 50/.test(stdout)) resolve();
    }));
    child.kill("SIGINT");
    assert.equal(await code, 130, stdout);
    const baseline = results(join(out, "baseline.json"));
    const current = results(join(out, "current.json"));
    assert.equal(baseline.pairing!.blocks, current.pairing!.blocks);
    assert.ok(baseline.pairing!.blocks >= 1 && baseline.pairing!.blocks < 50);
    for (const file of [baseline, current]) {
      assert.equal(file.finishedAt, null);
      assert.ok(file.cases.every((c) => c.warnings.some((w) => w.code === "incomplete")));
    }
  });

  test("bad input: one line naming what is wrong, exit 1, no stack", async () => {
    const notATree = join(TMP, "not-a-tree");
    mkdirSync(notATree, { recursive: true });
    const cases: [string[], RegExp][] = [
      [["ab", SCENARIO], /--baseline-tree DIR is required/],
      [["ab", "--baseline-tree", "."], /give at least one scenario file/],
      [["ab", SCENARIO, "--baseline-tree", join(TMP, "missing")], /--baseline-tree: .*missing does not exist/],
      [abArgs(join(TMP, "x"), ["--blocks", "0"]), /--blocks: expected a whole number >= 1, got "0"/],
      [["ab", SCENARIO, "--baseline-tree", notATree, "--out-dir", join(TMP, "y"), "--cache", join(TMP, "cache")], /not-a-tree: not a layoutbench tree \(no harness\/cli\/bin.js\)/],
    ];
    // Each CLI process costs about a second to start: run them at once.
    const runs = await Promise.all(cases.map(([args]) => cliAsync(args)));
    for (const [i, [args, expected]] of cases.entries()) {
      const r = runs[i];
      assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, expected);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.ok(!hasStack(r.stderr));
    }
  });
});

test("run --rounds sets the rounds a run takes its samples in", { timeout: 60_000 }, () => {
  const out = join(TMP, "rounds.json");
  const r = cli(["run", SCENARIO, "--rounds", "1", "--samples", "3", "--filter", "warm", "--out", out, "--cache", join(TMP, "cache"), "--no-report"]);
  assert.equal(r.code, 0, r.stderr);
  for (const c of results(out).cases) assert.deepEqual(c.samples.map((s) => s.round), [1, 1, 1]);
});
