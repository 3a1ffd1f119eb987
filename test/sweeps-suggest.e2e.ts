/**
 * `layoutbench suggest` through the real CLI: it prints one line of reasoning per proposal, writes
 * a scenario that `validate` accepts, and that scenario runs (a tiny run) to a report ranking every
 * swept layout with the chunks × codec heatmap.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { ResultsFile } from "../harness/run/results-types.ts";
import { cli, hasStack } from "./support/cli.ts";

const WORK = join(import.meta.dirname, "..", "datasets", "cache", "test-tmp", `suggest-${process.pid}`);

const SCENARIO = `version: 1
name: small-field
datasets:
  - {name: field, shape: [256, 256], dtype: float32, generator: smooth}
layouts:
  - {name: npy, backend: memmap}
patterns:
  - {name: series, kind: columns, count: 4, weight: 2}
  - {name: tiles, kind: tiles, shape: [64, 64], count: 4}
cache: [warm]
sampling: {samples: 2, minSamples: 1, warmup: 0, rounds: 1, minSampleMs: 0}
`;

test("suggest writes a scenario that validates and runs", { timeout: 120_000 }, () => {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  try {
    const file = join(WORK, "field.yaml");
    writeFileSync(file, SCENARIO);
    const out = join(WORK, "suggested.yaml");
    const s = cli(["suggest", file, "--out", out]);
    assert.equal(s.code, 0, s.stderr);
    const lines = s.stdout.trim().split("\n");
    assert.match(lines[0], /^field \(256×256 float32\): \d+ chunk shapes costed, \d proposed:$/);
    assert.ok(
      lines.some((l) => /^ {2}chunks \d+×\d+ \(.*best overall.*\): per selection series .* chunks?, .* read for 1 KiB asked/.test(l)),
      s.stdout,
    );
    assert.ok(
      lines.some((l) => /^ {2}contiguous C order .*series 64 pages, 256 KiB read for 1 KiB asked \(256×\)/.test(l)),
      s.stdout,
    );
    assert.match(lines[lines.length - 1], /^wrote .*suggested\.yaml: run it with layoutbench run /);
    const text = readFileSync(out, "utf8");
    assert.match(text, /^# Written by layoutbench suggest from field\.yaml\./);

    // Without --out: the same scenario on standard output.
    const printed = cli(["suggest", file]);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout, text);

    const v = cli(["validate", out]);
    assert.equal(v.code, 0, v.stderr);
    const proposals = lines.filter((l) => l.startsWith("  chunks ")).length;
    const layouts = proposals * 2 + 1;
    assert.equal(v.stdout.trim(), `${out}: ok (${layouts * 2} cases)`);

    const results = join(WORK, "r.json");
    const r = cli(["run", out, "--cache", join(WORK, "cache"), "--out", results]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const file2 = JSON.parse(readFileSync(results, "utf8")) as ResultsFile;
    assert.equal(file2.cases.length, layouts * 2);
    assert.ok(file2.cases.every((c) => c.status === "ok"));
    const report = readFileSync(join(WORK, "r", "report.md"), "utf8");
    assert.match(report, /### Sweep: chunks × codec/);
    // Markdown escapes the underscores of the codec mappings' labels (blosc_lz4_5_byte).
    assert.match(report, /\| chunks ↓ codec → \| blosc\\_(lz4|zstd)\\_5\\_byte \| blosc\\_(lz4|zstd)\\_5\\_byte \|/);
  } finally {
    rmSync(WORK, { recursive: true, force: true });
  }
});

test("suggest refuses a scenario without read patterns, in one line", () => {
  mkdirSync(WORK, { recursive: true });
  try {
    const file = join(WORK, "writes.yaml");
    writeFileSync(file, SCENARIO.replace(/ {2}- \{name: series.*\n {2}- \{name: tiles.*\n/, "  - {name: w, kind: rows, op: write}\n"));
    const r = cli(["suggest", file]);
    assert.equal(r.code, 1);
    assert.ok(!hasStack(r.stderr));
    assert.equal(r.stderr.trim(), `${file}: patterns: suggest costs read patterns of weight above 0, and this scenario has none`);
  } finally {
    rmSync(WORK, { recursive: true, force: true });
  }
});
