/**
 * `npm run bench:warm-loop`: how much the warm sample loop itself adds to a short read. One warm
 * one-row read of a memory-mapped .npy file (8 KiB of a 16 MiB float32 array), timed two ways
 * on the same open reader, alternately, several times:
 *   bare                 batches of reads into one buffer, each batch timed as a whole (the floor)
 *   sampler              the harness's warm samples (sampler.ts with the real environment), per pass
 *   sampler, clock kept  the same with nothing subtracted for the clock's cost per timed read
 *   sampler, per-pass    the same, also calling the session once per pass (no `passes`): the loop
 *                        as it was before both changes
 * Prints, per loop, the median over repeats of its µs per read and of its ratio to the bare loop of
 * the same repeat, and the clock's cost of an empty timed region that the sampler subtracts
 * (run/timer-overhead.ts).
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
import { processTimerOverheadMs } from "../run/timer-overhead.ts";
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
  const pool = new OutputPool();
  const results: Record<string, number[]> = { bare: [], sampler: [], "sampler, clock kept": [], "sampler, per-pass": [] };
  const ratios: Record<string, number[]> = { bare: [], sampler: [], "sampler, clock kept": [], "sampler, per-pass": [] };
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

      // sampler: the harness's warm samples through our engine session and the real environment,
      // with the clock's cost subtracted as a run does, then without.
      const env = deps.sampleEnv("fadvise");
      const bareMs = median(batches);
      ratios.bare.push(1);
      for (const [name, caseEnv, batched] of [
        ["sampler", env, true],
        ["sampler, clock kept", { ...env, timerOverheadMs: 0 }, true],
        ["sampler, per-pass", { ...env, timerOverheadMs: 0 }, false],
      ] as const) {
        const full = deps.engines.layoutbench(spec, backend, m.stored, [sel], env.now, generatorVerifier(spec.dataset, [sel]), pool);
        const session = batched ? full : { ...full, passes: undefined };
        const taken = await sampleRound(spec, session, [], caseEnv, { round: 1, samples: 30, minSamples: 30, timeBudget: 60 });
        const ms = median(taken.samples.map((s) => s.ms));
        results[name].push(ms);
        ratios[name].push(ms / bareMs);
      }
    }
  } finally {
    await reader.close();
  }
  console.log(`| loop | median µs per read | median of ÷ bare over ${repeats} repeats | ÷ bare per repeat |`);
  console.log("|---|---:|---:|---|");
  for (const [name, xs] of Object.entries(results)) {
    const each = ratios[name].map((r) => r.toFixed(2)).join(" ");
    console.log(`| ${name} | ${(median(xs) * 1000).toFixed(3)} | ${median(ratios[name]).toFixed(2)}× | ${each} |`);
  }
  console.log(`\nclock cost of an empty timed region, subtracted per timed read: ${(processTimerOverheadMs() * 1000).toFixed(3)} µs`);
}

await main();
