/**
 * Claim 1: a second read comes from the page cache and is orders of magnitude faster.
 * Scenario: scenarios/article/01-page-cache.yaml (a full scan of one .npy, cold and warm).
 * Reads: the cold and warm cases' samples (`ms`, `bytesRead`, `round`).
 */
import { formatFactor as factor, formatBytes } from "../../report/format.ts";
import type { ResultsFile } from "../../run/results-types.ts";
import { barChart } from "../chart.ts";
import { caseOf, ratioOfCases } from "../evidence.ts";
import { assessFrom, intervalText } from "../outcome.ts";
import type { Claim, ClaimOutcome, Interval, Judgement } from "../types.ts";

const SCENARIO = "article-01-page-cache";

/** "Orders of magnitude": the whole interval of cold ÷ warm at or above one order (10×). */
export const PAGE_CACHE_HOLDS = 10;
/** Below one order of magnitude but the interval still above this: faster, not by orders. */
export const PAGE_CACHE_CAVEAT = 2;
/** A warm read that reads more than this share of the cold read's bytes was not served from the cache. */
export const WARM_READ_SHARE = 0.05;

export interface PageCacheEvidence {
  /** median cold time ÷ median warm time, with interval. */
  readonly coldOverWarm: Interval;
  readonly coldBytesRead: number;
  readonly warmBytesRead: number;
}

/** The rule: decides the claim from the cold/warm ratio and the bytes the warm read took from storage. */
export function judgePageCache(e: PageCacheEvidence): Judgement {
  const r = e.coldOverWarm;
  const share = e.coldBytesRead > 0 ? e.warmBytesRead / e.coldBytesRead : 1;
  if (share > WARM_READ_SHARE) {
    return {
      verdict: "does not hold here",
      because: `the warm read still read ${formatBytes(e.warmBytesRead)} from storage (${(share * 100).toFixed(0)}% of the cold read)`,
    };
  }
  if (r.low >= PAGE_CACHE_HOLDS)
    return { verdict: "holds", because: `the warm read is ${factor(r.value)} faster (interval ${intervalText(r)}, all ≥ ${PAGE_CACHE_HOLDS}×)` };
  if (r.low >= PAGE_CACHE_CAVEAT) {
    return {
      verdict: "holds with a caveat",
      because: `the warm read is served from the page cache and is ${factor(r.value)} faster (interval ${intervalText(r)}), but not an order of magnitude (${PAGE_CACHE_HOLDS}×) here: this storage is fast next to memory`,
    };
  }
  return {
    verdict: "does not hold here",
    because: `cold ÷ warm is ${factor(r.value)} (interval ${intervalText(r)}), its interval reaching below ${PAGE_CACHE_CAVEAT}×`,
  };
}

function evidence(results: ResultsFile): PageCacheEvidence {
  const cold = caseOf(results, SCENARIO, "npy", "full", "cold");
  const warm = caseOf(results, SCENARIO, "npy", "full", "warm");
  return { coldOverWarm: ratioOfCases(cold, warm), coldBytesRead: cold.summary!.bytesRead, warmBytesRead: warm.summary!.bytesRead };
}

export const pageCacheClaim: Claim = {
  id: "01-page-cache",
  number: 1,
  title: "A second read comes from the page cache",
  section: "What happens when you read or write to disk?",
  claim:
    "The first read of a file copies it from the drive into the operating system's page cache; a second read of the same data is served from that copy in RAM and is orders of magnitude faster.",
  scenario: "scenarios/article/01-page-cache.yaml",
  rule:
    `holds when the warm read takes at most ${WARM_READ_SHARE * 100}% of the cold read's bytes from storage and the whole 95% interval of cold ÷ warm time is ≥ ${PAGE_CACHE_HOLDS}× ` +
    `(one order of magnitude); holds with a caveat when it is ≥ ${PAGE_CACHE_CAVEAT}× but not ${PAGE_CACHE_HOLDS}×; does not hold here otherwise.`,
  assess: (results) => assessFrom(results, SCENARIO, () => evidence(results), present),
};

function present(e: PageCacheEvidence): ClaimOutcome {
  return {
    status: "measured",
    prediction: {
      value: PAGE_CACHE_HOLDS,
      atLeast: true,
      unit: "×",
      working: `warm reads take 0 bytes from storage, and RAM is orders of magnitude faster than a drive: cold ÷ warm ≥ ${PAGE_CACHE_HOLDS}×`,
    },
    measurement: {
      label: "cold ÷ warm time of a full scan",
      interval: e.coldOverWarm,
      unit: "×",
      details: [`bytes read from storage: cold ${formatBytes(e.coldBytesRead)}, warm ${formatBytes(e.warmBytesRead)}`],
    },
    judgement: judgePageCache(e),
    chart: barChart({
      title: "Claim 1: cold vs warm full scan (.npy through mmap)",
      subtitle: ["median time of a cold full scan ÷ a warm one; whisker: 95% interval", "dashed: one order of magnitude"],
      axis: "cold ÷ warm time (×, log scale)",
      log: true,
      bars: [
        {
          label: "cold ÷ warm",
          value: e.coldOverWarm.value,
          low: e.coldOverWarm.low,
          high: e.coldOverWarm.high,
          group: "full scan",
          text: factor(e.coldOverWarm.value),
        },
      ],
      prediction: { value: PAGE_CACHE_HOLDS, label: `${PAGE_CACHE_HOLDS}×` },
    }),
  };
}
