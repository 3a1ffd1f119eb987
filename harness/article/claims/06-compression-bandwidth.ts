/**
 * Claim 6: compression gives more effective bandwidth when storage is the bottleneck, minus the
 * time to decompress.
 * Not measured yet: it needs the storage dimension (a shaped HTTP/S3 server, `storage:` in a
 * scenario). To measure it, add scenarios/article/06-compression-bandwidth.yaml (one full scan of
 * a raw and a compressed Zarr layout over a bandwidth sweep, e.g. storage labels
 * `http-25MBps`…`http-400MBps`), set `scenario` below, and build `CompressionEvidence` from the
 * results: per case `storage` (its bandwidth, bytes/s), `layout` (raw or compressed),
 * `summary.medianMs`, `storage.compressionRatio`; the decode rate comes from a warm local full scan
 * of the compressed layout (`summary.throughput`).
 */
import { formatFactor as factor, formatRate } from "../../report/format.ts";
import { awaiting } from "../outcome.ts";
import type { Claim, Judgement, Prediction } from "../types.ts";

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
}

/** The rule: compression wins on slow storage, and the crossover is where the model puts it. */
export function judgeCompression(predicted: number, e: CompressionEvidence): Judgement {
  if (e.measuredCrossover === null || e.slowestRatio >= 1) {
    return { verdict: "does not hold here", because: `compression did not win even at the lowest bandwidth (compressed ÷ raw time ${factor(e.slowestRatio)})` };
  }
  const off = e.measuredCrossover / predicted;
  if (off >= 1 / CROSSOVER_TOLERANCE && off <= CROSSOVER_TOLERANCE) {
    return { verdict: "holds", because: `compression wins below ${formatRate(e.measuredCrossover)}, the model says ${formatRate(predicted)}` };
  }
  return {
    verdict: "holds with a caveat",
    because: `compression wins on slow storage, but the crossover (${formatRate(e.measuredCrossover)}) is ${factor(off)} the model's ${formatRate(predicted)}`,
  };
}

export const compressionBandwidthClaim: Claim = {
  id: "06-compression-bandwidth",
  number: 6,
  title: "Compression buys bandwidth when storage is slow",
  section: "Zarr and HDF5",
  claim:
    "Compressed chunks are fewer bytes to move, so when the storage is the bottleneck they arrive faster than raw data, less the CPU time to decompress them; on fast storage the decompression can cost more than it saves.",
  scenario: null,
  needs: "storage",
  rule:
    `holds when the compressed layout is faster at the lowest bandwidth and the measured crossover bandwidth is within ${CROSSOVER_TOLERANCE}× of D·(1 − 1/r); ` +
    "holds with a caveat when compression wins on slow storage but the crossover is elsewhere; does not hold here when it never wins.",
  assess: () => awaiting("storage"),
};
