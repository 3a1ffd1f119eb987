/**
 * `npm run bench:readers`: scenarios/bench/readers.yaml (1, 2 and 4 reader processes over .npy,
 * Zarr Blosc-LZ4 and chunked HDF5 gzip) and readers-threads.yaml (1, 2 and 4 threads in one Zarr
 * reader; .npy and HDF5 refuse threads > 1), cold and warm, in one run. Prints per case the
 * aggregate throughput, the slowest reader, read amplification over all readers, ΣPSS split into
 * file-backed and anonymous, and the one-copy ratio; marks process or thread counts beyond the
 * machine's cores, whose throughput says more about the machine than the layout.
 *
 * One-copy ratio = (ΣPSS of the layout's mapped files + Σ anonymous growth of each reader) ÷ array
 * bytes: the memory the readers hold because of the data, Node's own heap and code left out. 1 means
 * the readers together hold one copy; N readers each holding their own come to about N.
 *
 * Usage: `npm run bench:readers -- [--only <substring>]...`.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCommandArgs } from "../cli/args.ts";
import { itemSize } from "../core/dtype.ts";
import { defaultCacheRoot } from "../core/paths.ts";
import { loadScenario } from "../plan/load.ts";
import { runScenarios } from "../run/executor.ts";
import { realRunDeps } from "../run/real-deps.ts";
import { DEFAULT_READERS, threadsMeaning } from "../scenario/readers.ts";

const SCENARIOS = ["scenarios/bench/readers.yaml", "scenarios/bench/readers-threads.yaml"];
const MiB = 2 ** 20;

async function main(): Promise<void> {
  const args = parseCommandArgs("bench:readers", process.argv.slice(2), { only: { type: "string", multiple: true } });
  if (args.values.help) {
    console.log("usage: npm run bench:readers -- [--only <substring>]...");
    return;
  }
  const only = args.values.only ?? [];
  const scenarios = SCENARIOS.map((f) => loadScenario(f));
  const resultsPath = join(mkdtempSync(join(tmpdir(), "layoutbench-bench-")), "readers.json");
  const filter = (id: string) => only.length === 0 || only.some((o) => id.includes(o));
  const started = performance.now();
  const results = await runScenarios([...scenarios], { cacheRoot: defaultCacheRoot(), resultsPath, filter, log: (l) => console.error(l) }, realRunDeps());
  const cores = results.context.cpus;
  console.log(`cores: ${cores}; results: ${resultsPath}; ${((performance.now() - started) / 1000).toFixed(0)} s`);
  console.log(
    "| layout | cache | processes | threads | MB/s (all readers) | slowest reader ms | amplification | ΣPSS_File MiB | ΣPSS_Anon MiB | ΣPSS layout files MiB | max anon growth MiB | one-copy ratio |",
  );
  console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const c of results.cases) {
    const r = c.readers ?? DEFAULT_READERS;
    const beyond = (n: number) => (n > cores ? `${n} (> cores)` : String(n));
    const head = `| ${c.layout.name} | ${c.cache} | ${beyond(r.processes)} | ${beyond(r.threads)} |`;
    if (c.status !== "ok" || !c.summary || !c.memory) {
      console.log(`${head} failed: ${c.error ?? "no memory figures"} |||||||`);
      continue;
    }
    const m = c.memory;
    const arrayBytes = c.dataset.shape.reduce((a, b) => a * b, 1) * itemSize(c.dataset.dtype);
    const growth = m.readers.reduce((s, x) => s + Math.max(0, x.pssAnonBytes - x.baselineAnonBytes), 0);
    const ratio = (m.sum.pssLayoutBytes + growth) / arrayBytes;
    console.log(
      `${head} ${(c.summary.throughput / 1e6).toFixed(0)} | ${c.readersSummary?.slowestReaderMs.toFixed(1) ?? "–"} | ${c.summary.readAmplification.toFixed(2)} | ` +
        `${(m.sum.pssFileBytes / MiB).toFixed(1)} | ${(m.sum.pssAnonBytes / MiB).toFixed(1)} | ${(m.sum.pssLayoutBytes / MiB).toFixed(1)} | ` +
        `${(m.maxAnonGrowthBytes / MiB).toFixed(1)} | ${ratio.toFixed(2)} |`,
    );
  }
  for (const layout of scenarios[0].layouts) {
    const t = threadsMeaning("layoutbench", layout);
    console.log(`threads for ${layout.name}: ${"meaning" in t ? t.meaning : `refused (${t.refused})`}`);
  }
  const budget = scenarios[0].memoryBudget;
  if (budget !== undefined) {
    const over = results.cases.filter((c) => c.warnings.some((w) => w.code === "memory-budget")).map((c) => c.id);
    console.log(`memoryBudget ${(budget / MiB).toFixed(0)} MiB: ${over.length ? `exceeded by ${over.join(", ")}` : "no reader exceeded it"}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
