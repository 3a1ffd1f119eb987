/**
 * Readers as a case dimension, the pure parts: schema, resolution, expansion and ids; how the
 * selections are split among readers; the smaps_rollup / smaps / status parsers on captured
 * samples; a group sample and the per-reader summary; the memory budget rule.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import { shareOf } from "../harness/access/split.ts";
import { PROJECT_ROOT } from "../harness/core/paths.ts";
import { loadScenario } from "../harness/plan/load.ts";
import { buildCharts } from "../harness/report/charts/index.ts";
import { buildReportModel } from "../harness/report/model.ts";
import type { LayoutView } from "../harness/report/model-types.ts";
import { memoryVerdict, rankedLayouts, readersNotes } from "../harness/report/readers.ts";
import { layoutsTable } from "../harness/report/table.ts";
import { caseMemory, parseHwm, parseSmapsRollup, pssOfFiles, type ReaderMemory, withinBudget } from "../harness/run/memory.ts";
import { groupSample, readersSummary } from "../harness/run/readers-aggregate.ts";
import { caseId, expandCases } from "../harness/scenario/expand.ts";
import { DEFAULT_READERS, parseBytes, readersLabel } from "../harness/scenario/readers.ts";

const FIXTURES = join(import.meta.dirname, "fixtures");
const valid = () => loadScenario(relative(PROJECT_ROOT, join(FIXTURES, "scenarios", "valid", "readers.yaml")));

describe("scenario: readers and memoryBudget", () => {
  test("resolve fills each entry's defaults and parses the budget", () => {
    const s = valid();
    assert.deepEqual(s.readers, [
      { processes: 1, threads: 1, split: "replicate" },
      { processes: 4, threads: 1, split: "partition" },
      { processes: 2, threads: 1, split: "replicate" },
    ]);
    assert.equal(s.memoryBudget, 64 * 2 ** 20);
  });

  test("expansion: one case per readers entry, the default adding nothing to the id", () => {
    const ids = expandCases(valid()).map((c) => c.id);
    assert.equal(ids.length, 2 * 1 * 2 * 3);
    assert.deepEqual(
      ids.filter((id) => id.includes("/npy/rows/cold")),
      ["readers/a/npy/rows/cold", "readers/a/npy/rows/cold/readers=4p1t-partition", "readers/a/npy/rows/cold/readers=2p1t-replicate"],
    );
  });

  test("ids: readers before @engine, after the cache", () => {
    assert.equal(
      caseId("s", "d", "l", "p", "warm", "zarrita", { readers: { processes: 4, threads: 2, split: "replicate" } }),
      "s/d/l/p/warm/readers=4p2t-replicate@zarrita",
    );
    assert.equal(
      caseId("s", "d", "l", "p", "warm", "zarrita", { storage: "http-100MBps-20ms", readers: { processes: 4, threads: 2, split: "replicate" } }),
      "s/d/l/p/warm/storage=http-100MBps-20ms/readers=4p2t-replicate@zarrita",
    );
    assert.equal(caseId("s", "d", "l", "p", "warm", "zarrita", { readers: DEFAULT_READERS }), "s/d/l/p/warm@zarrita");
    assert.equal(readersLabel({ processes: 16, threads: 3, split: "partition" }), "16p3t-partition");
  });

  test("a scenario without readers keeps its hash and its cases' default readers", () => {
    const s = loadScenario(relative(PROJECT_ROOT, join(FIXTURES, "scenarios", "valid", "minimal.yaml")));
    assert.equal(s.readers, undefined);
    assert.equal(s.memoryBudget, undefined);
    assert.ok(expandCases(s).every((c) => c.readers === DEFAULT_READERS && !c.id.includes("readers=")));
  });

  test("sizes", () => {
    assert.equal(parseBytes("64MiB"), 67108864);
    assert.equal(parseBytes("64 MB"), 64e6);
    assert.equal(parseBytes("1.5KiB"), 1536);
    assert.equal(parseBytes(4096), 4096);
    for (const bad of ["64 parsecs", "-1MiB", "", 0, 1.5, "0B"]) assert.equal(parseBytes(bad), undefined, String(bad));
  });
});

describe("split", () => {
  test("replicate: every reader reads every selection, in order", () => {
    for (let r = 0; r < 3; r++) assert.deepEqual(shareOf(5, 3, r, "replicate"), [0, 1, 2, 3, 4]);
  });

  test("partition: contiguous blocks, sizes within one, each selection exactly once", () => {
    assert.deepEqual(
      [0, 1, 2].map((r) => shareOf(10, 3, r, "partition")),
      [
        [0, 1, 2],
        [3, 4, 5],
        [6, 7, 8, 9],
      ],
    );
    assert.deepEqual(
      [0, 1, 2, 3].map((r) => shareOf(4, 4, r, "partition")),
      [[0], [1], [2], [3]],
    );
    for (const [s, n] of [
      [7, 2],
      [100, 7],
      [64, 64],
      [1000, 3],
    ]) {
      const shares = Array.from({ length: n }, (_, r) => shareOf(s, n, r, "partition"));
      assert.deepEqual(
        shares.flat(),
        Array.from({ length: s }, (_, i) => i),
        `${s} over ${n}`,
      );
      const sizes = shares.map((x) => x.length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${s} over ${n}: ${sizes}`);
    }
  });

  test("a reader outside the group is a bug", () => {
    assert.throws(() => shareOf(4, 2, 2, "partition"), RangeError);
  });
});

describe("procfs parsers", () => {
  const rollup = readFileSync(join(FIXTURES, "proc", "smaps_rollup.txt"), "latin1");
  const smaps = readFileSync(join(FIXTURES, "proc", "smaps.txt"), "latin1");

  test("smaps_rollup: the captured sample's values, in bytes", () => {
    assert.deepEqual(parseSmapsRollup(rollup), {
      rssBytes: 1676 * 1024,
      pssBytes: 209 * 1024,
      pssAnonBytes: 116 * 1024,
      pssFileBytes: 93 * 1024,
      pssShmemBytes: 0,
      ussBytes: (40 + 116) * 1024,
    });
  });

  test("smaps_rollup of a kernel without Pss_Anon is refused with the reason", () => {
    assert.throws(() => parseSmapsRollup(rollup.replace(/^Pss_Anon:.*\n/m, "")), /no Pss_Anon line \(Linux 5\.13/);
  });

  test("status: VmHWM", () => {
    assert.equal(parseHwm("Name:\tnode\nVmPeak:\t  100 kB\nVmHWM:\t    2216 kB\nVmRSS:\t 2000 kB\n"), 2216 * 1024);
    assert.throws(() => parseHwm("VmRSS: 1 kB\n"), /VmHWM/);
  });

  test("smaps: Pss of the mappings of the given files only", () => {
    const lib = "/usr/lib/x86_64-linux-gnu/liblzma.so.5.4.1";
    // The captured sample: liblzma's first three mappings, then the heap; each Pss line by hand.
    const pss = [...smaps.matchAll(/^[0-9a-f]+-[0-9a-f]+ .* (\S+)\n(?:.*\n)*?Pss:\s+(\d+) kB/gm)]
      .filter((m) => m[1] === lib)
      .reduce((s, m) => s + Number(m[2]) * 1024, 0);
    assert.ok(pss > 0);
    assert.equal(pssOfFiles(smaps, new Set([lib])), pss);
    assert.equal(pssOfFiles(smaps, new Set(["/nowhere"])), 0);
    const deleted = smaps.replace(/liblzma\.so\.5\.4\.1\n/, "liblzma.so.5.4.1 (deleted)\n");
    assert.equal(pssOfFiles(deleted, new Set([lib])), pss);
  });
});

const reader = (over: Partial<ReaderMemory>): ReaderMemory => ({
  hwmBytes: 0,
  rssBytes: 0,
  pssBytes: 0,
  pssAnonBytes: 0,
  pssFileBytes: 0,
  pssShmemBytes: 0,
  ussBytes: 0,
  pssLayoutBytes: 0,
  baselineAnonBytes: 0,
  ...over,
});

describe("aggregation", () => {
  test("a group sample: span from the first start to the last end, bytes summed, each reader's own", () => {
    const s = groupSample(
      [
        { ms: 8, startedAt: 1000.5, endedAt: 1008.5, bytesRead: 100, majorFaults: 1, selections: 3 },
        { ms: 12, startedAt: 1001, endedAt: 1013, bytesRead: 300, majorFaults: 2, selections: 4 },
      ],
      2,
      { residency: 0, openMs: 3, round: 1 },
    );
    assert.equal(s.ms, 12.5 / 2);
    assert.equal(s.bytesRead, 200);
    assert.equal(s.majorFaults, 1.5);
    assert.equal(s.passes, 2);
    assert.deepEqual(s.readers, [
      { ms: 4, startMs: 0, bytesRead: 50, selections: 3 },
      { ms: 6, startMs: 0.5, bytesRead: 150, selections: 4 },
    ]);
  });

  test("per-reader summary: medians, the slowest reader, quartiles, the start spread", () => {
    const sample = (a: number, b: number, spread: number) =>
      groupSample(
        [
          { ms: a, startedAt: 0, endedAt: a, bytesRead: 0, majorFaults: 0, selections: 1 },
          { ms: b, startedAt: spread, endedAt: spread + b, bytesRead: 0, majorFaults: 0, selections: 1 },
        ],
        1,
        { residency: null, openMs: 0, round: 1 },
      );
    const r = readersSummary([sample(1, 10, 0.2), sample(2, 20, 0.1), sample(3, 30, 0.4)])!;
    assert.deepEqual(r.readerMedianMs, [2, 20]);
    assert.equal(r.slowestReaderMs, 20);
    assert.equal(r.readerMedianOfAllMs, 6.5);
    assert.equal(r.maxStartSpreadMs, 0.4);
    assert.equal(readersSummary([{ ms: 1, bytesRead: 0, bytesWritten: 0, majorFaults: 0, residency: null, openMs: 0 }]), null);
  });

  test("case memory sums every reader and keeps the largest anonymous growth", () => {
    const m = caseMemory(
      [
        reader({ hwmBytes: 10, pssAnonBytes: 50, baselineAnonBytes: 30, pssFileBytes: 4, pssLayoutBytes: 2 }),
        reader({ hwmBytes: 20, pssAnonBytes: 90, baselineAnonBytes: 40, pssFileBytes: 6, pssLayoutBytes: 2 }),
      ],
      4096,
    );
    assert.deepEqual(
      [m.sum.hwmBytes, m.sum.pssAnonBytes, m.sum.pssFileBytes, m.sum.pssLayoutBytes, m.pageCacheBytes, m.maxAnonGrowthBytes],
      [30, 140, 10, 4, 4096, 50],
    );
  });

  test("memory budget: over only when one reader's anonymous growth exceeds it", () => {
    const m = caseMemory([reader({ pssAnonBytes: 100, baselineAnonBytes: 36 }), reader({ pssAnonBytes: 40, baselineAnonBytes: 40 })], 0);
    assert.equal(withinBudget(m, 64), true);
    assert.equal(withinBudget(m, 63), false);
    // File-backed pages (a mapping's) never count against it.
    assert.equal(withinBudget(caseMemory([reader({ pssFileBytes: 1e9, pssLayoutBytes: 1e9 })], 0), 1), true);
  });
});

describe("report: the memory rule and what the recommendation ranks", () => {
  const layout = (name: string, maxAnonGrowthBytes?: number, pssLayoutBytes = 0): LayoutView =>
    ({
      name,
      costByCache: {},
      ...(maxAnonGrowthBytes !== undefined
        ? { memory: { pssFileBytes: 0, pssAnonBytes: 0, pssLayoutBytes, hwmBytes: 0, maxAnonGrowthBytes, anonGrowthBytes: 0, pageCacheBytes: 0 } }
        : {}),
    }) as unknown as LayoutView;
  const MiB = 2 ** 20;

  test("within and over the budget, by base layout, the largest growth of its cases", () => {
    const v = memoryVerdict(
      [layout("npy", 8 * MiB, 32 * MiB), layout("npy [4p1t-replicate]", 9 * MiB, 32 * MiB), layout("h5", 600 * MiB)],
      16 * MiB,
      32 * MiB,
    )!;
    assert.deepEqual(v.within, [{ layout: "npy", anonGrowthBytes: 9 * MiB, fileBytes: 32 * MiB }]);
    assert.deepEqual(v.over, [{ layout: "h5", anonGrowthBytes: 600 * MiB, fileBytes: 0 }]);
    assert.match(v.line, /^memoryBudget 16\.0 MiB, array 32\.0 MiB \(larger than the budget\): stayed within it: npy .*; over it, not recommended: h5/);
    assert.equal(memoryVerdict([layout("npy", 1)], undefined, 1), undefined);
    assert.equal(memoryVerdict([layout("npy")], 1, 1), undefined);
  });

  test("the recommendation ranks one-process rows, and leaves out layouts over the budget", () => {
    const layouts = [layout("npy", 1), layout("npy [4p1t-replicate]", 1), layout("h5", 100)];
    const v = memoryVerdict(layouts, 10, 1000);
    const r = rankedLayouts({ layouts }, v);
    assert.deepEqual([...r.names], ["npy"]);
    assert.deepEqual(
      r.excluded.map((e) => e.layout),
      ["h5"],
    );
    // Without one-process rows, the first readers label's rows are ranked.
    const only = rankedLayouts({ layouts: [layout("a [2p1t-replicate]"), layout("a [4p1t-replicate]"), layout("b [2p1t-replicate]")] }, undefined);
    assert.deepEqual([...only.names], ["a [2p1t-replicate]", "b [2p1t-replicate]"]);
  });
});

describe("report of reader processes (a real run's results, the full pattern only)", () => {
  const results = JSON.parse(readFileSync(join(FIXTURES, "results-readers.json"), "utf8"));
  const model = buildReportModel(results);
  const d = model.datasets[0];

  test("rows per readers beside the one-process rows, with memory columns and notes", () => {
    assert.deepEqual(
      d.layouts.map((l) => l.name),
      ["npy", "npy [2p1t-partition]", "npy [4p1t-replicate]", "zlz4", "zlz4 [2p1t-partition]", "zlz4 [4p1t-replicate]"],
    );
    assert.ok(d.layouts.every((l) => l.memory && l.memory.hwmBytes > 0));
    assert.deepEqual(
      layoutsTable(d)
        .columns.slice(-4)
        .map((c) => c.title),
      ["ΣPSS file-backed", "ΣPSS anonymous", "Anon growth, max reader", "ΣVmHWM"],
    );
    // Ranked: the one-process rows only, and zlz4 grew a reader's anonymous memory by 7.1 MiB in one case, over the 6 MiB budget.
    assert.deepEqual(
      d.recommendation.candidates.map((c) => c.layout),
      ["npy"],
    );
    assert.deepEqual(
      d.recommendation.excluded.map((e) => e.layout),
      ["zlz4"],
    );
    assert.match(d.recommendation.excluded[0].reason, /^a reader's anonymous memory grew by 7\.1 MiB, over the memoryBudget of 6\.0 MiB$/);
    const notes = readersNotes(d);
    assert.match(notes[0], /^memoryBudget 6\.0 MiB, array 8\.0 MiB \(larger than the budget\): stayed within it: npy .*; over it, not recommended: zlz4/);
    assert.match(notes[1], /^this machine has 2 cores: cases of more than 2 readers × threads \(up to 4 here\) are capped by the cores/);
  });

  test("scaling and memory charts; hollow points past the cores", () => {
    const charts = buildCharts(model);
    const scaling = charts.find((c) => c.kind === "scaling")!;
    const values = (scaling.spec as { data: { values: { count: number; beyondCores: string; axis: string }[] } }).data.values;
    assert.ok(values.length > 0 && values.every((v) => v.axis === "processes"), "threads: one count only, not drawn");
    assert.ok(values.every((v) => v.count > 2 === (v.beyondCores === "past the cores")));
    assert.ok(charts.some((c) => c.kind === "memory"));
  });

  test("results without readers draw neither chart", () => {
    const small = JSON.parse(readFileSync(join(FIXTURES, "results-small.json"), "utf8"));
    assert.ok(!buildCharts(buildReportModel(small)).some((c) => c.kind === "scaling" || c.kind === "memory"));
  });
});
