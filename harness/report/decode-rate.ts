/**
 * D, the decode speed in the model t = S/(r·B) + S/D of a remote read, measured in the same run:
 * the logical bytes per second of the warm local read of the same layout and pattern by the same
 * engine, taken only when that read decodes with the remote read's decoder (the read paths name
 * both). Why the warm local read: over remote storage our readers do, once the bytes have arrived,
 * what they do locally (the same decoder, the same copies into the result), and the warm local read
 * adds only copying the stored bytes out of the page cache, a small share of S/r; it is also the
 * one measurement of the path that every run holds. For raw the same rule gives its copy speed,
 * so the crossover compares like with like (docs/remote-storage.md). Pure.
 */
import type { CaseResult } from "../run/results-types.ts";
import { engineOf } from "../scenario/engines.ts";

/** What D is, for legends and tables. */
export const DECODE_RATE_SOURCE = "the warm local read of the same layout, pattern and engine, through the remote read's decoder";

const ok = (c: CaseResult) => c.status === "ok" && c.summary !== null;

/** The cases of one series: same layout, pattern and engine. */
export function sameSeries(c: CaseResult, layout: string, pattern: string, engine: string): boolean {
  return ok(c) && c.layout.name === layout && c.pattern.name === pattern && engineOf(c) === engine;
}

/**
 * D in logical bytes per second, or null when the run has no warm local read of the series, or only
 * one that decodes with another decoder than its remote reads (a read path recorded on both sides
 * must agree).
 */
export function decodeRate(cases: readonly CaseResult[], layout: string, pattern: string, engine: string): number | null {
  const series = cases.filter((c) => sameSeries(c, layout, pattern, engine));
  const remoteDecoders = new Set(series.filter((c) => c.storageLocation && c.readPath).map((c) => c.readPath!.decoder));
  const local = series.find(
    (c) =>
      !c.storageLocation &&
      c.cache === "warm" &&
      c.summary!.medianMs > 0 &&
      (c.readPath === undefined || remoteDecoders.size === 0 || [...remoteDecoders].every((d) => d === c.readPath!.decoder)),
  );
  return local ? local.summary!.bytesRequested / (local.summary!.medianMs / 1000) : null;
}
