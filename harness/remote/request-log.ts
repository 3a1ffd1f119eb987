/**
 * What every request to an object store did: one record per logical request (retries folded in and
 * counted), kept in order of completion, and the per-sample summary reports use. The summary is a
 * pure function of the records.
 */
import { quantile } from "../stats/summary.ts";

/** One request as the client saw it. Times are `performance.now()` milliseconds. */
export interface RequestRecord {
  readonly method: string;
  readonly key: string;
  /** The `Range` header sent, e.g. `bytes=0-99`; undefined for a whole-object request. */
  readonly range: string | undefined;
  /** The final HTTP status; 0 when no answer came (timeout, refused, reset). */
  readonly status: number;
  readonly startMs: number;
  /** Time to first byte: from `startMs` to the final attempt's response headers; undefined without an answer. */
  readonly ttfbMs: number | undefined;
  readonly endMs: number;
  /** Body bytes received (or sent, for PUT) by the final attempt. */
  readonly bytes: number;
  /** Attempts beyond the first (5xx and connection resets are retried). */
  readonly retries: number;
  /** Whether the final attempt ran over a kept-alive connection that served a request before. */
  readonly connectionReused: boolean;
  /** The one-line error when the request failed. */
  readonly error?: string;
}

/** The per-sample numbers of a request log. */
export interface RequestSummary {
  readonly requests: number;
  /** Body bytes transferred, all requests. */
  readonly bytes: number;
  readonly retries: number;
  readonly failed: number;
  /** Requests that ran over a reused connection. */
  readonly connectionsReused: number;
  /** Median and type-7 95th percentile of the time to first byte over answered requests; undefined with none. */
  readonly medianTtfbMs: number | undefined;
  readonly p95TtfbMs: number | undefined;
  /** Most requests in flight at one time (overlapping [startMs, endMs) intervals). */
  readonly peakInFlight: number;
}

/** The records of one store, appended as requests finish; `mark()` and `since()` cut out one sample's requests. */
export class RequestLog {
  readonly #records: RequestRecord[] = [];
  #inFlight = 0;
  #peakInFlight = 0;

  /** Every record so far, oldest first. */
  get records(): readonly RequestRecord[] {
    return this.#records;
  }

  /** Requests started and not yet finished. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** The most requests in flight at one time since the log was made or last `resetPeak()`. */
  get peakInFlight(): number {
    return this.#peakInFlight;
  }

  /** A position to pass to `since()`. */
  mark(): number {
    return this.#records.length;
  }

  /** The records added after `mark`. */
  since(mark: number): readonly RequestRecord[] {
    return this.#records.slice(mark);
  }

  resetPeak(): void {
    this.#peakInFlight = this.#inFlight;
  }

  /** Called by the request layer when a request starts; returns the function that records its end. */
  begin(): (record: RequestRecord) => void {
    this.#inFlight++;
    this.#peakInFlight = Math.max(this.#peakInFlight, this.#inFlight);
    let done = false;
    return (record) => {
      if (done) return;
      done = true;
      this.#inFlight--;
      this.#records.push(record);
    };
  }
}

/** Summarizes `records` (any order). Bytes are what crossed the wire, so transfer amplification is `bytes` ÷ bytes asked for. */
export function summarizeRequests(records: readonly RequestRecord[]): RequestSummary {
  const ttfbs = records.map((r) => r.ttfbMs).filter((t): t is number => t !== undefined);
  return {
    requests: records.length,
    bytes: records.reduce((sum, r) => sum + r.bytes, 0),
    retries: records.reduce((sum, r) => sum + r.retries, 0),
    failed: records.filter((r) => r.error !== undefined).length,
    connectionsReused: records.filter((r) => r.connectionReused).length,
    medianTtfbMs: ttfbs.length > 0 ? quantile(ttfbs, 0.5) : undefined,
    p95TtfbMs: ttfbs.length > 0 ? quantile(ttfbs, 0.95) : undefined,
    peakInFlight: peakOverlap(records),
  };
}

/** The largest number of [startMs, endMs) intervals covering one instant; an end at the same instant as a start does not overlap it. */
export function peakOverlap(records: readonly Pick<RequestRecord, "startMs" | "endMs">[]): number {
  const events = records.flatMap((r) => [
    { at: r.startMs, delta: 1 },
    { at: r.endMs, delta: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let peak = 0;
  for (const event of events) {
    current += event.delta;
    peak = Math.max(peak, current);
  }
  return peak;
}
