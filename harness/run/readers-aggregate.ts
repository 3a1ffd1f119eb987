/**
 * One sample of a case read by several reader processes, from their replies, and the per-reader
 * summary of a case. Pure.
 *
 * A sample's time is the span from the first reader's start to the last reader's end (the slowest
 * reader's finish, measured from the barrier's go), so `bytesRequested / ms` is the readers'
 * aggregate throughput; its bytes read are summed over the readers, so read amplification is the
 * readers' bytes from storage over the bytes all of them asked for.
 */
import { quantile } from "../stats/summary.ts";
import type { ReaderSample, ReadersSummary, Sample } from "./results-types.ts";

/** What a reader's `done` reply says (reader-protocol.ts). */
export interface ReaderPass {
  readonly ms: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly bytesRead: number;
  readonly majorFaults: number;
  readonly selections: number;
}

/** The group's sample; `base` carries what the coordinator measured (residency, open time, round). */
export function groupSample(passes: readonly ReaderPass[], perSample: number, base: Pick<Sample, "residency" | "openMs" | "round" | "residencyOf">): Sample {
  if (passes.length === 0) throw new RangeError("a sample needs one reader at least");
  const first = Math.min(...passes.map((p) => p.startedAt));
  const last = Math.max(...passes.map((p) => p.endedAt));
  const readers: ReaderSample[] = passes.map((p) => ({
    ms: p.ms / perSample,
    startMs: p.startedAt - first,
    bytesRead: p.bytesRead / perSample,
    selections: p.selections,
  }));
  return {
    ms: (last - first) / perSample,
    bytesRead: passes.reduce((s, p) => s + p.bytesRead, 0) / perSample,
    bytesWritten: 0,
    majorFaults: passes.reduce((s, p) => s + p.majorFaults, 0) / perSample,
    ...base,
    passes: perSample,
    readers,
  };
}

/** Null when no sample has per-reader figures. */
export function readersSummary(samples: readonly Sample[]): ReadersSummary | null {
  const withReaders = samples.filter((s) => s.readers && s.readers.length > 0);
  if (withReaders.length === 0) return null;
  const n = Math.max(...withReaders.map((s) => s.readers!.length));
  const readerMedianMs = Array.from({ length: n }, (_, i) =>
    quantile(
      withReaders.filter((s) => s.readers![i]).map((s) => s.readers![i].ms),
      0.5,
    ),
  );
  const all = withReaders.flatMap((s) => s.readers!.map((r) => r.ms));
  return {
    readerMedianMs,
    slowestReaderMs: Math.max(...readerMedianMs),
    readerQ1Ms: quantile(all, 0.25),
    readerMedianOfAllMs: quantile(all, 0.5),
    readerQ3Ms: quantile(all, 0.75),
    maxStartSpreadMs: Math.max(...withReaders.map((s) => Math.max(...s.readers!.map((r) => r.startMs)))),
  };
}
