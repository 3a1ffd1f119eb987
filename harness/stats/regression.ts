/**
 * Regression tracking: is a case slower or faster in a new run than in a baseline run, by more
 * than a threshold, with statistical support? Pure.
 *
 * The rule: a case is `regressed` when the whole 95% bootstrap interval of
 * median(current) / median(baseline) lies above 1 + threshold, and `improved` when it lies below
 * 1 / (1 + threshold). Both demands hold at once: the interval excludes 1 (significance) and the
 * change is beyond the threshold for the whole interval, as criterion requires — not only for the
 * point ratio, as asv does. The threshold is multiplicative and symmetric on a log scale: 0.1 means
 * "1.1× slower" or "1.1× faster".
 *
 * Why the bound: samples taken close together share that moment's load, disk latency and CPU
 * frequency; a test that knows only their spread calls run-to-run shifts significant. The
 * interval is two-stage by default (rounds of the run, then samples within them), so it carries
 * the spread between rounds, and asking the whole interval to clear the threshold turns the
 * threshold into an allowance for the drift no single run can see. Measured with `npm run bench:alarms` on the same
 * runs, it raised the fewest false alarms of the rules at the 95% level (fewer than "significant
 * + point ratio beyond", bootstrap or Mann-Whitney); asv's p < 0.002 raised fewer at 10% but also
 * caught fewer real slow-downs. docs/regression-tracking.md has the figures.
 *
 * The alternatives stay selectable (`rule`) so the measurement can be repeated on other machines.
 */
import { compareMedians } from "./compare.ts";
import { deriveSeed } from "./prng.ts";

/** What happened to one case between the baseline and the current run. */
export type RegressionClass = "regressed" | "improved" | "unchanged" | "added" | "removed" | "failed" | "insufficient";

/** Every class, in the order reports list them (what needs attention first). */
export const REGRESSION_CLASSES: readonly RegressionClass[] = ["regressed", "improved", "failed", "added", "removed", "insufficient", "unchanged"];

/** Default threshold: changes within 10% (a factor of 1.1 either way) are never reported. */
export const DEFAULT_THRESHOLD = 0.1;
export const DEFAULT_CONFIDENCE = 0.95;
/** Fewer samples than this on either side: no spread, no test (`insufficient`). */
const MIN_COMPARABLE_SAMPLES = 2;

export interface RegressionRule {
  /**
   * Significance: `bootstrap` — the percentile-bootstrap interval of the ratio of medians excludes 1;
   * `mann-whitney` — the two-sided Mann-Whitney U test gives p < 1 − confidence.
   */
  readonly test: "bootstrap" | "mann-whitney";
  /** What must lie beyond the threshold: the whole interval (`bound`) or the point ratio (`point`). */
  readonly thresholdOn: "bound" | "point";
  /** Coverage of the bootstrap interval; 1 − confidence is the Mann-Whitney significance level. */
  readonly confidence: number;
  /**
   * What the bootstrap resamples: `rounds` — rounds of the run, then samples within each (a
   * two-stage bootstrap, so the interval carries the round-to-round spread; runs without round
   * labels fall back to samples); `samples` — samples one by one, as if all were independent.
   */
  readonly resample: "rounds" | "samples";
}

/** The rule layoutbench uses (chosen by measuring false alarms, see the file comment). */
export const DEFAULT_RULE: RegressionRule = { test: "bootstrap", thresholdOn: "bound", confidence: DEFAULT_CONFIDENCE, resample: "rounds" };

export interface PairOptions {
  /** Relative change ignored, ≥ 0 (0.1 = 10%). */
  readonly threshold: number;
  readonly rule?: Partial<RegressionRule>;
  /** Bootstrap seed; the same inputs and seed give the same answer. */
  readonly seed?: number;
  readonly resamples?: number;
  /** Round of each sample (parallel to the times), for the two-stage bootstrap. */
  readonly rounds?: { readonly baseline?: readonly unknown[]; readonly current?: readonly unknown[] };
  /**
   * The runs were measured alternately (`layoutbench ab`): round k of one ran beside round k of
   * the other, so the bootstrap draws their rounds together (resample "rounds" only).
   */
  readonly paired?: boolean;
}

export interface PairVerdict {
  readonly class: "regressed" | "improved" | "unchanged";
  /** median(current) / median(baseline): above 1 means slower now. */
  readonly ratio: number;
  /** Bootstrap interval of the ratio. */
  readonly low: number;
  readonly high: number;
  readonly confidence: number;
  /** Two-sided Mann-Whitney p-value (reported whatever the rule). */
  readonly pValue: number;
  /** Whether the rule's test found a difference (ignoring the threshold). */
  readonly significant: boolean;
  readonly threshold: number;
  /** One short sentence: why this class. */
  readonly note: string;
}

/** A case's input: its status and per-sample times in milliseconds. */
export interface CaseSamples {
  readonly status: "ok" | "failed";
  readonly samplesMs: readonly number[];
  /** Round each sample was taken in, parallel to samplesMs (absent in files from before rounds). */
  readonly rounds?: readonly unknown[];
  readonly error?: string;
}

export type CaseVerdict =
  | PairVerdict
  | {
      readonly class: "added" | "removed" | "failed" | "insufficient";
      readonly threshold: number;
      readonly note: string;
    };

/** The rule with defaults filled in, checked (a bad rule is a bug in the caller). */
export function resolveRule(rule: Partial<RegressionRule> = {}): RegressionRule {
  const resolved = { ...DEFAULT_RULE, ...rule };
  if (!(resolved.confidence > 0 && resolved.confidence < 1)) throw new RangeError(`regression: confidence must be in (0, 1), got ${resolved.confidence}`);
  return resolved;
}

function assertThreshold(threshold: number): void {
  if (!(Number.isFinite(threshold) && threshold >= 0)) throw new RangeError(`regression: threshold must be a finite number >= 0, got ${threshold}`);
}

/** A factor as text for notes: 1.1 → "1.10×". */
function times(x: number): string {
  return `${x.toFixed(2)}×`;
}

/**
 * Classifies current vs baseline samples (times: lower is better).
 * Invariants: each side has at least 2 finite values and baseline values are > 0 (checked by
 * compareMedians); threshold ≥ 0. Deterministic for a seed. Cost: that of compareMedians.
 */
export function classifyPair(baselineMs: readonly number[], currentMs: readonly number[], options: PairOptions): PairVerdict {
  assertThreshold(options.threshold);
  const rule = resolveRule(options.rule);
  const byRound = rule.resample === "rounds" ? (options.rounds ?? {}) : {};
  const { ratio, low, high, confidence } = compareMedians(
    currentMs,
    baselineMs,
    {
      seed: options.seed,
      resamples: options.resamples,
      confidence: rule.confidence,
    },
    { candidate: byRound.current, baseline: byRound.baseline, paired: rule.resample === "rounds" && options.paired },
  );
  const { p } = mannWhitney(baselineMs, currentMs);
  const significant = rule.test === "bootstrap" ? low > 1 || high < 1 : p < 1 - rule.confidence;
  const up = 1 + options.threshold;
  const down = 1 / up;
  const slower = rule.thresholdOn === "bound" ? low > up : ratio > up;
  const faster = rule.thresholdOn === "bound" ? high < down : ratio < down;
  const base = { ratio, low, high, confidence, pValue: p, significant, threshold: options.threshold };
  const interval = `${Math.round(confidence * 100)}% CI ${times(low)}–${times(high)}`;
  const what = rule.thresholdOn === "bound" ? interval : `ratio ${times(ratio)}`;
  if (significant && slower) return { ...base, class: "regressed", note: `${what} above ${times(up)}` };
  if (significant && faster) return { ...base, class: "improved", note: `${what} below ${times(down)}` };
  const note = !significant
    ? rule.test === "bootstrap"
      ? `${interval} contains 1: no significant change`
      : `Mann-Whitney p = ${p.toPrecision(2)}: no significant change`
    : rule.thresholdOn === "bound"
      ? `significant, but the ${interval} reaches ${ratio >= 1 ? `below ${times(up)}` : `above ${times(down)}`}`
      : `significant, but within the ${Number((options.threshold * 100).toPrecision(3))}% threshold (${what})`;
  return { ...base, class: "unchanged", note };
}

/**
 * Classifies one case given what each run holds for it (undefined: the run lacks the case).
 * A failed side gives `failed`; fewer than 2 samples or non-positive times give `insufficient`.
 */
export function classifyCase(baseline: CaseSamples | undefined, current: CaseSamples | undefined, options: PairOptions & { id?: string }): CaseVerdict {
  const threshold = options.threshold;
  assertThreshold(threshold);
  if (!baseline && !current) throw new RangeError("classifyCase: the case is in neither run");
  if (!baseline) return { class: "added", threshold, note: "only in the current run" };
  if (!current) return { class: "removed", threshold, note: "only in the baseline" };
  if (current.status === "failed") return { class: "failed", threshold, note: `failed in the current run${current.error ? ": " + current.error : ""}` };
  if (baseline.status === "failed") return { class: "failed", threshold, note: `failed in the baseline${baseline.error ? ": " + baseline.error : ""}` };
  const few = [
    ["baseline", baseline],
    ["current run", current],
  ].find(([, c]) => (c as CaseSamples).samplesMs.length < MIN_COMPARABLE_SAMPLES);
  if (few) {
    const n = (few[1] as CaseSamples).samplesMs.length;
    return { class: "insufficient", threshold, note: `${n} sample${n === 1 ? "" : "s"} in the ${few[0]} (a comparison needs ${MIN_COMPARABLE_SAMPLES})` };
  }
  const bad = [...baseline.samplesMs, ...current.samplesMs].find((v) => !(Number.isFinite(v) && v > 0));
  if (bad !== undefined) return { class: "insufficient", threshold, note: `a sample time is ${bad} ms (times must be > 0 to form a ratio)` };
  // Seeding by case id makes each verdict independent of which other cases are compared.
  const seed = options.seed ?? (options.id ? deriveSeed("regression", options.id) : undefined);
  return classifyPair(baseline.samplesMs, current.samplesMs, { ...options, seed, rounds: { baseline: baseline.rounds, current: current.rounds } });
}

// ---- Mann-Whitney U test -------------------------------------------------------------------

/** Largest n·m for which the exact null distribution is used (when there are no ties). */
const EXACT_LIMIT = 400;

/** Ranks (1-based, ties get their average rank) of the pooled values, and the tie-group sizes. */
function ranks(values: readonly number[]): { ranks: number[]; ties: number[] } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  const ties: number[] = [];
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k][1]] = rank;
    if (j > i) ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks: out, ties };
}

/** Number of arrangements giving each U for samples of n and m (no ties), via f(n,m,u) = f(n−1,m,u−m) + f(n,m−1,u). */
function exactCounts(n: number, m: number): Float64Array {
  let prev: Float64Array[] = [];
  for (let i = 0; i <= n; i++) {
    const row: Float64Array[] = [];
    for (let j = 0; j <= m; j++) {
      const counts = new Float64Array(i * j + 1);
      if (i === 0 || j === 0) counts[0] = 1;
      else {
        const a = prev[j];
        const b = row[j - 1];
        for (let u = 0; u < counts.length; u++) counts[u] = (u >= j && u - j < a.length ? a[u - j] : 0) + (u < b.length ? b[u] : 0);
      }
      row.push(counts);
    }
    prev = row;
  }
  return prev[m];
}

/** Standard normal upper tail, P(Z > z) (Abramowitz–Stegun 7.1.26 via erfc; |error| < 1.5e-7). */
function normalUpperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/**
 * Two-sided Mann-Whitney U test of `a` vs `b`. `u` is the statistic for `a` (pairs with a > b,
 * ties counting ½). Exact null distribution when there are no ties and n·m ≤ 400; otherwise the
 * normal approximation with tie and continuity corrections (as scipy's `method="asymptotic"`).
 * Invariants: at least 1 value each, all finite. Identical constant samples give p = 1.
 */
export function mannWhitney(a: readonly number[], b: readonly number[]): { u: number; p: number } {
  const n = a.length;
  const m = b.length;
  if (n < 1 || m < 1) throw new RangeError(`mannWhitney: needs at least 1 value on each side, got ${n} and ${m}`);
  if ([...a, ...b].some((v) => !Number.isFinite(v))) throw new RangeError("mannWhitney: values must be finite");
  const { ranks: r, ties } = ranks([...a, ...b]);
  let rankSumA = 0;
  for (let i = 0; i < n; i++) rankSumA += r[i];
  const u = rankSumA - (n * (n + 1)) / 2;
  if (ties.length === 0 && n * m <= EXACT_LIMIT) {
    const counts = exactCounts(n, m);
    const total = counts.reduce((s, c) => s + c, 0);
    const k = Math.round(u);
    let below = 0;
    let above = 0;
    for (let v = 0; v < counts.length; v++) {
      if (v <= k) below += counts[v];
      if (v >= k) above += counts[v];
    }
    return { u, p: Math.min(1, (2 * Math.min(below, above)) / total) };
  }
  const N = n + m;
  const tieTerm = ties.reduce((s, t) => s + t ** 3 - t, 0);
  const variance = ((n * m) / 12) * (N + 1 - tieTerm / (N * (N - 1)));
  if (variance <= 0) return { u, p: 1 };
  const z = (Math.abs(u - (n * m) / 2) - 0.5) / Math.sqrt(variance);
  return { u, p: z <= 0 ? 1 : Math.min(1, 2 * normalUpperTail(z)) };
}
