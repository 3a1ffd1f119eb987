/**
 * The report's section on remote storage, present when some case read from HTTP or S3: per case
 * its requests and what crossed the wire, and per pattern and compressed layout the crossover
 * bandwidth against the least compressed layout (bandwidth-crossover.ts). Pure.
 */
import type { CaseResult } from "../run/results-types.ts";
import { bandwidthCrossovers, formatBandwidth } from "./bandwidth-crossover.ts";
import { bandwidthSeries } from "./bandwidth-series.ts";
import { formatDecodeRate } from "./decode-rate.ts";
import { formatBytes } from "./format.ts";
import type { RemoteSectionView } from "./model-types.ts";
import type { Column, Table } from "./table.ts";

export type RemoteSection = RemoteSectionView;

/** Titles, the first `left` of them left-aligned, the rest numbers. */
function columns(titles: readonly string[], left: number): Column[] {
  return titles.map((title, i) => ({ title, align: i < left ? "left" : "right" }));
}

const ms = (v: number | null | undefined) => (v === null || v === undefined ? "–" : `${v.toFixed(1)} ms`);

/** The section, or null when no case read remote storage. */
export function remoteSection(cases: readonly CaseResult[]): RemoteSection | null {
  const remote = cases.filter((c) => c.storageLocation);
  if (remote.length === 0) return null;
  const rows = remote.map((c) => {
    const r = c.summary?.remote;
    const where = c.storageLocation!;
    return [
      c.id,
      `${where.kind}: ${where.label}${where.shaping ? ` (${where.shaping.how})` : ""}`,
      c.status === "ok" && c.summary ? `${c.summary.medianMs.toFixed(1)} ms` : `failed: ${c.error ?? ""}`,
      r ? String(r.requests) : "–",
      r ? formatBytes(r.bytesTransferred) : "–",
      r ? `${r.transferAmplification.toFixed(2)}×` : "–",
      r ? `${ms(r.medianTtfbMs)} / ${ms(r.p95TtfbMs)}` : "–",
      r ? String(r.peakInFlight) : "–",
      r ? `${Math.round(r.connectionReuse * 100)}%` : "–",
    ];
  });
  const shaped = remote.filter((c) => c.status === "ok" && c.storageLocation?.shaping?.bandwidth && c.storage);
  const raw = shaped.length ? shaped.reduce((a, b) => (b.storage!.compressionRatio < a.storage!.compressionRatio ? b : a)).layout.name : null;
  return {
    cases: {
      columns: columns(
        ["case", "storage", "median", "requests", "transferred", "transfer amplif.", "TTFB median / p95", "peak in flight", "reused connections"],
        2,
      ),
      rows,
      kinds: remote.map((c) => (c.status === "ok" ? "ok" : "failed")),
    },
    raw,
    crossovers: raw ? bandwidthCrossovers(cases, raw) : [],
    series: bandwidthSeries(cases),
  };
}

/** The crossover rows as a table. */
export function crossoverTable(section: RemoteSection): Table {
  return {
    columns: columns(["pattern", "layout", "ratio", "D (how measured)", `beats ${section.raw} below (model)`, "measured"], 2),
    kinds: section.crossovers.map(() => "ok"),
    rows: section.crossovers.map((r) => [
      r.pattern,
      r.layout,
      r.ratio.toFixed(2),
      r.decodeBytesPerSecond === null ? "–" : `${formatDecodeRate(r.decodeBytesPerSecond)} (${r.decodeSource})`,
      formatBandwidth(r.predicted),
      formatBandwidth(r.measured),
    ]),
  };
}
