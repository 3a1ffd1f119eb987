/**
 * `npm run bench:memmap`: runs scenarios/bench/memmap-claims.yaml and prints the article's memmap
 * claims as ratios measured side by side in one run: cold read amplification of one column vs one
 * row (advice random, and normal for contrast), and cold vs warm full scans.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultCacheRoot } from "../core/paths.ts";
import { loadScenario } from "../plan/load.ts";
import { runScenarios } from "../run/executor.ts";
import { realRunDeps } from "../run/real-deps.ts";
import type { CaseResult, ResultsFile } from "../run/results-types.ts";

const SCENARIO = "scenarios/bench/memmap-claims.yaml";

function find(results: ResultsFile, layout: string, pattern: string, cache: string): CaseResult {
  const c = results.cases.find((r) => r.layout.name === layout && r.pattern.name === pattern && r.cache === cache);
  if (!c?.summary) throw new Error(`case ${layout}/${pattern}/${cache} missing or failed: ${c?.error ?? "not run"}`);
  return c;
}

const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

async function main(): Promise<void> {
  const scenario = loadScenario(SCENARIO);
  const resultsPath = join(mkdtempSync(join(tmpdir(), "layoutbench-bench-")), "memmap-claims.json");
  const results = await runScenarios(
    [scenario],
    {
      cacheRoot: defaultCacheRoot(),
      resultsPath,
      filter: () => true,
      log: (l) => console.error(l),
    },
    realRunDeps(),
  );
  const ctx = results.context;
  console.log(
    `\nmachine: ${ctx.cpuModel} ×${ctx.cpus}, kernel ${ctx.kernel}, ${ctx.filesystem}, readahead ${ctx.readaheadKiB} KiB, ` +
      `eviction ${ctx.eviction.method} (${ctx.eviction.verified ? "verified" : "NOT verified"})`,
  );

  console.log("\nClaim 3: a column of a C-order array touches one page per element (cold)");
  console.log("| layout | pattern | requested | read from storage | amplification | median ms | max residency |");
  console.log("|---|---|---:|---:|---:|---:|---:|");
  for (const layout of ["npy-random", "npy-normal"]) {
    for (const pattern of ["row", "column"]) {
      const c = find(results, layout, pattern, "cold");
      const s = c.summary!;
      console.log(
        `| ${layout} | ${pattern} | ${kib(s.bytesRequested)} | ${kib(s.bytesRead)} | ${s.readAmplification.toFixed(1)}× | ${s.medianMs.toFixed(2)} | ${((s.maxResidency ?? 0) * 100).toFixed(2)}% |`,
      );
    }
  }
  const row = find(results, "npy-random", "row", "cold").summary!;
  const column = find(results, "npy-random", "column", "cold").summary!;
  console.log(
    `\ncolumn vs row, advice random, cold: ${(column.readAmplification / row.readAmplification).toFixed(0)}× the read amplification, ` +
      `${(column.medianMs / row.medianMs).toFixed(1)}× the time`,
  );

  console.log("\nClaim 1: a second read is served from the page cache");
  console.log("| layout | cold median ms | warm median ms | cold/warm | cold bytes read | warm bytes read |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const layout of ["npy-random", "npy-normal"]) {
    const cold = find(results, layout, "full", "cold").summary!;
    const warm = find(results, layout, "full", "warm").summary!;
    console.log(
      `| ${layout} | ${cold.medianMs.toFixed(1)} | ${warm.medianMs.toFixed(1)} | ${(cold.medianMs / warm.medianMs).toFixed(1)}× | ${kib(cold.bytesRead)} | ${kib(warm.bytesRead)} |`,
    );
  }
  console.log(`\nresults: ${resultsPath}`);
}

await main();
