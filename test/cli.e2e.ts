/**
 * The CLI as users meet it: exit codes, one-line errors without stacks, help texts.
 */

import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import { loadScenario } from "../harness/plan/load.ts";
import { cli, hasStack } from "./support/cli.ts";

const ROOT = join(import.meta.dirname, "..");
const INVALID = join(import.meta.dirname, "fixtures", "scenarios", "invalid");

describe("validate", () => {
  test("a valid file: exit 0 and the number of cases", () => {
    const r = cli(["validate", "scenarios/quickstart.yaml"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^scenarios\/quickstart\.yaml: ok \(\d+ cases\)$/m);
  });

  test("every invalid fixture: exit 1, exactly its expected lines, no stack", () => {
    const files = readdirSync(INVALID)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => relative(process.cwd(), join(INVALID, f)));
    for (const file of files) {
      const r = cli(["validate", file]);
      assert.equal(r.code, 1, file);
      assert.equal(r.stderr, readFileSync(file.replace(/\.yaml$/, ".expected"), "utf8"), file);
      assert.ok(!hasStack(r.stderr + r.stdout), file);
    }
  });

  test("a missing file is one line", () => {
    const r = cli(["validate", "nope.yaml"]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "nope.yaml: cannot read scenario file (ENOENT)\n");
  });
});

describe("errors that name the flag or command", () => {
  const cases: [string[], RegExp][] = [
    [["frobnicate"], /^layoutbench: unknown command "frobnicate" \(commands: run, validate, report, .*\)\n$/],
    [["run"], /^layoutbench run: give at least one scenario file/],
    [["run", "--bogus", "x.yaml"], /^layoutbench: unknown option --bogus for run \(see layoutbench run --help\)\n$/],
    [["--bogus"], /^layoutbench: unknown option --bogus \(see layoutbench --help\)\n$/],
    [["run", "--samples", "zero", "scenarios/quickstart.yaml"], /^layoutbench run: --samples: expected a whole number >= 1, got "zero"\n$/],
    [["run", "--filter", "/[/", "scenarios/quickstart.yaml"], /^layoutbench run: --filter: Invalid regular expression/],
    [["datasets", "sweep"], /^layoutbench datasets: expected "list" or "clean", got "sweep"\n$/],
  ];
  for (const [args, expected] of cases) {
    test(args.join(" "), () => {
      const r = cli(args, { env: { LAYOUTBENCH_CACHE: join(ROOT, "datasets", "cache", "test-tmp", "cli-unused") } });
      assert.equal(r.code, 1);
      assert.match(r.stderr, expected);
      assert.ok(!hasStack(r.stderr));
    });
  }
});

test("--version prints the package's version, before or after a command", () => {
  const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
  for (const args of [["--version"], ["run", "--version"]]) {
    const r = cli(args);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `layoutbench ${version}\n`);
  }
});

test("compare of two files that share no case: exit 1, saying so (a renamed scenario must not pass a gate)", () => {
  const dir = join(ROOT, "datasets", "cache", "test-tmp", `cli-compare-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const fixture = join(import.meta.dirname, "fixtures", "results-small.json");
    const renamed = JSON.parse(readFileSync(fixture, "utf8"));
    renamed.scenarios[0].name = "tiles-renamed";
    for (const c of renamed.cases) {
      c.scenario = "tiles-renamed";
      c.id = c.id.replace(/^tiles\//, "tiles-renamed/");
    }
    const current = join(dir, "renamed.json");
    writeFileSync(current, JSON.stringify(renamed));
    const r = cli(["compare", fixture, current, "--fail-on", "regressed"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(
      r.stderr
        .split("\n")
        .filter((l) => l.startsWith("layoutbench"))
        .join("\n"),
      `layoutbench compare: ${fixture} and ${current} share no case (32 only in the baseline, 32 only in the current run), so nothing was compared; ` +
        "case ids are scenario/dataset/layout/pattern/cache: compare runs of the same scenario, or save a new baseline after a rename",
    );
    assert.ok(!hasStack(r.stderr));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("help lists every command", () => {
  const r = cli(["--help"]);
  assert.equal(r.code, 0);
  for (const name of ["run", "validate", "report", "datasets"]) assert.match(r.stdout, new RegExp(`^  ${name} `, "m"));
});

describe("run --resume", () => {
  test("a results file of another scenario is refused before anything runs, naming both scenarios", () => {
    const dir = join(ROOT, "datasets", "cache", "test-tmp", `cli-resume-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      const other = join(dir, "tiles.json");
      copyFileSync(join(import.meta.dirname, "fixtures", "results-small.json"), other);
      const before = readFileSync(other, "utf8");
      const scenario = "test/fixtures/scenarios/valid/minimal.yaml";
      const r = cli(["run", scenario, "--resume", other, "--cache", join(dir, "cache"), "--no-report"]);
      const hash = loadScenario(scenario).hash;
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.equal(
        r.stderr,
        `layoutbench run: --resume ${other}: that file holds results of scenario "tiles" (hash 3f9a1c0d5e7b), ` +
          `not of the scenario given here: "minimal" (hash ${hash.slice(0, 12)}); resume a results file with the scenario files it was run with, ` +
          "or start a new run without --resume\n",
      );
      assert.equal(r.stdout, "");
      assert.equal(readFileSync(other, "utf8"), before, "the other scenario's results file is left as it was");
      assert.ok(!existsSync(join(dir, "cache")), "nothing was materialized");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
