/**
 * Claim 6: compression gives more effective bandwidth when storage is the bottleneck, minus the
 * time to decompress.
 * Scenario: scenarios/article/06-compression-bandwidth.yaml (raw and Blosc-LZ4 Zarr of a smooth
 * field, full read, warm, local and over HTTP shaped to three bandwidths).
 * Reads: per case `storageLocation.shaping.bandwidth` (bytes/s; none for local), `layout.name`,
 * `summary.medianMs` and samples' `ms`, `storage.compressionRatio`, and the decode rate D
 * (report/decode-rate.ts: the remote cases' `decodeRate`, else the warm local case's
 * `summary.bytesRequested` ÷ `summary.medianMs`), through report/bandwidth-crossover.ts (the
 * measured crossover: fits of t = a/B + c to each layout).
 */
import { bandwidthCrossovers, formatBandwidth } from "../../report/bandwidth-crossover.ts";
import { formatFactor as factor, formatMs, formatRate } from "../../report/format.ts";
import type { CaseResult, ResultsFile } from "../../run/results-types.ts";
import { barChart } from "../chart.ts";
import { caseWhere, MissingEvidence, ratioOfCases } from "../evidence.ts";
import { assessFrom, intervalText } from "../outcome.ts";
import type { Claim, ClaimOutcome, Interval, Judgement, Prediction } from "../types.ts";

const SCENARIO = "article-06-compression-bandwidth";
const RAW = "raw";
const COMPRESSED = "blosc-lz4";

/** The measured crossover must be within this factor of the model's. */
export const CROSSOVER_TOLERANCE = 2;

/**
 * The crossover bandwidth below which compressed chunks arrive faster than raw ones: raw takes
 * S/B, compressed S/(rB) + S/D (ratio r, decode rate D), equal at B* = D·(1 − 1/r). Bytes/s.
 */
export function predictCrossover(compressionRatio: number, decodeRate: number): Prediction {
  const value = compressionRatio > 1 ? decodeRate * (1 - 1 / compressionRatio) : 0;
  return {
    value,
    unit: "bytes/s",
    working: `raw takes S/B, compressed S/(rB) + S/D; equal at B* = D·(1 − 1/r) = ${formatRate(decodeRate)} × (1 − 1/${factor(compressionRatio)}) = ${formatRate(value)}`,
  };
}

export interface CompressionEvidence {
  /** Bandwidth (bytes/s) below which the compressed layout was measured faster; null if never. */
  readonly measuredCrossover: number | null;
  /** Compressed time ÷ raw time at the lowest bandwidth measured. */
  readonly slowestRatio: number;
  /** The highest shaped bandwidth measured (bytes/s), where a crossover could still be seen. */
  readonly highestBandwidth?: number;
}

/** The rule: compression wins on slow storage, and the crossover is where the model puts it. */
export function judgeCompression(predicted: number, e: CompressionEvidence): Judgement {
  if (e.measuredCrossover === null || e.slowestRatio >= 1) {
    return { verdict: "does not hold here", because: `compression did not win even at the lowest bandwidth (compressed ÷ raw time ${factor(e.slowestRatio)})` };
  }
  if (!Number.isFinite(e.measuredCrossover)) {
    // The fits never cross: compression won over the whole range measured, so the crossover lies beyond it.
    const range = e.highestBandwidth !== undefined ? ` up to ${formatRate(e.highestBandwidth)}` : "";
    const agrees = e.highestBandwidth !== undefined && predicted > e.highestBandwidth;
    return {
      verdict: "holds with a caveat",
      because: agrees
        ? `compression won at every shaped bandwidth${range}, as the model says (its crossover, ${formatRate(predicted)}, lies above that range), but the crossover itself was not seen`
        : `compression won at every shaped bandwidth${range}, yet the model puts the crossover at ${formatRate(predicted)}, inside that range`,
    };
  }
  const off = e.measuredCrossover / predicted;
  if (off >= 1 / CROSSOVER_TOLERANCE && off <= CROSSOVER_TOLERANCE) {
    return { verdict: "holds", because: `compression wins below ${formatBandwidth(e.measuredCrossover)}, the model says ${formatRate(predicted)}` };
  }
  return {
    verdict: "holds with a caveat",
    because: `compression wins on slow storage, but the crossover (${formatBandwidth(e.measuredCrossover)}) is ${factor(off)} the model's ${formatRate(predicted)}`,
  };
}

interface Measured extends CompressionEvidence {
  readonly ratio: number;
  readonly decodeRate: number;
  /** How D was measured ("decode only", "warm local read"). */
  readonly decodeSource: string;
  /** The model's crossover against raw at its own local speed (report/bandwidth-crossover.ts). */
  readonly modelVsRaw: number | null;
  /** Compressed ÷ raw time per bandwidth, lowest first; bandwidth null: local. */
  readonly ratios: readonly { readonly bandwidth: number | null; readonly time: Interval; readonly rawMs: number; readonly compressedMs: number }[];
}

const bandwidthOf = (c: CaseResult): number | null => c.storageLocation?.shaping?.bandwidth ?? null;

function evidence(results: ResultsFile): Measured {
  const cases = results.cases.filter((c) => c.scenario === SCENARIO);
  const bandwidths = [...new Set(cases.map(bandwidthOf).filter((b): b is number => b !== null))].sort((a, b) => a - b);
  if (bandwidths.length < 2) throw new MissingEvidence(`${SCENARIO} has ${bandwidths.length} shaped bandwidth; a crossover needs 2`);
  const pair = (b: number | null) => {
    const at = (layout: string) =>
      caseWhere(
        results,
        SCENARIO,
        `layout ${layout} at ${b === null ? "local" : formatRate(b)}`,
        (c) => c.layout.name === layout && bandwidthOf(c) === b && (b !== null || !c.storageLocation),
      );
    const raw = at(RAW);
    const compressed = at(COMPRESSED);
    return { bandwidth: b, time: ratioOfCases(compressed, raw), rawMs: raw.summary!.medianMs, compressedMs: compressed.summary!.medianMs };
  };
  const ratios = [...bandwidths.map(pair), pair(null)];
  const row = bandwidthCrossovers(cases, RAW).find((r) => r.layout === COMPRESSED);
  if (!row || row.decodeBytesPerSecond === null) throw new MissingEvidence(`${SCENARIO}: no decode rate of ${COMPRESSED} (decode-only or warm local case)`);
  return {
    measuredCrossover: row.measured,
    slowestRatio: ratios[0].time.value,
    highestBandwidth: bandwidths[bandwidths.length - 1],
    ratio: row.ratio,
    decodeRate: row.decodeBytesPerSecond,
    decodeSource: row.decodeSource ?? "warm local read",
    modelVsRaw: row.predicted,
    ratios,
  };
}

const where = (b: number | null) => (b === null ? "local disk" : formatRate(b));

function present(e: Measured): ClaimOutcome {
  const prediction = predictCrossover(e.ratio, e.decodeRate);
  return {
    status: "measured",
    prediction,
    measurement: {
      label: `crossover bandwidth measured (fits of t = a/B + c to raw and ${COMPRESSED}); headline: ${COMPRESSED} ÷ raw time at ${where(e.ratios[0].bandwidth)}`,
      interval: e.ratios[0].time,
      unit: "×",
      details: [
        `measured crossover: ${formatBandwidth(e.measuredCrossover)}; model with raw free to decode: ${formatRate(prediction.value)}; model against raw at its own local speed: ${formatBandwidth(e.modelVsRaw)}`,
        `compression ratio r = ${factor(e.ratio)}, decode rate D (${e.decodeSource} of ${COMPRESSED}) = ${formatRate(e.decodeRate)}`,
        ...e.ratios.map(
          (r) =>
            `${where(r.bandwidth)}: ${COMPRESSED} ${formatMs(r.compressedMs)}, raw ${formatMs(r.rawMs)}, ratio ${factor(r.time.value)} (interval ${intervalText(r.time)})`,
        ),
      ],
    },
    judgement: judgeCompression(prediction.value, e),
    chart: barChart({
      title: `Claim 6: ${COMPRESSED} vs raw Zarr, full read, by storage bandwidth`,
      subtitle: ["compressed ÷ raw time (below 1×: compression wins), HTTP with 20 ms to first byte; whisker: 95% interval", "dashed: 1× (equal time)"],
      axis: "compressed ÷ raw time (×, log scale)",
      log: true,
      bars: e.ratios.map((r) => ({
        label: where(r.bandwidth),
        value: r.time.value,
        low: r.time.low,
        high: r.time.high,
        group: r.bandwidth === null ? "local disk, warm" : "HTTP, shaped",
        text: factor(r.time.value),
      })),
      prediction: { value: 1, label: "equal time" },
    }),
  };
}

export const compressionBandwidthClaim: Claim = {
  id: "06-compression-bandwidth",
  number: 6,
  title: "Compression buys bandwidth when storage is slow",
  section: "Zarr and HDF5",
  claim:
    "Compressed chunks are fewer bytes to move, so when the storage is the bottleneck they arrive faster than raw data, less the CPU time to decompress them; on fast storage the decompression can cost more than it saves.",
  scenario: "scenarios/article/06-compression-bandwidth.yaml",
  rule:
    `holds when the compressed layout is faster at the lowest bandwidth and the measured crossover bandwidth is within ${CROSSOVER_TOLERANCE}× of D·(1 − 1/r); ` +
    "holds with a caveat when compression wins on slow storage but the crossover is elsewhere; does not hold here when it never wins.",
  assess: (results) => assessFrom(results, SCENARIO, () => evidence(results), present),
};
