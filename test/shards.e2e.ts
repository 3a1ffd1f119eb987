/**
 * Sharded runs on several simulated hosts: each shard runs in its own network namespace (its own
 * loopback), with its own hostname (a UTS namespace) and its own dataset cache. One shard is
 * killed mid-run and resumed; the three files are merged and the merged file must hold exactly the
 * plan's cases, each sampled by the shard and host the partition gave it. Then the bad inputs:
 * overlapping shards, a shard of another plan, a truncated file, `--shard 4/3`: one-line errors and
 * no output file.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { sha256 } from "../harness/core/digest.ts";
import { loadScenario } from "../harness/plan/load.ts";
import type { ResultsFile } from "../harness/run/results-types.ts";
import { expandCases } from "../harness/scenario/expand.ts";
import { estimateCosts } from "../harness/shard/cost.ts";
import { buildPlan, shardCaseIds } from "../harness/shard/plan.ts";
import { BIN, cli, cliAsync, hasStack } from "./support/cli.ts";

const SCENARIO = join(import.meta.dirname, "fixtures", "shards", "three-hosts.yaml");
const SHARDS = 3;
const work = mkdtempSync(join(tmpdir(), "layoutbench-shards-"));
const namespaces = [1, 2, 3].map((i) => `lb-shard-${process.pid}-${i}`);
const hostOf = (i: number) => `sim-host-${i}`;
const shardFile = (i: number) => join(work, `shard-${i}.json`);
const read = (path: string) => JSON.parse(readFileSync(path, "utf8")) as ResultsFile;

/** Why simulated hosts cannot be made here, or undefined when all three namespaces are up. */
function makeHosts(): string | undefined {
  for (const ns of namespaces) {
    const add = spawnSync("ip", ["netns", "add", ns], { encoding: "utf8" });
    if (add.error || add.status !== 0)
      return `cannot create network namespaces (ip netns add: ${(add.error?.message ?? add.stderr).trim()}); needs root and iproute2`;
    const up = spawnSync("ip", ["netns", "exec", ns, "ip", "link", "set", "lo", "up"], { encoding: "utf8" });
    if (up.status !== 0) return `cannot bring up loopback in ${ns}: ${up.stderr.trim()}`;
  }
  const uts = spawnSync("unshare", ["--uts", "hostname", "probe"], { encoding: "utf8" });
  if (uts.error || uts.status !== 0) return `cannot set a hostname in a UTS namespace (unshare --uts: ${(uts.error?.message ?? uts.stderr).trim()})`;
  return undefined;
}

/** The CLI as a process on simulated host i: its network namespace, its hostname. */
function onHost(i: number, args: readonly string[]): ChildProcess {
  const command = `hostname ${hostOf(i)} && exec "$0" "$@"`;
  return spawn("ip", ["netns", "exec", namespaces[i - 1], "unshare", "--uts", "sh", "-c", command, process.execPath, BIN, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function finished(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d));
  child.stdout?.resume();
  return new Promise((ok) => child.on("close", (code, signal) => ok({ code, signal, stderr })));
}

const planFile = join(work, "plan.json");
const shardArgs = (i: number) => ["run", SCENARIO, "--plan", planFile, "--shard", `${i}/${SHARDS}`, "--cache", join(work, `cache-${i}`), "--no-report"];

const skip = makeHosts();
if (skip) console.log(`# sharded e2e skipped: ${skip}`);

after(() => {
  for (const ns of namespaces) spawnSync("ip", ["netns", "del", ns]);
  rmSync(work, { recursive: true, force: true });
});

describe("three shards on three simulated hosts", { skip }, () => {
  const scenario = loadScenario(SCENARIO);
  const plan = buildPlan(
    [scenario],
    estimateCosts(expandCases(scenario)),
    JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")).version,
    () => "",
  );
  let doneBeforeKill: ResultsFile["cases"] = [];

  const otherPlan = join(work, "other-plan.json");
  const partial = join(work, "partial.json");
  let partialMerge: ReturnType<typeof cli>;
  let partialResume: Awaited<ReturnType<typeof cliAsync>>;

  before(async () => {
    // The plan every shard balances on, as a CI plan job would write it.
    const planned = cli(["plan", SCENARIO, "--shards", String(SHARDS), "--out", planFile]);
    assert.equal(planned.code, 0, planned.stderr);
    assert.match(planned.stdout, new RegExp(`^plan ${plan.id.slice(0, 12)}: 12 cases`));
    assert.equal(JSON.parse(readFileSync(planFile, "utf8")).id, plan.id);
    const runs = [1, 2, 3].map((i) => onHost(i, [...shardArgs(i), "--out", shardFile(i)]));
    const results = runs.map(finished);
    // A shard of another plan (--filter changes the case list), for the refusals below.
    const other = cliAsync([
      "run",
      SCENARIO,
      "--filter",
      "npy rows",
      "--shard",
      "1/3",
      "--out",
      otherPlan,
      "--cache",
      join(work, "cache-other"),
      "--no-report",
    ]);
    // Kill shard 2 once it has finished some of its cases, as a lost machine would stop.
    for (;;) {
      const file = existsSync(shardFile(2)) ? read(shardFile(2)) : undefined;
      if (file && file.cases.length >= 1) break;
      await new Promise((ok) => setTimeout(ok, 10));
    }
    runs[1].kill("SIGKILL");
    const [r1, r2, r3] = await Promise.all(results);
    assert.equal(r1.code, 0, r1.stderr);
    assert.equal(r3.code, 0, r3.stderr);
    assert.equal(r2.signal, "SIGKILL", "shard 2 finished before it could be killed");
    const killed = read(shardFile(2));
    assert.equal(killed.finishedAt, null, "shard 2 was killed mid-run");
    assert.ok(killed.cases.length < shardCaseIds(plan, 2, SHARDS).length || killed.cases.some((c) => c.warnings.some((w) => w.code === "incomplete")));
    doneBeforeKill = killed.cases.filter((c) => c.status === "ok" && !c.warnings.some((w) => w.code === "incomplete"));
    // Meanwhile shards 1 and 3 are merged without 2, and the merged file is finished with --resume.
    partialMerge = cli(["merge", shardFile(1), shardFile(3), "--out", partial]);
    const [resumed, finishedPartial, otherRun] = await Promise.all([
      finished(onHost(2, [...shardArgs(2), "--resume", shardFile(2)])),
      cliAsync(["run", SCENARIO, "--resume", partial, "--cache", join(work, "cache-3"), "--no-report"]),
      other,
    ]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(otherRun.code, 0, otherRun.stderr);
    partialResume = finishedPartial;
  });

  test("each shard records its plan, shard, host fingerprint and calibration", () => {
    for (const i of [1, 2, 3]) {
      const r = read(shardFile(i));
      assert.equal(r.plan?.id, plan.id);
      assert.deepEqual(r.shard, { index: i, count: SHARDS });
      assert.equal(r.machine?.hostHash, sha256(hostOf(i)).slice(0, 12), `shard ${i} ran on ${hostOf(i)}`);
      assert.ok(r.finishedAt !== null);
      const c = r.calibration!;
      assert.equal(c.storageProbeBytes, 32 * 1024 * 1024);
      for (const v of [c.storageBytesPerS, c.memoryCopyBytesPerS, c.loopbackRoundTripUs]) assert.ok(Number.isFinite(v) && v > 0);
    }
  });

  test("the resumed shard kept the cases it finished before it was killed", () => {
    const after = new Map(read(shardFile(2)).cases.map((c) => [c.id, c]));
    for (const c of doneBeforeKill) assert.deepEqual(after.get(c.id), c);
  });

  test("merged: exactly the plan's cases, each sampled by its shard on its host", () => {
    const out = join(work, "merged.json");
    const r = cli(["merge", shardFile(1), shardFile(2), shardFile(3), "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /merged 3 shard files of plan [0-9a-f]{12}: 12 of 12 cases/);
    // Three hostnames: three machines, named with how they differ.
    assert.equal(r.stdout.match(/differs from machine .* in hostHash/g)?.length, 2, r.stdout);
    const merged = read(out);
    assert.deepEqual(
      merged.cases.map((c) => c.id),
      expandCases(scenario)
        .map((c) => c.id)
        .sort(),
    );
    assert.equal(merged.finishedAt !== null, true);
    assert.deepEqual(merged.missingShards, []);
    const machineOfShard = new Map([1, 2, 3].map((i) => [`${i}/${SHARDS}`, read(shardFile(i)).machine!.id]));
    for (let i = 1; i <= SHARDS; i++) {
      for (const id of shardCaseIds(plan, i, SHARDS)) {
        const c = merged.cases.find((x) => x.id === id)!;
        assert.equal(c.status, "ok", `${id}: ${c.error}`);
        assert.equal(c.shard, `${i}/${SHARDS}`, id);
        assert.equal(c.machine, machineOfShard.get(`${i}/${SHARDS}`), id);
        assert.equal(c.samples.length, 8, id);
      }
    }
    assert.deepEqual(
      merged.machines!.map((m) => m.shards),
      [["1/3"], ["2/3"], ["3/3"]],
    );
  });

  test("a merge missing a shard lists it, and run --resume finishes the merged file", () => {
    assert.equal(partialMerge.code, 0, partialMerge.stderr);
    assert.match(partialMerge.stdout, /missing shards: 2\/3/);
    assert.equal(partialResume.code, 0, partialResume.stderr);
    const done = read(partial);
    assert.deepEqual(
      done.cases.map((c) => c.id).sort(),
      expandCases(scenario)
        .map((c) => c.id)
        .sort(),
    );
    const added = new Set(shardCaseIds(plan, 2, SHARDS));
    for (const c of done.cases) assert.equal(c.shard, added.has(c.id) ? "resume" : c.shard, c.id);
    assert.ok(done.cases.filter((c) => c.shard === "resume").length === added.size);
  });

  describe("bad input: one line, exit 1, nothing written", () => {
    const refuse = (args: string[], out: string, expected: RegExp) => {
      const r = cli(args);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.ok(!hasStack(r.stderr));
      assert.match(r.stderr.trim(), expected);
      assert.ok(!existsSync(out), `${out} was written`);
    };
    test("overlapping shards", () => {
      const out = join(work, "overlap.json");
      refuse(
        ["merge", shardFile(1), shardFile(2), shardFile(1), "--out", out],
        out,
        /^layoutbench merge: .*shard-1\.json and .*shard-1\.json are both shard 1\/3: give each shard once$/,
      );
    });
    test("a shard of another plan", () => {
      const out = join(work, "mixed.json");
      refuse(
        ["merge", shardFile(1), otherPlan, "--out", out],
        out,
        /^layoutbench merge: .*other-plan\.json: plan\.id [0-9a-f]{12} differs from .*shard-1\.json's [0-9a-f]{12}; only shards of one plan/,
      );
    });
    test("a truncated shard file", () => {
      const text = readFileSync(shardFile(3), "utf8");
      const cut = join(work, "truncated.json");
      writeFileSync(cut, text.slice(0, Math.floor(text.length / 2)));
      const out = join(work, "cut.json");
      refuse(["merge", shardFile(1), shardFile(2), cut, "--out", out], out, /truncated\.json: cannot read results file \(not valid JSON: /);
    });
    test("--shard 4/3", () => {
      const out = join(work, "four.json");
      refuse(
        ["run", SCENARIO, "--shard", "4/3", "--out", out],
        out,
        /^layoutbench run: --shard 4\/3: shard 4 of 3 does not exist; expected i\/N with 1 <= i <= 3 \(shards count from 1\)$/,
      );
    });
  });
});
