/**
 * `layoutbench ab` for real: this tree against itself on a tiny scenario, interrupted for real,
 * and given bad input through the real CLI (the merge of block files: ab.test.ts).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { ResultsFile } from "../harness/run/results-types.ts";
import { BIN, cli, cliAsync, hasStack } from "./support/cli.ts";

const TMP = mkdtempSync(join(tmpdir(), "layoutbench-ab-test-"));
after(() => rmSync(TMP, { recursive: true, force: true }));
const SCENARIO = "test/fixtures/scenarios/runs/ab.yaml";

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
        assert.deepEqual(
          c.samples.map((s) => s.round),
          [1, 1, 2, 2],
        );
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
    await new Promise<void>((resolve) =>
      child.stdout.on("data", (d) => {
        stdout += d;
        if (/block 1 of 50/.test(stdout)) resolve();
      }),
    );
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
      [
        ["ab", SCENARIO, "--baseline-tree", notATree, "--out-dir", join(TMP, "y"), "--cache", join(TMP, "cache")],
        /not-a-tree: not a layoutbench tree \(no harness\/cli\/bin.js\)/,
      ],
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
  for (const c of results(out).cases)
    assert.deepEqual(
      c.samples.map((s) => s.round),
      [1, 1, 1],
    );
});
