/**
 * `npm run bench:backends`: cold and warm full-scan throughput of every backend and codec on one
 * 64 MiB array (scenarios/bench/backends-fullscan.yaml), each next to the storage floor: a plain
 * sequential read of the same number of raw bytes from a file of that size, measured in the same
 * run, cold (evicted first) and warm. A ratio above 1 means the layout delivered data faster than
 * reading its uncompressed bytes would.
 */
import { closeSync, mkdtempSync, openSync, readSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evictFiles } from "../cache/evict.ts";
import { defaultCacheRoot } from "../core/paths.ts";
import { loadScenario } from "../plan/load.ts";
import { runScenarios } from "../run/executor.ts";
import { realRunDeps } from "../run/real-deps.ts";
import type { MemmapLayout } from "../scenario/types.ts";
import { ensureMaterialized, logicalBytes } from "../store/materialize.ts";

const SCENARIO = "scenarios/bench/backends-fullscan.yaml";
const FLOOR_RUNS = 7;
const CHUNK = 8 * 1024 * 1024;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Sequential read of a whole file into one reused buffer: the most a plain read can do. */
function readWhole(path: string, buffer: Buffer): number {
  const fd = openSync(path, "r");
  const t0 = performance.now();
  try {
    let position = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK, position);
      if (n === 0) break;
      position += n;
    }
  } finally {
    closeSync(fd);
  }
  return performance.now() - t0;
}

async function floor(path: string): Promise<{ cold: number; warm: number }> {
  const buffer = Buffer.alloc(CHUNK);
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < FLOOR_RUNS; i++) {
    await evictFiles([path], "fadvise");
    cold.push(readWhole(path, buffer));
    warm.push(readWhole(path, buffer));
  }
  return { cold: median(cold), warm: median(warm) };
}

async function main(): Promise<void> {
  const scenario = loadScenario(SCENARIO);
  const root = defaultCacheRoot();
  const dataset = scenario.datasets[0];
  const raw: MemmapLayout = { name: "floor", backend: "memmap", advice: "sequential", order: "C" };
  const rawFile = join((await ensureMaterialized(root, dataset, raw)).stored.dir, "data.npy");
  const bytes = logicalBytes(dataset);

  const before = await floor(rawFile);
  const resultsPath = join(mkdtempSync(join(tmpdir(), "layoutbench-bench-")), "backends.json");
  const results = await runScenarios([scenario], { cacheRoot: root, resultsPath, filter: () => true, log: (l) => console.error(l) }, realRunDeps());
  const after = await floor(rawFile);
  const floorMs = { cold: median([before.cold, after.cold]), warm: median([before.warm, after.warm]) };
  const mbps = (ms: number) => bytes / 1e6 / (ms / 1000);

  console.log(
    `\nstorage floor (plain sequential read of ${(bytes / 2 ** 20).toFixed(0)} MiB, median of ${FLOOR_RUNS} before and after): ` +
      `cold ${mbps(floorMs.cold).toFixed(0)} MB/s, warm ${mbps(floorMs.warm).toFixed(0)} MB/s ` +
      `(before ${mbps(before.cold).toFixed(0)}/${mbps(before.warm).toFixed(0)}, after ${mbps(after.cold).toFixed(0)}/${mbps(after.warm).toFixed(0)})`,
  );
  console.log("\n| layout | on disk | ratio | cold MB/s | cold ÷ floor | warm MB/s | warm ÷ floor | cold read amplification |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const layout of scenario.layouts) {
    const cell = (cache: string) => results.cases.find((c) => c.layout.name === layout.name && c.cache === cache);
    const cold = cell("cold");
    const warm = cell("warm");
    if (!cold?.summary || !warm?.summary) {
      console.log(`| ${layout.name} | failed: ${cold?.error ?? warm?.error ?? "not run"} |`);
      continue;
    }
    const st = cold.storage!;
    console.log(
      `| ${layout.name} | ${(st.bytesOnDisk / 2 ** 20).toFixed(1)} MiB | ${st.compressionRatio.toFixed(2)}× | ` +
        `${mbps(cold.summary.medianMs).toFixed(0)} | ${(floorMs.cold / cold.summary.medianMs).toFixed(2)} | ` +
        `${mbps(warm.summary.medianMs).toFixed(0)} | ${(floorMs.warm / warm.summary.medianMs).toFixed(2)} | ${cold.summary.readAmplification.toFixed(2)}× |`,
    );
  }
  console.log(`\nresults: ${resultsPath}`);
}

await main();
