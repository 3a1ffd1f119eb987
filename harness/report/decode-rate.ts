/**
 * D, the decode speed in the model t = S/(r·B) + S/D of a remote read, measured in the same run.
 * First choice: the decode-only speed of the decoder the remote reads use, which the run records
 * with remote cases read by our Zarr chunk reader (`decodeRate`: that decoder, timed alone on the
 * layout's chunks). Otherwise (sharded Zarr, HDF5, other engines, older results files): the warm
 * local read of the same layout, pattern and engine, taken only when it decodes with the remote
 * reads' decoder (the read paths name both). docs/remote-storage.md says why. Pure.
 */
import type { CaseResult } from "../run/results-types.ts";
import { engineOf } from "../scenario/engines.ts";

/** What D is, for legends. */
export const DECODE_RATE_SOURCE =
  "the decode-only speed of the remote reads' decoder, measured in the run; else the warm local read of the same layout, pattern and engine through that decoder";

/** D and how it was measured. */
export interface SeriesDecodeRate {
  /** Logical bytes per second; Infinity when nothing is decoded. */
  readonly bytesPerSecond: number;
  readonly source: "decode only" | "warm local read";
}

const ok = (c: CaseResult) => c.status === "ok" && c.summary !== null;

/** The cases of one series: same layout, pattern and engine. */
export function sameSeries(c: CaseResult, layout: string, pattern: string, engine: string): boolean {
  return ok(c) && c.layout.name === layout && c.pattern.name === pattern && engineOf(c) === engine;
}

/** D of a series, or null when the run measured none that fits (see the file's comment). */
export function decodeRate(cases: readonly CaseResult[], layout: string, pattern: string, engine: string): SeriesDecodeRate | null {
  const series = cases.filter((c) => sameSeries(c, layout, pattern, engine));
  const recorded = series.find((c) => c.storageLocation && c.decodeRate)?.decodeRate;
  if (recorded) return { bytesPerSecond: recorded.bytesPerSecond ?? Number.POSITIVE_INFINITY, source: "decode only" };
  const remoteDecoders = new Set(series.filter((c) => c.storageLocation && c.readPath).map((c) => c.readPath!.decoder));
  const local = series.find(
    (c) =>
      !c.storageLocation &&
      c.cache === "warm" &&
      c.summary!.medianMs > 0 &&
      (c.readPath === undefined || remoteDecoders.size === 0 || [...remoteDecoders].every((d) => d === c.readPath!.decoder)),
  );
  return local ? { bytesPerSecond: local.summary!.bytesRequested / (local.summary!.medianMs / 1000), source: "warm local read" } : null;
}

/** `3.50 GB/s`, `none (∞)` for nothing to decode. */
export function formatDecodeRate(bytesPerSecond: number): string {
  if (bytesPerSecond === Number.POSITIVE_INFINITY) return "none (∞)";
  return bytesPerSecond >= 1e9 ? `${(bytesPerSecond / 1e9).toFixed(2)} GB/s` : `${(bytesPerSecond / 1e6).toFixed(bytesPerSecond >= 1e8 ? 0 : 1)} MB/s`;
}
