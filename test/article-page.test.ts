/**
 * The article page from results made up in the test: claims judged from their cases, "not
 * measured" when a case is missing or failed, claims 6–10 waiting for their dimension, the page's
 * wording, and --small's shrinking of scenario files.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { CLAIMS } from "../harness/article/claims/index.ts";
import { formatQuantity, renderArticlePage } from "../harness/article/page.ts";
import { SMALL_SAMPLING, smallScenarioText } from "../harness/article/small.ts";
import { suiteScenarios } from "../harness/article/suite.ts";
import { PROJECT_ROOT } from "../harness/core/paths.ts";
import { loadScenario, parseScenario } from "../harness/plan/load.ts";
import type { CaseResult, ResultsFile } from "../harness/run/results-types.ts";
import { expandCases } from "../harness/scenario/expand.ts";

const context = {
  hostname: "test",
  platform: "linux",
  kernel: "6.1.0",
  arch: "x64",
  cpuModel: "Test CPU",
  cpus: 2,
  memoryBytes: 8 * 2 ** 30,
  node: "v20.0.0",
  libraries: {},
  filesystem: "ext4",
  readaheadKiB: 128,
  pageSize: 4096,
  eviction: { method: "fadvise", verified: true, detail: "probe" },
} as const;

/** A finished case of claim 1's scenario whose samples are `ms` and read `bytesRead` each. */
function fullScan(cache: "cold" | "warm", ms: readonly number[], bytesRead: number, status: "ok" | "failed" = "ok"): CaseResult {
  return {
    id: `article-01-page-cache/grid/npy/full/${cache}`,
    scenario: "article-01-page-cache",
    dataset: { name: "grid", shape: [64, 64], dtype: "int32" },
    layout: { name: "npy", backend: "memmap" },
    pattern: { name: "full", kind: "full" },
    cache,
    status,
    ...(status === "failed" ? { error: "disk on fire" } : {}),
    storage: { bytesOnDisk: 16512, files: 1, compressionRatio: 1 },
    samples: ms.map((v, i) => ({ ms: v, bytesRead, bytesWritten: 0, majorFaults: 0, residency: null, openMs: 0, round: 1 + (i % 3) })),
    summary: status === "ok" ? ({ bytesRead, preempted: 0, throughput: 1e9 } as CaseResult["summary"]) : null,
    warnings: [],
    startedAt: "2026-01-01T00:00:00Z",
    finishedAt: "2026-01-01T00:00:01Z",
  } as unknown as CaseResult;
}

const resultsWith = (cases: CaseResult[]): ResultsFile =>
  ({
    kind: "layoutbench-results",
    version: 1,
    startedAt: "2026-01-01T00:00:00Z",
    finishedAt: "2026-01-01T00:10:00Z",
    context,
    scenarios: [],
    cases,
  }) as unknown as ResultsFile;

const claim = (n: number) => CLAIMS.find((c) => c.number === n)!;

test("the registry lists claims 1–10 in order, each with its scenario", () => {
  assert.deepEqual(
    CLAIMS.map((c) => c.number),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  for (const c of CLAIMS) {
    assert.equal(c.scenario, `scenarios/article/${c.id}.yaml`);
    assert.equal(c.needs, undefined, `claim ${c.number} still waits for a dimension`);
  }
});

test("every claim's scenario loads, is named after the claim, and still validates shrunk by --small", async () => {
  for (const c of CLAIMS.filter((x) => x.scenario)) {
    const file = join(PROJECT_ROOT, c.scenario!);
    const full = loadScenario(file);
    assert.equal(full.name, `article-${c.id}`, `${c.scenario}: the claim module finds its cases by this name`);
    const small = parseScenario(smallScenarioText(readFileSync(file, "utf8")), c.scenario!);
    assert.equal(expandCases(small).length, expandCases(full).length, `${c.scenario}: --small keeps every case`);
  }
  assert.deepEqual(
    (await suiteScenarios(true)).map((s) => s.name),
    CLAIMS.map((c) => `article-${c.id}`),
  );
});

test("claim 1 is judged from its cold and warm cases: 100 ms against 4 ms, nothing read warm, holds", () => {
  const results = resultsWith([fullScan("cold", [100, 101, 99, 100, 102, 98], 16512), fullScan("warm", [4, 4.1, 3.9, 4, 4.05, 3.95], 0)]);
  const o = claim(1).assess(results, {});
  assert.equal(o.status, "measured");
  if (o.status !== "measured") return;
  assert.equal(o.judgement.verdict, "holds");
  assert.equal(o.measurement.interval.value, 25);
  assert.ok(o.measurement.interval.low <= 25 && o.measurement.interval.high >= 25);
  assert.deepEqual(o.measurement.details, ["bytes read from storage: cold 16.1 KiB, warm 0 B"]);
});

test("a missing scenario, a failed case or a missing probe make a claim 'not measured' with the reason", () => {
  assert.deepEqual(claim(1).assess(resultsWith([]), {}), { status: "not measured", reason: "the results hold no case of article-01-page-cache" });
  const failed = claim(1).assess(resultsWith([fullScan("cold", [1, 2], 100, "failed"), fullScan("warm", [1, 2], 0)]), {});
  assert.deepEqual(failed, { status: "not measured", reason: "case article-01-page-cache/grid/npy/full/cold failed: disk on fire" });
  assert.deepEqual(
    claim(3).assess(resultsWith([{ ...fullScan("warm", [1, 2], 0), scenario: "article-03-no-extra-copy" }]), {
      memoryProblem: "the memory probe failed: boom",
    }),
    {
      status: "not measured",
      reason: "the memory probe failed: boom",
    },
  );
  const probe = claim(3).assess(resultsWith([{ ...fullScan("warm", [1, 2], 0), scenario: "article-03-no-extra-copy" }]), {});
  assert.deepEqual(probe, { status: "not measured", reason: "the memory probe did not run (a results file given without the -extras.json file beside it)" });
});

test("claims 6–10 without their scenarios' cases are not measured, and say which scenario is missing", () => {
  const results = resultsWith([fullScan("cold", [100, 101], 16512), fullScan("warm", [4, 4.1], 0)]);
  assert.deepEqual(
    CLAIMS.slice(5).map((c) => c.assess(results, {})),
    CLAIMS.slice(5).map((c) => ({ status: "not measured", reason: `the results hold no case of article-${c.id}` })),
  );
});

test("the page: a summary row and a section per claim, the verdict computed, the machine, the commands", () => {
  const results = resultsWith([fullScan("cold", [100, 101, 99, 100], 16512), fullScan("warm", [4, 4.1, 3.9, 4], 0)]);
  const claims = CLAIMS.map((c) => ({ claim: c, outcome: c.assess(results, {}), chart: c.number === 1 ? "article/01-page-cache.svg" : null }));
  const page = renderArticlePage({
    claims,
    results,
    command: "npm run docs",
    rebuild: "layoutbench article --from r.json",
    report: "article/report.html",
    resultsFile: "r.json",
  });
  assert.match(page, /\| 1 \| \[A second read comes from the page cache\]\(#claim-1\) \| ≥ 10.0× \| 25.0× \([\d.]+–[\d.]+×\) \| \*\*holds\*\* \|/);
  assert.match(page, /\| 2 \| .* \| not measured: the results hold no case of article-02-write-flush \|/);
  assert.match(page, /\*\*Not measured: the results hold no case of article-06-compression-bandwidth\.\*\*/);
  assert.equal(page.match(/Not measured: the results hold no case of article-(0[6-9]|10)-/g)?.length, 5);
  assert.match(page, /!\[Claim 1: A second read comes from the page cache\]\(article\/01-page-cache\.svg\)/);
  assert.match(page, /section "What happens when you read or write to disk\?"/);
  assert.match(page, /- Machine: Test CPU, 2 CPUs, 8\.0 GiB RAM/);
  assert.match(page, /Regenerate by measuring again: `npm run docs`/);
  assert.match(page, /no sample of 8 lost a large share of its time/);
  assert.deepEqual(page.match(/- \*\*Verdict: [a-z ]+\*\*/g), ["- **Verdict: holds**"], "only claim 1 has a case to judge");
});

test("quantities: factors, floors, percentages, rates", () => {
  assert.equal(formatQuantity(819.2, "× the bytes of a row"), "819× the bytes of a row");
  assert.equal(formatQuantity(0.317, "%"), "0.317%");
  assert.equal(formatQuantity(300e6, "bytes/s"), "300 MB/s");
  assert.equal(formatQuantity(16 << 20, "bytes of anonymous memory"), "16.0 MiB of anonymous memory");
});

test("--small divides shapes, chunks, tile shapes and widths by 4, rounding up, and replaces sampling", () => {
  const text = [
    "version: 1",
    "name: s",
    "datasets: [{name: g, shape: [4096, 4096], dtype: int32}]",
    "layouts: [{name: z, backend: zarr, chunks: [1366, 1366]}, {name: n, backend: memmap}]",
    "patterns: [{name: w, kind: rows, width: 1024}, {name: t, kind: tiles, shape: [10, 3]}, {name: f, kind: full}]",
    "sampling: {samples: 9}",
  ].join("\n");
  const small = parse(smallScenarioText(text));
  assert.deepEqual(small.datasets[0].shape, [1024, 1024]);
  assert.deepEqual(small.layouts[0].chunks, [342, 342]);
  assert.equal(small.layouts[1].chunks, undefined);
  assert.equal(small.patterns[0].width, 256);
  assert.deepEqual(small.patterns[1].shape, [3, 1]);
  assert.deepEqual(small.sampling, SMALL_SAMPLING);
});

test("--small keeps the sizes of a scenario marked x-small: keep, and replaces only its sampling", () => {
  const text = ["x-small: keep", "version: 1", "name: s", "datasets: [{name: g, shape: [4096, 4096], dtype: int32}]", "sampling: {samples: 9}"].join("\n");
  const small = parse(smallScenarioText(text));
  assert.deepEqual(small.datasets[0].shape, [4096, 4096]);
  assert.deepEqual(small.sampling, SMALL_SAMPLING);
});
