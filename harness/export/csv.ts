/**
 * Export as CSV for notebooks (pandas, R, a spreadsheet): one row per sample with the case's
 * columns repeated, RFC 4180 (CRLF line ends; a field holding a comma, quote, CR or LF is quoted,
 * quotes doubled). Failed cases have no samples and so no rows. Pure.
 */
import type { CaseResult, ResultsFile, Sample } from "../run/results-types.ts";

const COLUMNS: readonly { name: string; value: (c: CaseResult, s: Sample, i: number) => string | number | null }[] = [
  { name: "case", value: (c) => c.id },
  { name: "scenario", value: (c) => c.scenario },
  { name: "dataset", value: (c) => c.dataset.name },
  { name: "shape", value: (c) => c.dataset.shape.join("x") },
  { name: "dtype", value: (c) => c.dataset.dtype },
  { name: "layout", value: (c) => c.layout.name },
  { name: "backend", value: (c) => c.layout.backend },
  { name: "pattern", value: (c) => c.pattern.name },
  { name: "kind", value: (c) => c.pattern.kind },
  { name: "op", value: (c) => c.pattern.op },
  { name: "cache", value: (c) => c.cache },
  { name: "sample", value: (_c, _s, i) => i },
  { name: "ms", value: (_c, s) => s.ms },
  { name: "bytes_read", value: (_c, s) => s.bytesRead },
  { name: "bytes_written", value: (_c, s) => s.bytesWritten },
  { name: "major_faults", value: (_c, s) => s.majorFaults },
  { name: "residency", value: (_c, s) => s.residency },
  { name: "open_ms", value: (_c, s) => s.openMs },
  { name: "round", value: (_c, s) => s.round ?? null },
  { name: "passes", value: (_c, s) => s.passes ?? 1 },
  { name: "bytes_requested", value: (c) => c.summary?.bytesRequested ?? null },
];

/** One RFC 4180 field: null is empty; numbers as JavaScript prints them. */
export function csvField(value: string | number | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function samplesCsv(results: ResultsFile): string {
  const lines = [COLUMNS.map((col) => csvField(col.name)).join(",")];
  for (const c of results.cases) {
    c.samples.forEach((s, i) => {
      lines.push(COLUMNS.map((col) => csvField(col.value(c, s, i))).join(","));
    });
  }
  return lines.join("\r\n") + "\r\n";
}
