/**
 * A case's summary and warnings from its samples (run/summary.ts), on hand-made samples whose
 * medians, quartiles, amplification and throughput are worked out by hand below.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Sample } from "../harness/run/results-types.ts";
import { caseWarnings, summarize } from "../harness/run/summary.ts";

const sample = (ms: number, bytesRead: number, residency: number | null = null): Sample => ({
  ms,
  bytesRead,
  bytesWritten: 0,
  majorFaults: 0,
  residency,
  openMs: 0,
});

describe("summarize", () => {
  test("no samples: no summary", () => {
    assert.equal(summarize([], 100), null);
  });

  test("medians, quartiles, amplification and throughput, by hand", () => {
    // Times 4, 1, 3, 2, 10 ms → sorted 1 2 3 4 10: median 3, q1 2, q3 4 (type 7 on 5 values
    // lands on order statistics), mean 4. Bytes read 8192, 4096, 4096, 12288, 4096 → median 4096.
    const samples = [sample(4, 8192, 0), sample(1, 4096, 0.01), sample(3, 4096, 0), sample(2, 12288, 0.015), sample(10, 4096, 0)];
    assert.deepEqual(summarize(samples, 1024), {
      samples: 5,
      medianMs: 3,
      meanMs: 4,
      minMs: 1,
      maxMs: 10,
      q1Ms: 2,
      q3Ms: 4,
      bytesRequested: 1024,
      bytesRead: 4096,
      readAmplification: 4,
      // 1024 bytes in the median 3 ms.
      throughput: 1024 / 0.003,
      maxResidency: 0.015,
      // Every open took 0 ms; reads record no write times, open bytes or scheduler counters.
      openMs: 0,
      openBytesRead: null,
      returnMs: null,
      durableMs: null,
      stealMs: null,
      involuntarySwitches: null,
      preempted: null,
    });
  });

  test("an even count interpolates the median; a write asks for no bytes to read", () => {
    const s = summarize([sample(2, 0), sample(6, 300), sample(4, 100), sample(8, 500)], 0)!;
    assert.equal(s.medianMs, 5);
    assert.equal(s.q1Ms, 3.5);
    assert.equal(s.q3Ms, 6.5);
    assert.equal(s.bytesRead, 200);
    assert.equal(s.readAmplification, 0);
    assert.equal(s.throughput, 0);
    assert.equal(s.maxResidency, null);
  });
});

describe("caseWarnings", () => {
  const five = [sample(1, 4096, 0), sample(1, 4096, 0), sample(1, 4096, 0), sample(1, 4096, 0), sample(1, 4096, 0)];
  const codes = (samples: Sample[], cold: boolean, op: "read" | "write" = "read", verified = true) =>
    caseWarnings(samples, summarize(samples, 64), cold, op, verified).map((w) => w.code);

  test("five clean cold samples: no warning; four: few-samples, with the count", () => {
    assert.deepEqual(codes(five, true), []);
    const w = caseWarnings(five.slice(1), summarize(five.slice(1), 64), true, "read", true);
    assert.deepEqual(
      w.map((x) => x.code),
      ["few-samples"],
    );
    assert.match(w[0].message, /^only 4 samples \(fewer than 5\)/);
  });

  test("cold only: eviction unverified, residency above 2% (the worst named), no storage reads", () => {
    assert.deepEqual(codes(five, false, "read", false), []);
    assert.deepEqual(codes(five, true, "read", false), ["eviction-unverified"]);
    const resident = [...five.slice(2), sample(1, 4096, 0.02), sample(1, 4096, 0.3), sample(1, 4096, 0.021)];
    const w = caseWarnings(resident, summarize(resident, 64), true, "read", true);
    assert.deepEqual(
      w.map((x) => x.code),
      ["residency"],
    );
    assert.match(w[0].message, /^2 of 6 cold samples found up to 30% of the layout's files resident before the read/);
    const none = five.map((s) => ({ ...s, bytesRead: 0 }));
    assert.deepEqual(codes(none, true), ["no-storage-reads"]);
    assert.deepEqual(codes(none, true, "write"), []);
    assert.deepEqual(codes(none, false), []);
  });
});
