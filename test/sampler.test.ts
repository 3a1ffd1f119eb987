/**
 * The sample loop and its rounds: the pure planning helpers and one round driven by a scripted
 * session and clock (a real run through the CLI sampling in rounds: sampler.e2e.ts).
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { EngineSession } from "../harness/engines/types.ts";
import { type CaseEnv, MAX_PASSES_PER_SAMPLE, passesFor, perRound, preemptedShare, type RoundPlan, sampleRound } from "../harness/run/sampler.ts";
import { stealFromProcStat } from "../harness/run/sched-counters.ts";
import type { CaseSpec } from "../harness/scenario/types.ts";

describe("round planning", () => {
  test("samples are split over rounds as evenly as possible, larger parts first", () => {
    assert.deepEqual(perRound(10, 3), [4, 3, 3]);
    assert.deepEqual(perRound(9, 3), [3, 3, 3]);
    assert.deepEqual(perRound(3, 1), [3]);
    assert.deepEqual(perRound(2, 2), [1, 1]);
    for (let total = 0; total < 40; total++) {
      for (let rounds = 1; rounds <= 7; rounds++)
        assert.equal(
          perRound(total, rounds).reduce((a, b) => a + b, 0),
          total,
        );
    }
  });

  test("a warm sample repeats its pass until it lasts minSampleMs, within bounds", () => {
    assert.equal(passesFor(0.5, 10), 20);
    assert.equal(passesFor(3, 10), 4);
    assert.equal(passesFor(25, 10), 1);
    assert.equal(passesFor(0.001, 10), MAX_PASSES_PER_SAMPLE);
    assert.equal(passesFor(0, 10), MAX_PASSES_PER_SAMPLE);
    assert.equal(passesFor(0.5, 0), 1, "minSampleMs 0: one pass per sample");
    assert.equal(passesFor(Number.NaN, 10), 1, "no warm-up pass to calibrate from");
  });
});

/** A session whose passes take `passMs` on a scripted clock, counting what it was asked to do. */
function scripted(passMs: number) {
  let clock = 0;
  const calls = { open: 0, close: 0, pass: 0, finish: 0, evict: 0 };
  const session: EngineSession = {
    async open() {
      calls.open++;
      return 1;
    },
    async pass() {
      calls.pass++;
      clock += passMs;
      return { ms: passMs, io: { readBytes: 4096, writeBytes: 0, majorFaults: 1 } };
    },
    async finish() {
      calls.finish++;
    },
    async close() {
      calls.close++;
    },
  };
  const env: CaseEnv = {
    now: () => clock,
    io: () => ({ readBytes: 0, writeBytes: 0, majorFaults: 0 }),
    evict: async () => {
      calls.evict++;
    },
    residency: () => 0,
  };
  return { session, env, calls };
}

function spec(cache: "cold" | "warm", sampling: Partial<CaseSpec["scenario"]["sampling"]> = {}): CaseSpec {
  return {
    cache,
    scenario: { sampling: { samples: 6, minSamples: 3, timeBudget: 60, warmup: 1, rounds: 2, minSampleMs: 10, ...sampling } },
  } as unknown as CaseSpec;
}

const plan = (p: Partial<RoundPlan> = {}): RoundPlan => ({ round: 1, samples: 3, minSamples: 2, timeBudget: 30, ...p });

describe("scheduler counters", () => {
  test("steal is the 8th value of /proc/stat's cpu line, in 10 ms ticks", () => {
    assert.equal(stealFromProcStat("cpu  247984 87 84704 22434 487 0 884 37 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n"), 370);
    assert.equal(stealFromProcStat("intr 1 2 3\n"), 0, "no aggregate line first: nothing recorded");
  });

  test("a sample's preempted share is run-queue wait plus its CPU's share of steal, over wall time", () => {
    assert.equal(preemptedShare({ wallMs: 10, runDelayMs: 2, stealMs: 12, involuntarySwitches: 3, cpus: 4 }), 0.5);
    assert.equal(preemptedShare({ wallMs: 10, runDelayMs: 20, stealMs: 0, involuntarySwitches: 1, cpus: 1 }), 1, "capped at the whole sample");
    assert.equal(preemptedShare({ wallMs: 0, runDelayMs: 1, stealMs: 0, involuntarySwitches: 0, cpus: 1 }), 0);
  });
});

describe("one round of a case", () => {
  test("warm, first round: one open, the pass count calibrated from the warm-up, means per pass recorded", async () => {
    const { session, env, calls } = scripted(0.5);
    const r = await sampleRound(spec("warm"), session, ["f"], env, plan());
    assert.equal(r.passes, 20);
    assert.equal(r.samples.length, 3);
    for (const s of r.samples) {
      assert.equal(s.ms, 0.5, "the sample is the mean per pass");
      assert.equal(s.passes, 20);
      assert.equal(s.round, 1);
      assert.equal(s.bytesRead, 4096, "I/O is per pass too");
      assert.equal(s.residency, null);
    }
    // Warm-up: two calibration passes, topped up to one full sample (20 passes); then 3 × 20 timed.
    assert.equal(calls.pass, 20 + 60);
    assert.deepEqual([calls.open, calls.close, calls.finish, calls.evict], [1, 1, 1, 0]);
  });

  test("warm: the I/O counters are read once per sample, not around every pass", async () => {
    const { session, env } = scripted(0.5);
    let reads = 0;
    let bytes = 0;
    env.io = () => {
      reads++;
      return { readBytes: bytes, writeBytes: 0, majorFaults: 0 };
    };
    // The engine leaves counting to the sampler; each pass reads 100 bytes.
    session.pass = async () => {
      bytes += 100;
      return { ms: 0.5, io: null };
    };
    const r = await sampleRound(spec("warm"), session, ["f"], env, plan({ passes: 20 }));
    assert.equal(reads, 2 * 3, "one reading before and one after each of the 3 samples");
    assert.ok(
      r.samples.every((s) => s.bytesRead === 100),
      "per pass, from the sample's total",
    );
  });

  test("warm, first round: the first pass after the open (first touches) does not set the pass count", async () => {
    const { session, env, calls } = scripted(0.05);
    const pass = session.pass.bind(session);
    // The first pass of a fresh mapping takes 40 ms of page faults; later ones 0.05 ms.
    session.pass = async () => {
      if (calls.pass !== 0) return pass();
      await pass();
      return { ms: 40, io: { readBytes: 0, writeBytes: 0, majorFaults: 0 } };
    };
    const r = await sampleRound(spec("warm"), session, ["f"], env, plan());
    assert.equal(r.passes, 200, "10 ms / 0.05 ms");
    assert.ok(r.samples.every((s) => Math.abs(s.ms - 0.05) < 1e-9));
  });

  test("warm, later round: the first round's pass count is kept, warm-up is one full sample", async () => {
    const { session, env, calls } = scripted(0.5);
    const r = await sampleRound(spec("warm"), session, ["f"], env, plan({ round: 2, passes: 7 }));
    assert.equal(r.passes, 7);
    assert.ok(r.samples.every((s) => s.passes === 7 && s.round === 2));
    assert.equal(calls.pass, 7 + 3 * 7);
  });

  test("warm with minSampleMs 0: one pass per sample", async () => {
    const { session, env, calls } = scripted(0.5);
    const r = await sampleRound(spec("warm", { minSampleMs: 0 }), session, ["f"], env, plan());
    assert.equal(r.passes, 1);
    assert.equal(calls.pass, 1 + 3);
  });

  test("cold: every sample is one pass after close, evict, open, evict again", async () => {
    const { session, env, calls } = scripted(0.5);
    const r = await sampleRound(spec("cold"), session, ["f"], env, plan({ passes: 20 }));
    assert.equal(r.passes, 1, "cold samples are never repeated: the second pass would be warm");
    assert.ok(r.samples.every((s) => s.passes === 1 && s.residency === 0 && s.openMs === 1));
    assert.deepEqual([calls.pass, calls.open, calls.evict], [3, 3, 6]);
  });

  test("the round stops at its time budget once its minimum is taken, or when asked to stop", async () => {
    const slow = scripted(20_000);
    const r = await sampleRound(spec("cold"), slow.session, ["f"], slow.env, plan({ samples: 5, minSamples: 2, timeBudget: 30 }));
    assert.equal(r.samples.length, 2);
    const stopped = scripted(1);
    const s = await sampleRound(spec("cold"), stopped.session, ["f"], stopped.env, plan({ samples: 5, minSamples: 1 }), { shouldStop: () => true });
    assert.equal(s.samples.length, 1);
  });
});
