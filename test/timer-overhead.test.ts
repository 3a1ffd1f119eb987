/**
 * The clock's own cost per timed region: measured on a scripted clock, subtracted per timed read by
 * the sampler, and warm passes taken in one session call (`passes`) adding up to what single passes
 * would give, with every read still verified.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { Backend, Reader, Stored } from "../harness/backends/types.ts";
import type { TypedArray } from "../harness/core/dtype.ts";
import { VerificationError } from "../harness/core/errors.ts";
import { type Selection, slice } from "../harness/core/selection.ts";
import { generateRegion } from "../harness/data/generate.ts";
import { jsSession } from "../harness/engines/js.ts";
import type { EngineSession } from "../harness/engines/types.ts";
import { contextItems } from "../harness/report/context.ts";
import type { ResultsFile } from "../harness/run/results-types.ts";
import { type CaseEnv, sampleRound } from "../harness/run/sampler.ts";
import { calibrateTimer, TIMER_CALIBRATION_METHOD, withoutTimerOverhead } from "../harness/run/timer-overhead.ts";
import type { CaseSpec, DatasetSpec } from "../harness/scenario/types.ts";

describe("timer calibration", () => {
  test("an empty timed region measures the clock's step between two readings", () => {
    let t = 0;
    assert.equal(
      calibrateTimer(() => (t += 0.25), 3, 10),
      0.25,
    );
  });

  test("the lowest batch mean is taken: a batch slowed by load does not raise the estimate", () => {
    let t = 0;
    let calls = 0;
    // Batches of 10 regions = 20 readings; the first batch's readings step by 1, later ones by 0.5.
    const overhead = calibrateTimer(() => (t += calls++ < 20 ? 1 : 0.5), 4, 10);
    assert.equal(overhead, 0.5);
  });

  test("subtraction is per timed region and never goes below zero", () => {
    assert.equal(withoutTimerOverhead(10, 4, 0.5), 8);
    assert.equal(withoutTimerOverhead(1, 4, 0.5), 0);
    assert.equal(withoutTimerOverhead(3, 0, 0.5), 3);
  });
});

const spec = (cache: "warm" | "cold", dataset?: DatasetSpec): CaseSpec =>
  ({
    cache,
    dataset,
    layout: { name: "fake", backend: "memmap" },
    pattern: { name: "rows", kind: "rows", op: "read" },
    scenario: { sampling: { samples: 3, minSamples: 3, timeBudget: 60, warmup: 1, rounds: 1, minSampleMs: 10 } },
  }) as unknown as CaseSpec;

const quietEnv = (overheadMs?: number): CaseEnv => ({
  now: () => 0,
  io: () => ({ readBytes: 0, writeBytes: 0, majorFaults: 0 }),
  evict: async () => {},
  residency: () => 0,
  ...(overheadMs !== undefined ? { timerOverheadMs: overheadMs } : {}),
});

describe("the sampler and the clock's cost", () => {
  const session = (pass: EngineSession["pass"], passes?: EngineSession["passes"]): EngineSession => ({
    open: async () => 0,
    pass,
    ...(passes ? { passes } : {}),
    finish: async () => {},
    close: async () => {},
  });
  const plan = { round: 1, samples: 3, minSamples: 3, timeBudget: 60, passes: 4 };

  test("each timed region of a read pass loses the calibrated overhead", async () => {
    const s = session(async () => ({ ms: 3, io: null, timedRegions: 2 }));
    const r = await sampleRound(spec("warm"), s, [], quietEnv(0.5), plan);
    assert.deepEqual(
      r.samples.map((x) => x.ms),
      [2, 2, 2],
    );
  });

  test("without a calibration, or for passes that count no timed regions (python's), nothing is subtracted", async () => {
    const counted = session(async () => ({ ms: 3, io: null, timedRegions: 2 }));
    assert.deepEqual(
      (await sampleRound(spec("warm"), counted, [], quietEnv(), plan)).samples.map((x) => x.ms),
      [3, 3, 3],
    );
    const uncounted = session(async () => ({ ms: 3, io: null }));
    assert.deepEqual(
      (await sampleRound(spec("warm"), uncounted, [], quietEnv(0.5), plan)).samples.map((x) => x.ms),
      [3, 3, 3],
    );
  });

  test("a session with `passes` is called once per warm sample with the pass count", async () => {
    const asked: number[] = [];
    let single = 0;
    const s = session(
      async () => {
        single++;
        return { ms: 3, io: null, timedRegions: 2 };
      },
      async (count) => {
        asked.push(count);
        return { ms: 3 * count, io: null, timedRegions: 2 * count };
      },
    );
    const r = await sampleRound(spec("warm"), s, [], quietEnv(0.5), plan);
    assert.deepEqual(asked, [4, 4, 4]);
    assert.equal(single, 4, "the warm-up still takes single passes");
    assert.deepEqual(
      r.samples.map((x) => [x.ms, x.passes]),
      [
        [2, 4],
        [2, 4],
        [2, 4],
      ],
    );
  });
});

describe("the layoutbench session's passes", () => {
  const DATASET: DatasetSpec = { name: "d", shape: [8, 16], dtype: "int32", generator: "random", seed: 3 };
  const selections: Selection[] = [
    [slice(0, 1), slice(0, 16)],
    [slice(5, 7), slice(3, 9)],
  ];
  /** A backend whose reads return the dataset's values (or wrong ones after `breakAfter` reads), 2 ms each on the clock. */
  function fake(breakAfter = Number.POSITIVE_INFINITY) {
    let clock = 0;
    let reads = 0;
    const reader: Reader = {
      async read(sel: Selection, into?: TypedArray) {
        clock += 2;
        const values = generateRegion(DATASET, sel);
        if (++reads > breakAfter) values[0] = (values[0] as number) + 1;
        if (!into) return values;
        into.set(values as never);
        return into;
      },
      async close() {},
    } as Reader;
    const backend = { open: async () => reader } as unknown as Backend;
    const now = () => (clock += 0.25);
    const s = jsSession(spec("warm", DATASET), backend, {} as Stored, selections, now);
    return { s, reads: () => reads };
  }

  test("passes(n) adds up what n single passes give, timed regions included", async () => {
    const one = fake();
    await one.s.open();
    const single = await one.s.pass();
    const many = await one.s.passes?.(5);
    assert.ok(many, "a read session offers passes()");
    assert.deepEqual(single, { ms: 2 * 2.25, io: null, timedRegions: 2 });
    assert.deepEqual(many, { ms: 5 * 2 * 2.25, io: null, timedRegions: 10 });
    assert.equal(one.reads(), 12);
  });

  test("every read of passes(n) is verified: a wrong seventh read fails the call", async () => {
    const broken = fake(6);
    await broken.s.open();
    await assert.rejects(broken.s.passes?.(5) ?? Promise.resolve(), (e: unknown) => e instanceof VerificationError && /read \[0:1, 0:16\]/.test(e.message));
    assert.equal(broken.reads(), 7, "the call stopped at the wrong read");
  });

  test("write sessions and open-per-access sessions take single passes only", () => {
    const backend = {} as Backend;
    const write = { ...spec("warm", DATASET), pattern: { name: "w", kind: "rows", op: "write" } } as unknown as CaseSpec;
    const perAccess = { ...spec("warm", DATASET), pattern: { name: "r", kind: "rows", op: "read", openPerAccess: true } } as unknown as CaseSpec;
    assert.equal(jsSession(write, backend, {} as Stored, selections, () => 0).passes, undefined);
    assert.equal(jsSession(perAccess, backend, {} as Stored, selections, () => 0).passes, undefined);
  });
});

describe("the report's context", () => {
  const results = JSON.parse(readFileSync(new URL("./fixtures/results-small.json", import.meta.url), "utf8")) as ResultsFile;
  const stats = { seed: 1, resamples: 100, confidence: 0.95 };
  test("names the clock cost subtracted per timed read and how it was measured", () => {
    const timed = { ...results, context: { ...results.context, timer: { overheadMs: 0.000047, method: TIMER_CALIBRATION_METHOD } } };
    const line = contextItems(timed, stats).find((i) => i.label === "Timer");
    assert.equal(line?.value, `47 ns per timed read subtracted: the clock's cost, ${TIMER_CALIBRATION_METHOD}`);
  });
  test("files from before the calibration have no such line", () => {
    assert.equal(
      contextItems(results, stats).some((i) => i.label === "Timer"),
      false,
    );
  });
});
