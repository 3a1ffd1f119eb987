/**
 * The report's tables as plain-text cells, shared by the Markdown and HTML renderers so both
 * show the same columns and the same formatting; each renderer only escapes and lays out.
 */
import { formatBytes, formatFactor, formatInterval, formatMs, formatRate } from "./format.ts";
import { amplificationMeaningless, NOT_MEANINGFUL, notMeaningfulLegend, throughputMeaningless } from "./meaningless.ts";
import type { DatasetView, GroupView, Recommendation, ReportModel, RowView } from "./model-types.ts";
import { datasetPareto } from "./pareto.ts";

export interface Column {
  readonly title: string;
  readonly align: "left" | "right";
}

/** "best" rows lead their table, "failed" ones carry an error: renderers may style them. */
export type RowKind = "best" | "ok" | "failed";

export interface Table {
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly string[])[];
  readonly kinds: readonly RowKind[];
  /** A line to print under the table (what its "—" cells mean); absent when none. */
  readonly legend?: string;
}

const DASH = "–";
const L = (title: string): Column => ({ title, align: "left" });
const R = (title: string): Column => ({ title, align: "right" });

function percent(confidence: number): string {
  return `${Math.round(confidence * 100)}%`;
}

function vsBestCell(row: RowView): string {
  if (row.rank === 1) return "fastest";
  if (!row.vsBest) return DASH;
  const v = row.vsBest;
  const text = `${formatFactor(v.ratio)} (${formatInterval(v.low, v.high, formatFactor)})`;
  return v.verdict === "tie" ? `${text}, tie` : text;
}

function samplesCell(row: RowView): string {
  if (!row.stats) return "0";
  const o = row.outliers!;
  const outliers = o["low-mild"] + o["low-severe"] + o["high-mild"] + o["high-severe"];
  return outliers ? `${row.stats.n} (${outliers} outlier${outliers === 1 ? "" : "s"})` : String(row.stats.n);
}

function statusCell(row: RowView): string {
  if (row.status === "failed") return `failed: ${row.error}`;
  return row.warnings.length ? `ok, ${row.warnings.length} warning${row.warnings.length === 1 ? "" : "s"}` : "ok";
}

/** One pattern × cache state: layouts ranked by median time. */
export function groupTable(group: GroupView, confidence: number): Table {
  // Columns of figures measured apart from the ranked time appear where some row has them.
  const opens = group.rows.some((r) => r.openMs !== null);
  const writes = group.rows.some((r) => r.returnMs !== null);
  const sched = group.rows.some((r) => r.preempted !== null);
  const columns = [
    R("#"),
    L("Layout"),
    R("Median"),
    R(`${percent(confidence)} CI`),
    R("vs fastest"),
    R("Throughput"),
    R("Read ampl."),
    R("Read from storage"),
    ...(opens ? [R("Open (read at open)")] : []),
    ...(writes ? [R("To return"), R("To durable")] : []),
    ...(sched ? [R("Preempted (invol. switches, steal)")] : []),
    R("On disk (compression)"),
    R("Samples"),
    L("Status"),
  ];
  const noThroughput = throughputMeaningless(group.pattern);
  const noAmplification = amplificationMeaningless(group.cache);
  const rows = group.rows.map((r) => {
    const cells = groupCells(r);
    // Columns 5 and 6: throughput and read amplification.
    if (noThroughput && r.stats) cells[5] = NOT_MEANINGFUL;
    if (noAmplification && r.stats) cells[6] = NOT_MEANINGFUL;
    return [
      ...cells.slice(0, 8),
      ...(opens ? [openCell(r)] : []),
      ...(writes ? [r.returnMs !== null ? formatMs(r.returnMs) : DASH, r.durableMs !== null ? formatMs(r.durableMs) : DASH] : []),
      ...(sched ? [schedCell(r)] : []),
      ...cells.slice(8),
    ];
  });
  const kinds = group.rows.map((r): RowKind => (r.status === "failed" ? "failed" : r.rank === 1 ? "best" : "ok"));
  const legend = notMeaningfulLegend(noThroughput, noAmplification);
  return { columns, rows, kinds, ...(legend ? { legend } : {}) };
}

function openCell(r: RowView): string {
  if (r.openMs === null) return DASH;
  return r.openBytesRead !== null ? `${formatMs(r.openMs)} (${formatBytes(r.openBytesRead)})` : formatMs(r.openMs);
}

function schedCell(r: RowView): string {
  if (r.preempted === null || !r.stats) return DASH;
  return `${r.preempted} of ${r.stats.n} (${r.involuntarySwitches ?? 0}, ${formatMs(r.stealMs ?? 0)})`;
}

/** The cells every group table has, in column order. */
function groupCells(r: RowView): string[] {
  return [
    r.rank === null ? DASH : String(r.rank),
    r.layout,
    r.stats ? formatMs(r.stats.median) : DASH,
    r.medianCI ? formatInterval(r.medianCI.low, r.medianCI.high, formatMs) : DASH,
    vsBestCell(r),
    r.throughput !== null ? formatRate(r.throughput) : DASH,
    r.readAmplification !== null && r.stats ? formatFactor(r.readAmplification) : DASH,
    r.bytesRead !== null && r.stats ? formatBytes(r.bytesRead) : DASH,
    r.bytesOnDisk !== null ? `${formatBytes(r.bytesOnDisk)}${r.compressionRatio !== null ? ` (${formatFactor(r.compressionRatio)})` : ""}` : DASH,
    samplesCell(r),
    statusCell(r),
  ];
}

/** The recommendation's ranking by expected workload cost. */
export function candidatesTable(rec: Recommendation, confidence: number): Table {
  const columns = [R("#"), L("Layout"), R("Expected cost"), R(`${percent(confidence)} CI`), R("vs best"), L("Verdict")];
  const rows = rec.candidates.map((c, i) => [
    String(i + 1),
    c.layout,
    formatMs(c.costMs),
    formatInterval(c.low, c.high, formatMs),
    i === 0 ? "best" : `${formatFactor(c.vsWinner.ratio)} (${formatInterval(c.vsWinner.low, c.vsWinner.high, formatFactor)})`,
    i === 0 ? "recommended" : c.tiedWithWinner ? "tie with the best" : "costlier",
  ]);
  const excluded = rec.excluded.map((e) => [DASH, e.layout, DASH, DASH, DASH, `excluded: ${e.reason}`]);
  const kinds: RowKind[] = [...rows.map((_, i): RowKind => (i === 0 ? "best" : "ok")), ...excluded.map((): RowKind => "failed")];
  return { columns, rows: [...rows, ...excluded], kinds };
}

/** The size-vs-cost trade-off: layouts smallest first, those on the Pareto front marked (and styled as best). */
export function paretoTable(dataset: DatasetView, confidence: number): Table | null {
  const points = datasetPareto(dataset);
  if (points.length === 0) return null;
  const columns = [L("Layout"), R("On disk"), R("Expected cost"), R(`${percent(confidence)} CI`), L("Pareto front")];
  const rows = points.map((p) => [
    p.layout,
    formatBytes(p.bytesOnDisk),
    formatMs(p.costMs),
    formatInterval(p.low, p.high, formatMs),
    p.onFront ? "on the front" : "beaten on size and cost",
  ]);
  return { columns, rows, kinds: points.map((p): RowKind => (p.onFront ? "best" : "ok")) };
}

/** The dataset's layouts: how each stores the array, how it was read, and its workload cost per cache state. */
export function layoutsTable(dataset: DatasetView): Table {
  const caches = [...new Set(dataset.groups.map((g) => g.cache))];
  // Memory columns only when reader processes measured them (docs/readers.md): ΣPSS, not ΣRSS.
  const memory = dataset.layouts.some((l) => l.memory);
  const columns = [
    L("Layout"),
    L("Storage"),
    L("Read path"),
    R("On disk"),
    R("Files"),
    R("Compression"),
    ...caches.map((c) => R(`Cost, ${c}`)),
    ...(memory ? [R("ΣPSS file-backed"), R("ΣPSS anonymous"), R("Anon growth, max reader"), R("ΣVmHWM")] : []),
  ];
  const rows = dataset.layouts.map((l) => [
    l.name,
    l.description,
    l.readPath,
    l.bytesOnDisk !== null ? formatBytes(l.bytesOnDisk) : DASH,
    l.files !== null ? String(l.files) : DASH,
    l.compressionRatio !== null ? formatFactor(l.compressionRatio) : DASH,
    ...caches.map((c) => {
      const cost = l.costByCache[c];
      return cost === null || cost === undefined ? DASH : formatMs(cost);
    }),
    ...(memory
      ? l.memory
        ? [formatBytes(l.memory.pssFileBytes), formatBytes(l.memory.pssAnonBytes), formatBytes(l.memory.maxAnonGrowthBytes), formatBytes(l.memory.hwmBytes)]
        : [DASH, DASH, DASH, DASH]
      : []),
  ]);
  return { columns, rows, kinds: rows.map((): RowKind => "ok") };
}

/** Label/value lines of the run's context. */
export function contextTable(model: ReportModel): Table {
  return {
    columns: [L("Context"), L("Value")],
    rows: model.context.map((c) => [c.label, c.value]),
    kinds: model.context.map((): RowKind => "ok"),
  };
}

/** A heading for a group: "columns (4 random slices 1 wide along axis 1), cold cache". */
export function groupTitle(group: GroupView): string {
  const weight = group.pattern.weight === 1 ? "" : `, weight ${group.pattern.weight}`;
  return `${group.pattern.label === group.pattern.name ? group.pattern.name : `${group.pattern.name} (${group.pattern.label})`}, ${group.cache} cache: ${group.pattern.description}${weight}`;
}
