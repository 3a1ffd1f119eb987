/**
 * `compare`, `baseline` and `export` as users and CI meet them: the real CLI on hand-built results
 * files (test/fixtures/compare/), exit codes per --fail-on, the Markdown for PR comments, the exact
 * refusal text for runs that measured different things, baselines in a temporary folder
 * (LAYOUTBENCH_BASELINES), and the export formats. A CLI process costs about a second of CPU to
 * start, so the exit codes are checked on real processes, run concurrently, and the rest through
 * the same entry point in-process (`main(argv)`: argument parsing, dispatch, error printing). The
 * exit codes on real processes are in compare-cli.e2e.ts.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { COMMANDS, loadCommand, main } from "../harness/cli/main.ts";
import { checkBaselineName, saveBaseline } from "../harness/compare/baselines.ts";
import { compareContexts } from "../harness/compare/compatibility.ts";
import { buildComparison } from "../harness/compare/model.ts";
import { thresholdPolicy } from "../harness/compare/thresholds.ts";
import { UserError } from "../harness/core/errors.ts";
import { csvField, samplesCsv } from "../harness/export/csv.ts";
import { readResults } from "../harness/run/results-file.ts";
import type { CliResult } from "./support/cli.ts";

const FIXTURES = "test/fixtures/compare";
const fx = (name: string) => `${FIXTURES}/${name}.json`;
// main() imports a command when it runs it; loaded here, no import is pending while output is captured
// (the test runner's own output would land in the capture).
await Promise.all(Object.keys(COMMANDS).map(loadCommand));
const TMP = mkdtempSync(join(tmpdir(), "layoutbench-compare-test-"));
after(() => rmSync(TMP, { recursive: true, force: true }));

/**
 * The CLI's entry point in this process, with its output captured and `env` set for the call.
 * Calls must not overlap (they swap console methods): only sequential tests use it.
 */
async function inProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const saved = { log: console.log, error: console.error, write: process.stdout.write, env: { ...process.env } };
  let stdout = "";
  let stderr = "";
  console.log = (...a: unknown[]) => {
    stdout += a.join(" ") + "\n";
  };
  console.error = (...a: unknown[]) => {
    stderr += a.join(" ") + "\n";
  };
  process.stdout.write = ((chunk: string) => {
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  Object.assign(process.env, { LAYOUTBENCH_BASELINES: join(TMP, "no-baselines"), ...env });
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    console.log = saved.log;
    console.error = saved.error;
    process.stdout.write = saved.write;
    for (const key of Object.keys(process.env)) if (!(key in saved.env)) delete process.env[key];
    Object.assign(process.env, saved.env);
  }
}

describe("compare in-process: --fail-on never, thresholds, names, options", () => {
  test("--fail-on never: exit 0 despite the regression; JSON output", async () => {
    const r = await inProcess(["compare", fx("baseline"), fx("changed"), "--fail-on", "never", "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.kind, "layoutbench-comparison");
    assert.deepEqual(json.counts, { regressed: 1, improved: 1, failed: 1, added: 1, removed: 1, insufficient: 0, unchanged: 2 });
    assert.deepEqual(
      json.cases.map((c: { verdict: { class: string } }) => c.verdict.class),
      ["regressed", "improved", "failed", "added", "removed", "unchanged", "unchanged"],
    );
  });

  test("an identical run with --fail-on any: exit 0", async () => {
    const r = await inProcess(["compare", fx("baseline"), fx("same"), "--fail-on", "any"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^6 unchanged$/m);
  });

  test("a per-case threshold lifts the regression: exit 0; BASELINE given by saved name", async () => {
    const dir = join(TMP, "named");
    mkdirSync(dir, { recursive: true });
    copyFileSync(fx("baseline"), join(dir, "fx.json"));
    const r = await inProcess(["compare", "fx", fx("changed"), "--threshold-for", "npy rows cold=1.5"], { LAYOUTBENCH_BASELINES: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^unchanged +fx\/grid\/npy\/rows\/cold .* 150% *$/m);
    assert.match(r.stdout, /threshold 10%; npy rows cold: 150%/);
  });

  test("--allow-mismatch compares anyway, says so on stderr and in the Markdown", async () => {
    const r = await inProcess(["compare", fx("baseline"), fx("mismatch"), "--allow-mismatch", "--format", "md"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^warning: scenario "fx" hash: 3f9a1c0d5e7b \(baseline\) vs 8e2d11aa0c3f \(current\)$/m);
    assert.match(r.stdout, /^> \[!CAUTION\]\n> The runs measured different things \(compared anyway with `--allow-mismatch`\):\n> - scenario "fx" hash/m);
  });

  test("bad input: exit 1, one line naming the flag or the file", async () => {
    const cases: [string[], string][] = [
      [
        ["compare", fx("baseline"), fx("same"), "--fail-on", "sometimes"],
        'layoutbench compare: --fail-on: expected one of regressed, any, never, got "sometimes"\n',
      ],
      [["compare", fx("baseline"), fx("same"), "--format", "xml"], 'layoutbench compare: --format: expected one of table, md, json, got "xml"\n'],
      [
        ["compare", fx("baseline"), fx("same"), "--threshold=-1"],
        'layoutbench compare: --threshold: expected a number >= 0 (a fraction: 0.1 means 10%), got "-1"\n',
      ],
      [["compare", fx("baseline")], "layoutbench compare: expected BASELINE and CURRENT, got 1 argument (see layoutbench compare --help)\n"],
      [["compare", fx("baseline"), "nope.json"], "nope.json: no such results file\n"],
      [
        ["compare", "ci", fx("same")],
        `ci: no such results file, and no saved baseline "ci" in ${join(TMP, "no-baselines")} (layoutbench baseline list shows the saved ones)\n`,
      ],
      [["compare", "package.json", fx("same")], 'package.json: not a layoutbench results file (expected "kind": "layoutbench-results")\n'],
      [["export", fx("baseline"), "--format", "xml"], 'layoutbench export: --format: expected one of github, csv, got "xml"\n'],
      [
        ["baseline", "save", "../evil", fx("baseline")],
        `baseline name "../evil": expected 1-64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit\n`,
      ],
    ];
    for (const [args, expected] of cases) {
      const r = await inProcess(args);
      assert.equal(r.code, 1, args.join(" "));
      assert.equal(r.stderr, expected, args.join(" "));
    }
  });
});

describe("compare --format md: a PR comment / step summary", () => {
  test("counts on top, regressions first, then improvements, unchanged collapsed", async () => {
    const out = join(TMP, "comparison.md");
    const r = await inProcess(["compare", fx("baseline"), fx("changed"), "--format", "md", "--out", out]);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, `1 regressed, 1 improved, 1 failed, 1 added, 1 removed, 2 unchanged; written to ${out}\n`);
    const md = readFileSync(out, "utf8");
    const lines = md.split("\n");
    assert.equal(lines[0], "### layoutbench: 1 regression, 1 improvement");
    assert.deepEqual(lines.slice(2, 5), [
      "| regressed | improved | unchanged | failed | added | removed | insufficient |",
      "|---:|---:|---:|---:|---:|---:|---:|",
      "| **1** | 1 | 2 | 1 | 1 | 1 | 0 |",
    ]);
    const order = [
      "> [!WARNING]",
      "#### Regressions (1)",
      "#### Improvements (1)",
      "#### Failed (1)",
      "#### Added (1)",
      "#### Removed (1)",
      "<details>",
      "<summary>2 unchanged cases</summary>",
      "</details>",
      "<sub>Rule — ",
    ];
    const at = order.map((h) => lines.findIndex((l) => l.startsWith(h)));
    assert.ok(
      at.every((i, k) => i > 0 && (k === 0 || i > at[k - 1])),
      `sections out of order: ${JSON.stringify(at)}`,
    );
    assert.match(md, /^\| `fx\/grid\/npy\/rows\/cold` \| 10\.0 ms \| 20\.0 ms \| 2\.00× \| 1\.\d\d–2\.\d\d× \| 10% \|$/m);
    assert.match(md, /^\| `fx\/grid\/zarr\/rows\/warm` \| failed in the current run: read ZarrError: chunk c\/0\/0 missing \|$/m);
    assert.match(md, /^> - CPU model: Intel\(R\) Xeon\(R\) CPU @ 2\.20GHz \(baseline\) vs AMD EPYC 7763 64-Core Processor \(current\)$/m);
  });

  test("no changes: a one-line verdict and everything collapsed", async () => {
    const r = await inProcess(["compare", fx("baseline"), fx("same"), "--format", "md"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^### layoutbench: no significant changes\n/);
    assert.ok(!r.stdout.includes("####"));
    assert.match(r.stdout, /<summary>6 unchanged cases<\/summary>/);
  });
});

describe("baseline save / list", () => {
  test("save, refuse to overwrite, list", async () => {
    const dir = join(TMP, "baselines");
    const env = { LAYOUTBENCH_BASELINES: dir };
    const saved = await inProcess(["baseline", "save", "ci-1.0", fx("baseline")], env);
    assert.equal(saved.code, 0, saved.stderr);
    assert.match(saved.stdout, /^baseline "ci-1\.0": test\/fixtures\/compare\/baseline\.json -> .*ci-1\.0\.json \(6 cases\)\n$/);
    assert.deepEqual(readFileSync(join(dir, "ci-1.0.json")), readFileSync(fx("baseline")));
    const again = await inProcess(["baseline", "save", "ci-1.0", fx("changed")], env);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, `baseline "ci-1.0" exists (${join(dir, "ci-1.0.json")}); pass --force to replace it\n`);
    assert.deepEqual(readFileSync(join(dir, "ci-1.0.json")), readFileSync(fx("baseline")));
    const list = await inProcess(["baseline", "list"], env);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stdout, "ci-1.0  6 cases  2024-06-01T10:00:00.000Z  fx  Intel(R) Xeon(R) CPU @ 2.20GHz ×2\n");
  });

  test("--force replaces; names are checked; unfinished runs are refused (in-process)", () => {
    const dir = join(TMP, "baselines-inproc");
    const before = process.env.LAYOUTBENCH_BASELINES;
    process.env.LAYOUTBENCH_BASELINES = dir;
    try {
      saveBaseline("x", fx("baseline"), false);
      saveBaseline("x", fx("changed"), true);
      assert.deepEqual(readFileSync(join(dir, "x.json")), readFileSync(fx("changed")));
      for (const bad of ["../evil", ".hidden", "a/b", "", "with space"]) {
        assert.throws(
          () => checkBaselineName(bad),
          (e: Error) => e instanceof UserError && e.message.startsWith(`baseline name ${JSON.stringify(bad)}: expected 1-64 characters`),
          bad,
        );
      }
      const unfinished = join(TMP, "unfinished.json");
      const results = JSON.parse(readFileSync(fx("baseline"), "utf8"));
      results.finishedAt = null;
      writeFileSync(unfinished, JSON.stringify(results));
      assert.throws(() => saveBaseline("y", unfinished, false), /the run did not finish; finish it with layoutbench run --resume/);
    } finally {
      if (before === undefined) delete process.env.LAYOUTBENCH_BASELINES;
      else process.env.LAYOUTBENCH_BASELINES = before;
    }
  });
});

describe("export", () => {
  test("github: customSmallerIsBetter entries, failed cases left out", async () => {
    const r = await inProcess(["export", fx("changed"), "--format", "github"]);
    assert.equal(r.code, 0, r.stderr);
    const entries = JSON.parse(r.stdout);
    assert.equal(entries.length, 5);
    assert.deepEqual(entries[0], {
      name: "fx/grid/npy/rows/cold",
      unit: "ms",
      value: 20,
      range: "± 0.200",
      extra: "7 samples, IQR 19.9 ms – 20.3 ms, read 1.0 KiB (1.00× of 1.0 KiB requested), cold cache",
    });
    assert.ok(!entries.some((e: { name: string }) => e.name === "fx/grid/zarr/rows/warm"));
  });

  test("csv: a header and one CRLF row per sample", async () => {
    const out = join(TMP, "samples.csv");
    const r = await inProcess(["export", fx("baseline"), "--format", "csv", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    const rows = readFileSync(out, "utf8").split("\r\n");
    assert.equal(
      rows[0],
      "case,scenario,dataset,shape,dtype,layout,backend,pattern,kind,op,cache,sample,ms,bytes_read,bytes_written,major_faults,residency,open_ms,round,passes,bytes_requested",
    );
    assert.equal(rows[1], "fx/grid/npy/rows/cold,fx,grid,64x64,float32,npy,memmap,rows,slices,read,cold,0,10,1024,0,0,0,0.05,,1,1024");
    assert.equal(rows[8], "fx/grid/npy/rows/warm,fx,grid,64x64,float32,npy,memmap,rows,slices,read,warm,0,1,0,0,0,,0.05,,1,1024");
    assert.equal(rows.length, 6 * 7 + 2); // header, 42 samples, and the empty string after the last CRLF
  });

  test("RFC 4180 quoting", () => {
    assert.equal(csvField('say "hi", then\r\nleave'), '"say ""hi"", then\r\nleave"');
    assert.equal(csvField("plain"), "plain");
    assert.equal(csvField(null), "");
    assert.equal(csvField(0.5), "0.5");
    assert.ok(samplesCsv(readResults(fx("changed"))).endsWith("\r\n"));
  });
});

describe("comparison model (in-process)", () => {
  test("compatibility: refusals first, hostname ignored", () => {
    const baseline = readResults(fx("baseline"));
    const other = {
      ...readResults(fx("same")),
      context: { ...baseline.context, hostname: "runner-42", eviction: { ...baseline.context.eviction, verified: false } },
    };
    assert.deepEqual(compareContexts(baseline, other), [{ severity: "warn", what: "eviction verified", baseline: "yes", current: "no" }]);
    const mismatch = compareContexts(baseline, readResults(fx("mismatch")));
    assert.deepEqual(
      mismatch.map((d) => [d.severity, d.what]),
      [
        ["refuse", 'scenario "fx" hash'],
        ["refuse", 'dataset "fx/grid"'],
      ],
    );
  });

  test("a changed read path is a warning naming both paths, once per layout; files without read paths have none to compare", async () => {
    const path = (decoder: string, fallbacks: string[] = []) => ({
      engine: "layoutbench" as const,
      implementation: "layoutbench chunk reader",
      decoder,
      threads: 2,
      library: "zarrita parses metadata only",
      ours: "whole-chunk preads into reused buffers, decoding, copies of whole runs",
      fallbacks,
    });
    const withPath = (r: ReturnType<typeof readResults>, p: ReturnType<typeof path>) => ({
      ...r,
      cases: r.cases.map((c) => (c.layout.name === "zarr" ? { ...c, readPath: p } : c)),
    });
    const baseline = withPath(readResults(fx("baseline")), path("C Blosc-LZ4 (addon)"));
    const current = withPath(
      readResults(fx("same")),
      path("Blosc-LZ4 in JavaScript (lz4-blosc.ts)", [
        "Blosc-LZ4 in JavaScript (lz4-blosc.ts) instead of the addon's C decoder: turned off by LAYOUTBENCH_DISABLE_NATIVE=decoders",
      ]),
    );
    assert.deepEqual(compareContexts(baseline, current), [
      {
        severity: "warn",
        what: 'read path of "fx/zarr"',
        baseline: "layoutbench chunk reader; C Blosc-LZ4 (addon), 2 threads; zarrita parses metadata only",
        current:
          "layoutbench chunk reader; Blosc-LZ4 in JavaScript (lz4-blosc.ts), 2 threads; zarrita parses metadata only; " +
          "fell back: Blosc-LZ4 in JavaScript (lz4-blosc.ts) instead of the addon's C decoder: turned off by LAYOUTBENCH_DISABLE_NATIVE=decoders",
      },
    ]);
    assert.deepEqual(compareContexts(readResults(fx("baseline")), current), []);
    const b = join(TMP, "path-baseline.json");
    const c = join(TMP, "path-current.json");
    writeFileSync(b, JSON.stringify(baseline));
    writeFileSync(c, JSON.stringify(current));
    const r = await inProcess(["compare", b, c, "--fail-on", "never"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /^warning: read path of "fx\/zarr": layoutbench chunk reader; C Blosc-LZ4 \(addon\), 2 threads; zarrita parses metadata only \(baseline\) vs layoutbench chunk reader; Blosc-LZ4 in JavaScript/m,
    );
  });

  test("compatibility: a layout whose files another library wrote is a warning, once per layout", () => {
    const baseline = readResults(fx("baseline"));
    const encoded = (encoder: string) => ({
      ...baseline,
      cases: baseline.cases.map((c) => (c.layout.name === "zarr" && c.storage ? { ...c, storage: { ...c.storage, encoder } } : c)),
    });
    assert.deepEqual(compareContexts(encoded("c-blosc 1.21.3"), encoded("numcodecs.js 0.3.2")), [
      { severity: "warn", what: 'encoder of layout "fx/zarr"', baseline: "c-blosc 1.21.3", current: "numcodecs.js 0.3.2" },
    ]);
    assert.deepEqual(compareContexts(encoded("c-blosc 1.21.3"), encoded("c-blosc 1.21.3")), []);
    assert.deepEqual(compareContexts(baseline, encoded("c-blosc 1.21.3")), [
      { severity: "warn", what: 'encoder of layout "fx/zarr"', baseline: "unrecorded", current: "c-blosc 1.21.3" },
    ]);
  });

  test("regressions are ordered by size, then improvements, then the rest", () => {
    const c = buildComparison(readResults(fx("baseline")), readResults(fx("changed")), {
      baselinePath: "b",
      currentPath: "c",
      thresholds: thresholdPolicy(0.1),
    });
    assert.deepEqual(
      c.cases.map((k) => k.id),
      [
        "fx/grid/npy/rows/cold",
        "fx/grid/npy/tiles/cold",
        "fx/grid/zarr/rows/warm",
        "fx/grid/zarr/tiles/warm",
        "fx/grid/zarr/tiles/cold",
        "fx/grid/zarr/rows/cold",
        "fx/grid/npy/rows/warm",
      ],
    );
  });
});
