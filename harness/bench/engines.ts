/**
 * `npm run bench:engines`: every case of scenarios/bench/engines.yaml read by the harness (layoutbench) and
 * by the native Python stack on the same files, interleaved case by case in one run. Prints the
 * ratio js/python per case, and every ranking inversion: a pair of layouts the Python stack
 * separates by more than 1.5× that the harness ranks the other way round.
 *
 * Usage: `npm run bench:engines -- [scenario.yaml] [--only <substring>]...`; `--only` keeps the cases
 * whose id (`engines/grid/npy/row/warm`) contains one of the substrings, e.g. `--only /npy/`.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultCacheRoot } from "../core/paths.ts";
import { runScenarios } from "../run/executor.ts";
import { realRunDeps } from "../run/real-deps.ts";
import type { CaseResult } from "../run/results-types.ts";
import { engineOf } from "../scenario/engines.ts";
import { loadScenario } from "../plan/load.ts";
import { parseCommandArgs } from "../cli/args.ts";

const SCENARIO = "scenarios/bench/engines.yaml";
const SEPARATED = 1.5;
const TARGET = 1.2;

async function main(): Promise<void> {
  const args = parseCommandArgs("bench:engines", process.argv.slice(2), { only: { type: "string", multiple: true } });
  if (args.values.help) {
    console.log("usage: npm run bench:engines -- [scenario.yaml] [--only <substring>]...");
    return;
  }
  const only = args.values.only ?? [];
  const scenario = loadScenario(args.positionals[0] ?? SCENARIO);
  const resultsPath = join(mkdtempSync(join(tmpdir(), "layoutbench-bench-")), "engines.json");
  const filter = (id: string) => only.length === 0 || only.some((o) => id.includes(o));
  const results = await runScenarios([scenario], { cacheRoot: defaultCacheRoot(), resultsPath, filter, log: (l) => console.error(l) }, realRunDeps());
  const median = (c: CaseResult | undefined) => c?.summary?.medianMs;
  const find = (layout: string, pattern: string, cache: string, engine: string) =>
    results.cases.find((c) => c.layout.name === layout && c.pattern.name === pattern && c.cache === cache && engineOf(c) === engine);

  console.log("| layout | pattern | cache | harness ms | python ms | harness ÷ python |");
  console.log("|---|---|---|---:|---:|---:|");
  let within = 0;
  let compared = 0;
  for (const cache of scenario.cache) {
    for (const pattern of scenario.patterns) {
      for (const layout of scenario.layouts) {
        const js = median(find(layout.name, pattern.name, cache, "layoutbench"));
        const py = median(find(layout.name, pattern.name, cache, "python"));
        if (js === undefined && py === undefined) continue; // left out by --only
        const ratio = js !== undefined && py !== undefined ? js / py : undefined;
        if (ratio !== undefined) { compared++; if (ratio <= TARGET) within++; }
        console.log(`| ${layout.name} | ${pattern.name} | ${cache} | ${js?.toFixed(2) ?? "–"} | ${py?.toFixed(2) ?? "–"} | ${ratio !== undefined ? ratio.toFixed(2) + "×" : "–"} |`);
      }
    }
  }
  console.log(`\n${within} of ${compared} cases within ${TARGET}× of the Python stack`);

  const inversions: string[] = [];
  for (const cache of scenario.cache) {
    for (const pattern of scenario.patterns) {
      const layouts = scenario.layouts.map((l) => l.name);
      for (const a of layouts) {
        for (const b of layouts) {
          const pyA = median(find(a, pattern.name, cache, "python"));
          const pyB = median(find(b, pattern.name, cache, "python"));
          const jsA = median(find(a, pattern.name, cache, "layoutbench"));
          const jsB = median(find(b, pattern.name, cache, "layoutbench"));
          if ([pyA, pyB, jsA, jsB].some((v) => v === undefined)) continue;
          if (pyB! / pyA! > SEPARATED && jsA! > jsB!) {
            inversions.push(`${pattern.name}/${cache}: python has ${a} ${(pyB! / pyA!).toFixed(1)}× faster than ${b}; the harness has ${a} ${(jsA! / jsB!).toFixed(1)}× slower`);
          }
        }
      }
    }
  }
  console.log(inversions.length ? `\nranking inversions:\n${inversions.map((l) => "- " + l).join("\n")}` : "\nno ranking inversions (pairs Python separates by more than 1.5×)");
  console.log(`\nresults: ${resultsPath}`);
}

await main();
