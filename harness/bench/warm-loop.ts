/**
 * `npm run bench:warm-loop`: how much the warm sample loop itself adds to a short read. One warm
 * one-row read of a memory-mapped .npy file (8 KiB of a 16 MiB float32 array), timed two ways
 * on the same open reader, alternately, several times:
 *   bare       batches of reads into one buffer, each batch timed as a whole (the floor)
 *   sampler    the harness's warm samples (sampler.ts with the real environment), per pass
 * Prints the median over repeats of each and its ratio to the bare loop.
 *
 * Usage: `npm run bench:warm-loop -- [--repeats N]`
 */

import { expandPattern } from "../access/patterns.ts";
import { parseCommandArgs } from "../cli/args.ts";
import { allocate } from "../core/dtype.ts";
import { defaultCacheRoot } from "../core/paths.ts";
import { OutputPool } from "../engines/output-pool.ts";
import { generatorVerifier } from "../engines/verify.ts";
import { parseScenario } from "../plan/load.ts";
import { realRunDeps } from "../run/real-deps.ts";
import { sampleRound } from "../run/sampler.ts";
import { expandCases } from "../scenario/expand.ts";

const SCENARIO = `
version: 1
name: warm-loop
datasets: [{name: field, shape: [2048, 2048], dtype: float32, generator: smooth, seed: 1}]
layouts: [{name: npy, backend: memmap}]
patterns: [{name: row, kind: rows, count: 1}]
cache: [warm]
sampling: {samples: 30, minSamples: 30, rounds: 1, warmup: 1, minSampleMs: 10, timeBudget: 60}
`;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const args = parseCommandArgs("bench:warm-loop", process.argv.slice(2), { repeats: { type: "string" } });
  if (args.values.help) {
    console.log("usage: npm run bench:warm-loop -- [--repeats N]");
    return;
  }
  const repeats = Number(args.values.repeats ?? 5);
  const deps = realRunDeps();
  const scenario = parseScenario(SCENARIO, "warm-loop.yaml");
  const spec = expandCases(scenario)[0];
  const m = await deps.materialize(defaultCacheRoot(), spec.dataset, spec.layout, {});
  const backend = deps.backendFor(spec.layout);
  const [sel] = expandPattern(spec.pattern, spec.dataset.shape, 4);
  const out = allocate(spec.dataset.dtype, spec.dataset.shape[1]);
  const reader = await backend.open(m.stored, { writable: false });
  const results: Record<string, number[]> = { bare: [], sampler: [] };
  try {
    for (let r = 0; r < repeats; r++) {
      // bare: batches of 1000 reads, each batch timed as a whole; the median batch mean.
      for (let i = 0; i < 1000; i++) await reader.read(sel, out);
      const batches: number[] = [];
      for (let b = 0; b < 30; b++) {
        const t0 = performance.now();
        for (let i = 0; i < 1000; i++) await reader.read(sel, out);
        batches.push((performance.now() - t0) / 1000);
      }
      results.bare.push(median(batches));

      // sampler: the harness's warm samples through our engine session and the real environment.
      const env = deps.sampleEnv("fadvise");
      const session = deps.engines.layoutbench(spec, backend, m.stored, [sel], env.now, generatorVerifier(spec.dataset, [sel]), new OutputPool());
      const taken = await sampleRound(spec, session, [], env, { round: 1, samples: 30, minSamples: 30, timeBudget: 60 });
      results.sampler.push(median(taken.samples.map((s) => s.ms)));
    }
  } finally {
    await reader.close();
  }
  const bare = median(results.bare);
  console.log("| loop | median µs per read | ÷ bare |");
  console.log("|---|---:|---:|");
  for (const [name, xs] of Object.entries(results)) {
    console.log(`| ${name} | ${(median(xs) * 1000).toFixed(2)} | ${(median(xs) / bare).toFixed(2)}× |`);
  }
}

await main();
