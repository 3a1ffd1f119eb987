/**
 * Statistics, tested three ways: exact values on tiny samples, reference values from other
 * implementations (numpy, a Python port of mulberry32), and properties over many random samples.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_RESAMPLES, medianCI, resampleMedians } from "../harness/stats/bootstrap.ts";
import { compareMedians, verdictOf } from "../harness/stats/compare.ts";
import { classify, classifyOutliers, tukeyFences } from "../harness/stats/outliers.ts";
import { createRng, deriveSeed, type Rng } from "../harness/stats/prng.ts";
import { MIN_SAMPLES, quantile, summarize } from "../harness/stats/summary.ts";

/** Normal draws (Box–Muller) from a seeded generator, so every property run is reproducible. */
function normal(rng: Rng, mean: number, sd: number): number {
  return mean + sd * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}
function sample(n: number, draw: () => number): number[] {
  return Array.from({ length: n }, draw);
}
function shuffled(values: readonly number[], rng: Rng): number[] {
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
const close = (actual: number, expected: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

describe("exact values on tiny samples", () => {
  test("summarize", () => {
    assert.deepEqual(summarize([3, 1, 2]), { n: 3, min: 1, max: 3, mean: 2, median: 2, q1: 1.5, q3: 2.5, iqr: 1, mad: 1 });
    assert.deepEqual(summarize([4, 1, 3, 2]), { n: 4, min: 1, max: 4, mean: 2.5, median: 2.5, q1: 1.75, q3: 3.25, iqr: 1.5, mad: 1 });
    assert.deepEqual(summarize([7]), { n: 1, min: 7, max: 7, mean: 7, median: 7, q1: 7, q3: 7, iqr: 0, mad: 0 });
  });

  test("Tukey fences and classes", () => {
    assert.deepEqual(tukeyFences([1, 2, 3, 4, 100]), { lowSevere: -4, lowMild: -1, highMild: 7, highSevere: 10 });
    const fences = tukeyFences([1, 2, 3, 4, 5]);
    assert.equal(classify(7, fences), "normal"); // exactly on the mild fence is not beyond it
    assert.equal(classify(8.5, fences), "high-mild");
    assert.equal(classify(100, fences), "high-severe");
    assert.equal(classify(-1.5, fences), "low-mild");
    assert.equal(classify(-5, fences), "low-severe");
    const report = classifyOutliers([1, 2, 3, 4, 100]);
    assert.deepEqual(report.classes, ["normal", "normal", "normal", "normal", "high-severe"]);
    assert.equal(report.counts["high-severe"], 1);
  });

  test("bootstrap CI of two values spans both; constant samples give a point", () => {
    assert.deepEqual(medianCI([1, 3], { seed: 1 }), { estimate: 2, low: 1, high: 3, confidence: 0.95 });
    assert.deepEqual(medianCI([5, 5, 5], { seed: 1 }), { estimate: 5, low: 5, high: 5, confidence: 0.95 });
  });

  test("comparison of constant samples is exact", () => {
    assert.deepEqual(compareMedians([1, 1, 1], [2, 2, 2]), { ratio: 0.5, low: 0.5, high: 0.5, confidence: 0.95, verdict: "faster" });
    assert.equal(compareMedians([3, 3], [2, 2]).verdict, "slower");
    assert.equal(compareMedians([2, 2], [2, 2]).verdict, "tie");
  });

  test("verdicts: a tie is an interval containing 1", () => {
    assert.equal(verdictOf(0.9, 1.1), "tie");
    assert.equal(verdictOf(0.8, 1), "tie");
    assert.equal(verdictOf(1, 1.2), "tie");
    assert.equal(verdictOf(0.5, 0.99), "faster");
    assert.equal(verdictOf(1.01, 3), "slower");
  });

  test("minimum sample count (its warning: warnings.test.ts)", () => {
    assert.equal(MIN_SAMPLES, 5);
  });

  test("invariants are enforced: at least 2 values for a bootstrap, no NaN", () => {
    assert.throws(() => summarize([]), RangeError);
    assert.throws(() => summarize([1, Number.NaN]), /value 1 is NaN/);
    assert.throws(() => medianCI([1]), /at least 2/);
    assert.throws(() => compareMedians([1, 2], [0, 1]), /must be > 0/);
    assert.throws(() => medianCI([1, 2], { confidence: 1 }), RangeError);
  });
});

describe("reference values from other implementations", () => {
  // numpy 1.24.2: np.percentile(x, [0, 10, 25, 50, 75, 90, 100]) (linear = type 7), x.mean(),
  // np.median(np.abs(x - np.median(x))). Compared within 1e-12: numpy interpolates with a
  // different float formula, so the last bit may differ.
  const x = [12.1, 9.8, 15.3, 11.0, 10.4, 30.2, 9.9, 13.7, 10.8, 11.5, 12.9];
  test("quantiles, mean and MAD match numpy", () => {
    const expected = [9.8, 9.9, 10.600000000000001, 11.5, 13.3, 15.3, 30.2];
    [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1].forEach((p, i) => {
      close(quantile(x, p), expected[i]);
    });
    const s = summarize(x);
    close(s.mean, 13.418181818181818);
    close(s.mad, 1.4000000000000004);
    const y = summarize([0.5, 7.25, 3.0, 3.0, 1.75, 12.5]);
    close(y.q1, 2.0625);
    close(y.median, 3);
    close(y.q3, 6.1875);
    close(y.mean, 4.666666666666667);
    close(y.mad, 1.875);
  });

  test("the PRNG matches an independent Python port of mulberry32", () => {
    const a = createRng(1);
    assert.deepEqual([a(), a(), a(), a()], [0.6270739405881613, 0.002735721180215478, 0.5274470399599522, 0.9810509674716741]);
    const b = createRng(20240601);
    assert.deepEqual([b(), b(), b()], [0.35344086796976626, 0.02818377036601305, 0.6889668190851808]);
  });

  test("seed derivation is 32-bit FNV-1a (values from a Python implementation)", () => {
    assert.equal(deriveSeed("a", "b"), 284404690);
    assert.equal(deriveSeed("tiles"), 4178729166);
    assert.equal(deriveSeed(), 2166136261);
  });
});

describe("properties over many random samples", () => {
  const rng = createRng(12345);
  const samples = Array.from({ length: 150 }, (_, i) => {
    const n = 2 + (i % 40);
    // Skewed like storage timings: a lognormal body with occasional slow samples.
    return sample(n, () => Math.exp(normal(rng, 2, 0.4)) * (rng() < 0.1 ? 3 : 1));
  });

  test("summaries do not depend on sample order", () => {
    for (const s of samples) assert.deepEqual(summarize(shuffled(s, rng)), summarize(s));
  });

  test("min ≤ q1 ≤ median ≤ q3 ≤ max, and IQR, MAD ≥ 0", () => {
    for (const s of samples) {
      const t = summarize(s);
      assert.ok(t.min <= t.q1 && t.q1 <= t.median && t.median <= t.q3 && t.q3 <= t.max, JSON.stringify(t));
      assert.ok(t.iqr >= 0 && t.mad >= 0);
    }
  });

  test("outlier counts add up to the sample size", () => {
    for (const s of samples) {
      const counts = classifyOutliers(s).counts;
      assert.equal(
        Object.values(counts).reduce((a, b) => a + b, 0),
        s.length,
      );
    }
  });

  test("the median's CI contains the median and lies within [min, max]", () => {
    for (const s of samples.slice(0, 60)) {
      const ci = medianCI(s, { seed: 7 });
      const t = summarize(s);
      assert.equal(ci.estimate, t.median);
      assert.ok(t.min <= ci.low && ci.low <= ci.estimate && ci.estimate <= ci.high && ci.high <= t.max, JSON.stringify({ ci, t }));
    }
  });

  test("the bootstrap is deterministic for a seed and changes with it", () => {
    const s = samples[17];
    assert.deepEqual(medianCI(s, { seed: 99 }), medianCI(s, { seed: 99 }));
    assert.deepEqual(resampleMedians(s, 50, createRng(3)), resampleMedians(s, 50, createRng(3)));
    assert.notDeepEqual(resampleMedians(s, 50, createRng(3)), resampleMedians(s, 50, createRng(4)));
    assert.equal(resampleMedians(s, DEFAULT_RESAMPLES, createRng(1)).length, 2000);
  });

  test("two samples of one distribution are a tie (nearly always)", () => {
    const pairs = 40;
    let ties = 0;
    for (let i = 0; i < pairs; i++) {
      const a = sample(20, () => normal(rng, 50, 5));
      const b = sample(20, () => normal(rng, 50, 5));
      if (compareMedians(a, b, { seed: i }).verdict === "tie") ties++;
    }
    // A 95% interval should call ~95% of such pairs a tie; allow for chance (this is seeded).
    assert.ok(ties >= 35, `only ${ties} of ${pairs} same-distribution pairs were ties`);
  });

  test("clearly separated samples are faster / slower", () => {
    for (let i = 0; i < 20; i++) {
      const fast = sample(10, () => normal(rng, 10, 1));
      const slow = sample(10, () => normal(rng, 20, 2));
      const c = compareMedians(fast, slow, { seed: i });
      assert.equal(c.verdict, "faster");
      assert.ok(c.low <= c.ratio && c.ratio <= c.high && c.high < 1);
      assert.equal(compareMedians(slow, fast, { seed: i }).verdict, "slower");
    }
  });
});
