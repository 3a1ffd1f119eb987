/**
 * bench:engines' judging (harness/bench/engine-verdicts.ts) on made-up samples: ratios come with
 * intervals, "within 1.2×" needs the whole interval under it, and a ranking inversion needs both
 * engines' intervals to exclude 1 in opposite directions, so medians inverted by noise are not one.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type EngineCase, engineRatios, rankingInversions, unpreempted } from "../harness/bench/engine-verdicts.ts";

/** Samples around `ms`: ms × (1 + spread × k/4) for k = -4..4, in a scrambled order, over 3 rounds. */
function around(ms: number, spread: number): { samplesMs: number[]; rounds: number[] } {
  const ks = [0, -3, 2, 4, -1, -4, 1, 3, -2];
  return { samplesMs: ks.map((k) => ms * (1 + (spread * k) / 4)), rounds: ks.map((_, i) => 1 + (i % 3)) };
}

const make = (layout: string, engine: string, ms: number, spread = 0.02, pattern = "full", cache = "warm"): EngineCase => ({
  layout,
  pattern,
  cache,
  engine,
  ...around(ms, spread),
});

test("ratios: the harness at 1.05× of Python is within 1.2×; at 2× it is outside; across 1.2× it is unclear", () => {
  const rows = engineRatios(
    [
      make("close", "layoutbench", 10.5),
      make("close", "python", 10),
      make("slow", "layoutbench", 20),
      make("slow", "python", 10),
      make("noisy", "layoutbench", 12, 0.5),
      make("noisy", "python", 10, 0.5),
      make("alone", "layoutbench", 5),
    ],
    1.2,
  );
  const by = Object.fromEntries(rows.map((r) => [r.layout, r]));
  assert.equal(by.close.verdict, "within");
  assert.ok(Math.abs(by.close.ratio!.ratio - 1.05) < 1e-9);
  assert.ok(by.close.ratio!.low <= 1.05 && by.close.ratio!.high >= 1.05 && by.close.ratio!.high <= 1.2);
  assert.equal(by.slow.verdict, "outside");
  assert.equal(by.slow.ratio!.ratio, 2);
  assert.equal(by.noisy.verdict, "unclear");
  assert.ok(by.noisy.ratio!.low < 1.2 && by.noisy.ratio!.high > 1.2);
  assert.equal(by.alone.ratio, null);
  assert.equal(by.alone.verdict, null);
  assert.equal(by.alone.harnessMs, 5);
  assert.equal(by.alone.pythonMs, null);
});

test("an inversion is reported when both intervals exclude 1 in opposite directions, named by Python's order", () => {
  const inversions = rankingInversions([make("a", "python", 1), make("b", "python", 2), make("a", "layoutbench", 2), make("b", "layoutbench", 1)]);
  assert.equal(inversions.length, 1);
  const [i] = inversions;
  assert.deepEqual([i.pattern, i.cache, i.faster, i.slower], ["full", "warm", "a", "b"]);
  assert.equal(i.python.ratio, 2);
  assert.ok(i.python.low > 1);
  assert.equal(i.harness.ratio, 0.5);
  assert.ok(i.harness.high < 1);
  // Listed the other way round, the same pair gives the same inversion.
  const reversed = rankingInversions([make("b", "python", 2), make("a", "python", 1), make("b", "layoutbench", 1), make("a", "layoutbench", 2)]);
  assert.deepEqual(
    reversed.map((r) => [r.faster, r.slower]),
    [["a", "b"]],
  );
});

test("medians in opposite orders are not an inversion when one engine's interval contains 1", () => {
  // Python: b 1.5× a, clearly. Harness: a's median above b's, but by noise (spread 30%).
  const cases = [make("a", "python", 1), make("b", "python", 1.5), make("a", "layoutbench", 1.05, 0.3), make("b", "layoutbench", 1, 0.3)];
  const a = cases[2].samplesMs,
    b = cases[3].samplesMs;
  const med = (v: readonly number[]) => [...v].sort((x, y) => x - y)[v.length >> 1];
  assert.ok(med(a) > med(b), "the harness's medians are inverted");
  assert.deepEqual(rankingInversions(cases), []);
});

test("pairs are judged within one pattern and cache only", () => {
  const cases = [
    make("a", "python", 1, 0.02, "full", "warm"),
    make("b", "python", 2, 0.02, "full", "cold"),
    make("a", "layoutbench", 2, 0.02, "full", "warm"),
    make("b", "layoutbench", 1, 0.02, "full", "cold"),
  ];
  assert.deepEqual(rankingInversions(cases), []);
});

test("samples the scheduler took over half of are left out; samples without counters are kept", () => {
  const sched = (runDelayMs: number, stealMs = 0) => ({ wallMs: 100, runDelayMs, stealMs, involuntarySwitches: 0, cpus: 2 });
  const samples = [{ ms: 10, sched: sched(0) }, { ms: 90, sched: sched(60) }, { ms: 11, sched: sched(50) }, { ms: 80, sched: sched(20, 80) }, { ms: 12 }];
  // 60 ms of run-queue wait in 100: out; exactly half: kept; 20 ms wait + 80 ms steal over 2 CPUs = 60%: out.
  assert.deepEqual(
    unpreempted(samples).map((s) => s.ms),
    [10, 11, 12],
  );
});
