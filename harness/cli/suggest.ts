/**
 * `layoutbench suggest SCENARIO [--out FILE]`: proposes chunk shapes and codecs to sweep for the
 * scenario's read patterns and weights (harness/advise/), with one line of reasoning each, and
 * writes them as a runnable scenario.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { parse } from "yaml";
import { adviceLines, suggestedScenario } from "../advise/explain.ts";
import { adviseChunks } from "../advise/suggest.ts";
import { UserError } from "../core/errors.ts";
import { loadScenarioAsync } from "../plan/load.ts";
import { parseCommandArgs } from "./args.ts";
import type { Command } from "./command.ts";

const usage = `Usage: layoutbench suggest SCENARIO [--out FILE]

Proposes chunk shapes and codecs for the datasets of SCENARIO from its read patterns and their
weights: every chunk shape from 64 KiB to 16 MiB (at most a million chunks) is costed by the
chunks each selection touches and the bytes those hold, and the best overall and the best for
each pattern are proposed with one line of reasoning each. The result is a scenario sweeping
them × codecs (lz4, zstd) next to a contiguous baseline, with SCENARIO's patterns and settings.

Options:
  --out FILE   write the scenario to FILE and print the reasoning (default: print the scenario,
               the reasoning as comments, to standard output)
  -h, --help   this text

See docs/suggest.md.`;

export const suggestCommand: Command = {
  name: "suggest",
  summary: "propose chunk shapes and codecs to sweep for a scenario's patterns",
  usage,
  async run(args) {
    const { positionals, values } = parseCommandArgs("suggest", args, { out: { type: "string" } });
    if (values.help) {
      console.log(usage);
      return 0;
    }
    if (positionals.length !== 1) throw new UserError("layoutbench suggest: give one scenario file");
    const [file] = positionals;
    const scenario = await loadScenarioAsync(file);
    const ranks = new Set(scenario.datasets.map((d) => d.shape.length));
    if (ranks.size > 1)
      throw new UserError(
        `${file}: suggest proposes one chunk rank for all datasets; these have ${[...ranks].join(" and ")} dimensions: suggest for each in its own file`,
      );
    if (!scenario.patterns.some((p) => p.op === "read" && p.weight > 0)) {
      throw new UserError(`${file}: patterns: suggest costs read patterns of weight above 0, and this scenario has none`);
    }
    const advice = scenario.datasets.map((d) => adviseChunks(d, scenario.patterns));
    // The file's own patterns and settings, as written (sweeps and all), go into the suggestion.
    const copied = parse(readFileSync(file, "utf8"), { merge: true }) as Record<string, unknown>;
    const text = suggestedScenario(scenario.name, basename(file), advice, copied);
    const out = values.out as string | undefined;
    if (!out) {
      process.stdout.write(text);
      return 0;
    }
    writeFileSync(out, text);
    for (const line of advice.flatMap(adviceLines)) console.log(line);
    console.log(`wrote ${out}: run it with layoutbench run ${out}`);
    return 0;
  },
};
