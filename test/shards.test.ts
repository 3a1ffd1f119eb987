/**
 * Sharded runs, pure parts: the cost model, the partition (every case in exactly one shard, balanced,
 * deterministic), the plan id, `--shard` parsing, merge refusals with their exact messages, and
 * fingerprint comparison.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { UserError } from "../harness/core/errors.ts";
import { Prng } from "../harness/core/hash.ts";
import { loadScenario } from "../harness/plan/load.ts";
import { fingerprintOf } from "../harness/run/fingerprint.ts";
import type { CaseResult, ResultsFile } from "../harness/run/results-types.ts";
import type { Calibration, MachineFingerprint } from "../harness/run/shard-record.ts";
import { expandCases } from "../harness/scenario/expand.ts";
import { splitByMachine } from "../harness/shard/by-machine.ts";
import { COST_MODEL, estimateCosts, modelCostMs } from "../harness/shard/cost.ts";
import { describeMachines, fingerprintDifferences } from "../harness/shard/fingerprint.ts";
import { mergeShards, type ShardFile } from "../harness/shard/merge.ts";
import { parseShard, partition } from "../harness/shard/partition.ts";
import { buildPlan, planId, shardCaseIds } from "../harness/shard/plan.ts";

const TINY = join(import.meta.dirname, "fixtures", "shards", "tiny.yaml");

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
    assert.equal(err.lines.length, 1);
    return err.lines[0];
  }
  assert.fail("expected an error");
}

describe("partition", () => {
  const rng = new Prng(7, "partition");
  const lists: { id: string; costMs: number }[][] = [[], [{ id: "a", costMs: 5 }]];
  for (let k = 0; k < 40; k++) {
    const n = 1 + rng.nextInt(60);
    // Heavy tails on purpose: a few cases cost 1000× the rest, as cold full scans do next to warm points.
    lists.push(
      Array.from({ length: n }, (_, i) => ({
        id: `s/d/l${i}/p/${rng.nextInt(2) ? "cold" : "warm"}`,
        costMs: rng.nextInt(10) === 0 ? 1000 + rng.nextInt(5000) : rng.nextInt(20),
      })),
    );
  }
  test("every case lands in exactly one shard, for many lists and shard counts", () => {
    for (const cases of lists) {
      for (const n of [1, 2, 3, 4, 5, 7, 16, 64]) {
        const shards = partition(cases, n);
        assert.equal(shards.length, n);
        const all = shards.flat().sort();
        assert.deepEqual(all, cases.map((c) => c.id).sort());
        assert.equal(new Set(all).size, all.length);
      }
    }
  });
  test("no shard exceeds the mean by more than the costliest case", () => {
    for (const cases of lists) {
      const cost = new Map(cases.map((c) => [c.id, c.costMs]));
      const total = cases.reduce((a, c) => a + c.costMs, 0);
      const largest = Math.max(0, ...cases.map((c) => c.costMs));
      for (const n of [2, 3, 5, 8]) {
        const loads = partition(cases, n).map((ids) => ids.reduce((a, id) => a + cost.get(id)!, 0));
        assert.ok(Math.max(...loads) <= total / n + largest + 1e-9, `loads ${loads} for total ${total}, largest ${largest}`);
      }
    }
  });
  test("equal costs split evenly (counts differ by at most one)", () => {
    const cases = Array.from({ length: 31 }, (_, i) => ({ id: `c${String(i).padStart(2, "0")}`, costMs: 10 }));
    assert.deepEqual(
      partition(cases, 4).map((s) => s.length),
      [8, 8, 8, 7],
    );
  });
  test("the input order does not change the partition", () => {
    for (const cases of lists.slice(2, 12)) {
      const reversed = [...cases].reverse();
      assert.deepEqual(partition(cases, 3), partition(reversed, 3));
    }
  });
  test("exact assignment of a small list (longest first, ties to the lower shard)", () => {
    const cases = [
      { id: "a", costMs: 7 },
      { id: "b", costMs: 5 },
      { id: "c", costMs: 4 },
      { id: "d", costMs: 3 },
      { id: "e", costMs: 3 },
    ];
    // 7→1, 5→2, 4→2 (5<7), 3(d)→1 (7<9)… loads 10 and 9, then e→2: 10 and 12.
    assert.deepEqual(partition(cases, 2), [
      ["a", "d"],
      ["b", "c", "e"],
    ]);
  });
  test("refuses duplicate ids and bad costs", () => {
    assert.throws(
      () =>
        partition(
          [
            { id: "x", costMs: 1 },
            { id: "x", costMs: 2 },
          ],
          2,
        ),
      /case id x appears twice/,
    );
    assert.throws(() => partition([{ id: "x", costMs: Number.NaN }], 2), /cost must be a finite number/);
  });
});

describe("--shard i/N", () => {
  test("valid", () => {
    assert.deepEqual(parseShard("2/3"), { index: 2, count: 3 });
    assert.deepEqual(parseShard("1/1"), { index: 1, count: 1 });
  });
  test("one-line errors", () => {
    assert.equal(
      errorOf(() => parseShard("4/3")),
      "layoutbench run: --shard 4/3: shard 4 of 3 does not exist; expected i/N with 1 <= i <= 3 (shards count from 1)",
    );
    assert.equal(
      errorOf(() => parseShard("0/3")),
      "layoutbench run: --shard 0/3: shard 0 of 3 does not exist; expected i/N with 1 <= i <= 3 (shards count from 1)",
    );
    assert.equal(
      errorOf(() => parseShard("a/b")),
      'layoutbench run: --shard "a/b": expected i/N, two whole numbers with 1 <= i <= N (e.g. 2/3)',
    );
    assert.equal(
      errorOf(() => parseShard("1/0")),
      "layoutbench run: --shard 1/0: a plan has at least 1 shard; expected i/N with 1 <= i <= N (e.g. 1/1)",
    );
  });
});

describe("cost estimate", () => {
  const scenario = loadScenario(TINY);
  const cases = expandCases(scenario);
  test("the model: samples × (fixed per sample + bytes ÷ rate)", () => {
    const costs = estimateCosts(cases);
    const full = costs.find((c) => c.id === "shards-tiny/grid/npy/full/cold")!;
    // 256×256 float32 = 262144 bytes per sample, 4 samples, cold.
    assert.equal(full.bytesPerSample, 262144);
    assert.equal(full.samples, 4);
    assert.equal(full.from, "model");
    assert.ok(Math.abs(full.costMs - 4 * (COST_MODEL.coldSampleMs + (262144 / COST_MODEL.coldReadBytesPerS) * 1000)) < 1e-9);
    const rows = costs.find((c) => c.id === "shards-tiny/grid/npy/rows/warm")!;
    assert.equal(rows.bytesPerSample, 4 * 256 * 4);
    assert.ok(Math.abs(rows.costMs - 4 * (COST_MODEL.warmSampleMs + (4096 / COST_MODEL.warmReadBytesPerS) * 1000)) < 1e-9);
    assert.ok(modelCostMs({ cache: "cold", pattern: cases[0].pattern }, 1, 1e8) > modelCostMs({ cache: "warm", pattern: cases[0].pattern }, 1, 1e8));
  });
  test("from earlier results: time of the samples and opens, scaled to the plan's sample count", () => {
    const id = "shards-tiny/grid/zarr-64/full/warm";
    const sample = { ms: 3, bytesRead: 0, bytesWritten: 0, majorFaults: 0, residency: null, openMs: 1, passes: 2 };
    const earlier = new Map([[id, { id, samples: [sample, sample] } as unknown as CaseResult]]);
    const cost = estimateCosts(cases, earlier).find((c) => c.id === id)!;
    // (3×2 + 1) per sample, 4 samples in the plan.
    assert.equal(cost.from, "results");
    assert.equal(cost.costMs, 28);
  });
});

describe("plan id", () => {
  test("stable: the same scenarios and cases give the same id in any order; anything else changes it", () => {
    const a = planId(["h1", "h2"], "0.1.0", ["s/a", "s/b"]);
    assert.equal(a, planId(["h2", "h1"], "0.1.0", ["s/b", "s/a"]));
    assert.notEqual(a, planId(["h1", "h3"], "0.1.0", ["s/a", "s/b"]));
    assert.notEqual(a, planId(["h1", "h2"], "0.2.0", ["s/a", "s/b"]));
    assert.notEqual(a, planId(["h1", "h2"], "0.1.0", ["s/a"]));
    assert.match(a, /^[0-9a-f]{64}$/);
  });
  test("the plan of a scenario file: every case once, shards cover it", () => {
    const scenario = loadScenario(TINY);
    const cases = expandCases(scenario);
    const plan = buildPlan([scenario], estimateCosts(cases), "0.1.0", () => "x");
    assert.equal(
      plan.id,
      planId(
        [scenario.hash],
        "0.1.0",
        cases.map((c) => c.id),
      ),
    );
    assert.equal(buildPlan([scenario], estimateCosts(cases), "0.1.0", () => "x").id, plan.id);
    assert.deepEqual([1, 2, 3].flatMap((i) => shardCaseIds(plan, i, 3)).sort(), cases.map((c) => c.id).sort());
  });
});

const calibration: Calibration = {
  storageBytesPerS: 2e8,
  storageProbeBytes: 1,
  storageCold: true,
  memoryCopyBytesPerS: 4e9,
  loopbackRoundTripUs: 50,
  measuredAt: "t",
};
const machineA = fingerprintOf({ cpuModel: "EPYC", cpus: 2, memoryBytes: 8e9, kernel: "6.1", filesystem: "ext4" }, "host-a");
const machineB = fingerprintOf({ cpuModel: "EPYC", cpus: 2, memoryBytes: 16e9, kernel: "6.1", filesystem: "ext4" }, "host-b");

function caseRecord(id: string, shard: string, machine: MachineFingerprint): CaseResult {
  return { id, shard, machine: machine.id, status: "ok", samples: [], warnings: [] } as unknown as CaseResult;
}

function shardFile(path: string, index: number, ids: string[], over: Partial<ResultsFile> = {}, machine = machineA): ShardFile {
  const results = {
    kind: "layoutbench-results",
    version: 1,
    startedAt: `2026-01-0${index}T00:00:00Z`,
    finishedAt: `2026-01-0${index}T01:00:00Z`,
    context: {},
    scenarios: [],
    harness: { version: "0.1.0", commit: "c".repeat(40) },
    plan: { id: "p".repeat(64), cases: 5, datasetDigest: "d".repeat(64), costDigest: "k".repeat(64) },
    shard: { index, count: 3 },
    machine,
    calibration,
    cases: ids.map((id) => caseRecord(id, `${index}/3`, machine)),
    ...over,
  } as unknown as ResultsFile;
  return { path, results };
}

describe("merge", () => {
  const s1 = shardFile("s1.json", 1, ["x/b", "x/a"]);
  const s2 = shardFile("s2.json", 2, ["x/c"]);
  const s3 = shardFile("s3.json", 3, ["x/e", "x/d"], {}, machineB);
  test("merges cases sorted by id, with their shard and machine, and lists nothing missing", () => {
    const m = mergeShards([s3, s1, s2]);
    assert.deepEqual(
      m.results.cases.map((c) => `${c.id} ${c.shard}`),
      ["x/a 1/3", "x/b 1/3", "x/c 2/3", "x/d 3/3", "x/e 3/3"],
    );
    assert.deepEqual(m.missing, []);
    assert.equal(m.results.finishedAt, "2026-01-03T01:00:00Z");
    assert.equal(m.results.startedAt, "2026-01-01T00:00:00Z");
    assert.equal(m.results.shard, undefined);
    assert.deepEqual(
      m.results.machines!.map((x) => [x.fingerprint.id, x.shards]),
      [
        [machineA.id, ["1/3", "2/3"]],
        [machineB.id, ["3/3"]],
      ],
    );
    assert.equal(m.machineNotes.length, 1);
    assert.match(
      m.machineNotes[0],
      new RegExp(`^machine ${machineB.id} \\(shard 3/3\\) differs from machine ${machineA.id} \\(shards 1/3, 2/3\\) in memoryBytes, hostHash; calibration `),
    );
  });
  test("missing shards are listed and leave the file unfinished", () => {
    const m = mergeShards([s1, s3]);
    assert.deepEqual(m.missing, ["2/3"]);
    assert.deepEqual(m.results.missingShards, ["2/3"]);
    assert.equal(m.results.finishedAt, null);
  });
  test("refusals name both files and the field", () => {
    const other = (over: Partial<ResultsFile>) => shardFile("s2.json", 2, ["x/c"], over);
    const REMEDY = "only shards of one plan, run by the same layoutbench on the same data, can be merged";
    assert.equal(
      errorOf(() => mergeShards([s1, other({ plan: { ...s1.results.plan!, id: "q".repeat(64) } })])),
      `layoutbench merge: s2.json: plan.id qqqqqqqqqqqq differs from s1.json's pppppppppppp; ${REMEDY}`,
    );
    assert.equal(
      errorOf(() => mergeShards([s1, other({ harness: { version: "0.2.0", commit: null } })])),
      `layoutbench merge: s2.json: harness.version 0.2.0 differs from s1.json's 0.1.0; ${REMEDY}`,
    );
    assert.equal(
      errorOf(() => mergeShards([s1, other({ harness: { version: "0.1.0", commit: "e".repeat(40) } })])),
      `layoutbench merge: s2.json: harness.commit eeeeeeeeeeee differs from s1.json's cccccccccccc; ${REMEDY}`,
    );
    assert.equal(
      errorOf(() => mergeShards([s1, other({ plan: { ...s1.results.plan!, datasetDigest: "f".repeat(64) } })])),
      `layoutbench merge: s2.json: plan.datasetDigest ffffffffffff differs from s1.json's dddddddddddd; ${REMEDY}`,
    );
    assert.equal(
      errorOf(() => mergeShards([s1, other({ shard: { index: 2, count: 4 } })])),
      `layoutbench merge: s2.json: shard.count 4 differs from s1.json's 3; ${REMEDY}`,
    );
  });
  test("overlapping shards are refused", () => {
    assert.equal(
      errorOf(() => mergeShards([s1, shardFile("again.json", 1, ["x/z"])])),
      "layoutbench merge: s1.json and again.json are both shard 1/3: give each shard once",
    );
    assert.equal(
      errorOf(() => mergeShards([s1, shardFile("s2.json", 2, ["x/a"])])),
      "layoutbench merge: s1.json and s2.json both hold case x/a: shards must not overlap",
    );
  });
  test("a file that is not a shard is refused", () => {
    const plain = { path: "plain.json", results: { ...s1.results, shard: undefined } as ResultsFile };
    assert.equal(
      errorOf(() => mergeShards([s1, plain])),
      'layoutbench merge: plain.json: not a shard file (no "plan" or "shard" field); shard files come from layoutbench run --shard i/N',
    );
  });
});

describe("machine fingerprints", () => {
  test("the id hashes every field; the hostname only as a hash", () => {
    assert.equal(machineA.id.length, 12);
    assert.notEqual(machineA.id, fingerprintOf({ cpuModel: "EPYC", cpus: 2, memoryBytes: 8e9, kernel: "6.1", filesystem: "ext4" }, "host-b").id);
    assert.equal(machineA.id, fingerprintOf({ cpuModel: "EPYC", cpus: 2, memoryBytes: 8e9, kernel: "6.1", filesystem: "ext4" }, "host-a").id);
    assert.ok(!JSON.stringify(machineA).includes("host-a"));
  });
  test("differences in a fixed order; one machine says nothing", () => {
    assert.deepEqual(fingerprintDifferences(machineA, machineB), ["memoryBytes", "hostHash"]);
    assert.deepEqual(fingerprintDifferences(machineA, machineA), []);
    assert.deepEqual(describeMachines([{ fingerprint: machineA, calibration: null, shards: ["1/2", "2/2"] }]), []);
  });
});

describe("reports of a merged file, per machine", () => {
  test("one part per machine, each with that machine's cases and fingerprint; nothing to split for one machine", () => {
    const m = mergeShards([shardFile("s1.json", 1, ["x/a", "x/b"]), shardFile("s2.json", 2, ["x/c"]), shardFile("s3.json", 3, ["x/d"], {}, machineB)]);
    const parts = splitByMachine({ ...m.results, context: { hostname: "h", cpuModel: "?" } as ResultsFile["context"] });
    assert.deepEqual(
      parts.map((p) => [p.machine, p.results.cases.map((c) => c.id), p.results.context.memoryBytes, p.results.context.hostname]),
      [
        [machineA.id, ["x/a", "x/b", "x/c"], 8e9, `host ${machineA.hostHash}`],
        [machineB.id, ["x/d"], 16e9, `host ${machineB.hostHash}`],
      ],
    );
    assert.deepEqual(splitByMachine(mergeShards([shardFile("s1.json", 1, ["x/a"]), shardFile("s2.json", 2, ["x/c"])]).results), []);
  });
});

describe("a shard resumed on another machine", () => {
  test("the merge lists both machines for that shard", () => {
    const resumedElsewhere = shardFile("s2.json", 2, ["x/c"], {
      machine: machineB,
      machines: [
        { fingerprint: machineA, calibration, shards: ["2/3"] },
        { fingerprint: machineB, calibration, shards: ["2/3"] },
      ],
    });
    const m = mergeShards([shardFile("s1.json", 1, ["x/a"]), resumedElsewhere]);
    assert.deepEqual(
      m.results.machines!.map((x) => [x.fingerprint.id, x.shards]),
      [
        [machineA.id, ["1/3", "2/3"]],
        [machineB.id, ["2/3"]],
      ],
    );
  });
});
