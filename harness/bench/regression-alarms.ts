/**
 * `npm run bench:alarms`: does `layoutbench compare` raise false alarms, and does it catch real
 * slow-downs? Runs the CI suite (scenarios/ci) as separate `layoutbench run` processes, as CI does:
 *
 *   (a) false alarms — two runs of the unchanged suite (A, B), compared at default settings,
 *       repeated N times (default 5); every flagged case is a false alarm;
 *   (b) sensitivity — a run of a variant of the suite that is slower by construction, with the
 *       same case ids (S), compared with the unchanged run B before it: every slowed case should
 *       be flagged `regressed`. The variant changes the scenario's hash, so this is what
 *       `compare --allow-mismatch` computes. Two variants: `work` (the zarr scenario's rows and
 *       tiles patterns read 1.3× as many selections: the issue's 30%) and `codec` (its zarr-128 layout stores
 *       gzip-1 chunks instead of raw ones, so every read also inflates them).
 *
 * The same runs are then classified by every candidate rule, which is how the default rule was
 * chosen (fewest false alarms), and the run-to-run spread of unchanged medians is printed: it
 * is the noise no single-run comparison can see. Results files stay in reports/runs/alarms-TIME/.
 *
 * Before the measured runs, one untimed pass (1 sample per case) of the suite and of each variant
 * materializes every layout, so no measured run shares the machine with writing datasets back.
 *
 * Two modes, measured on the same machine in the same invocation (`--mode both`, the default):
 *   sequential — the runs above one after the other, as a CI job comparing with a committed
 *                baseline measures: A, B, then each injected run;
 *   alternate  — the same runs measured alternately in blocks (interleave/alternate.ts, as
 *                `layoutbench ab` measures a baseline tree and a changed one): block k of A, B and
 *                every injected run side by side, and compare pairs the blocks.
 *
 * Options: --repeats N (5), --inject work,codec, --mode sequential|alternate|both,
 * --cache DIR (datasets/cache/regression-alarms), --reuse DIR (analyse the results files of an
 * earlier invocation instead of running again).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";
import { buildComparison, shouldFail } from "../compare/model.ts";
import { thresholdPolicy } from "../compare/thresholds.ts";
import { canonicalJson } from "../core/digest.ts";
import { defaultCacheRoot, defaultRunsDir, PROJECT_ROOT } from "../core/paths.ts";
import { runAlternately } from "../interleave/alternate.ts";
import { readResults } from "../run/results-file.ts";
import type { ResultsFile } from "../run/results-types.ts";
import { DEFAULT_THRESHOLD, type RegressionRule } from "../stats/regression.ts";

const BIN = join(PROJECT_ROOT, "harness", "cli", "bin.js");
/** A slowed case counts for the sensitivity figure when its median ratio over repetitions reaches this. */
const CLEAR_SLOWDOWN = 1.25;
const SUITE_DIR = join(PROJECT_ROOT, "scenarios", "ci");
const ZARR_SCENARIO = "zarr.yaml";
const MEMMAP_SCENARIO = "memmap.yaml";

interface Injection {
  readonly name: string;
  readonly description: string;
  /** The suite files the injection edits. */
  readonly scenarios: readonly string[];
  /** Edits the parsed zarr scenario in place. */
  readonly apply: (scenario: { layouts: Record<string, unknown>[]; patterns: Record<string, unknown>[] }) => void;
}

const INJECTIONS: Record<string, Injection> = {
  work: {
    name: "work",
    description:
      "both scenarios: every pattern with a count reads 1.3× as many selections (rows 20 → 26, tiles 10 → 13; memmap columns 2 → 3), a 30% slow-down",
    scenarios: [MEMMAP_SCENARIO, ZARR_SCENARIO],
    apply: (s) => {
      for (const p of s.patterns) if (typeof p.count === "number") p.count = Math.round(p.count * 1.3);
    },
  },
  codec: {
    name: "codec",
    description: "zarr scenario: layout zarr-128 stores gzip level 1 chunks instead of raw chunks",
    scenarios: [ZARR_SCENARIO],
    apply: (s) => {
      const layout = s.layouts.find((l) => l.name === "zarr-128");
      if (!layout) throw new Error("scenarios/ci/zarr.yaml has no layout zarr-128 to slow down");
      layout.codec = { name: "gzip", level: 1 };
    },
  },
};

/** The rules compared; the first is layoutbench's default. */
const RULES: readonly { label: string; rule: RegressionRule; threshold: number }[] = [
  {
    label: "rounds bootstrap, 95% CI entirely beyond ±10% (default)",
    rule: { test: "bootstrap", thresholdOn: "bound", confidence: 0.95, resample: "rounds" },
    threshold: DEFAULT_THRESHOLD,
  },
  {
    label: "samples bootstrap, 95% CI entirely beyond ±10%",
    rule: { test: "bootstrap", thresholdOn: "bound", confidence: 0.95, resample: "samples" },
    threshold: DEFAULT_THRESHOLD,
  },
  {
    label: "rounds bootstrap, CI excludes 1 + ratio beyond ±10%",
    rule: { test: "bootstrap", thresholdOn: "point", confidence: 0.95, resample: "rounds" },
    threshold: DEFAULT_THRESHOLD,
  },
  {
    label: "samples bootstrap, CI excludes 1 + ratio beyond ±10%",
    rule: { test: "bootstrap", thresholdOn: "point", confidence: 0.95, resample: "samples" },
    threshold: DEFAULT_THRESHOLD,
  },
  {
    label: "Mann-Whitney p<0.05 + ratio beyond ±10%",
    rule: { test: "mann-whitney", thresholdOn: "point", confidence: 0.95, resample: "samples" },
    threshold: DEFAULT_THRESHOLD,
  },
  {
    label: "Mann-Whitney p<0.002 + ratio beyond ±10% (asv)",
    rule: { test: "mann-whitney", thresholdOn: "point", confidence: 0.998, resample: "samples" },
    threshold: DEFAULT_THRESHOLD,
  },
  {
    label: "samples bootstrap, CI excludes 1, no threshold",
    rule: { test: "bootstrap", thresholdOn: "point", confidence: 0.95, resample: "samples" },
    threshold: 0,
  },
];

interface Run {
  readonly label: string;
  readonly path: string;
  readonly results: ResultsFile;
  readonly seconds: number;
  /** 1-minute load average when the run started and ended. */
  readonly load: readonly [number, number];
}

function runSuite(label: string, files: readonly string[], outDir: string, cache: string, extra: readonly string[] = []): Run {
  const path = join(outDir, `${label}.json`);
  const started = performance.now();
  const loadBefore = loadavg()[0];
  const r = spawnSync(process.execPath, [BIN, "run", ...files, "--out", path, "--cache", cache, "--no-report", ...extra], { encoding: "utf8" });
  writeFileSync(join(outDir, `${label}.log`), `${r.stdout}\n${r.stderr}`);
  // 2: some case failed — still a results file; the comparison shows the case as failed.
  if (r.status !== 0 && r.status !== 2) throw new Error(`run ${label} exited with ${r.status}: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  const seconds = (performance.now() - started) / 1000;
  const run = { label, path, results: readResults(path), seconds, load: [loadBefore, loadavg()[0]] as const };
  console.error(`  ${label}: ${run.results.cases.length} cases in ${seconds.toFixed(0)} s (load ${run.load[0].toFixed(1)} → ${run.load[1].toFixed(1)})`);
  return run;
}

/** Writes a suite scenario with an injection applied, under the same name (so the same case ids). */
function writeVariant(injection: Injection, file: string, dir: string): string {
  const scenario = parse(readFileSync(join(SUITE_DIR, file), "utf8"));
  injection.apply(scenario);
  const path = join(dir, `${file.replace(/\.yaml$/, "")}-${injection.name}.yaml`);
  writeFileSync(path, `# ${injection.description}\n${stringify(scenario)}`);
  return path;
}

/** Case ids whose layout or pattern differs between the runs: the cases an injection slowed. */
function changedCases(baseline: ResultsFile, variant: ResultsFile): Set<string> {
  const byId = new Map(baseline.cases.map((c) => [c.id, c]));
  return new Set(
    variant.cases
      .filter((c) => {
        const b = byId.get(c.id);
        return b && (canonicalJson(b.layout) !== canonicalJson(c.layout) || canonicalJson(b.pattern) !== canonicalJson(c.pattern));
      })
      .map((c) => c.id),
  );
}

/** Ids each rule flags (regressed or improved) between two runs; runs of one alternation are compared as a pair. */
function flaggedBy(
  baseline: ResultsFile,
  current: ResultsFile,
  rule: RegressionRule,
  threshold: number,
): { regressed: Set<string>; improved: Set<string>; compared: number } {
  const c = buildComparison(baseline, current, { baselinePath: "", currentPath: "", thresholds: thresholdPolicy(threshold), rule });
  const ids = (k: string) => new Set(c.cases.filter((x) => x.verdict.class === k).map((x) => x.id));
  return {
    regressed: ids("regressed"),
    improved: ids("improved"),
    compared: c.cases.filter((x) => x.verdict.class !== "added" && x.verdict.class !== "removed").length,
  };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const x = (v: number) => `${v.toFixed(2)}×`;
const pct = (a: number, b: number) => `${a}/${b} (${b ? ((100 * a) / b).toFixed(1) : "0"}%)`;

/** One repetition's runs: unchanged A and B, and one run per injection. */
interface Repetition {
  readonly a: Run;
  readonly b: Run;
  readonly injected: ReadonlyMap<string, Run>;
}

const MODES = ["sequential", "alternate"] as const;
type Mode = (typeof MODES)[number];

interface Plan {
  readonly suite: readonly string[];
  readonly variants: ReadonlyMap<string, readonly string[]>;
  readonly injections: readonly Injection[];
  readonly outDir: string;
  readonly cache: string;
}

/** Reads a run an earlier invocation left in `dir`. */
function loadRun(dir: string, label: string): Run {
  const path = join(dir, `${label}.json`);
  return { label, path, results: readResults(path), seconds: Number.NaN, load: [Number.NaN, Number.NaN] };
}

function sequentialRepetition(r: number, plan: Plan): Repetition {
  const a = runSuite(`r${r}-A`, plan.suite, plan.outDir, plan.cache);
  const b = runSuite(`r${r}-B`, plan.suite, plan.outDir, plan.cache);
  const injected = new Map(plan.injections.map((i) => [i.name, runSuite(`r${r}-${i.name}`, plan.variants.get(i.name)!, plan.outDir, plan.cache)]));
  return { a, b, injected };
}

/** A, B and every injected run of one repetition, measured alternately in the suite's rounds as blocks. */
async function alternateRepetition(r: number, plan: Plan): Promise<Repetition> {
  const dir = join(plan.outDir, `r${r}-alternate`);
  const sides = [
    { name: "A", files: plan.suite },
    { name: "B", files: plan.suite },
    ...plan.injections.map((i) => ({ name: i.name, files: plan.variants.get(i.name)! })),
  ].map((s) => ({ ...s, tree: PROJECT_ROOT, cache: plan.cache }));
  const sampling = parse(readFileSync(plan.suite[0], "utf8")).sampling as { samples: number; rounds: number };
  const started = performance.now();
  const loadBefore = loadavg()[0];
  const done = await runAlternately(sides, {
    blocks: sampling.rounds,
    samplesPerBlock: Math.ceil(sampling.samples / sampling.rounds),
    outDir: dir,
    log: () => {},
  });
  const seconds = (performance.now() - started) / 1000;
  const load = [loadBefore, loadavg()[0]] as const;
  console.error(
    `  r${r} alternate: ${sides.length} runs × ${done.blocks} blocks in ${seconds.toFixed(0)} s (load ${load[0].toFixed(1)} → ${load[1].toFixed(1)})`,
  );
  const run = (name: string): Run => ({ ...loadRun(dir, name), seconds: seconds / sides.length, load });
  return { a: run("A"), b: run("B"), injected: new Map(plan.injections.map((i) => [i.name, run(i.name)])) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { repeats: { type: "string" }, inject: { type: "string" }, cache: { type: "string" }, reuse: { type: "string" }, mode: { type: "string" } },
  });
  const repeats = Number(values.repeats ?? 5);
  if (!(Number.isInteger(repeats) && repeats >= 1)) throw new Error(`--repeats: expected a whole number >= 1, got ${values.repeats}`);
  const injections = (values.inject ?? "work,codec").split(",").map((n) => {
    const i = INJECTIONS[n.trim()];
    if (!i) throw new Error(`--inject: unknown injection ${JSON.stringify(n)} (known: ${Object.keys(INJECTIONS).join(", ")})`);
    return i;
  });
  const modes: readonly Mode[] = values.mode === undefined || values.mode === "both" ? MODES : [values.mode as Mode];
  if (!modes.every((m) => MODES.includes(m))) throw new Error(`--mode: expected ${MODES.join(", ")} or both, got ${JSON.stringify(values.mode)}`);
  const cache = values.cache ?? join(defaultCacheRoot(), "regression-alarms");
  const suite = readdirSync(SUITE_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => join(SUITE_DIR, f));
  const reps = new Map<Mode, Repetition[]>(modes.map((m) => [m, []]));
  let outDir: string;
  if (values.reuse) {
    outDir = values.reuse;
    for (let r = 1; r <= repeats; r++) {
      for (const mode of modes) {
        const dir = mode === "sequential" ? outDir : join(outDir, `r${r}-alternate`);
        const label = (name: string) => (mode === "sequential" ? `r${r}-${name}` : name);
        reps
          .get(mode)!
          .push({ a: loadRun(dir, label("A")), b: loadRun(dir, label("B")), injected: new Map(injections.map((i) => [i.name, loadRun(dir, label(i.name))])) });
      }
    }
  } else {
    outDir = join(defaultRunsDir(), `alarms-${new Date().toISOString().replace(/[:]/g, "").replace(/\..*/, "")}`);
    mkdirSync(outDir, { recursive: true });
    const variants = new Map(
      injections.map((i) => [
        i.name,
        suite.map((f) => {
          const name = f.slice(SUITE_DIR.length + 1);
          return i.scenarios.includes(name) ? writeVariant(i, name, outDir) : f;
        }),
      ]),
    );
    const plan: Plan = { suite, variants, injections, outDir, cache };
    console.error(`preparing: one sample per case of the suite and of each variant, so every layout is written before measuring`);
    runSuite("prepare", suite, outDir, cache, ["--samples", "1"]);
    for (const i of injections) runSuite(`prepare-${i.name}`, variants.get(i.name)!, outDir, cache, ["--samples", "1"]);
    spawnSync("sync");
    console.error(
      `${repeats} repetitions (${modes.join(" and ")}) of: unchanged run A, unchanged run B, ${injections.map((i) => `injected run ${i.name}`).join(", ")}; results in ${relative(process.cwd(), outDir)}`,
    );
    for (let r = 1; r <= repeats; r++) {
      console.error(`repetition ${r}/${repeats}`);
      // The modes take turns within each repetition, so both meet the same hours of the machine.
      for (const mode of modes) reps.get(mode)!.push(mode === "sequential" ? sequentialRepetition(r, plan) : await alternateRepetition(r, plan));
    }
  }

  const all = [...reps.values()].flat().flatMap((r) => [r.a, r.b, ...r.injected.values()]);
  const ctx = all[0].results.context;
  const loads = all.flatMap((r) => r.load).filter((l) => Number.isFinite(l));
  const out: string[] = [];
  out.push(
    `layoutbench regression alarms: ${repeats} repetitions of the CI suite (${suite.map((f) => relative(PROJECT_ROOT, f)).join(", ")}: ${all[0].results.cases.length} cases), ${modes.join(" and ")}`,
  );
  out.push(
    `machine: ${ctx.cpuModel} ×${ctx.cpus}, ${ctx.filesystem}, eviction ${ctx.eviction.method} (${ctx.eviction.verified ? "verified" : "NOT verified"}); ` +
      (loads.length ? `1-min load average during the runs ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}` : "reused runs"),
  );
  out.push(
    `rule: the whole 95% bootstrap CI (rounds, then samples within them; paired block by block for runs measured alternately) of median(current)/median(baseline) above 1.10 (regressed) or below 1/1.10 (improved)`,
  );
  const summary: Record<string, unknown> = { repeats };
  for (const mode of modes) {
    out.push(
      "",
      `==== ${mode === "sequential" ? "SEQUENTIAL: runs measured one after the other (compare with a committed baseline)" : "ALTERNATE: runs measured alternately in blocks (layoutbench ab)"} ====`,
    );
    summary[mode] = report(reps.get(mode)!, injections, out);
  }
  out.push(`results files: ${relative(process.cwd(), outDir)}`);
  const text = out.join("\n");
  console.log(text);
  writeFileSync(join(outDir, "summary.txt"), text + "\n");
  writeFileSync(join(outDir, "summary.json"), JSON.stringify(summary, null, 1) + "\n");
}

/** The figures for one mode's repetitions, appended to `out`; returns them for summary.json. */
function report(reps: readonly Repetition[], injections: readonly Injection[], out: string[]): unknown {
  const defaults = thresholdPolicy(DEFAULT_THRESHOLD);
  const compare = (base: Run, cur: Run) => buildComparison(base.results, cur.results, { baselinePath: base.path, currentPath: cur.path, thresholds: defaults });
  const repeats = reps.length;
  const cases = reps[0].a.results.cases.length;
  const times = reps
    .flatMap((r) => [r.a, r.b, ...r.injected.values()])
    .map((r) => r.seconds)
    .filter((t) => Number.isFinite(t));
  if (times.length) out.push(`one run took ${Math.min(...times).toFixed(0)}–${Math.max(...times).toFixed(0)} s`);
  out.push("", "(a) false alarms: unchanged tree, run A vs run B, default settings (layoutbench compare A B)");
  let falseTotal = 0;
  let failing = 0;
  for (const [i, r] of reps.entries()) {
    const c = compare(r.a, r.b);
    const flagged = c.cases.filter((k) => k.verdict.class === "regressed" || k.verdict.class === "improved");
    falseTotal += flagged.length;
    if (shouldFail(c, "regressed")) failing++;
    out.push(
      `  repetition ${i + 1}: ${flagged.length} of ${c.cases.length} cases flagged, compare would exit ${shouldFail(c, "regressed") ? 3 : 0}` +
        (flagged.length ? ` — ${flagged.map((k) => `${k.id} ${k.verdict.class} ${"ratio" in k.verdict ? x(k.verdict.ratio) : ""}`).join("; ")}` : ""),
    );
  }
  out.push(`  FALSE ALARMS: ${falseTotal} of ${repeats * cases} case comparisons flagged; ${failing} of ${repeats} comparisons would have failed CI`);

  const sensitivity: { name: string; flagged: number; slowed: number; failing: number; other: number; ratios: number[] }[] = [];
  for (const injection of injections) {
    out.push(
      "",
      `(b) sensitivity, injected slow-down "${injection.name}": ${injection.description}`,
      `    run B vs injected run (layoutbench compare B S --allow-mismatch)`,
    );
    const s = { name: injection.name, flagged: 0, slowed: 0, failing: 0, other: 0, ratios: [] as number[], clear: { cases: 0, flagged: 0, comparisons: 0 } };
    const perCase = new Map<string, { ratios: number[]; flagged: number }>();
    for (const [i, r] of reps.entries()) {
      const run = r.injected.get(injection.name)!;
      const slowed = changedCases(r.b.results, run.results);
      const c = compare(r.b, run);
      const hit = c.cases.filter((k) => slowed.has(k.id) && k.verdict.class === "regressed");
      const other = c.cases.filter((k) => !slowed.has(k.id) && (k.verdict.class === "regressed" || k.verdict.class === "improved"));
      const ratios = c.cases.filter((k) => slowed.has(k.id) && "ratio" in k.verdict).map((k) => (k.verdict as { ratio: number }).ratio);
      s.flagged += hit.length;
      s.slowed += slowed.size;
      s.other += other.length;
      s.ratios.push(...ratios);
      for (const k of c.cases.filter((k) => slowed.has(k.id) && "ratio" in k.verdict)) {
        const entry = perCase.get(k.id) ?? { ratios: [], flagged: 0 };
        entry.ratios.push((k.verdict as { ratio: number }).ratio);
        if (k.verdict.class === "regressed") entry.flagged++;
        perCase.set(k.id, entry);
      }
      if (hit.length > 0 && shouldFail(c, "regressed")) s.failing++;
      out.push(
        `  repetition ${i + 1}: ${hit.length} of ${slowed.size} slowed cases flagged regressed (ratios ${ratios.map(x).join(" ")}); ` +
          `${other.length} of ${c.cases.length - slowed.size} other cases flagged; compare would exit ${shouldFail(c, "regressed") ? 3 : 0}`,
      );
    }
    out.push(
      `  DETECTED: ${s.flagged} of ${s.slowed} slowed cases flagged; the slow-down failed CI in ${s.failing} of ${repeats} repetitions; ` +
        `measured ratio of the slowed cases: median ${x(median(s.ratios))}, range ${x(Math.min(...s.ratios))}–${x(Math.max(...s.ratios))}`,
    );
    // More selections do not always mean more time in the same proportion (cold reads of rows in
    // one chunk share its pages): judge detection on the cases whose slow-down really reached 25%.
    const rows = [...perCase.entries()].sort((p, q) => median(q[1].ratios) - median(p[1].ratios));
    for (const [id, e] of rows) {
      const clear = median(e.ratios) >= CLEAR_SLOWDOWN;
      if (clear) {
        s.clear.cases++;
        s.clear.flagged += e.flagged;
        s.clear.comparisons += e.ratios.length;
      }
      out.push(
        `    ${id.padEnd(42)} median ratio ${x(median(e.ratios))} over ${e.ratios.length} repetitions, flagged ${e.flagged} of ${e.ratios.length}${clear ? "" : " (slowed by less than 25%)"}`,
      );
    }
    out.push(
      `  DETECTED (cases slowed by at least 25%, median over repetitions): ${pct(s.clear.flagged, s.clear.comparisons)} comparisons flagged, over ${s.clear.cases} cases`,
    );
    sensitivity.push(s);
  }

  /** False alarms over the A/B pairs and detections per injection, for one rule and threshold. */
  const tally = (rule: RegressionRule, threshold: number): string[] => {
    let fa = 0;
    let total = 0;
    for (const r of reps) {
      const f = flaggedBy(r.a.results, r.b.results, rule, threshold);
      fa += f.regressed.size + f.improved.size;
      total += f.compared;
    }
    const detected = injections.map((inj) => {
      let hit = 0;
      let n = 0;
      for (const r of reps) {
        const run = r.injected.get(inj.name)!;
        const slowed = changedCases(r.b.results, run.results);
        const f = flaggedBy(r.b.results, run.results, rule, threshold);
        hit += [...slowed].filter((id) => f.regressed.has(id)).length;
        n += slowed.size;
      }
      return pct(hit, n);
    });
    return [pct(fa, total), ...detected];
  };
  const table = (head: string[], rows: string[][]) => {
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const r of [head, ...rows]) out.push("  " + r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  "));
  };
  const detectedHead = injections.map((i) => `detected "${i.name}"`);
  out.push("", "Candidate rules on the same runs (false alarms: cases flagged in A vs B; detected: slowed cases flagged regressed)");
  table(
    ["rule", "false alarms (a)", ...detectedHead],
    RULES.map(({ label, rule, threshold }) => [label, ...tally(rule, threshold)]),
  );
  out.push("", "The default rule at other thresholds (compare --threshold X)");
  table(
    ["threshold", "false alarms (a)", ...detectedHead],
    [0.1, 0.25, 0.5, 1].map((t) => [String(t), ...tally(RULES[0].rule, t)]),
  );

  // Noise no single run can see: how far apart the medians of unchanged runs are.
  const unchanged = reps.flatMap((r) => [r.a, r.b]);
  let allPairsFlagged = 0;
  let allPairs = 0;
  for (let i = 0; i < unchanged.length; i++) {
    for (let j = i + 1; j < unchanged.length; j++) {
      const c = compare(unchanged[i], unchanged[j]);
      allPairsFlagged += c.counts.regressed + c.counts.improved;
      allPairs += c.cases.length;
    }
  }
  const spreads = reps[0].a.results.cases
    .map((k) => {
      const medians = unchanged.map((r) => r.results.cases.find((c) => c.id === k.id)?.summary?.medianMs).filter((m): m is number => m !== undefined);
      return { id: k.id, spread: Math.max(...medians) / Math.min(...medians) };
    })
    .sort((p, q) => q.spread - p.spread);
  out.push(
    "",
    `Run-to-run noise: over the ${unchanged.length} unchanged runs, a case's largest median is ${x(median(spreads.map((s) => s.spread)))} its smallest ` +
      `(median over cases; worst ${spreads[0].id} ${x(spreads[0].spread)}, steadiest ${spreads[spreads.length - 1].id} ${x(spreads[spreads.length - 1].spread)}).`,
  );
  out.push(
    `All ${(unchanged.length * (unchanged.length - 1)) / 2} pairs of unchanged runs at default settings: ${pct(allPairsFlagged, allPairs)} case comparisons flagged.`,
  );
  return { falseAlarms: falseTotal, failingComparisons: failing, sensitivity, spreads };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
