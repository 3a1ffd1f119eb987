/**
 * Claim 2: writes land in the page cache and return fast; the flush to the drive is what costs.
 * Scenario: scenarios/article/02-write-flush.yaml (rows written through mmap, then msync).
 * Reads: the write case's samples (`returnMs`, `durableMs`); for the prediction, claim 1's cold
 * and warm full scans (`summary.throughput`) when the same results hold them.
 */
import { formatFactor as factor, formatBytes, formatMs, formatRate } from "../../report/format.ts";
import type { ResultsFile } from "../../run/results-types.ts";
import { barChart } from "../chart.ts";
import { caseOf, MissingEvidence, medianInterval } from "../evidence.ts";
import { assessFrom, intervalText } from "../outcome.ts";
import type { Claim, ClaimOutcome, Interval, Judgement, Prediction } from "../types.ts";

const SCENARIO = "article-02-write-flush";
const BANDWIDTH_SCENARIO = "article-01-page-cache";

/** "The flush is what costs": flushing takes at least as long as the write itself, durable ÷ return ≥ 2. */
export const FLUSH_HOLDS = 2;
/** Above this but under FLUSH_HOLDS: the flush costs, but returning is not cheap either. */
export const FLUSH_CAVEAT = 1.2;

export interface WriteFlushEvidence {
  /** Per sample, time until durable ÷ time until the writes returned: median and interval. */
  readonly durableOverReturn: Interval;
  /** Per sample, the times until the writes returned and until durable: medians and intervals. */
  readonly returnMs: Interval;
  readonly durableMs: Interval;
  readonly bytesWritten: number;
  /** Claim 1's warm and cold full-scan throughputs (bytes/s), when measured in the same run. */
  readonly memoryRate: number | null;
  readonly storageRate: number | null;
}

/**
 * The prediction: returning costs a copy at memory speed, durable adds the same bytes at storage
 * speed, so durable ÷ return ≈ 1 + memory rate ÷ storage rate (read rates stand in for both).
 * Without the rates, the least the claim says: ≥ FLUSH_HOLDS.
 */
export function predictWriteFlush(memoryRate: number | null, storageRate: number | null): Prediction {
  if (!memoryRate || !storageRate) {
    return { value: FLUSH_HOLDS, atLeast: true, unit: "×", working: `the flush costs at least as much as the write: durable ÷ return ≥ ${FLUSH_HOLDS}×` };
  }
  const value = 1 + memoryRate / storageRate;
  return {
    value,
    unit: "×",
    working: `1 + memory rate ÷ storage rate = 1 + ${formatRate(memoryRate)} ÷ ${formatRate(storageRate)} (claim 1's warm and cold full scans) = ${factor(value)}`,
  };
}

/** The rule, on the interval of durable ÷ return. */
export function judgeWriteFlush(r: Interval): Judgement {
  if (r.low >= FLUSH_HOLDS)
    return {
      verdict: "holds",
      because: `making the writes durable took ${factor(r.value)} the time to return (interval ${intervalText(r)}, all ≥ ${FLUSH_HOLDS}×)`,
    };
  if (r.low >= FLUSH_CAVEAT) {
    return {
      verdict: "holds with a caveat",
      because: `the flush adds time (durable ÷ return ${factor(r.value)}, interval ${intervalText(r)}), but less than the write itself took: writing through mmap is not free here`,
    };
  }
  return {
    verdict: "does not hold here",
    because: `durable ÷ return is ${factor(r.value)} (interval ${intervalText(r)}), its interval reaching below ${FLUSH_CAVEAT}×`,
  };
}

function evidence(results: ResultsFile): WriteFlushEvidence {
  const w = caseOf(results, SCENARIO, "npy", "write-rows", "warm");
  const pairs = w.samples.filter((s) => s.returnMs !== undefined && s.durableMs !== undefined && s.returnMs > 0);
  if (pairs.length < 2) throw new MissingEvidence(`case ${w.id} recorded no time to durable: the backend cannot flush`);
  const rate = (cache: string) => {
    const c = results.cases.find((x) => x.scenario === BANDWIDTH_SCENARIO && x.pattern.name === "full" && x.cache === cache && x.summary);
    return c?.summary?.throughput ?? null;
  };
  return {
    durableOverReturn: medianInterval(
      pairs.map((s) => s.durableMs! / s.returnMs!),
      w.id,
    ),
    returnMs: medianInterval(
      pairs.map((s) => s.returnMs!),
      `${w.id}/return`,
    ),
    durableMs: medianInterval(
      pairs.map((s) => s.durableMs!),
      `${w.id}/durable`,
    ),
    bytesWritten: w.samples[0].bytesWritten,
    memoryRate: rate("warm"),
    storageRate: rate("cold"),
  };
}

function present(e: WriteFlushEvidence): ClaimOutcome {
  const prediction = predictWriteFlush(e.memoryRate, e.storageRate);
  const r = e.durableOverReturn;
  return {
    status: "measured",
    prediction,
    measurement: {
      label: "time until durable ÷ time until the writes returned",
      interval: r,
      unit: "×",
      details: [
        `median time to return ${formatMs(e.returnMs.value)} (interval ${intervalText(e.returnMs, formatMs)}), to durable ${formatMs(e.durableMs.value)} (interval ${intervalText(e.durableMs, formatMs)}), for ${formatBytes(e.bytesWritten)} written`,
      ],
    },
    judgement: judgeWriteFlush(r),
    chart: barChart({
      title: "Claim 2: writes return from the page cache; the flush costs",
      subtitle: [
        `median time to write ${formatBytes(e.bytesWritten)} through mmap: until the writes returned, and until durable (msync); whisker: 95% interval`,
        "dashed: the predicted time to durable (time to return × the predicted ratio)",
      ],
      axis: "time (ms)",
      bars: [
        { label: "until returned", ...e.returnMs, group: "write through mmap", text: formatMs(e.returnMs.value) },
        { label: "until durable", ...e.durableMs, group: "write through mmap", text: `${formatMs(e.durableMs.value)} (${factor(r.value)})` },
      ],
      prediction: { value: e.returnMs.value * prediction.value, label: `predicted ${factor(prediction.value)}` },
    }),
  };
}

export const writeFlushClaim: Claim = {
  id: "02-write-flush",
  number: 2,
  title: "Writes are fast until they are flushed",
  section: "What happens when you read or write to disk?",
  claim:
    "A write first lands in the page cache, so it returns at memory speed; the data reaches the drive later, and waiting for it to get there (a flush) is the slow part.",
  scenario: "scenarios/article/02-write-flush.yaml",
  rule:
    `holds when the whole 95% interval of (time until durable ÷ time until return) is ≥ ${FLUSH_HOLDS}× (the flush costs at least as much as the write); ` +
    `holds with a caveat when it is ≥ ${FLUSH_CAVEAT}× but not ${FLUSH_HOLDS}×; does not hold here otherwise.`,
  assess: (results) => assessFrom(results, SCENARIO, () => evidence(results), present),
};
