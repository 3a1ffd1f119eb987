/**
 * What `run --shard i/N` (and `run --resume` of a shard or merged file) adds to a run: the share of
 * the plan's cases it samples, and the header and per-case stamps that let `merge` check the shard
 * files belong together.
 */
import { UserError } from "../core/errors.ts";
import { measureCalibration } from "../run/calibration.ts";
import { harnessInfo, machineFingerprint } from "../run/fingerprint.ts";
import type { ResultsFile } from "../run/results-types.ts";
import type { CaseStamp, MachineRecord, ShardHeader } from "../run/shard-record.ts";
import type { Scenario } from "../scenario/types.ts";
import { parseShard, shardLabel } from "../shard/partition.ts";
import { type Plan, planRef, shardCaseIds } from "../shard/plan.ts";
import { planFor, readPlan } from "./plan.ts";

export interface ShardSetup {
  readonly filter: (id: string) => boolean;
  readonly header?: ShardHeader;
  readonly stamp?: CaseStamp;
  /** "shard 2/3 of plan 1a2b3c4d5e6f: 4 cases" for the log. */
  readonly note?: string;
}

export interface ShardOptions {
  readonly shard?: string;
  readonly plan?: string;
  readonly resume?: string;
  readonly resumed?: ResultsFile;
  readonly cacheRoot: string;
}

const short = (id: string) => id.slice(0, 12);

/** The filter, header and stamps of a sharded run; the plain filter when the run is not sharded. */
export async function shardSetup(scenarios: readonly Scenario[], filter: (id: string) => boolean, o: ShardOptions): Promise<ShardSetup> {
  const shard = o.shard === undefined ? undefined : parseShard(o.shard);
  if (o.plan && !shard) throw new UserError("layoutbench run: --plan is used with --shard i/N (it gives every shard the same costs)");
  const resumedPlan = o.resumed?.plan;
  if (!shard && !resumedPlan) return { filter };
  const plan = o.plan ? checkedPlan(o.plan, planFor(scenarios, filter)) : planFor(scenarios, filter);
  if (resumedPlan && resumedPlan.id !== plan.id) {
    throw new UserError(
      `layoutbench run: --resume ${o.resume}: plan.id ${short(resumedPlan.id)} differs from the plan of the scenarios and --filter given here (${short(plan.id)}); resume with the scenario files and --filter the shard was run with`,
    );
  }
  const machine = machineFingerprint(o.cacheRoot);
  const harness = harnessInfo();
  if (shard) {
    const recorded = o.resumed?.shard;
    if (o.resumed && (!recorded || recorded.index !== shard.index || recorded.count !== shard.count)) {
      throw new UserError(
        `layoutbench run: --resume ${o.resume}: that file is ${recorded ? `shard ${shardLabel(recorded)}` : "a merged file"}, not shard ${shardLabel(shard)}; ${recorded ? `resume it with --shard ${shardLabel(recorded)}` : "resume it without --shard"}`,
      );
    }
    const ids = new Set(shardCaseIds(plan, shard.index, shard.count));
    const calibration = await measureCalibration(o.cacheRoot);
    const label = shardLabel(shard);
    // A shard resumed on another machine keeps the first machine on record: its cases name it.
    const before = o.resumed?.machine;
    const machines =
      before && before.id !== machine.id
        ? withMachine(o.resumed?.machines ?? [{ fingerprint: before, calibration: o.resumed?.calibration ?? null, shards: [label] }], {
            fingerprint: machine,
            calibration,
            shards: [label],
          })
        : o.resumed?.machines;
    return {
      filter: (id) => ids.has(id),
      header: { harness, plan: planRef(plan), shard, machine, calibration, ...(machines ? { machines } : {}) },
      stamp: { shard: shardLabel(shard), machine: machine.id },
      note: `shard ${shardLabel(shard)} of plan ${short(plan.id)}: ${ids.size} of ${plan.cases.length} cases`,
    };
  }
  // A merged file (or a shard resumed without --shard): only a merged file may be finished this way.
  const resumed = o.resumed!;
  if (resumed.shard) {
    throw new UserError(
      `layoutbench run: --resume ${o.resume}: that file is shard ${shardLabel(resumed.shard)} of a plan; resume it with --shard ${shardLabel(resumed.shard)}`,
    );
  }
  const calibration = await measureCalibration(o.cacheRoot);
  return {
    filter,
    header: {
      harness: resumed.harness,
      plan: resumed.plan,
      machines: withMachine(resumed.machines ?? [], { fingerprint: machine, calibration, shards: ["resume"] }),
    },
    stamp: { shard: "resume", machine: machine.id },
    note: `finishing merged plan ${short(plan.id)} on machine ${machine.id}`,
  };
}

/** A plan file given with --plan must be the plan of the scenarios and filter given (its costs may differ). */
function checkedPlan(path: string, computed: Plan): Plan {
  const plan = readPlan(path);
  if (plan.id !== computed.id) {
    throw new UserError(
      `layoutbench run: --plan ${path}: plan id ${short(plan.id)} differs from the plan of the scenarios and --filter given here (${short(computed.id)}); plan again, or run with the scenario files it was made from`,
    );
  }
  return plan;
}

function withMachine(machines: readonly MachineRecord[], added: MachineRecord): MachineRecord[] {
  const same = machines.find((m) => m.fingerprint.id === added.fingerprint.id);
  if (!same) return [...machines, added];
  return machines.map((m) => (m === same ? { ...m, shards: [...new Set([...m.shards, ...added.shards])] } : m));
}
