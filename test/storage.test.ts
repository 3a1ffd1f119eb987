/**
 * Storage as a case dimension: units, labels, sweeps, case ids and the scenario hash; the remote
 * request summary (transfer amplification); the transfer model and its crossover bandwidth.
 * Validation errors are pinned by test/fixtures/scenarios/invalid/storage-*.yaml.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseScenario } from "../harness/plan/load.ts";
import { bandwidthCrossovers, formatBandwidth } from "../harness/report/bandwidth-crossover.ts";
import type { CaseResult } from "../harness/run/results-types.ts";
import { caseId, expandCases } from "../harness/scenario/expand.ts";
import { describeStorage, endpointLabel, parseBandwidth, parseLatency, resolveStorage } from "../harness/scenario/storage.ts";
import { summarizeRemote, transferAmplification } from "../harness/stats/remote.ts";
import { crossoverBandwidth, fitInverseBandwidth, measuredCrossover, modelSeconds } from "../harness/stats/transfer-model.ts";

const BASE =
  "version: 1\nname: s\ndatasets: [{name: a, shape: [64], dtype: int8}]\nlayouts: [{name: z, backend: zarr, chunks: [16]}]\npatterns: [{name: f, kind: full}]\ncache: [cold]\n";

describe("storage units", () => {
  test("bandwidths in decimal and binary units", () => {
    assert.equal(parseBandwidth("100MB/s"), 100e6);
    assert.equal(parseBandwidth("1GB/s"), 1e9);
    assert.equal(parseBandwidth("50MiB/s"), 50 * 2 ** 20);
    assert.equal(parseBandwidth("1.5 KiB/s"), 1536);
    assert.equal(parseBandwidth("100Mb/s"), undefined);
    assert.equal(parseBandwidth("fast"), undefined);
  });
  test("latencies", () => {
    assert.equal(parseLatency("20ms"), 20);
    assert.equal(parseLatency("1s"), 1000);
    assert.equal(parseLatency("500us"), 0.5);
    assert.equal(parseLatency("20"), undefined);
  });
});

describe("storage resolution and labels", () => {
  test("a shaping sweep expands bandwidth × latency × concurrency, in that order", () => {
    const labels = resolveStorage([{ kind: "s3", bandwidth: ["100MB/s", "1GB/s"], latency: "20ms", concurrency: [1, 8] }]).map((s) => s.label);
    assert.deepEqual(labels, ["s3-100MBps-20ms-c1", "s3-100MBps-20ms-c8", "s3-1GBps-20ms-c1", "s3-1GBps-20ms-c8"]);
  });
  test("unshaped servers, local and user endpoints", () => {
    assert.deepEqual(
      resolveStorage(["local", { kind: "http" }, { kind: "s3" }, { kind: "s3", bucket: "mybucket" }]).map((s) => s.label),
      ["local", "http", "s3", "s3-mybucket"],
    );
    assert.equal(endpointLabel({ kind: "s3", bucket: "mybucket", prefix: "runs/2026/" }), "s3-mybucket-runs-2026");
    assert.equal(endpointLabel({ kind: "http", url: "https://data.example.org:8443/layouts/" }), "http-data.example.org-8443-layouts");
  });
  test("a user endpoint is recorded without query or fragment", () => {
    const [s] = resolveStorage([{ kind: "s3", bucket: "mybucket", endpoint: "http://127.0.0.1:9000/" }]);
    assert.equal(s.kind === "s3" && !s.managed ? s.endpoint : undefined, "http://127.0.0.1:9000/");
    assert.equal(describeStorage(s), "s3://mybucket/ at http://127.0.0.1:9000/");
  });
  test("shaping as recorded", () => {
    const [s] = resolveStorage([{ kind: "http", bandwidth: "50MiB/s", latency: "1s", concurrency: 4 }]);
    assert.deepEqual(s, {
      kind: "http",
      label: "http-50MiBps-1000ms-c4",
      managed: true,
      shaping: { bandwidth: 50 * 2 ** 20, bandwidthText: "50MiB/s", latencyMs: 1000, concurrency: 4 },
    });
    assert.equal(describeStorage(s), "http server on loopback (bandwidth 50MiB/s, latency 1000ms, concurrency 4)");
  });
});

describe("case ids carry the storage only when it is not local", () => {
  test("caseId", () => {
    assert.equal(caseId("s", "a", "z", "f", "cold"), "s/a/z/f/cold");
    assert.equal(caseId("s", "a", "z", "f", "cold", "layoutbench", { storage: "local" }), "s/a/z/f/cold");
    assert.equal(caseId("s", "a", "z", "f", "warm", "zarrita", { storage: "s3-100MBps-20ms" }), "s/a/z/f/warm/storage=s3-100MBps-20ms@zarrita");
  });
  test("expansion", () => {
    const s = parseScenario(`${BASE}engines: [layoutbench, zarrita]\nstorage: [local, {kind: http, bandwidth: [10MB/s, 1GB/s], latency: 20ms}]\n`, "s.yaml");
    assert.deepEqual(
      expandCases(s).map((c) => c.id),
      [
        "s/a/z/f/cold",
        "s/a/z/f/cold@zarrita",
        "s/a/z/f/cold/storage=http-10MBps-20ms",
        "s/a/z/f/cold/storage=http-10MBps-20ms@zarrita",
        "s/a/z/f/cold/storage=http-1GBps-20ms",
        "s/a/z/f/cold/storage=http-1GBps-20ms@zarrita",
      ],
    );
    assert.deepEqual(
      expandCases(s).map((c) => c.storage.label),
      ["local", "local", "http-10MBps-20ms", "http-10MBps-20ms", "http-1GBps-20ms", "http-1GBps-20ms"],
    );
  });
  test("storage: [local] keeps the scenario's hash; other storage changes it", () => {
    const plain = parseScenario(BASE, "s.yaml");
    assert.deepEqual(plain.storage, [{ kind: "local", label: "local" }]);
    assert.equal(parseScenario(`${BASE}storage: [local]\n`, "s.yaml").hash, plain.hash);
    assert.notEqual(parseScenario(`${BASE}storage: [local, {kind: http}]\n`, "s.yaml").hash, plain.hash);
  });
  test("memmap's remote: download resolves only when given", () => {
    const s = parseScenario(BASE.replace("{name: z, backend: zarr, chunks: [16]}", "{name: m, backend: memmap, remote: download}"), "s.yaml");
    assert.deepEqual(s.layouts[0], { name: "m", backend: "memmap", advice: "normal", order: "C", remote: "download" });
  });
});

describe("remote request summary", () => {
  test("transfer amplification", () => {
    assert.equal(transferAmplification(1000, 4000), 0.25);
    assert.equal(transferAmplification(8192, 4096), 2);
    assert.equal(transferAmplification(10, 0), 0);
  });
  test("medians over samples, peak as the most, reuse as a share", () => {
    const sample = (requests: number, bytes: number, ttfb: number, peak: number, reused: number) => ({
      requests,
      bytesTransferred: bytes,
      retries: 0,
      medianTtfbMs: ttfb,
      p95TtfbMs: ttfb * 2,
      peakInFlight: peak,
      connectionsReused: reused,
    });
    const r = summarizeRemote([sample(4, 4000, 20, 4, 0), sample(4, 5000, 22, 2, 4), sample(4, 6000, 30, 3, 4), undefined], 10_000);
    assert.deepEqual(r, {
      requests: 4,
      bytesTransferred: 5000,
      transferAmplification: 0.5,
      medianTtfbMs: 22,
      p95TtfbMs: 44,
      peakInFlight: 4,
      connectionReuse: 8 / 12,
      retries: 0,
    });
    assert.equal(summarizeRemote([undefined], 1), null);
  });
});

describe("transfer model", () => {
  test("t = S/(r·B) + S/D", () => {
    assert.equal(modelSeconds(1e9, 1e8, { ratio: 1, decodeBytesPerSecond: Infinity }), 10);
    assert.equal(modelSeconds(1e9, 1e8, { ratio: 4, decodeBytesPerSecond: 1e9 }), 3.5);
  });
  test("crossover: B* = (1 − 1/r)·D against raw", () => {
    // r = 4, D = 1 GB/s: 0.75 GB/s. Check: at B*, 1/(4·0.75e9) + 1/1e9 = 1/0.75e9.
    assert.equal(crossoverBandwidth({ ratio: 4, decodeBytesPerSecond: 1e9 }), 0.75e9);
    assert.equal(crossoverBandwidth({ ratio: 2, decodeBytesPerSecond: 4e9 }), 2e9);
    const b = crossoverBandwidth({ ratio: 4, decodeBytesPerSecond: 1e9 })!;
    assert.ok(Math.abs(modelSeconds(1, b, { ratio: 4, decodeBytesPerSecond: 1e9 }) - modelSeconds(1, b, { ratio: 1, decodeBytesPerSecond: Infinity })) < 1e-18);
  });
  test("crossover against a raw layout that decodes too, and the limits", () => {
    // (1/1 − 1/2) / (1/1e9 − 1/4e9) = 0.5 / 0.75e-9
    assert.equal(crossoverBandwidth({ ratio: 2, decodeBytesPerSecond: 1e9 }, { ratio: 1, decodeBytesPerSecond: 4e9 }), 0.5 / 0.75e-9);
    assert.equal(crossoverBandwidth({ ratio: 1, decodeBytesPerSecond: 1e9 }), null, "no smaller: never wins");
    assert.equal(crossoverBandwidth({ ratio: 0.9, decodeBytesPerSecond: 1e9 }), null);
    assert.equal(
      crossoverBandwidth({ ratio: 2, decodeBytesPerSecond: 8e9 }, { ratio: 1, decodeBytesPerSecond: 4e9 }),
      Infinity,
      "smaller and faster: wins everywhere",
    );
  });
  test("fit of measured points and the measured crossover", () => {
    // raw: t = 1e8/B + 0.02; compressed: t = 0.25e8/B + 0.07 → cross at 0.75e8/0.05 = 1.5e9
    const raw = [1e7, 1e8, 1e9].map((b) => ({ bandwidth: b, seconds: 1e8 / b + 0.02 }));
    const lz4 = [1e7, 1e8, 1e9].map((b) => ({ bandwidth: b, seconds: 0.25e8 / b + 0.07 }));
    const fr = fitInverseBandwidth(raw);
    const fc = fitInverseBandwidth(lz4);
    assert.ok(Math.abs(fr.slope - 1e8) < 1e-3 && Math.abs(fr.intercept - 0.02) < 1e-12);
    assert.ok(Math.abs(measuredCrossover(fc, fr)! - 1.5e9) < 1);
    assert.equal(measuredCrossover(fr, fc), null, "raw never wins by moving fewer bytes");
    assert.equal(measuredCrossover({ slope: 1, intercept: 0 }, { slope: 2, intercept: 1 }), Infinity);
    assert.throws(() => fitInverseBandwidth([{ bandwidth: 1, seconds: 1 }]), /two or more distinct bandwidths/);
  });
});

describe("crossover rows from a run's cases", () => {
  /** A finished case with only what the view reads: layout, pattern, ratio, median, bytes, bandwidth. */
  const row = (layout: string, ratio: number, medianMs: number, bandwidth?: number): CaseResult =>
    ({
      id: `${layout}/${bandwidth ?? "local"}`,
      layout: { name: layout },
      pattern: { name: "full" },
      cache: "warm",
      status: "ok",
      storage: { compressionRatio: ratio },
      summary: { medianMs, bytesRequested: 1e8 },
      ...(bandwidth ? { storageLocation: { kind: "http", label: `h${bandwidth}`, shaping: { bandwidth } } } : {}),
    }) as unknown as CaseResult;
  test("predicted from the warm local speeds, measured from the fits", () => {
    // raw: t = 1e8/B + 0.02 s; lz4 (r = 4): t = 0.25e8/B + 0.07 s. Local: raw 1e8 B in 10 ms (10 GB/s), lz4 in 100 ms (1 GB/s).
    const cases = [
      row("raw", 1, 10),
      row("lz4", 4, 100),
      ...[1e7, 1e8, 1e9].flatMap((b) => [row("raw", 1, (1e8 / b + 0.02) * 1000, b), row("lz4", 4, (0.25e8 / b + 0.07) * 1000, b)]),
    ];
    const [r] = bandwidthCrossovers(cases, "raw");
    assert.equal(r.layout, "lz4");
    assert.equal(r.decodeBytesPerSecond, 1e9);
    assert.deepEqual(
      r.points.map((p) => p.bandwidth),
      [1e7, 1e8, 1e9],
    );
    // (1 − 1/4) / (1/1e9 − 1/1e10) = 0.75 / 9e-10
    assert.ok(Math.abs(r.predicted! - 0.75 / 9e-10) < 1);
    assert.ok(Math.abs(r.measured! - 1.5e9) < 1e3);
    assert.equal(formatBandwidth(r.measured), "1.50 GB/s");
    assert.equal(formatBandwidth(null), "never");
    assert.equal(formatBandwidth(Infinity), "always");
    assert.equal(formatBandwidth(32e6), "32.0 MB/s");
  });

  const withPath = (c: CaseResult, engine: string, decoder: string): CaseResult => ({ ...c, engine, readPath: { decoder } }) as unknown as CaseResult;
  const grid = (engine: string, lz4Decoder: string, localLz4Decoder = lz4Decoder) => [
    withPath(row("raw", 1, 10), engine, "none"),
    withPath(row("lz4", 4, 100), engine, localLz4Decoder),
    ...[1e7, 1e8, 1e9].flatMap((b) => [
      withPath(row("raw", 1, (1e8 / b + 0.02) * 1000, b), engine, "none"),
      withPath(row("lz4", 4, (0.25e8 / b + 0.07) * 1000, b), engine, lz4Decoder),
    ]),
  ];

  test("each engine's remote reads get their own row, with D from the same engine's local read", () => {
    const slower = grid("zarrita", "numcodecs.js LZ4 (WASM)").map((c) =>
      c.storageLocation || c.layout.name !== "lz4" ? c : ({ ...c, summary: { ...c.summary!, medianMs: 400 } } as CaseResult),
    );
    const rows = bandwidthCrossovers([...grid("layoutbench", "C LZ4 (addon)"), ...slower], "raw");
    assert.deepEqual(
      rows.map((r) => [r.layout, r.engine, r.decodeBytesPerSecond]),
      [
        ["lz4", "layoutbench", 1e9],
        ["lz4 (zarrita)", "zarrita", 2.5e8],
      ],
    );
  });

  test("D recorded with the remote cases (decode only) comes first; none recorded for raw means nothing to decode", () => {
    const decodeOnly = grid("layoutbench", "C LZ4 (addon)").map((c) =>
      c.storageLocation ? ({ ...c, decodeRate: { bytesPerSecond: c.layout.name === "raw" ? null : 3e9, decoder: "C LZ4 (addon)" } } as CaseResult) : c,
    );
    const [r] = bandwidthCrossovers(decodeOnly, "raw");
    assert.deepEqual([r.decodeBytesPerSecond, r.decodeSource], [3e9, "decode only"]);
    // Raw decodes nothing (D₀ = ∞): B* = (1 − 1/4) · 3e9.
    assert.equal(r.predicted, 0.75 * 3e9);
    const [warm] = bandwidthCrossovers(grid("layoutbench", "C LZ4 (addon)"), "raw");
    assert.deepEqual([warm.decodeBytesPerSecond, warm.decodeSource], [1e9, "warm local read"]);
  });

  test("a local read through another decoder than the remote reads' gives no D and no prediction", () => {
    const [r] = bandwidthCrossovers(grid("layoutbench", "C LZ4 (addon)", "numcodecs.js LZ4 (WASM)"), "raw");
    assert.equal(r.decodeBytesPerSecond, null);
    assert.equal(r.predicted, null);
    assert.ok(Math.abs(r.measured! - 1.5e9) < 1e3, "the measured crossover needs no D");
  });
});
