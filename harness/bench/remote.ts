/**
 * `npm run bench:remote`: scenarios/bench/remote.yaml — raw, Blosc-LZ4 and zstd Zarr and chunked
 * HDF5, full and tiles, read warm from local disk and from an HTTP server shaped to three
 * bandwidths with 20 ms latency. Prints each case's median and transfer, then per pattern and
 * compressed layout the crossover bandwidth below which it beats raw: predicted by the model
 * t = S/(r·B) + S/D (D: the warm local read of the same layout through the decoder the remote
 * reads use, report/decode-rate.ts) and measured (fits of t = a/B + c to the three bandwidths).
 * Then D measured as decoding alone by that decoder (decode-speed.ts) and the crossover it
 * predicts, as a check: the report's chart uses the warm local D. Each layout's remote read path is
 * printed too.
 *
 * Usage: `npm run bench:remote -- [scenario.yaml]`.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultCacheRoot } from "../core/paths.ts";
import { loadScenario } from "../plan/load.ts";
import { bandwidthCrossovers, formatBandwidth } from "../report/bandwidth-crossover.ts";
import { DECODE_RATE_SOURCE } from "../report/decode-rate.ts";
import { runScenarios } from "../run/executor.ts";
import { realRunDeps } from "../run/real-deps.ts";
import { crossoverBandwidth } from "../stats/transfer-model.ts";
import { decodeOnlyDecoder, decodeOnlySpeed } from "./decode-speed.ts";

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
  console.log("pattern  layout      ratio   D (local warm)   predicted      measured");
  for (const row of bandwidthCrossovers(results.cases, "raw")) {
    const d = row.decodeBytesPerSecond === null ? "-" : formatBandwidth(row.decodeBytesPerSecond);
    console.log(
      `${row.pattern.padEnd(7)}  ${row.layout.padEnd(10)}  ${row.ratio.toFixed(2).padStart(5)}   ${d.padStart(14)}   ${formatBandwidth(row.predicted).padStart(11)}   ${formatBandwidth(row.measured).padStart(11)}`,
    );
  }
  console.log(
    "\nD measured as decoding alone: the layout's chunks in memory through the decoder its remote reads use (unsharded Zarr: the chunk reader's, the addon's C decoders); raw: none, D = ∞; HDF5: not timed (libhdf5's filters)",
  );
  console.log("layout      ratio   D (decode only)   predicted with it   decoder");
  const rawRatio = results.cases.find((c) => c.layout.name === "raw" && c.storage)?.storage?.compressionRatio ?? 1;
  const dataset = scenario.datasets[0];
  for (const layout of scenario.layouts) {
    if (layout.name === "raw") continue;
    const speed = await decodeOnlySpeed(dataset, layout);
    const ratio = results.cases.find((c) => c.layout.name === layout.name && c.storage)?.storage?.compressionRatio ?? 1;
    const predicted = speed === null ? null : crossoverBandwidth({ ratio, decodeBytesPerSecond: speed }, { ratio: rawRatio, decodeBytesPerSecond: Infinity });
    const shown = speed === null ? "-" : speed === Infinity ? "none (∞)" : formatBandwidth(speed);
    const decoder = decodeOnlyDecoder(dataset, layout) ?? "-";
    console.log(`${layout.name.padEnd(10)}  ${ratio.toFixed(2).padStart(5)}   ${shown.padStart(15)}   ${formatBandwidth(predicted).padStart(17)}   ${decoder}`);
  }
}

await main();
