/**
 * `layoutbench plan SCENARIO...`: the cases a run of these scenarios would sample, each with its
 * stable id and estimated cost, and the plan id every shard of it records. Also builds the plan
 * for `run --shard`.
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { UserError } from "../core/errors.ts";
import { loadScenarioAsync } from "../plan/load.ts";
import { harnessInfo } from "../run/fingerprint.ts";
import { readResults } from "../run/results-file.ts";
import type { CaseResult } from "../run/results-types.ts";
import { caseFilter, expandCases } from "../scenario/expand.ts";
import type { Scenario } from "../scenario/types.ts";
import { estimateCosts } from "../shard/cost.ts";
import { buildPlan, formatPlan, PLAN_KIND, PLAN_VERSION, type Plan } from "../shard/plan.ts";
import { parseCommandArgs, wholeNumberOption } from "./args.ts";
import type { Command } from "./command.ts";

const usage = `Usage: layoutbench plan SCENARIO... [options]

Lists the cases a run of the scenario files would sample, with their ids and estimated cost, and
the plan id that every shard of the run (run --shard i/N) records.

Options:
  --filter TEXT    keep only cases whose id contains every word of TEXT, or matches /REGEX/
  --from RESULTS   estimate costs from an earlier results file (cases it lacks use the model)
  --shards N       also show how N shards would split the cases
  --out FILE       write the plan as JSON (give it to run --plan so every shard uses its costs)
  -h, --help       this text`;

/** The size and modification time of a source file: what the dataset digest tracks of it. */
function sourceStamp(path: string): string {
  try {
    const s = statSync(path);
    return `${s.size}:${Math.round(s.mtimeMs)}`;
  } catch {
    return "missing";
  }
}

export function filterOf(command: string, text: string | undefined): (id: string) => boolean {
  try {
    return caseFilter(text);
  } catch (err) {
    throw new UserError(`layoutbench ${command}: --filter: ${(err as Error).message}`);
  }
}

/** The plan of `scenarios` (after `filter`), costed from `from` where it measured a case. */
export function planFor(scenarios: readonly Scenario[], filter: (id: string) => boolean, from?: string): Plan {
  const earlier = new Map<string, CaseResult>();
  if (from) for (const c of readResults(from).cases) if (c.status === "ok") earlier.set(c.id, c);
  const cases = scenarios.flatMap(expandCases).filter((c) => filter(c.id));
  return buildPlan(scenarios, estimateCosts(cases, earlier), harnessInfo().version, sourceStamp);
}

/** Reads a plan file written by `plan --out`, refusing other kinds and versions. */
export function readPlan(path: string): Plan {
  let plan: Partial<Plan>;
  try {
    plan = JSON.parse(readFileSync(path, "utf8")) as Partial<Plan>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: cannot read plan file (${code ?? "not valid JSON: " + (err as Error).message})`);
  }
  if (plan?.kind !== PLAN_KIND) throw new UserError(`${path}: not a layoutbench plan (expected "kind": "${PLAN_KIND}"); write one with layoutbench plan --out`);
  if (plan.version !== PLAN_VERSION)
    throw new UserError(`${path}: plan version ${JSON.stringify(plan.version)}; this layoutbench reads version ${PLAN_VERSION}: plan again`);
  if (!Array.isArray(plan.cases) || typeof plan.id !== "string") throw new UserError(`${path}: plan file is incomplete (no id or cases)`);
  return plan as Plan;
}

export const planCommand: Command = {
  name: "plan",
  summary: "list a run's cases with ids, estimated costs and the plan id",
  usage,
  async run(args) {
    const { positionals, values } = parseCommandArgs("plan", args, {
      filter: { type: "string" },
      from: { type: "string" },
      shards: { type: "string" },
      out: { type: "string" },
    });
    if (values.help) {
      console.log(usage);
      return 0;
    }
    if (positionals.length === 0) throw new UserError("layoutbench plan: give at least one scenario file (e.g. scenarios/quickstart.yaml)");
    const shards = wholeNumberOption("plan", "shards", values.shards);
    const scenarios: Scenario[] = [];
    for (const file of positionals) scenarios.push(await loadScenarioAsync(file));
    const plan = planFor(scenarios, filterOf("plan", values.filter), values.from);
    if (plan.cases.length === 0) throw new UserError(`layoutbench plan: no case matches --filter ${JSON.stringify(values.filter)}`);
    console.log(formatPlan(plan, shards));
    if (values.out) {
      writeFileSync(values.out, JSON.stringify(plan, null, 1) + "\n");
      console.log(`plan: ${values.out}`);
    }
    return 0;
  },
};
