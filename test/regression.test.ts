/**
 * Regression classification (harness/stats/regression.ts), pure: a table of cases with the class
 * each must get, the rule's edge cases, Mann-Whitney reference values from scipy 1.10, and the
 * threshold policy of `compare --threshold-for`. The p-values use an erfc approximation good to
 * ~1.5e-7, hence the 1e-6 tolerance.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseThreshold, parseThresholdOverride, thresholdPolicy } from "../harness/compare/thresholds.ts";
import { UserError } from "../harness/core/errors.ts";
import { deriveSeed } from "../harness/stats/prng.ts";
import { type CaseSamples, classifyCase, classifyPair, mannWhitney } from "../harness/stats/regression.ts";

/** `base` scaled by small fixed relative offsets: a tight, realistic-looking sample. */
const NOISE = [0, 0.02, -0.01, 0.01, 0.03, -0.02, 0, 0.015, -0.005];
const tight = (base: number) => NOISE.map((e) => base * (1 + e));
/** Spread of ±40%: nothing is significant at these sizes unless the shift is huge. */
const WIDE = [0, 0.4, -0.35, 0.25, -0.3, 0.38, -0.2, 0.1, -0.4];
const noisy = (base: number) => WIDE.map((e) => base * (1 + e));
const ok = (samplesMs: number[]): CaseSamples => ({ status: "ok", samplesMs });

describe("classification table (default rule, threshold 10%)", () => {
  const rows: { name: string; baseline: number[]; current: number[]; expected: string; significant?: boolean }[] = [
    { name: "identical samples", baseline: tight(10), current: tight(10), expected: "unchanged", significant: false },
    { name: "identical constant samples", baseline: [5, 5, 5], current: [5, 5, 5], expected: "unchanged", significant: false },
    { name: "clear 2× slower", baseline: tight(10), current: tight(20), expected: "regressed", significant: true },
    { name: "clear 2× faster", baseline: tight(10), current: tight(5), expected: "improved", significant: true },
    { name: "5% slower, significant, below the threshold", baseline: tight(10), current: tight(10.5), expected: "unchanged", significant: true },
    { name: "1.5× slower but too noisy to be significant", baseline: noisy(10), current: noisy(15), expected: "unchanged", significant: false },
    { name: "constant samples 1.2× apart", baseline: [5, 5, 5], current: [6, 6, 6], expected: "regressed", significant: true },
    { name: "two samples each, 3× apart", baseline: [1, 1.1], current: [3, 3.3], expected: "regressed", significant: true },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const v = classifyPair(row.baseline, row.current, { threshold: 0.1 });
      assert.equal(v.class, row.expected, v.note);
      if (row.significant !== undefined) assert.equal(v.significant, row.significant, v.note);
      assert.ok(v.low <= v.ratio + 1e-12 && v.ratio <= v.high + 1e-12, `ratio ${v.ratio} outside [${v.low}, ${v.high}]`);
    });
  }

  test("notes say why", () => {
    assert.match(classifyPair(tight(10), tight(20), { threshold: 0.1 }).note, /^95% CI 1\.\d\d×–2\.\d\d× above 1\.10×$/);
    assert.match(classifyPair(tight(10), tight(10.5), { threshold: 0.1 }).note, /^significant, but the 95% CI 1\.0\d×–1\.0\d× reaches below 1\.10×$/);
    assert.match(
      classifyPair(tight(10), tight(10.5), { threshold: 0.1, rule: { thresholdOn: "point" } }).note,
      /^significant, but within the 10% threshold \(ratio 1\.05×\)$/,
    );
    assert.match(classifyPair(noisy(10), noisy(15), { threshold: 0.1 }).note, /contains 1: no significant change$/);
  });

  test("the threshold applies to the whole interval, not only to the point ratio", () => {
    // ratio 1.15 with a CI reaching below 1.10: beyond the threshold by its point, not by its bound.
    const baseline = tight(10);
    const current = [10.6, 11.8, 11.0, 12.2, 11.5, 10.9, 11.9, 11.4, 12.4];
    const bound = classifyPair(baseline, current, { threshold: 0.1 });
    const point = classifyPair(baseline, current, { threshold: 0.1, rule: { thresholdOn: "point" } });
    assert.ok(bound.low < 1.1 && bound.ratio > 1.1, `CI ${bound.low}–${bound.high}, ratio ${bound.ratio}`);
    assert.equal(bound.class, "unchanged");
    assert.equal(point.class, "regressed");
  });

  test("improvements use the reciprocal threshold: 1/1.1, not 0.9", () => {
    // 0.905×: beyond 0.9 of a naive reading? no — inside 1/1.1 = 0.909 means improved only below it.
    assert.equal(classifyPair(tight(10), tight(9.2), { threshold: 0.1 }).class, "unchanged");
    assert.equal(classifyPair(tight(10), tight(8.5), { threshold: 0.1 }).class, "improved");
  });

  test("threshold 0: any significant change counts", () => {
    assert.equal(classifyPair(tight(10), tight(10.5), { threshold: 0 }).class, "regressed");
  });

  test("the Mann-Whitney rule cannot reach p < 0.05 with 3 samples a side", () => {
    const v = classifyPair([1, 1.1, 1.2], [2, 2.1, 2.2], { threshold: 0.1, rule: { test: "mann-whitney" } });
    assert.equal(v.pValue, 0.1);
    assert.equal(v.class, "unchanged");
    assert.equal(classifyPair(tight(1), tight(2), { threshold: 0.1, rule: { test: "mann-whitney", thresholdOn: "point" } }).class, "regressed");
  });

  test("deterministic, and swapping the runs swaps regressed and improved", () => {
    assert.deepEqual(classifyPair(tight(10), tight(20), { threshold: 0.1, seed: 7 }), classifyPair(tight(10), tight(20), { threshold: 0.1, seed: 7 }));
    assert.equal(classifyPair(tight(20), tight(10), { threshold: 0.1 }).class, "improved");
    const shuffled = [...tight(20)].reverse();
    assert.equal(classifyPair(tight(10), shuffled, { threshold: 0.1 }).class, "regressed");
  });

  test("the default rule is the one documented: a 95% bootstrap interval, wholly beyond the threshold", () => {
    // 12% slower, but the interval's lower end (≈1.098) is inside a 10% threshold.
    const v = classifyPair(tight(10), tight(11.2), { threshold: 0.1 });
    assert.equal(v.confidence, 0.95);
    assert.ok(v.ratio > 1.1 && v.low < 1.1 && v.significant, JSON.stringify(v));
    assert.equal(v.class, "unchanged");
    assert.equal(classifyPair(tight(10), tight(11.2), { threshold: 0.1, rule: { thresholdOn: "point" } }).class, "regressed");
    const documented = { test: "bootstrap", thresholdOn: "bound", confidence: 0.95, resample: "rounds" } as const;
    assert.deepEqual(classifyPair(tight(10), tight(11.2), { threshold: 0.1, rule: documented }), v);
  });

  test("bad thresholds are bugs of the caller", () => {
    assert.throws(() => classifyPair(tight(1), tight(1), { threshold: -0.1 }), RangeError);
    assert.throws(() => classifyPair(tight(1), tight(1), { threshold: Number.NaN }), RangeError);
  });
});

describe("cases: presence, failures, sample counts, per-case thresholds", () => {
  const opts = { threshold: 0.1, id: "s/d/l/p/cold" };
  test("added, removed", () => {
    assert.equal(classifyCase(undefined, ok(tight(1)), opts).class, "added");
    assert.equal(classifyCase(ok(tight(1)), undefined, opts).class, "removed");
    assert.throws(() => classifyCase(undefined, undefined, opts), RangeError);
  });
  test("failed on either side", () => {
    const failed: CaseSamples = { status: "failed", samplesMs: [], error: "boom" };
    assert.deepEqual(classifyCase(ok(tight(1)), failed, opts), { class: "failed", threshold: 0.1, note: "failed in the current run: boom" });
    assert.equal(classifyCase(failed, ok(tight(1)), opts).note, "failed in the baseline: boom");
  });
  test("fewer than 2 samples, or non-positive times: insufficient", () => {
    assert.deepEqual(classifyCase(ok([1]), ok(tight(1)), opts), {
      class: "insufficient",
      threshold: 0.1,
      note: "1 sample in the baseline (a comparison needs 2)",
    });
    assert.equal(classifyCase(ok(tight(1)), ok([]), opts).note, "0 samples in the current run (a comparison needs 2)");
    assert.equal(classifyCase(ok([0, 1, 2]), ok(tight(1)), opts).class, "insufficient");
  });
  test("a per-case threshold turns a 2× regression into unchanged", () => {
    assert.equal(classifyCase(ok(tight(10)), ok(tight(20)), opts).class, "regressed");
    assert.equal(classifyCase(ok(tight(10)), ok(tight(20)), { ...opts, threshold: 1.5 }).class, "unchanged");
  });
  test("seeded by case id: a case's interval does not depend on what else is compared", () => {
    const a = classifyCase(ok(noisy(10)), ok(noisy(12)), opts);
    assert.deepEqual(a, classifyCase(ok(noisy(10)), ok(noisy(12)), opts));
    assert.deepEqual(a, classifyPair(noisy(10), noisy(12), { threshold: 0.1, seed: deriveSeed("regression", opts.id) }));
  });
});

describe("Mann-Whitney U against scipy.stats.mannwhitneyu 1.10", () => {
  const close = (actual: number, expected: number, tolerance: number) =>
    assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);
  test("exact distribution (no ties)", () => {
    assert.deepEqual(mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]), { u: 0, p: 2 / 252 });
    assert.deepEqual(mannWhitney([1, 3, 5, 7, 9], [2, 4, 6, 8, 10]), { u: 10, p: 0.6904761904761905 });
  });
  test("normal approximation with ties (tie and continuity corrections)", () => {
    const tied = mannWhitney([1.1, 2.2, 3.3, 4.4], [1.1, 2.5, 3.9, 4.4, 5.0, 6.1]);
    assert.equal(tied.u, 7);
    close(tied.p, 0.33440899899761134, 1e-6);
    close(mannWhitney([1, 1, 1], [2, 2, 2]).p, 0.04685417760387376, 1e-6);
    assert.deepEqual(mannWhitney([5, 5, 5], [5, 5, 5]), { u: 4.5, p: 1 });
  });
  test("normal approximation beyond the exact limit (30 × 25)", () => {
    const r = mannWhitney(
      Array.from({ length: 30 }, (_, i) => i),
      Array.from({ length: 25 }, (_, i) => i + 7.5),
    );
    assert.equal(r.u, 253);
    close(r.p, 0.04000233106564058, 1e-6);
  });
  test("symmetric in its p-value; u + u' = n·m", () => {
    const a = [3, 8, 1, 9.5, 4];
    const b = [2, 7, 6, 10, 11, 12];
    assert.equal(mannWhitney(a, b).p, mannWhitney(b, a).p);
    assert.equal(mannWhitney(a, b).u + mannWhitney(b, a).u, a.length * b.length);
  });
});

describe("threshold policy (--threshold, --threshold-for)", () => {
  test("default, word patterns, /regex/, last match wins", () => {
    const policy = thresholdPolicy(0.1, [
      parseThresholdOverride("warm=0.25"),
      parseThresholdOverride("/npy-random.*warm$/=0.5"),
      parseThresholdOverride("zarr cold=0.2"),
    ]);
    assert.equal(policy.thresholdFor("ci/grid/npy/rows/cold"), 0.1);
    assert.equal(policy.thresholdFor("ci/grid/npy/rows/warm"), 0.25);
    assert.equal(policy.thresholdFor("ci/grid/npy-random/rows/warm"), 0.5);
    assert.equal(policy.thresholdFor("ci/grid/zarr-128/rows/cold"), 0.2);
  });
  test("a pattern may contain '=': the value follows the last one", () => {
    assert.equal(parseThresholdOverride("/a=b/=0.3").pattern, "/a=b/");
  });
  test("errors name the flag and what is allowed", () => {
    assert.throws(
      () => parseThreshold("ten", "--threshold"),
      (e: Error) => e instanceof UserError && e.message === '--threshold: expected a number >= 0 (a fraction: 0.1 means 10%), got "ten"',
    );
    assert.throws(() => parseThreshold("10", "--threshold"), /thresholds are fractions/);
    assert.throws(
      () => parseThresholdOverride("0.25"),
      (e: Error) => e.message === '--threshold-for: expected PATTERN=FRACTION (e.g. warm=0.25 or /npy.*cold$/=0.2), got "0.25"',
    );
    assert.throws(
      () => parseThresholdOverride("/(/=0.2"),
      (e: Error) => e instanceof UserError && e.message.startsWith("--threshold-for /(/: Invalid regular expression"),
    );
  });
});

describe("two-stage bootstrap over rounds", () => {
  // Four rounds whose levels differ by ±15% (the machine's state moved between rounds), each
  // round's samples tight around its level: 20 samples that are not 20 independent draws.
  const levels = [1, 1.15, 0.87, 1.1];
  const rounds = levels.flatMap((_, r) => Array.from({ length: 5 }, () => r + 1));
  const run = (base: number, shift = levels) => shift.flatMap((l) => [0, 0.01, -0.01, 0.005, -0.005].map((e) => base * l * (1 + e)));

  test("the interval carries the round-to-round spread that a samples bootstrap hides", () => {
    const baseline = run(10);
    const current = run(10, [0.9, 1.0, 1.05, 1.2]); // another run: rounds at other levels, same centre
    const bySamples = classifyPair(baseline, current, { threshold: 0.1, rule: { resample: "samples" }, seed: 1 });
    const byRounds = classifyPair(baseline, current, { threshold: 0.1, seed: 1, rounds: { baseline: rounds, current: rounds } });
    assert.ok(
      byRounds.high / byRounds.low > bySamples.high / bySamples.low,
      `rounds ${byRounds.low}–${byRounds.high} vs samples ${bySamples.low}–${bySamples.high}`,
    );
    assert.equal(byRounds.class, "unchanged");
  });

  test("a shift much larger than the round-to-round spread is still flagged", () => {
    const v = classifyPair(run(10), run(20), { threshold: 0.1, seed: 1, rounds: { baseline: rounds, current: rounds } });
    assert.equal(v.class, "regressed");
    assert.ok(v.low > 1.1);
  });

  test("without round labels, or with one round, it is the samples bootstrap", () => {
    const b = tight(10);
    const c = tight(12);
    const plain = classifyPair(b, c, { threshold: 0.1, seed: 3 });
    const oneRound = classifyPair(b, c, { threshold: 0.1, seed: 3, rounds: { baseline: b.map(() => 1), current: c.map(() => 1) } });
    assert.deepEqual([oneRound.low, oneRound.high], [plain.low, plain.high]);
  });

  test("rounds of unequal sizes (a round cut short by the time budget) resample without error", () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const labels = [1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 3];
    const v = classifyPair(
      values,
      values.map((x) => x * 3),
      { threshold: 0.1, seed: 5, rounds: { baseline: labels, current: labels } },
    );
    assert.ok(Number.isFinite(v.low) && Number.isFinite(v.high) && v.low <= v.ratio * 1.5);
    assert.throws(() => classifyPair(values, values, { threshold: 0.1, rounds: { baseline: [1, 2], current: labels } }), /2 group labels for 11 values/);
  });
});

describe("paired bootstrap over blocks measured alternately (layoutbench ab)", () => {
  // Eight blocks at levels ±30% apart: the machine's state moved from block to block, and both
  // runs of a block met the same state (they ran side by side).
  const levels = [1, 1.3, 0.8, 1.25, 0.75, 1.1, 0.9, 1.2];
  const blocks = levels.flatMap((_, b) => [b + 1, b + 1, b + 1]);
  const run = (base: number) => levels.flatMap((l) => [0, 0.01, -0.01].map((e) => base * l * (1 + e)));
  const rounds = { baseline: blocks, current: blocks };

  test("a 30% slow-down under block-to-block drift of ±30% is flagged paired, not when the blocks are drawn apart", () => {
    const paired = classifyPair(run(10), run(13), { threshold: 0.1, seed: 2, rounds, paired: true });
    const apart = classifyPair(run(10), run(13), { threshold: 0.1, seed: 2, rounds });
    assert.equal(paired.class, "regressed", paired.note);
    assert.ok(paired.low > 1.2 && paired.high < 1.4, `${paired.low}–${paired.high}`);
    assert.equal(apart.class, "unchanged", apart.note);
  });

  test("no change under the same drift: the paired interval is narrow around 1", () => {
    const v = classifyPair(run(10), run(10), { threshold: 0.1, seed: 2, rounds, paired: true });
    assert.equal(v.class, "unchanged");
    assert.ok(v.low > 0.97 && v.high < 1.03, `${v.low}–${v.high}`);
  });

  test("only blocks both runs hold are paired; fewer than 2 shared blocks fall back to independent draws", () => {
    const some = classifyPair(run(10), run(13).slice(0, 12), {
      threshold: 0.1,
      seed: 2,
      rounds: { baseline: blocks, current: blocks.slice(0, 12) },
      paired: true,
    });
    assert.ok(Number.isFinite(some.low) && some.low > 1);
    const disjoint = { baseline: blocks, current: blocks.map((b) => b + 100) };
    const fallback = classifyPair(run(10), run(13), { threshold: 0.1, seed: 2, rounds: disjoint, paired: true });
    const apart = classifyPair(run(10), run(13), { threshold: 0.1, seed: 2, rounds: disjoint });
    assert.deepEqual([fallback.low, fallback.high], [apart.low, apart.high]);
  });

  test("the samples rule ignores pairing", () => {
    const paired = classifyPair(run(10), run(13), { threshold: 0.1, seed: 2, rounds, paired: true, rule: { resample: "samples" } });
    const plain = classifyPair(run(10), run(13), { threshold: 0.1, seed: 2, rule: { resample: "samples" } });
    assert.deepEqual([paired.low, paired.high], [plain.low, plain.high]);
  });
});
