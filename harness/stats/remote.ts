/**
 * Summaries of the requests remote reads sent: transfer amplification and medians over samples.
 * Pure.
 */
import { quantile } from "./summary.ts";

/** The request numbers of one pass or sample (engines' RemoteSample is this type). */
export interface RemoteCounts {
  readonly requests: number;
  /** Body bytes received (what crossed the wire, headers aside). */
  readonly bytesTransferred: number;
  /** Attempts beyond the first (5xx and connection resets are retried). */
  readonly retries: number;
  /** Median and 95th percentile of the time to first byte, ms; null when no request was answered. */
  readonly medianTtfbMs: number | null;
  readonly p95TtfbMs: number | null;
  /** Most requests in flight at one time. */
  readonly peakInFlight: number;
  /** Requests that ran over a kept-alive connection that had served a request before. */
  readonly connectionsReused: number;
}

/**
 * Bytes that crossed the wire per byte the pattern asked for: 1 when exactly the requested bytes
 * came, below 1 when they came compressed, above when whole chunks or objects came for a part.
 * 0 when nothing was requested.
 */
export function transferAmplification(bytesTransferred: number, bytesRequested: number): number {
  return bytesRequested > 0 ? bytesTransferred / bytesRequested : 0;
}

function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

function medianOrNull(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? median(present) : null;
}

/** Medians over samples; null when no sample has request numbers. */
export function summarizeRemote(samples: readonly (RemoteCounts | undefined)[], bytesRequested: number) {
  const remote = samples.filter((s): s is RemoteCounts => s !== undefined);
  if (remote.length === 0) return null;
  const bytesTransferred = median(remote.map((s) => s.bytesTransferred));
  const requests = median(remote.map((s) => s.requests));
  const reused = remote.reduce((sum, s) => sum + s.connectionsReused, 0);
  const total = remote.reduce((sum, s) => sum + s.requests, 0);
  return {
    requests,
    bytesTransferred,
    transferAmplification: transferAmplification(bytesTransferred, bytesRequested),
    medianTtfbMs: medianOrNull(remote.map((s) => s.medianTtfbMs)),
    p95TtfbMs: medianOrNull(remote.map((s) => s.p95TtfbMs)),
    peakInFlight: remote.reduce((m, s) => Math.max(m, s.peakInFlight), -Infinity),
    connectionReuse: total > 0 ? reused / total : 0,
    retries: remote.reduce((sum, s) => sum + s.retries, 0),
  };
}
