/**
 * The CLI as users meet it: exit codes, one-line errors without stacks, help texts.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
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
    const files = readdirSync(INVALID).filter((f) => f.endsWith(".yaml")).map((f) => relative(process.cwd(), join(INVALID, f)));
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
    [["run", "--bogus", "x.yaml"], /^layoutbench run: Unknown option '--bogus'.*\(see layoutbench run --help\)\n$/],
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

test("help lists every command", () => {
  const r = cli(["--help"]);
  assert.equal(r.code, 0);
  for (const name of ["run", "validate", "report", "datasets"]) assert.match(r.stdout, new RegExp(`^  ${name} `, "m"));
});
