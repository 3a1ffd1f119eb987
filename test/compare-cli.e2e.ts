/**
 * `compare` exit codes per --fail-on on real CLI processes, run concurrently, on the hand-built
 * results files of test/fixtures/compare/ (the rest of compare runs in-process: compare-cli.test.ts).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { type CliResult, cliAsync, hasStack } from "./support/cli.ts";

const FIXTURES = "test/fixtures/compare";
const fx = (name: string) => `${FIXTURES}/${name}.json`;
const TMP = mkdtempSync(join(tmpdir(), "layoutbench-compare-test-"));
after(() => rmSync(TMP, { recursive: true, force: true }));

/** The real CLI, asynchronously, with no saved baselines unless `env` points at some. */
function run(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return cliAsync(args, { env: { LAYOUTBENCH_BASELINES: join(TMP, "no-baselines"), ...env } });
}

describe("compare: exit codes per --fail-on, real processes", { concurrency: true }, () => {
  test("a regression with the default --fail-on regressed: exit 3, table, machine warnings on stderr", async () => {
    const r = await run(["compare", fx("baseline"), fx("changed")]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /^regressed +fx\/grid\/npy\/rows\/cold +10\.0 ms +20\.0 ms +2\.00× +1\.\d\d–2\.\d\d× +10% +95% CI/m);
    assert.match(r.stdout, /^improved +fx\/grid\/npy\/tiles\/cold /m);
    assert.match(r.stdout, /^1 regressed, 1 improved, 1 failed, 1 added, 1 removed, 2 unchanged$/m);
    assert.equal(
      r.stderr,
      [
        "warning: CPU model: Intel(R) Xeon(R) CPU @ 2.20GHz (baseline) vs AMD EPYC 7763 64-Core Processor (current)",
        "warning: kernel: 6.1.0-18-amd64 (baseline) vs 6.1.0-21-amd64 (current)",
        "warning: library zarrita: 0.7.5 (baseline) vs 0.7.6 (current)",
        "",
      ].join("\n"),
    );
  });

  test("only an improvement: exit 0 by default, 3 with --fail-on any", async () => {
    const [byDefault, any] = await Promise.all([
      run(["compare", fx("baseline"), fx("improved")]),
      run(["compare", fx("baseline"), fx("improved"), "--fail-on", "any"]),
    ]);
    assert.equal(byDefault.code, 0, byDefault.stderr);
    assert.equal(any.code, 3, any.stderr);
    assert.equal(any.stderr, "");
  });

  test("runs that measured different things: exit 1, one exact line per difference, no stack", async () => {
    const r = await run(["compare", fx("baseline"), fx("mismatch")]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    const prefix = `layoutbench compare: ${fx("baseline")} and ${fx("mismatch")} measured different things:`;
    const remedy = "save a new baseline, or pass --allow-mismatch to compare anyway";
    assert.equal(
      r.stderr,
      [
        `${prefix} scenario "fx" hash: 3f9a1c0d5e7b (baseline) vs 8e2d11aa0c3f (current); ${remedy}`,
        `${prefix} dataset "fx/grid": shape [64,64] (baseline) vs shape [128,128] (current); ${remedy}`,
        "",
      ].join("\n"),
    );
    assert.ok(!hasStack(r.stderr));
  });
});
