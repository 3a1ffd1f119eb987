/**
 * Splitting a plan's cases into N shards of about equal cost: greedy longest-processing-time
 * (costliest case first, each to the shard with the least cost so far), with ties broken by case id
 * and shard number so every machine computes the same partition. Every case lands in exactly one
 * shard, and no shard's cost exceeds the mean by more than the costliest case. Pure.
 */
import { UserError } from "../core/errors.ts";
import type { ShardRef } from "../run/shard-record.ts";

export interface CostedCase {
  readonly id: string;
  readonly costMs: number;
}

/** The case ids of each shard (index 0 is shard 1), each list sorted by id. */
export function partition(cases: readonly CostedCase[], count: number): string[][] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`shard count must be a whole number >= 1, got ${count}`);
  const ids = new Set<string>();
  for (const c of cases) {
    if (ids.has(c.id)) throw new RangeError(`case id ${c.id} appears twice`);
    if (!(Number.isFinite(c.costMs) && c.costMs >= 0)) throw new RangeError(`case ${c.id}: cost must be a finite number >= 0, got ${c.costMs}`);
    ids.add(c.id);
  }
  const order = [...cases].sort((a, b) => b.costMs - a.costMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const loads = new Array<number>(count).fill(0);
  const shards: string[][] = Array.from({ length: count }, () => []);
  for (const c of order) {
    let best = 0;
    for (let s = 1; s < count; s++) if (loads[s] < loads[best]) best = s;
    loads[best] += c.costMs;
    shards[best].push(c.id);
  }
  return shards.map((s) => s.sort());
}

/** `i/N` as written. */
export function shardLabel(shard: ShardRef): string {
  return `${shard.index}/${shard.count}`;
}

/** Parses `--shard i/N`: two whole numbers with 1 ≤ i ≤ N. */
export function parseShard(text: string, flag = "layoutbench run: --shard"): ShardRef {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(text.trim());
  if (!m) throw new UserError(`${flag} ${JSON.stringify(text)}: expected i/N, two whole numbers with 1 <= i <= N (e.g. 2/3)`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new UserError(`${flag} ${text}: a plan has at least 1 shard; expected i/N with 1 <= i <= N (e.g. 1/1)`);
  if (index < 1 || index > count) {
    throw new UserError(`${flag} ${text}: shard ${index} of ${count} does not exist; expected i/N with 1 <= i <= ${count} (shards count from 1)`);
  }
  return { index, count };
}
