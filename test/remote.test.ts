/** Pure parts of remote storage: byte ranges, the request log's summary, the token bucket, URL redaction. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { redactUrl } from "../harness/remote/errors.ts";
import { formatContentRange, formatRange, rangeLength, resolveRange, sizeFromContentRange } from "../harness/remote/range.ts";
import { peakOverlap, RequestLog, type RequestRecord, summarizeRequests } from "../harness/remote/request-log.ts";
import { burstSize, checkShaping, pieceSize, TokenBucket } from "../harness/servers/token-bucket.ts";

describe("byte ranges", () => {
  test("formatRange writes the three single-range forms", () => {
    assert.equal(formatRange({ offset: 0, length: 100 }), "bytes=0-99");
    assert.equal(formatRange({ offset: 7, length: 1 }), "bytes=7-7");
    assert.equal(formatRange({ offset: 100 }), "bytes=100-");
    assert.equal(formatRange({ suffix: 16 }), "bytes=-16");
  });

  test("formatRange refuses empty and negative ranges", () => {
    assert.throws(() => formatRange({ offset: 0, length: 0 }), /length must be a positive integer, got 0/);
    assert.throws(() => formatRange({ offset: -1 }), /offset must be a non-negative integer, got -1/);
    assert.throws(() => formatRange({ suffix: 0 }), /suffix range needs a positive integer, got 0/);
    assert.throws(() => formatRange({ offset: 1.5, length: 2 }), /offset/);
  });

  const cases: [string | undefined, number, ReturnType<typeof resolveRange>][] = [
    [undefined, 100, { kind: "full" }],
    ["bytes=0-9", 100, { kind: "partial", start: 0, end: 9 }],
    ["bytes=90-200", 100, { kind: "partial", start: 90, end: 99 }],
    ["bytes=50-", 100, { kind: "partial", start: 50, end: 99 }],
    ["bytes=-10", 100, { kind: "partial", start: 90, end: 99 }],
    ["bytes=-500", 100, { kind: "partial", start: 0, end: 99 }],
    ["bytes=100-", 100, { kind: "unsatisfiable" }],
    ["bytes=100-200", 100, { kind: "unsatisfiable" }],
    ["bytes=-0", 100, { kind: "unsatisfiable" }],
    ["bytes=-5", 0, { kind: "unsatisfiable" }],
    ["bytes=0-1,5-6", 100, { kind: "full" }],
    ["items=0-9", 100, { kind: "full" }],
    ["bytes=9-3", 100, { kind: "full" }],
    ["bytes=-", 100, { kind: "full" }],
  ];
  for (const [header, size, expected] of cases) {
    test(`resolveRange(${header}, ${size})`, () => assert.deepEqual(resolveRange(header, size), expected));
  }

  test("Content-Range for partial answers and 416, and the size read back from it", () => {
    assert.equal(formatContentRange({ kind: "partial", start: 90, end: 99 }, 100), "bytes 90-99/100");
    assert.equal(formatContentRange({ kind: "unsatisfiable" }, 100), "bytes */100");
    assert.equal(formatContentRange({ kind: "full" }, 100), undefined);
    assert.equal(sizeFromContentRange("bytes 90-99/100"), 100);
    assert.equal(sizeFromContentRange("bytes 0-9/*"), undefined);
    assert.equal(sizeFromContentRange(undefined), undefined);
  });

  test("rangeLength is what a correct server returns", () => {
    assert.equal(rangeLength(undefined, 100), 100);
    assert.equal(rangeLength({ offset: 10, length: 5 }, 100), 5);
    assert.equal(rangeLength({ offset: 98, length: 5 }, 100), 2);
    assert.equal(rangeLength({ offset: 40 }, 100), 60);
    assert.equal(rangeLength({ suffix: 30 }, 100), 30);
    assert.equal(rangeLength({ suffix: 300 }, 100), 100);
  });
});

function record(startMs: number, endMs: number, fields: Partial<RequestRecord> = {}): RequestRecord {
  return { method: "GET", key: "k", range: undefined, status: 200, startMs, ttfbMs: 1, endMs, bytes: 10, retries: 0, connectionReused: false, ...fields };
}

describe("request log", () => {
  test("summary: exact median and type-7 p95 of TTFB over answered requests", () => {
    // TTFBs 1..20 ms: median (10+11)/2 = 10.5; p95 at rank 0.95·19 = 18.05 → 19 + 0.05·1 = 19.05
    const records = Array.from({ length: 20 }, (_, i) => record(i * 100, i * 100 + 50, { ttfbMs: i + 1, bytes: 1000 }));
    records.push(record(5000, 5100, { status: 0, ttfbMs: undefined, bytes: 0, retries: 2, error: "GET x: timeout" }));
    const summary = summarizeRequests(records);
    assert.equal(summary.requests, 21);
    assert.equal(summary.bytes, 20_000);
    assert.equal(summary.retries, 2);
    assert.equal(summary.failed, 1);
    assert.equal(summary.medianTtfbMs, 10.5);
    assert.ok(Math.abs(summary.p95TtfbMs! - 19.05) < 1e-9, String(summary.p95TtfbMs));
    assert.equal(summary.peakInFlight, 1);
  });

  test("summary of nothing", () => {
    assert.deepEqual(summarizeRequests([]), {
      requests: 0,
      bytes: 0,
      retries: 0,
      failed: 0,
      connectionsReused: 0,
      medianTtfbMs: undefined,
      p95TtfbMs: undefined,
      peakInFlight: 0,
    });
  });

  test("peak in flight counts overlapping intervals; touching ones do not overlap", () => {
    assert.equal(peakOverlap([record(0, 10), record(10, 20), record(20, 30)]), 1);
    assert.equal(peakOverlap([record(0, 10), record(5, 15), record(6, 7), record(20, 30)]), 3);
    assert.equal(peakOverlap([record(0, 100), ...Array.from({ length: 31 }, (_, i) => record(1 + i, 50))]), 32);
  });

  test("the live log tracks requests in flight and cuts samples with mark/since", () => {
    const log = new RequestLog();
    const a = log.begin();
    const b = log.begin();
    assert.equal(log.inFlight, 2);
    a(record(0, 1));
    a(record(0, 1)); // a second finish of the same request is ignored
    const mark = log.mark();
    b(record(0, 2, { key: "b" }));
    assert.equal(log.inFlight, 0);
    assert.equal(log.peakInFlight, 2);
    assert.deepEqual(
      log.since(mark).map((r) => r.key),
      ["b"],
    );
    assert.equal(log.records.length, 2);
  });
});

describe("token bucket", () => {
  test("starts empty and paces reservations at the rate without drift", () => {
    const bucket = new TokenBucket(1000, 100, 0); // 1000 B/s, 100 B burst
    bucket.startTransfer(0);
    assert.equal(bucket.reserve(50, 0), 50); // 50 B at 1000 B/s
    assert.equal(bucket.reserve(50, 0), 100); // queued behind the first
    // 100 ms later the timeline has caught up exactly
    assert.equal(bucket.available(100), 0);
    assert.equal(bucket.reserve(10, 100), 10);
  });

  test("during a transfer, the sender's pauses are made up to the burst", () => {
    const bucket = new TokenBucket(1000, 100, 0);
    bucket.startTransfer(0);
    assert.equal(bucket.reserve(10, 0), 10);
    assert.equal(bucket.available(60), 50); // a late sender finds what accrued meanwhile
    assert.equal(bucket.available(10_000), 100); // but never more than the burst
  });

  test("a pause with no transfer running is not banked: the next transfer starts empty", () => {
    const bucket = new TokenBucket(1000, 100, 0);
    bucket.startTransfer(0);
    bucket.reserve(100, 0);
    bucket.endTransfer();
    bucket.startTransfer(5000); // long idle, e.g. a latency wait
    assert.equal(bucket.reserve(100, 5000), 100);
    // a second transfer joining a running one shares the same timeline
    bucket.startTransfer(5000);
    assert.equal(bucket.reserve(100, 5000), 200);
  });

  test("a transfer starting while reservations are outstanding waits behind them", () => {
    const bucket = new TokenBucket(1000, 100, 0);
    bucket.startTransfer(0);
    bucket.reserve(200, 0); // until 200 ms
    bucket.endTransfer();
    bucket.startTransfer(50);
    assert.equal(bucket.reserve(100, 50), 250);
  });

  test("n bytes through a saturated bucket take n/rate", () => {
    const rate = 8 * 1024 * 1024;
    const bucket = new TokenBucket(rate, burstSize(rate), 0);
    bucket.startTransfer(0);
    const piece = pieceSize(rate);
    let lastSendMs = 0;
    const total = 64 * piece;
    for (let sent = 0; sent < total; sent += piece) lastSendMs = bucket.reserve(piece, 0);
    assert.ok(Math.abs(lastSendMs - (total / rate) * 1000) < 1e-9);
  });

  test("piece and burst sizes", () => {
    assert.equal(pieceSize(100e6), 64 * 1024);
    assert.equal(pieceSize(20e6), 40_000);
    assert.equal(pieceSize(100_000), 16 * 1024);
    assert.equal(burstSize(100e6), 2_000_000);
    assert.equal(burstSize(100_000), 32 * 1024);
  });

  test("shaping settings out of range name the field", () => {
    assert.throws(() => checkShaping({ bandwidth: 0 }), /^RangeError: shaping bandwidth: expected at least 1024 bytes\/s, got 0$/);
    assert.throws(() => checkShaping({ latencyMs: -1 }), /shaping latency: expected 0 to 60000 ms, got -1/);
    assert.throws(() => checkShaping({ concurrency: 1.5 }), /shaping concurrency: expected a positive integer, got 1.5/);
    assert.doesNotThrow(() => checkShaping({ bandwidth: 100e6, latencyMs: 20, concurrency: 32 }));
  });
});

describe("redaction", () => {
  test("user info and credential query parameters never survive", () => {
    const url =
      "https://AKIDSECRET:hunter2@bucket.s3.amazonaws.com/k?X-Amz-Credential=AKIDSECRET%2F2024&X-Amz-Signature=abc123&X-Amz-Security-Token=tok&prefix=a";
    const redacted = redactUrl(url);
    for (const secret of ["AKIDSECRET", "hunter2", "abc123", "tok&"]) assert.ok(!redacted.includes(secret), `${secret} in ${redacted}`);
    assert.match(redacted, /prefix=a/);
    assert.equal(redactUrl("not a url"), "(invalid URL)");
  });
});
