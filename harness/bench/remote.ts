/**
 * `npm run bench:remote`: scenarios/bench/remote.yaml — raw, Blosc-LZ4 and zstd Zarr and chunked
 * HDF5, full and tiles, read warm from local disk and from an HTTP server shaped to three
 * bandwidths with 20 ms latency. Prints each case's median and transfer, then per pattern and
 * compressed layout the crossover bandwidth below which it beats raw: predicted by the model
 * t = S/(r·B) + S/D (D: the decode-only speed of the remote reads' decoder, measured in the run,
 * report/decode-rate.ts; the prediction the warm local read's D would give beside it) and measured
 * (fits of t = a/B + c to the three bandwidths). Each layout's remote read path is printed too.
 *
 * Usage: `npm run bench:remote -- [scenario.yaml]`.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultCacheRoot } from "../core/paths.ts";
import { loadScenario } from "../plan/load.ts";
import { bandwidthCrossovers, formatBandwidth } from "../report/bandwidth-crossover.ts";
import { DECODE_RATE_SOURCE, formatDecodeRate } from "../report/decode-rate.ts";
import { runScenarios } from "../run/executor.ts";
import { realRunDeps } from "../run/real-deps.ts";

const SCENARIO = "scenarios/bench/remote.yaml";

async function main(): Promise<void> {
  // At 20 MB/s shared by 16 GETs a queued request can wait long for its first byte: allow it.
  process.env.LAYOUTBENCH_REMOTE_TIMEOUT_MS ??= "60000";
  const scenario = loadScenario(process.argv[2] ?? SCENARIO);
  const resultsPath = join(mkdtempSync(join(tmpdir(), "layoutbench-bench-")), "remote.json");
  const results = await runScenarios(
    [scenario],
    { cacheRoot: defaultCacheRoot(), resultsPath, filter: () => true, log: (l) => console.error(l) },
    realRunDeps(),
  );
  console.log(`results: ${resultsPath}\n`);
  console.log("case                                              median ms   requests   transferred   amplif.   wire MB/s");
  for (const c of results.cases) {
    const s = c.summary;
    const r = s?.remote;
    const row = s
      ? `${s.medianMs.toFixed(1).padStart(9)}   ${r ? String(r.requests).padStart(8) : "       -"}   ${r ? `${(r.bytesTransferred / 2 ** 20).toFixed(2)} MiB`.padStart(11) : "          -"}   ${r ? r.transferAmplification.toFixed(2).padStart(7) : "      -"}   ${r ? (r.bytesTransferred / (s.medianMs / 1000) / 1e6).toFixed(1).padStart(9) : "        -"}`
      : `FAILED: ${c.error}`;
    console.log(`${c.id.replace(/^remote\/grid\//, "").padEnd(48)}  ${row}`);
  }
  console.log("\nremote read paths");
  for (const name of new Set(results.cases.map((c) => c.layout.name))) {
    const p = results.cases.find((c) => c.layout.name === name && c.storageLocation && c.readPath)?.readPath;
    if (p) console.log(`${name.padEnd(10)}  ${p.implementation}; decoder ${p.decoder}, ${p.threads} thread${p.threads === 1 ? "" : "s"}; ${p.library}`);
  }
  console.log(`\ncrossover bandwidth (compression beats raw below it); D = ${DECODE_RATE_SOURCE}`);
  console.log("(the last column: the crossover the warm local read's D would predict, for comparison)");
  console.log("pattern  layout      ratio   D                               predicted      measured   with warm local D");
  const withoutDecodeOnly = results.cases.map(({ decodeRate: _, ...c }) => c);
  const warmLocal = bandwidthCrossovers(withoutDecodeOnly, "raw");
  for (const row of bandwidthCrossovers(results.cases, "raw")) {
    const d = row.decodeBytesPerSecond === null ? "-" : `${formatDecodeRate(row.decodeBytesPerSecond)} (${row.decodeSource})`;
    const local = warmLocal.find((r) => r.pattern === row.pattern && r.layout === row.layout);
    const localText = local?.decodeBytesPerSecond ? `${formatBandwidth(local.predicted)} (D ${formatDecodeRate(local.decodeBytesPerSecond)})` : "-";
    console.log(
      `${row.pattern.padEnd(7)}  ${row.layout.padEnd(10)}  ${row.ratio.toFixed(2).padStart(5)}   ${d.padEnd(30)}  ${formatBandwidth(row.predicted).padStart(11)}   ${formatBandwidth(row.measured).padStart(11)}   ${localText}`,
    );
  }
}

await main();
