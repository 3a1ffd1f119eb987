/**
 * run → stats → report in milliseconds: the real executor, sampler, summary, report model and
 * Markdown renderer, driven by an in-memory backend whose reads take scripted times on a scripted
 * clock and count scripted bytes "from storage". Every number the report shows follows from the
 * script, so it is asserted exactly. What this leaves to the process-spawning tests: real files,
 * real eviction and residency, the CLI's options and exit codes.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { expandPattern } from "../harness/access/patterns.ts";
import type { Backend, Reader, Stored } from "../harness/backends/types.ts";
import type { Selection } from "../harness/core/selection.ts";
import { generateRegion } from "../harness/data/generate.ts";
import { parseScenario } from "../harness/plan/load.ts";
import { renderMarkdown } from "../harness/report/markdown.ts";
import { buildReportModel } from "../harness/report/model.ts";
import type { RunDeps } from "../harness/run/deps.ts";
import { runScenarios } from "../harness/run/executor.ts";
import { realRunDeps } from "../harness/run/real-deps.ts";
import type { ResultsFile, RunContext } from "../harness/run/results-types.ts";
import type { LayoutSpec } from "../harness/scenario/types.ts";
import type { Materialized } from "../harness/store/materialize.ts";

const scratch = mkdtempSync(join(tmpdir(), "layoutbench-pipeline-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const SCENARIO = `
version: 1
name: fake
datasets:
  - {name: grid, shape: [64, 64], dtype: float32, generator: smooth, seed: 1}
layouts:
  - {name: slow-cold, backend: memmap}
  - {name: slow-warm, backend: zarr, chunks: [64, 64]}
patterns:
  - {name: rows, kind: rows, count: 4}
sampling: {samples: 5, minSamples: 5, rounds: 1, warmup: 1, minSampleMs: 10, timeBudget: 60}
`;

/** Per layout: milliseconds per row read cold and warm, bytes from storage per cold row, bytes on disk. */
const SCRIPT: Record<string, { coldMs: number; warmMs: number; coldBytes: number; onDisk: number }> = {
  "slow-cold": { coldMs: 2, warmMs: 0.25, coldBytes: 4096, onDisk: 16384 },
  "slow-warm": { coldMs: 1, warmMs: 0.5, coldBytes: 8192, onDisk: 8192 },
};
const OPEN_MS = 0.5;
/** Opening reads the file's header from storage unless it is cached. */
const HEADER_BYTES = 4096;
/** Write patterns: per row written, and per flush (which also waits 3 ms on a run queue and is switched out once). */
const WRITE_MS = 0.5;
const FLUSH_MS = 3;

function emptyDir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}

/** The read path the in-memory readers describe, with the slower paths a script makes them take. */
const fakeReadPath = (layout: string, fallbacks: readonly string[] = []) => ({
  implementation: `in-memory ${layout} reader`,
  decoder: "none",
  threads: 1,
  library: "no library",
  ours: "scripted reads on a scripted clock",
  fallbacks,
});

/**
 * A machine in memory: one clock, one I/O counter, and per layout the rows now "in the page cache".
 * `fallbacks`: slower paths every reader says it took.
 */
function fakeMachine(fallbacks: readonly string[] = []) {
  const state = {
    clock: 0,
    readBytes: 0,
    evictions: 0,
    locks: 0,
    released: 0,
    runDelayMs: 0,
    switches: 0,
    round: 0,
    opens: [] as { layout: string; round: number }[],
  };
  const cached = new Map<string, Set<string>>();
  const fileOf = (layout: LayoutSpec) => `/fake/${layout.name}`;
  const backend = (layout: LayoutSpec): Backend => ({
    name: layout.backend,
    check: () => [],
    materialize: async () => {},
    files: async () => [fileOf(layout)],
    async open(stored: Stored): Promise<Reader> {
      state.clock += OPEN_MS;
      state.opens.push({ layout: layout.name, round: state.round });
      const script = SCRIPT[layout.name];
      const resident = cached.get(fileOf(layout)) ?? new Set<string>();
      cached.set(fileOf(layout), resident);
      if (!resident.has("header")) {
        state.readBytes += HEADER_BYTES;
        resident.add("header");
      }
      return {
        async write() {
          state.clock += WRITE_MS;
        },
        async flush() {
          state.clock += FLUSH_MS;
          state.runDelayMs += FLUSH_MS;
          state.switches++;
        },
        async read(sel: Selection) {
          const key = JSON.stringify(sel);
          if (resident.has(key)) state.clock += script.warmMs;
          else {
            state.clock += script.coldMs;
            state.readBytes += script.coldBytes;
            resident.add(key);
          }
          return generateRegion(stored.dataset, sel);
        },
        readPath: () => fakeReadPath(layout.name, fallbacks),
        async close() {},
      };
    },
  });
  const context: RunContext = {
    hostname: "fake",
    platform: "linux",
    kernel: "0",
    arch: "x64",
    cpuModel: "fake",
    cpus: 1,
    memoryBytes: 0,
    node: "v20",
    libraries: {},
    filesystem: "memory",
    readaheadKiB: null,
    pageSize: 4096,
    eviction: { method: "fadvise", verified: true, detail: "in memory" },
  };
  const real = realRunDeps();
  const deps: RunDeps = {
    sampleEnv: () => ({
      now: () => state.clock,
      io: () => ({ readBytes: state.readBytes, writeBytes: 0, majorFaults: 0 }),
      evict: async (files) => {
        state.evictions++;
        for (const f of files) cached.get(f)?.clear();
      },
      residency: () => 0,
      sched: () => ({ runDelayMs: state.runDelayMs, stealMs: 0, involuntarySwitches: state.switches, cpus: 2 }),
    }),
    timestamp: () => "2026-01-01T00:00:00.000Z",
    backendFor: backend,
    // A real empty folder: write cases copy it to a scratch folder and delete the copy.
    materialize: async (root, dataset, layout): Promise<Materialized> => ({
      stored: { dir: emptyDir(join(root, "entries", layout.name)), dataset, layout },
      manifest: {
        key: layout.name,
        createdAt: "",
        dataset,
        layout,
        seconds: 0,
        files: [{ path: layout.name, bytes: SCRIPT[layout.name].onDisk }],
        bytesOnDisk: SCRIPT[layout.name].onDisk,
      },
      created: false,
    }),
    collectContext: async () => context,
    lock: () => {
      state.locks++;
      return () => {
        state.released++;
      };
    },
    cleanScratch: () => [],
    // Our engine as it is; the Python worker is never started by these cases.
    engines: {
      ...real.engines,
      python: {
        ...real.engines.python,
        start: () => {
          throw new Error("python must not start");
        },
      },
    },
  };
  return { deps, state };
}

async function run(
  text = SCENARIO,
  fallbacks: readonly string[] = [],
): Promise<{ results: ResultsFile; state: ReturnType<typeof fakeMachine>["state"]; log: string[] }> {
  const { deps, state } = fakeMachine(fallbacks);
  const scenario = parseScenario(text, join(scratch, "fake.yaml"));
  const log: string[] = [];
  const results = await runScenarios(
    [scenario],
    {
      cacheRoot: scratch,
      resultsPath: join(scratch, `r-${Math.random()}.json`),
      filter: () => true,
      log: (l) => {
        log.push(l);
        const round = /^round (\d+) of/.exec(l);
        if (round) state.round = Number(round[1]);
      },
    },
    deps,
  );
  return { results, state, log };
}

describe("run → stats → report with an in-memory backend and a scripted clock", () => {
  test("the rows the pattern reads are distinct, so each cold pass reads every row from storage", () => {
    const scenario = parseScenario(SCENARIO, "fake.yaml");
    const sels = expandPattern(scenario.patterns[0], [64, 64], 4);
    assert.equal(new Set(sels.map((s) => JSON.stringify(s))).size, 4);
  });

  test("medians, throughput and amplification follow exactly from the scripted reads", async () => {
    const { results, state, log } = await run();
    assert.deepEqual([state.locks, state.released], [1, 1], "the run lock is taken once and released");
    assert.equal(results.cases.length, 4);
    assert.ok(results.finishedAt);
    const byId = new Map(results.cases.map((c) => [`${c.layout.name}/${c.cache}`, c]));
    const bytesRequested = 4 * 64 * 4;
    // [median ms per pass, bytes from storage per pass, passes per sample]
    const expected: Record<string, [number, number, number]> = {
      "slow-cold/cold": [4 * 2, 4 * 4096, 1],
      "slow-warm/cold": [4 * 1, 4 * 8192, 1],
      // Warm: passes calibrated so a sample lasts 10 ms (ceil(10 / pass ms)).
      "slow-cold/warm": [4 * 0.25, 0, 10],
      "slow-warm/warm": [4 * 0.5, 0, 5],
    };
    for (const [id, [ms, bytes, passes]] of Object.entries(expected)) {
      const c = byId.get(id)!;
      assert.equal(c.status, "ok", `${id}: ${c.error}`);
      assert.equal(c.samples.length, 5, id);
      assert.ok(
        c.samples.every((s) => s.passes === passes),
        `${id}: passes`,
      );
      assert.equal(c.summary!.medianMs, ms, id);
      assert.equal(c.summary!.bytesRequested, bytesRequested, id);
      assert.equal(c.summary!.bytesRead, bytes, id);
      assert.equal(c.summary!.readAmplification, bytes / bytesRequested, id);
      assert.equal(c.summary!.throughput, bytesRequested / (ms / 1000), id);
      assert.ok(
        c.samples.every((s) => s.openMs === (c.cache === "cold" ? OPEN_MS : 0)),
        `${id}: openMs`,
      );
      // The header read at open is counted apart, not in the timed reads' bytes.
      assert.deepEqual([c.summary!.openMs, c.summary!.openBytesRead], c.cache === "cold" ? [OPEN_MS, HEADER_BYTES] : [null, null], id);
      assert.equal(c.summary!.preempted, 0, id);
      assert.deepEqual(c.warnings, [], id);
      assert.deepEqual(c.readPath, { engine: "layoutbench", ...fakeReadPath(c.layout.name) }, id);
      // The process's high-water mark said nothing about one case; files from before still read.
      assert.equal("peakRssBytes" in c, false, id);
    }
    // Cold samples evict twice each: before the open and after it.
    assert.equal(state.evictions, 2 * 5 * 2);
    assert.ok(
      log.some((l) => l.startsWith("[1/4] ") && l.includes("median 8.00 ms")),
      log.join("\n"),
    );
  });

  test("the Markdown report ranks and prints the scripted numbers", async () => {
    const { results } = await run();
    const lines = renderMarkdown(buildReportModel(results)).split("\n");
    // Expected cost per layout: cold rows + warm rows, weight 1 each (slow-warm 4 + 2, slow-cold 8 + 1).
    const decision = lines.indexOf(
      "**Use slow-warm for grid: the lowest expected cost for rows ×1 in the cold and warm cache, read by layoutbench's own readers.**",
    );
    assert.ok(decision > 0, lines.join("\n"));
    assert.deepEqual(lines.slice(decision + 2, decision + 9), [
      "Why: slow-warm costs 6.00 ms (95% CI 6.00–6.00 ms) per round of the workload; the runner-up, slow-cold, costs 1.50× as much (95% CI 1.50–1.50×).",
      "",
      "What would change it:",
      "",
      // Warm only: slow-cold 1 ms against slow-warm 2 ms.
      "- warm cache only: use slow-cold (slow-warm costs 2.00× as much, 95% CI 2.00–2.00×).",
      "- Unchanged: cold cache only.",
      "",
    ]);
    const cold = lines.findIndex((l) => l.startsWith("#### rows, cold cache"));
    const warm = lines.findIndex((l) => l.startsWith("#### rows, warm cache"));
    assert.ok(cold >= 0 && warm > cold);
    assert.equal(
      lines[cold + 2],
      "| \\# | Layout | Median | 95% CI | vs fastest | Throughput | Read ampl. | Read from storage | Open (read at open) | Preempted (invol. switches, steal) | On disk (compression) | Samples | Status |",
    );
    assert.equal(
      lines[cold + 4],
      "| **1** | **slow-warm** | 4.00 ms | 4.00–4.00 ms | fastest | 256 kB/s | 32.0× | 32.0 KiB | 500 µs (4.0 KiB) | 0 of 5 (0, 0 µs) | 8.0 KiB (2.00×) | 5 | ok |",
    );
    assert.equal(
      lines[cold + 5],
      "| 2 | slow-cold | 8.00 ms | 8.00–8.00 ms | 2.00× (2.00–2.00×) | 128 kB/s | 16.0× | 16.0 KiB | 500 µs (4.0 KiB) | 0 of 5 (0, 0 µs) | 16.0 KiB (1.00×) | 5 | ok |",
    );
    assert.equal(
      lines[warm + 4],
      "| **1** | **slow-cold** | 1.00 ms | 1.00–1.00 ms | fastest | 1.02 MB/s | — | 0 B | 0 of 5 (0, 0 µs) | 16.0 KiB (1.00×) | 5 | ok |",
    );
  });

  test("a slower path a reader took is on its case's read path, warned about with the remedy, and shown in the report", async () => {
    const fallback = "scripted slow path instead of the planned one: turned off by the test";
    const { results } = await run(SCENARIO.replace("rounds: 1", "rounds: 2"), [fallback]);
    for (const c of results.cases) {
      assert.equal(c.status, "ok", c.error);
      // Both rounds took it: it is listed once.
      assert.deepEqual(c.readPath, { engine: "layoutbench", ...fakeReadPath(c.layout.name, [fallback]) }, c.id);
      assert.deepEqual(
        c.warnings.filter((w) => w.code === "read-path-fallback").map((w) => w.message),
        [
          `layoutbench read path fell back: ${fallback}; unset LAYOUTBENCH_DISABLE_NATIVE and rebuild the addon with npm install for the addon's paths; ` +
            "Blosc chunks the addon declines need codec: {name: blosc} with cname lz4, zstd or blosclz",
        ],
        c.id,
      );
    }
    const lines = renderMarkdown(buildReportModel(results)).split("\n");
    assert.ok(
      lines.some((l) => l.startsWith("| Layout | Storage | Read path |")),
      lines.join("\n"),
    );
    assert.ok(
      lines.some((l) => l.startsWith(`| slow-warm | `) && l.includes(`| in-memory slow-warm reader; no decoding; no library; fell back: ${fallback} |`)),
      lines.join("\n"),
    );
  });

  test("writes record time to return and time to durable; flush picks the ranked one; both are reported", async () => {
    const { results } = await run(WRITES);
    const put = results.cases.find((c) => c.pattern.name === "put")!;
    const durable = results.cases.find((c) => c.pattern.name === "put-durable")!;
    for (const c of [put, durable]) {
      assert.equal(c.status, "ok", c.error);
      assert.deepEqual([c.summary!.returnMs, c.summary!.durableMs], [4 * WRITE_MS, 4 * WRITE_MS + FLUSH_MS], c.id);
    }
    assert.equal(put.summary!.medianMs, 4 * WRITE_MS, "flush: false ranks the time to return");
    assert.equal(durable.summary!.medianMs, 4 * WRITE_MS + FLUSH_MS, "flush: true ranks the time to durable");
    const lines = renderMarkdown(buildReportModel(results)).split("\n");
    const at = lines.findIndex((l) => l.startsWith("#### put (rows), cold cache"));
    assert.match(lines[at + 2], /\| To return \| To durable \|/);
    assert.match(lines[at + 4], /\| 2\.00 ms \| 5\.00 ms \|/);
  });

  test("samples that lost most of their time to the scheduler are counted, shown and warned about", async () => {
    const { results } = await run(WRITES);
    const put = results.cases.find((c) => c.pattern.name === "put")!;
    // Each sample: 5 ms of wall time, 3 of them waiting on a run queue (60% > 50%).
    assert.ok(put.samples.every((s) => s.sched!.wallMs === 5 && s.sched!.runDelayMs === 3 && s.sched!.involuntarySwitches === 1));
    assert.equal(put.summary!.preempted, 5);
    assert.deepEqual(
      put.warnings.map((w) => w.code),
      ["preempted"],
    );
    assert.match(put.warnings[0].message, /^5 of 5 samples lost up to 60% of their time/);
    const lines = renderMarkdown(buildReportModel(results)).split("\n");
    const at = lines.findIndex((l) => l.startsWith("#### put (rows), cold cache"));
    assert.match(lines[at + 4], /\| 5 of 5 \(1, 0 µs\) \|/);
    const reads = results.cases.find((c) => c.pattern.name === "rows-open")!;
    assert.deepEqual(reads.warnings, []);
  });

  test("openPerAccess: the open is timed with every read and its bytes count in the amplification", async () => {
    const { results } = await run(WRITES);
    const c = results.cases.find((x) => x.pattern.name === "rows-open")!;
    assert.equal(c.status, "ok", c.error);
    // Per row: open 0.5 ms + cold read 2 ms; the first open of a sample reads the header (4 KiB).
    assert.equal(c.summary!.medianMs, 4 * (OPEN_MS + 2));
    assert.equal(c.summary!.bytesRead, HEADER_BYTES + 4 * 4096);
    assert.equal(c.summary!.readAmplification, (HEADER_BYTES + 4 * 4096) / (4 * 64 * 4));
    assert.deepEqual([c.summary!.openMs, c.summary!.openBytesRead], [0, 0], "nothing is opened apart from the reads");
  });

  test("rounds: round 1 of every case comes before round 2 of any, and each sample records its round", async () => {
    const { results, state, log } = await run(SCENARIO.replace("rounds: 1", "rounds: 2"));
    assert.deepEqual(
      log.filter((l) => l.startsWith("round ")),
      ["round 1 of 2", "round 2 of 2"],
    );
    for (const c of results.cases)
      assert.deepEqual(
        c.samples.map((s) => s.round),
        [1, 1, 1, 2, 2],
        c.id,
      );
    const rounds = state.opens.map((o) => o.round);
    assert.deepEqual(
      rounds,
      [...rounds].sort((a, b) => a - b),
      "no open of round 2 before the last of round 1",
    );
    for (const layout of ["slow-cold", "slow-warm"]) {
      assert.deepEqual(
        [1, 2].map((r) => state.opens.some((o) => o.layout === layout && o.round === r)),
        [true, true],
        layout,
      );
    }
  });
});

const WRITES = `
version: 1
name: fake-writes
datasets:
  - {name: grid, shape: [64, 64], dtype: float32, generator: smooth, seed: 1}
layouts:
  - {name: slow-cold, backend: memmap}
patterns:
  - {name: rows-open, kind: rows, count: 4, openPerAccess: true}
  - {name: put, kind: rows, count: 4, op: write}
  - {name: put-durable, kind: rows, count: 4, op: write, flush: true}
cache: [cold]
sampling: {samples: 5, minSamples: 5, rounds: 1, warmup: 1, minSampleMs: 10, timeBudget: 60}
`;
