/**
 * The summary table `layoutbench run` prints at the end: one row per case, aligned columns.
 */
import type { ResultsFile } from "../run/results-types.ts";
import { layoutLabel } from "./describe.ts";
import { amplificationMeaningless, NOT_MEANINGFUL, throughputMeaningless } from "./meaningless.ts";

function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n >= 100 || i === 0 ? n.toFixed(0) : n.toFixed(1)} ${units[i]}`;
}

function rate(bytesPerSecond: number): string {
  return bytesPerSecond >= 1e9 ? `${(bytesPerSecond / 1e9).toFixed(2)} GB/s` : `${(bytesPerSecond / 1e6).toFixed(1)} MB/s`;
}

export function consoleTable(results: ResultsFile): string {
  const header = ["dataset", "layout", "pattern", "cache", "median", "IQR", "throughput", "read", "amplif.", "n", "status"];
  const rows = results.cases.map((raw) => {
    const c = { ...raw, layout: { ...raw.layout, name: layoutLabel(raw.layout.name, raw.engine, raw.storageLocation?.label) } };
    const s = c.summary;
    const status = c.status === "failed" ? `FAILED: ${c.error}` : c.warnings.length ? `warn: ${c.warnings.map((w) => w.code).join(",")}` : "ok";
    if (!s) return [c.dataset.name, c.layout.name, c.pattern.name, c.cache, "-", "-", "-", "-", "-", "0", status];
    return [
      c.dataset.name,
      c.layout.name,
      c.pattern.name,
      c.cache,
      `${s.medianMs.toFixed(3)} ms`,
      `${(s.q3Ms - s.q1Ms).toFixed(3)} ms`,
      throughputMeaningless(c.pattern) ? NOT_MEANINGFUL : rate(s.throughput),
      // Remote cases: what crossed the wire, in how many requests, per byte asked for.
      s.remote
        ? `${bytes(s.remote.bytesTransferred)} in ${s.remote.requests} GETs`
        : c.storageLocation
          ? "GETs unknown" // a remote case whose requests no proxy saw (the python engine's own client)
          : bytes(s.bytesRead),
      s.remote
        ? `${s.remote.transferAmplification.toFixed(2)}×`
        : amplificationMeaningless(c.cache) || c.storageLocation
          ? NOT_MEANINGFUL
          : `${s.readAmplification.toFixed(s.readAmplification < 10 ? 2 : 0)}×`,
      String(s.samples),
      status,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = new Set([4, 5, 6, 7, 8, 9]);
  const line = (r: string[]) => r.map((cell, i) => (i === r.length - 1 ? cell : numeric.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ");
  const legend = rows.some((r) => r.includes(NOT_MEANINGFUL)) ? [`${NOT_MEANINGFUL}: not meaningful (MB/s of point reads, amplification of warm reads)`] : [];
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line), ...legend].join("\n");
}
