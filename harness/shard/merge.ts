/**
 * Merging the shard files of one plan into one results file. Refuses files that do not belong
 * together (another plan, harness, dataset digest, cost basis or shard count) and shards given twice,
 * naming both files and the field; lists missing shards; groups the machines that ran them. Pure:
 * the caller reads the files and writes the result.
 */
import { UserError } from "../core/errors.ts";
import type { CaseResult, ResultsFile } from "../run/results-types.ts";
import type { MachineRecord } from "../run/shard-record.ts";
import { describeMachines } from "./fingerprint.ts";
import { shardLabel } from "./partition.ts";

export interface ShardFile {
  readonly path: string;
  readonly results: ResultsFile;
}

export interface Merged {
  readonly results: ResultsFile;
  /** "i/N" of the shards not given. */
  readonly missing: readonly string[];
  /** Shards whose run did not finish (resume them, then merge again). */
  readonly unfinished: readonly string[];
  /** One line per machine that differs from the first; empty when one machine ran every shard. */
  readonly machineNotes: readonly string[];
}

const PREFIX = "layoutbench merge";
const REMEDY = "only shards of one plan, run by the same layoutbench on the same data, can be merged";

/** Fields two shards of one plan must share: name in messages, value, and how to show it. */
const SHARED: readonly { field: string; value: (r: ResultsFile) => string | null | undefined }[] = [
  { field: "plan.id", value: (r) => r.plan?.id.slice(0, 12) },
  { field: "shard.count", value: (r) => (r.shard ? String(r.shard.count) : undefined) },
  { field: "harness.version", value: (r) => r.harness?.version },
  { field: "harness.commit", value: (r) => r.harness?.commit?.slice(0, 12) },
  { field: "plan.datasetDigest", value: (r) => r.plan?.datasetDigest.slice(0, 12) },
  { field: "plan.costDigest", value: (r) => r.plan?.costDigest.slice(0, 12) },
];

export function mergeShards(files: readonly ShardFile[]): Merged {
  if (files.length === 0) throw new UserError(`${PREFIX}: give at least one shard results file`);
  for (const { path, results } of files) {
    if (!results.plan || !results.shard || !results.harness) {
      throw new UserError(`${PREFIX}: ${path}: not a shard file (no "plan" or "shard" field); shard files come from layoutbench run --shard i/N`);
    }
  }
  const [first] = files;
  for (const other of files.slice(1)) {
    for (const { field, value } of SHARED) {
      const a = value(first.results);
      const b = value(other.results);
      // A commit unknown on one side (a checkout without git) cannot be compared.
      if (field === "harness.commit" && (a == null || b == null)) continue;
      if (a !== b) throw new UserError(`${PREFIX}: ${other.path}: ${field} ${b} differs from ${first.path}'s ${a}; ${REMEDY}`);
    }
  }
  const byShard = new Map<number, ShardFile>();
  const owner = new Map<string, ShardFile>();
  for (const file of files) {
    const shard = file.results.shard!;
    const seen = byShard.get(shard.index);
    if (seen) throw new UserError(`${PREFIX}: ${seen.path} and ${file.path} are both shard ${shardLabel(shard)}: give each shard once`);
    byShard.set(shard.index, file);
    for (const c of file.results.cases) {
      const before = owner.get(c.id);
      if (before) throw new UserError(`${PREFIX}: ${before.path} and ${file.path} both hold case ${c.id}: shards must not overlap`);
      if (c.shard !== undefined && c.shard !== shardLabel(shard)) {
        throw new UserError(`${PREFIX}: ${file.path}: case ${c.id} was sampled by shard ${c.shard}, but the file is shard ${shardLabel(shard)}`);
      }
      owner.set(c.id, file);
    }
  }
  const count = first.results.shard!.count;
  const missing: string[] = [];
  for (let i = 1; i <= count; i++) if (!byShard.has(i)) missing.push(`${i}/${count}`);
  const ordered = [...byShard.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
  const unfinished = ordered.filter((f) => f.results.finishedAt === null).map((f) => shardLabel(f.results.shard!));
  const machines = machinesOf(ordered);
  const cases: CaseResult[] = ordered
    .flatMap((f) => f.results.cases.map((c) => ({ ...c, shard: c.shard ?? shardLabel(f.results.shard!), machine: c.machine ?? f.results.machine?.id })))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const starts = ordered.map((f) => f.results.startedAt).sort();
  const ends = ordered.map((f) => f.results.finishedAt);
  const complete = missing.length === 0 && unfinished.length === 0;
  const { pairing: _pairing, shard: _shard, machine: _machine, calibration: _calibration, ...header } = first.results;
  const results: ResultsFile = {
    ...header,
    startedAt: starts[0],
    finishedAt: complete ? (ends as string[]).sort().at(-1)! : null,
    machines,
    missingShards: missing,
    cases,
  };
  return { results, missing, unfinished, machineNotes: describeMachines(machines) };
}

function machinesOf(files: readonly ShardFile[]): MachineRecord[] {
  const out = new Map<string, MachineRecord>();
  for (const { results } of files) {
    const label = shardLabel(results.shard!);
    // A shard resumed on another machine lists both.
    const records = results.machines ?? (results.machine ? [{ fingerprint: results.machine, calibration: results.calibration ?? null, shards: [label] }] : []);
    for (const record of records) {
      const seen = out.get(record.fingerprint.id);
      out.set(record.fingerprint.id, seen ? { ...seen, shards: [...new Set([...seen.shards, label])] } : { ...record, shards: [label] });
    }
  }
  return [...out.values()];
}
